package app

import (
	"context"
	"errors"
	"testing"

	"github.com/openiep/openiep/internal/demo"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// bankActors are the staff of the fixture's district as actors, with staff records of their own
// (a bank item records who changed it last).
func bankActors(t *testing.T, f *fixture) (admin, rep, teacher, viewer Actor) {
	t.Helper()
	ctx := context.Background()
	mk := func(role iep.StaffRole, schools ...string) Actor {
		st := &iep.Staff{DistrictID: f.district, FirstName: "Bank", LastName: string(role), Roles: []iep.StaffRole{role}, SchoolIDs: schools, Active: true}
		if err := f.svc.db.Write(ctx, func(tx *store.Tx) error { return tx.CreateStaff(ctx, st) }); err != nil {
			t.Fatal(err)
		}
		kind := ActorStaff
		if role == iep.RoleStateViewer {
			kind = ActorStateViewer
		}
		return Actor{Kind: kind, ID: st.ID, DistrictID: f.district, AccountID: "account-" + st.ID, Roles: st.Roles, SchoolIDs: schools, Address: "192.0.2.9"}
	}
	return mk(iep.RoleAdministrator), mk(iep.RoleDistrictRepresentative), mk(iep.RoleCaseManager, f.school), mk(iep.RoleStateViewer)
}

var fluencyInput = BankInput{Area: "reading", GradeBand: "3_5", Text: "By [date], [student] will read [target] wcpm (baseline: [baseline]).",
	MeasurementMethod: "ORF probes", Schedule: "Every two weeks", Unit: "wcpm", Objectives: []string{" ", "By March, [student] will read 70 wcpm."}, Tags: []string{"Fluency"}}

func TestBankWhoMayDoWhat(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	admin, rep, teacher, viewer := bankActors(t, f)
	guardian := Actor{Kind: ActorGuardian, ID: "g", DistrictID: f.district, AccountID: "acc-g"}
	q := BankQuery{Kind: store.BankGoal}

	// Administrators and representatives manage; the representative's change is recorded under
	// their own reason.
	id, err := f.svc.CreateBankItem(ctx, admin, f.district, store.BankGoal, fluencyInput)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RetireBankItem(ctx, rep, f.district, store.BankGoal, id, true); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RetireBankItem(ctx, rep, f.district, store.BankGoal, id, false); err != nil {
		t.Fatal(err)
	}
	// Any staff member of the district searches and fetches; only administrators manage.
	b, err := f.svc.SearchBank(ctx, teacher, f.district, q)
	if err != nil || b.Total != 1 || b.CanManage || b.Empty || b.StarterSize != 0 {
		t.Fatalf("the teacher's search: %+v, %v", b, err)
	}
	it, err := f.svc.BankItem(ctx, teacher, f.district, id)
	if err != nil || it.Text != fluencyInput.Text || len(it.Objectives) != 1 || it.Tags[0] != "fluency" {
		t.Errorf("the teacher's item: %+v, %v", it, err)
	}
	if _, err := f.svc.CreateBankItem(ctx, teacher, f.district, store.BankGoal, fluencyInput); !errors.Is(err, iep.ErrForbidden) {
		t.Errorf("a teacher adds an item: %v", err)
	}
	if err := f.svc.RetireBankItem(ctx, teacher, f.district, store.BankGoal, id, true); !errors.Is(err, iep.ErrForbidden) {
		t.Errorf("a teacher retires an item: %v", err)
	}
	if _, err := f.svc.ManagedBankItem(ctx, teacher, f.district, store.BankGoal, id); !errors.Is(err, iep.ErrForbidden) {
		t.Errorf("a teacher opens the edit form: %v", err)
	}
	if _, err := f.svc.SearchBank(ctx, teacher, f.district, BankQuery{Kind: store.BankGoal, Retired: true}); !errors.Is(err, iep.ErrForbidden) {
		t.Errorf("a teacher lists the retired items: %v", err)
	}
	if _, err := f.svc.LoadStarterBank(ctx, teacher, f.district, store.BankAccommodation); !errors.Is(err, iep.ErrForbidden) {
		t.Errorf("a teacher loads the starter bank: %v", err)
	}
	// The state viewer is refused; families and other districts find nothing; nobody signed in
	// is asked to sign in.
	if _, err := f.svc.SearchBank(ctx, viewer, f.district, q); !errors.Is(err, iep.ErrForbidden) {
		t.Errorf("the state viewer: %v", err)
	}
	for _, who := range []Actor{guardian, f.otherAdmin} {
		if _, err := f.svc.SearchBank(ctx, who, f.district, q); !errors.Is(err, iep.ErrNotFound) {
			t.Errorf("%s of %s searches: %v", who.Kind, who.DistrictID, err)
		}
		if _, err := f.svc.BankItem(ctx, who, f.district, id); !errors.Is(err, iep.ErrNotFound) {
			t.Errorf("%s of %s fetches: %v", who.Kind, who.DistrictID, err)
		}
	}
	if _, err := f.svc.BankItem(ctx, f.otherAdmin, f.other, id); !errors.Is(err, iep.ErrNotFound) {
		t.Errorf("another district's item through one's own district: %v", err)
	}
	if _, err := f.svc.SearchBank(ctx, Anonymous, f.district, q); !errors.Is(err, iep.ErrUnauthenticated) {
		t.Errorf("anonymous: %v", err)
	}

	// Every change is audited, by whom and on what ground; a search is not (no student data).
	entries, err := f.svc.db.ListAudit(ctx, f.district, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if e.RecordKind == "bank_item" && e.RecordID == id {
			got = append(got, e.Action+" by "+e.ActorID+" as "+e.Reason)
		}
	}
	want := []string{"restore by " + rep.ID + " as district_representative", "retire by " + rep.ID + " as district_representative",
		"create by " + admin.ID + " as district_admin"}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("audit trail of the item:\n%q\nwant\n%q", got, want)
	}
}

