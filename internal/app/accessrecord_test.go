package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// accessWorld is the app fixture with the people of a record of access: a real administrator,
// the case manager, a teacher of the student's school (directory only), a substitute from
// another school with a read grant, the parent holding the rights, a parent without them, a
// parent of another child, a state viewer.
type accessWorld struct {
	*fixture
	admin, cm, teacher, sub, parent, noRights, otherParent, stateViewer Actor
	adminName, subName                                                  string
	grantUntil                                                          time.Time
}

func newAccessWorld(t *testing.T, extraStudents int) *accessWorld {
	t.Helper()
	ctx := context.Background()
	w := &accessWorld{fixture: newFixture(t, 2+extraStudents), grantUntil: testNow.Add(7 * 24 * time.Hour)}
	db := w.svc.db
	plan, err := db.GetPlan(ctx, w.district, w.planID)
	if err != nil {
		t.Fatal(err)
	}
	students, err := db.ListStudents(ctx, w.district, store.StudentFilter{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	otherChild := students[slices.IndexFunc(students, func(s store.StudentSummary) bool { return s.ID != w.student })].ID
	staffActor := func(st *iep.Staff, addr string) Actor {
		return Actor{Kind: ActorStaff, ID: st.ID, DistrictID: st.DistrictID, AccountID: "account-" + st.ID, Roles: st.Roles,
			SchoolIDs: st.SchoolIDs, Address: addr}
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		north := &iep.School{DistrictID: w.district, Name: "North", Code: "2", LowGrade: "K", HighGrade: "12", Kind: iep.SchoolPublic}
		if err := tx.CreateSchool(ctx, north); err != nil {
			return err
		}
		admin := &iep.Staff{DistrictID: w.district, FirstName: "Ada", LastName: "Chief", Roles: []iep.StaffRole{iep.RoleAdministrator}, Active: true}
		teacher := &iep.Staff{DistrictID: w.district, SchoolIDs: []string{w.school}, FirstName: "Tim", LastName: "Class",
			Roles: []iep.StaffRole{iep.RoleGeneralEducationTeacher}, Active: true}
		sub := &iep.Staff{DistrictID: w.district, SchoolIDs: []string{north.ID}, FirstName: "Sue", LastName: "Stand-In",
			Roles: []iep.StaffRole{iep.RoleSpeechLanguage}, Active: true}
		viewer := &iep.Staff{DistrictID: w.district, FirstName: "Stella", LastName: "State", Roles: []iep.StaffRole{iep.RoleStateViewer}, Active: true}
		for _, st := range []*iep.Staff{admin, teacher, sub, viewer} {
			if err := tx.CreateStaff(ctx, st); err != nil {
				return err
			}
		}
		w.admin, w.teacher, w.sub = staffActor(admin, "198.51.100.7"), staffActor(teacher, "198.51.100.8"), staffActor(sub, "198.51.100.9")
		w.stateViewer = Actor{Kind: ActorStateViewer, ID: viewer.ID, AccountID: "account-viewer", Roles: viewer.Roles}
		w.adminName, w.subName = admin.Name(), sub.Name()
		w.cm = Actor{Kind: ActorStaff, ID: plan.CaseManagerID, DistrictID: w.district, AccountID: "account-cm",
			Roles: []iep.StaffRole{iep.RoleCaseManager}, SchoolIDs: []string{w.school}, Address: "198.51.100.10"}
		if err := tx.GrantAccess(ctx, &access.Grant{DistrictID: w.district, StaffID: sub.ID, StudentID: w.student, Scope: access.GrantRead,
			GrantedBy: admin.ID, Reason: "covering for the speech therapist", Until: w.grantUntil}); err != nil {
			return err
		}
		parent := func(student string, rights bool) (Actor, error) {
			g := &iep.Guardian{DistrictID: w.district, FirstName: "Pat", LastName: "Parent", PreferredLanguage: "es"}
			if err := tx.CreateGuardian(ctx, g); err != nil {
				return Actor{}, err
			}
			err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: w.district, StudentID: student, GuardianID: g.ID,
				Relationship: iep.RelMother, HoldsEducationalRights: rights, ContactOrder: 1})
			return Actor{Kind: ActorGuardian, ID: g.ID, DistrictID: w.district, AccountID: "account-" + g.ID, Address: "203.0.113.5"}, err
		}
		var err error
		if w.parent, err = parent(w.student, true); err != nil {
			return err
		}
		if w.noRights, err = parent(w.student, false); err != nil {
			return err
		}
		w.otherParent, err = parent(otherChild, true)
		return err
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return w
}

// trail returns every audit entry about the student, newest first.
func (w *accessWorld) trail(t *testing.T) []store.AuditEntry {
	t.Helper()
	got, err := w.svc.db.ListAudit(context.Background(), w.district, w.student, 0)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestAccessRecordWhoMaySee(t *testing.T) {
	w := newAccessWorld(t, 0)
	ctx := context.Background()
	tests := []struct {
		name string
		a    Actor
		want iep.Kind // 0: allowed
	}{
		{"parent with rights", w.parent, 0},
		{"district administrator", w.admin, 0},
		{"case manager", w.cm, iep.KindForbidden},
		{"teacher of the school", w.teacher, iep.KindForbidden},
		{"substitute with a grant", w.sub, iep.KindForbidden},
		{"parent without rights", w.noRights, iep.KindNotFound},
		{"parent of another child", w.otherParent, iep.KindNotFound},
		{"state viewer", w.stateViewer, iep.KindNotFound},
		{"administrator of another district", w.otherAdmin, iep.KindNotFound},
		{"nobody signed in", Anonymous, iep.KindUnauthenticated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(w.trail(t))
			r, err := w.svc.AccessRecord(ctx, tc.a, w.district, w.student, "", "")
			if got := iep.KindOf(err); err != nil && got != tc.want || err == nil && tc.want != 0 {
				t.Fatalf("AccessRecord as %s: err = %v, want kind %v", tc.name, err, tc.want)
			}
			after := len(w.trail(t))
			switch {
			case tc.want == 0 && (r == nil || after != before+1):
				t.Errorf("allowed: %d new audit entries, want 1", after-before)
			case tc.want != 0 && after != before:
				t.Errorf("refused: %d new audit entries, want none", after-before)
			}
			// A bad cursor does not tell a refused actor anything either: the refusal comes first.
			if _, err := w.svc.AccessRecord(ctx, tc.a, w.district, w.student, "", "not-a-cursor"); tc.want != 0 && iep.KindOf(err) != tc.want {
				t.Errorf("with a bad cursor: err = %v, want kind %v", err, tc.want)
			}
		})
	}
	// Unknown students and another district's student are not found, for those who may see one.
	for _, a := range []Actor{w.parent, w.admin} {
		for _, id := range []string{"no-such-student", w.stranger} {
			if _, err := w.svc.AccessRecord(ctx, a, w.district, id, "", ""); iep.KindOf(err) != iep.KindNotFound {
				t.Errorf("AccessRecord(%s) as %s: err = %v, want not found", id, a.ID, err)
			}
		}
	}
}

// readAll has each actor read the student's record once, in order.
func (w *accessWorld) readAll(t *testing.T, actors ...Actor) {
	t.Helper()
	for _, a := range actors {
		if _, err := w.svc.StudentRecord(context.Background(), a, w.district, w.student); err != nil {
			t.Fatalf("StudentRecord as %s: %v", a.ID, err)
		}
	}
}

func TestAccessRecordDefaultShowsOthersThanFamilyAndTeam(t *testing.T) {
	w := newAccessWorld(t, 0)
	ctx := context.Background()
	w.readAll(t, w.parent, w.cm, w.teacher, w.sub, w.admin, w.cm)

	r, err := w.svc.AccessRecord(ctx, w.parent, w.district, w.student, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Filter != AccessOthers || r.ShowAddress || r.Next != "" || r.Student.ID != w.student || !r.Student.BirthDate.IsZero() {
		t.Errorf("record: filter %q, show address %v, next %q, student %+v", r.Filter, r.ShowAddress, r.Next, r.Student)
	}
	type line struct {
		who    PartyKind
		name   string
		action string
		reason access.Reason
		sub    bool
	}
	var got []line
	for _, e := range r.Entries {
		got = append(got, line{e.Who.Kind, e.Who.Name, e.Action, e.Reason, e.Who.Substitute})
		if e.FromAddress != "" {
			t.Errorf("a parent sees the address %q", e.FromAddress)
		}
		if e.Routine {
			t.Errorf("the default view lists a routine entry: %+v", e)
		}
		if e.At.Location().String() != "America/New_York" {
			t.Errorf("entry at %v: not in the district's zone", e.At)
		}
	}
	want := []line{
		{PartyStaff, w.adminName, "read", access.ReasonDistrictAdmin, false},
		{PartyStaff, w.subName, "read", access.ReasonGrantRead, true},
		{PartyStaff, "Tim Class", "read_directory", access.ReasonSchoolStaff, false},
	}
	if !slices.Equal(got, want) {
		t.Errorf("default view:\n got %+v\nwant %+v", got, want)
	}
	if sub := r.Entries[1]; !sub.GrantUntil.Equal(w.grantUntil) {
		t.Errorf("the substitute's grant ends %v, want %v", sub.GrantUntil, w.grantUntil)
	}
	if admin := r.Entries[0]; !slices.Equal(admin.Who.Roles, []iep.StaffRole{iep.RoleAdministrator}) || admin.RecordKind != "student" {
		t.Errorf("the administrator's line: %+v", admin)
	}

	// Every entry: the family's and the team's too, the parent's own reading of this page
	// marked as theirs.
	all, err := w.svc.AccessRecord(ctx, w.parent, w.district, w.student, AccessAll, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Entries) != 7 {
		t.Fatalf("every entry: %d lines, want 7 (6 reads and 1 reading of this page before)", len(all.Entries))
	}
	first, last := all.Entries[0], all.Entries[len(all.Entries)-1]
	if first.Action != "read" || first.RecordKind != "access_record" || !first.Who.You || first.Who.Kind != PartyGuardian ||
		first.Reason != access.ReasonGuardianWithRights || !first.Routine {
		t.Errorf("newest entry = %+v, want the parent's own reading of the record of access", first)
	}
	if last.Who.Kind != PartyGuardian || !last.Who.You || last.Who.Name != "" {
		t.Errorf("oldest entry = %+v, want the parent's read, unnamed", last)
	}
	if cm := all.Entries[1]; cm.Reason != access.ReasonCaseManager || cm.Who.Name != "Case Manager" || !cm.Routine {
		t.Errorf("second entry = %+v, want the case manager's routine read", cm)
	}

	// The administrator sees the addresses, and their own earlier reading is a disclosure.
	ar, err := w.svc.AccessRecord(ctx, w.admin, w.district, w.student, AccessOthers, "")
	if err != nil {
		t.Fatal(err)
	}
	if !ar.ShowAddress || ar.Entries[0].FromAddress != "198.51.100.7" || !ar.Entries[0].Who.You {
		t.Errorf("administrator's view: show address %v, first %+v", ar.ShowAddress, ar.Entries[0])
	}
}

func TestAccessRecordPages(t *testing.T) {
	w := newAccessWorld(t, 0)
	ctx := context.Background()
	n := 2*AccessRecordPageSize + 5
	// n directory reads by the teacher between as many routine reads by the case manager.
	err := w.svc.db.Write(ctx, func(tx *store.Tx) error {
		for i := range 2 * n {
			e := store.AuditEntry{DistrictID: w.district, ActorKind: "staff", ActorID: w.teacher.ID, Action: "read_directory",
				RecordKind: "student", RecordID: w.student, StudentID: w.student, Reason: string(access.ReasonSchoolStaff)}
			if i%2 == 1 {
				e.ActorID, e.Action, e.Reason = w.cm.ID, "read", string(access.ReasonCaseManager)
			}
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who    Actor
		filter AccessFilter
		want   int
	}{
		{w.parent, AccessOthers, n},
		{w.parent, AccessAll, 2 * n},
		{w.admin, AccessOthers, n},
	} {
		t.Run(fmt.Sprintf("%s %s", tc.who.Kind, tc.filter), func(t *testing.T) {
			cursor, pages, lines := "", 0, 0
			for {
				r, err := w.svc.AccessRecord(ctx, tc.who, w.district, w.student, tc.filter, cursor)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(r.Entries) > AccessRecordPageSize || r.After != cursor {
					t.Fatalf("page %d: %d lines after %q", pages, len(r.Entries), r.After)
				}
				for _, e := range r.Entries {
					if e.Who.You || e.Action == "read" && e.RecordKind == auditAccessRecord {
						continue // this test's own readings of the page
					}
					lines++
				}
				if r.Next == "" {
					break
				}
				if r.Next == cursor {
					t.Fatal("the cursor does not move")
				}
				cursor = r.Next
			}
			if lines != tc.want || pages != 1+tc.want/AccessRecordPageSize {
				t.Errorf("%d lines in %d pages, want %d in %d", lines, pages, tc.want, 1+tc.want/AccessRecordPageSize)
			}
		})
	}
}

func TestAccessRecordInvalidQuery(t *testing.T) {
	w := newAccessWorld(t, 0)
	ctx := context.Background()
	for _, tc := range []struct {
		filter AccessFilter
		cursor string
		field  string
	}{
		{"everything", "", "show"},
		{"", "abc", "after"},
		{"", "-3", "after"},
		{"", "0", "after"},
		{AccessAll, "1e3", "after"},
	} {
		before := len(w.trail(t))
		_, err := w.svc.AccessRecord(ctx, w.parent, w.district, w.student, tc.filter, tc.cursor)
		var e *iep.Error
		if !errors.As(err, &e) || e.Kind != iep.KindInvalid || len(e.Problems) != 1 || e.Problems[0].Field != tc.field {
			t.Errorf("AccessRecord(filter %q, cursor %q): err = %v, want invalid %s", tc.filter, tc.cursor, err, tc.field)
		}
		if after := len(w.trail(t)); after != before {
			t.Errorf("an invalid query wrote %d audit entries", after-before)
		}
	}
}

// TestMayViewAccessRecordFollowsThePolicy: the student page's link to the record of access
// shows exactly for those whom AccessRecord lets in.
func TestMayViewAccessRecordFollowsThePolicy(t *testing.T) {
	w := newAccessWorld(t, 0)
	ctx := context.Background()
	rep := w.cm
	rep.ID, rep.Roles = w.teacher.ID, []iep.StaffRole{iep.RoleDistrictRepresentative}
	for _, a := range []Actor{w.parent, w.admin, w.cm, w.teacher, w.sub, rep} {
		rec, err := w.svc.StudentRecord(ctx, a, w.district, w.student)
		if err != nil {
			t.Fatalf("StudentRecord as %s: %v", a.ID, err)
		}
		_, err = w.svc.AccessRecord(ctx, a, w.district, w.student, "", "")
		if rec.MayViewAccessRecord() != (err == nil) {
			t.Errorf("reader with reason %s: MayViewAccessRecord = %v, AccessRecord err = %v", rec.Reason, rec.MayViewAccessRecord(), err)
		}
	}
}
