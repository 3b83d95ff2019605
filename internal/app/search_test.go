package app

import (
	"context"
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

// TestFindStudents: pages of PageSize through the keyset cursor; staff of another school find
// nothing of this one, and see the directory columns only; nothing typed is no search; a state
// viewer is refused and a family finds nothing. A search is audited without what was typed.
func TestFindStudents(t *testing.T) {
	f := newFixture(t, PageSize+3)
	ctx := context.Background()
	got, err := f.svc.FindStudents(ctx, f.admin, f.district, "  l0 ", "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Query != "l0" || len(got.Rows) != PageSize || got.Next == "" || got.DirectoryOnly || got.Rows[0].LastName != "L000" ||
		got.Rows[0].SchoolName != "S" || got.Rows[0].PlanID == "" {
		t.Fatalf("first page: %+v", got)
	}
	next, err := f.svc.FindStudents(ctx, f.admin, f.district, "l0", got.Next)
	if err != nil || len(next.Rows) != 3 || next.Next != "" || next.Rows[2].LastName != "L052" {
		t.Fatalf("second page: %+v, %v", next, err)
	}
	if _, err := f.svc.FindStudents(ctx, f.admin, f.district, "l0", "1~nobody"); iep.KindOf(err) != iep.KindInvalid {
		t.Errorf("a bad cursor: %v", err)
	}
	entries, _ := f.svc.db.ListAudit(ctx, f.district, "", 0)
	if len(entries) != 2 || entries[0].Action != "search_students" || entries[0].RecordKind != "district" {
		t.Errorf("audit: %+v", entries)
	}

	other := Actor{Kind: ActorStaff, ID: "t", DistrictID: f.district, AccountID: "account-t", Roles: []iep.StaffRole{iep.RoleGeneralEducationTeacher},
		SchoolIDs: []string{"another-school"}}
	if got, err := f.svc.FindStudents(ctx, other, f.district, "l0", ""); err != nil || len(got.Rows) != 0 || !got.DirectoryOnly {
		t.Errorf("staff of another school: %+v, %v", got, err)
	}
	mine := other
	mine.SchoolIDs = []string{f.school}
	if got, err := f.svc.FindStudents(ctx, mine, f.district, "L000", ""); err != nil || len(got.Rows) != 1 || got.Rows[0].PlanID != "" ||
		!got.Rows[0].BirthDate.IsZero() {
		t.Errorf("staff of the school see the directory only: %+v, %v", got, err)
	}
	if got, err := f.svc.FindStudents(ctx, f.admin, f.district, " -' ", ""); err != nil || !got.Empty || got.Rows != nil {
		t.Errorf("nothing typed: %+v, %v", got, err)
	}
	viewer := Actor{Kind: ActorStateViewer, ID: "v", AccountID: "account-v", Roles: []iep.StaffRole{iep.RoleStateViewer}}
	parent := Actor{Kind: ActorGuardian, ID: "g", DistrictID: f.district, AccountID: "account-g"}
	for _, c := range []struct {
		who  Actor
		kind iep.Kind
	}{{viewer, iep.KindForbidden}, {parent, iep.KindNotFound}, {f.otherAdmin, iep.KindNotFound}} {
		if _, err := f.svc.FindStudents(ctx, c.who, f.district, "l0", ""); iep.KindOf(err) != c.kind {
			t.Errorf("%s: %v, want %s", c.who.Kind, err, c.kind)
		}
	}
}