func TestBankEditing(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	admin, rep, _, _ := bankActors(t, f)

	// Invalid input: every problem at once, by the form's field names; nothing stored.
	_, err := f.svc.CreateBankItem(ctx, admin, f.district, store.BankGoal, BankInput{Area: "astrology", Text: " "})
	var e *iep.Error
	if !errors.As(err, &e) || iep.KindOf(err) != iep.KindInvalid {
		t.Fatalf("an empty goal: %v", err)
	}
	var fields []string
	for _, p := range e.Problems {
		fields = append(fields, p.Field)
	}
	if len(fields) != 5 || fields[0] != "area" || fields[2] != "text" {
		t.Errorf("problem fields %v", fields)
	}
	if b, _ := f.svc.SearchBank(ctx, admin, f.district, BankQuery{Kind: store.BankGoal}); b.Total != 0 || !b.Empty {
		t.Errorf("a refused item was stored: %+v", b)
	}

	// Two administrators open the same item; the second save is refused, the first kept.
	id, err := f.svc.CreateBankItem(ctx, admin, f.district, store.BankGoal, fluencyInput)
	if err != nil {
		t.Fatal(err)
	}
	one, two := fluencyInput, fluencyInput
	one.Text, two.Text = "One's words.", "Two's words."
	if err := f.svc.UpdateBankItem(ctx, admin, f.district, store.BankGoal, id, 1, one); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.UpdateBankItem(ctx, rep, f.district, store.BankGoal, id, 1, two); iep.KindOf(err) != iep.KindConflict {
		t.Errorf("a stale save: %v", err)
	}
	it, _ := f.svc.ManagedBankItem(ctx, rep, f.district, store.BankGoal, id)
	if it.Text != "One's words." || it.Revision != 2 || it.UpdatedBy != admin.ID || it.UpdatedByName != "Bank administrator" {
		t.Errorf("after the conflict: %+v", it)
	}
	if _, err := f.svc.ManagedBankItem(ctx, rep, f.district, store.BankAccommodation, id); !errors.Is(err, iep.ErrNotFound) {
		t.Errorf("a goal opened as an accommodation: %v", err)
	}

	// Retired: hidden from the search, listed among the retired, still fetched by id.
	if err := f.svc.RetireBankItem(ctx, admin, f.district, store.BankGoal, id, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := f.svc.SearchBank(ctx, admin, f.district, BankQuery{Kind: store.BankGoal}); b.Total != 0 || b.Empty {
		t.Errorf("after retiring: total %d, empty %v", b.Total, b.Empty)
	}
	if b, _ := f.svc.SearchBank(ctx, admin, f.district, BankQuery{Kind: store.BankGoal, Retired: true}); b.Total != 1 {
		t.Errorf("the retired list: %d", b.Total)
	}
	if it, err := f.svc.BankItem(ctx, admin, f.district, id); err != nil || !it.Retired() {
		t.Errorf("a retired item by id: %+v, %v", it, err)
	}
}

func TestLoadStarterBank(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	admin, _, teacher, _ := bankActors(t, f)
	b, err := f.svc.SearchBank(ctx, admin, f.district, BankQuery{Kind: store.BankAccommodation})
	if err != nil || !b.Empty || b.StarterSize != len(demo.StarterBank(store.BankAccommodation)) {
		t.Fatalf("before: %+v, %v", b, err)
	}
	n, err := f.svc.LoadStarterBank(ctx, admin, f.district, store.BankAccommodation)
	if err != nil || n != b.StarterSize {
		t.Fatalf("loaded %d, %v; want %d", n, err, b.StarterSize)
	}
	if _, err := f.svc.LoadStarterBank(ctx, admin, f.district, store.BankAccommodation); iep.KindOf(err) != iep.KindConflict {
		t.Errorf("loading twice: %v", err)
	}
	// The goal bank is still empty; a teacher finds the accommodations, pages of 10.
	if b, _ := f.svc.SearchBank(ctx, admin, f.district, BankQuery{Kind: store.BankGoal}); !b.Empty {
		t.Error("loading accommodations filled the goal bank")
	}
	p1, err := f.svc.SearchBank(ctx, teacher, f.district, BankQuery{Kind: store.BankAccommodation, Context: iep.ContextTesting, Limit: 10})
	if err != nil || len(p1.Items) != 10 || p1.Next == "" {
		t.Fatalf("first page: %d items, next %q, %v", len(p1.Items), p1.Next, err)
	}
	p2, err := f.svc.SearchBank(ctx, teacher, f.district, BankQuery{Kind: store.BankAccommodation, Context: iep.ContextTesting, Limit: 10, After: p1.Next})
	if err != nil || len(p2.Items) == 0 || p2.Items[0].ID == p1.Items[9].ID || p2.Total != p1.Total {
		t.Errorf("second page: %+v, %v", p2, err)
	}
	read, err := f.svc.SearchBank(ctx, teacher, f.district, BankQuery{Kind: store.BankAccommodation, Text: "read aloud comprehension"})
	if err != nil || read.Total != 1 {
		t.Errorf("read-aloud search: %+v, %v", read, err)
	}
}

func TestFromBank(t *testing.T) {
	it := &store.BankItem{Kind: store.BankGoal, Area: "reading", Text: "By [date], [student] will read [target] wcpm (baseline: [baseline]); [student] reads.",
		MeasurementMethod: "ORF", Schedule: "Weekly", Unit: "wcpm", Objectives: []string{"[student] will read 60 wcpm."}}
	g := GoalFromBank(it, map[string]string{BlankStudent: "Mia", BlankDate: "June 12, 2027", BlankTarget: " "})
	if g.Statement != "By June 12, 2027, Mia will read [target] wcpm (baseline: [baseline]); Mia reads." ||
		g.Area != "reading" || g.MeasurementMethod != "ORF" || g.Unit != "wcpm" || len(g.Objectives) != 1 ||
		g.Objectives[0].Statement != "Mia will read 60 wcpm." {
		t.Errorf("goal from the bank: %+v", g)
	}
	a := AccommodationFromBank(&store.BankItem{Kind: store.BankAccommodation, AccommodationKind: iep.Accommodation,
		Context: iep.ContextTesting, Text: "Breaks for [student].", Subjects: "All"}, map[string]string{BlankStudent: "[date]"})
	if a.Description != "Breaks for [date]." || a.Kind != iep.Accommodation || a.Context != iep.ContextTesting || a.Subjects != "All" {
		t.Errorf("accommodation from the bank: %+v", a)
	}
}
