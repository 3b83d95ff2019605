package store

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

func testStudentRoundTrip(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.student("Maria", "Lopez")
	s.MiddleName, s.PreferredName, s.Pronouns, s.StateID = "José", "Mari", "she/her", "SASID-1"
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateStudent(ctx, &s) })
	got, err := db.GetStudent(ctx, f.district.ID, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetStudent", got, &s)

	s.Grade, s.SchoolID = "04", f.school2.ID
	s.ExitedOn, s.ExitReason = date.MustParse("2027-06-01"), iep.ExitMoved
	s.Disabilities = []iep.Disability{{Category: iep.Autism, Order: 1, Primary: true}}
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdateStudent(ctx, &s) })
	got, err = db.GetStudent(ctx, f.district.ID, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetStudent after UpdateStudent", got, &s)

	none := f.addStudent(t, db, "Noah", "Nodis")
	none.Disabilities = nil
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdateStudent(ctx, &none) })
	got, err = db.GetStudent(ctx, f.district.ID, none.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "student without disabilities", got, &none)
}

func testCreateStudentsBatch(t *testing.T, db *DB) {
	f := newFixture(t, db)
	var batch []iep.Student
	for i := range 123 {
		s := f.student(fmt.Sprintf("First%03d", i), "Batch")
		if i%3 == 0 {
			s.Disabilities = nil
		}
		batch = append(batch, s)
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateStudents(ctx, batch) })
	for _, i := range []int{0, 1, 49, 50, 122} {
		got, err := db.GetStudent(ctx, f.district.ID, batch[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, fmt.Sprintf("student %d of the batch", i), got, &batch[i])
	}
	if total, _, _ := db.CountStudents(ctx, f.district.ID, ""); total != 123 {
		t.Errorf("CountStudents = %d, want 123", total)
	}

	bad := []iep.Student{f.student("A", "Ok"), f.student("", "NoFirst")}
	err := db.Write(ctx, func(tx *Tx) error { return tx.CreateStudents(ctx, bad) })
	wantKind(t, err, iep.KindInvalid, "CreateStudents with an invalid student")
	diff(t, "problem fields", problemFields(err), []string{"students[1].first_name"})
}

func testGuardiansRoundTrip(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Kim", "Park")
	d := f.district.ID
	mom := iep.Guardian{DistrictID: d, FirstName: "Jin", LastName: "Park", PreferredLanguage: "ko", NeedsInterpreter: true,
		ContactMethods: []iep.ContactMethod{{Kind: iep.ContactEmail, Value: "jin@example.org", Preferred: true}, {Kind: iep.ContactText, Value: "+15550100"}},
		Address:        "2 Elm St"}
	dad := iep.Guardian{DistrictID: d, FirstName: "Lee", LastName: "Park", PreferredLanguage: "en"}
	var links []iep.StudentGuardian
	mustWrite(t, db, func(tx *Tx) error {
		if err := tx.CreateGuardian(ctx, &mom); err != nil {
			return err
		}
		if err := tx.CreateGuardian(ctx, &dad); err != nil {
			return err
		}
		links = []iep.StudentGuardian{
			{DistrictID: d, StudentID: s.ID, GuardianID: dad.ID, Relationship: iep.RelFather, ContactOrder: 2},
			{DistrictID: d, StudentID: s.ID, GuardianID: mom.ID, Relationship: iep.RelMother, HoldsEducationalRights: true, LivesWithStudent: true, EmergencyContact: true, ContactOrder: 1},
		}
		for i := range links {
			if err := tx.LinkGuardian(ctx, &links[i]); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := db.ListGuardians(ctx, d, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListGuardians", got, []GuardianLink{{mom, links[1]}, {dad, links[0]}})

	err = db.Write(ctx, func(tx *Tx) error { return tx.LinkGuardian(ctx, &links[0]) })
	wantKind(t, err, iep.KindConflict, "LinkGuardian twice")
}

func testValidationWritesNothing(t *testing.T, db *DB) {
	f := newFixture(t, db)
	bad := f.student("", "Nofirst")
	bad.Grade = "13"
	bad.Disabilities = []iep.Disability{{Category: "XYZ"}}
	err := db.Write(ctx, func(tx *Tx) error { return tx.CreateStudent(ctx, &bad) })
	wantKind(t, err, iep.KindInvalid, "CreateStudent(invalid)")
	for _, field := range []string{"first_name", "grade", "disabilities[0].category", "disabilities"} {
		if !slices.Contains(problemFields(err), field) {
			t.Errorf("problems %v do not name %s", problemFields(err), field)
		}
	}
	if bad.ID != "" {
		t.Errorf("an invalid student was given an id")
	}
	if n := countRows(t, db, "students", f.district.ID); n != 0 {
		t.Errorf("%d students stored after an invalid create", n)
	}

	s := f.addStudent(t, db, "Val", "Id")
	p := f.plan(s.ID)
	p.Content.Services.Lines[0].MinutesPerSession = 900 // wrong, not just missing: a draft may be unfinished
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreatePlan(ctx, &p, "") })
	wantKind(t, err, iep.KindInvalid, "CreatePlan(invalid service line)")
	if !slices.Contains(problemFields(err), "services.lines[0].minutes_per_session") {
		t.Errorf("problems %v do not name services.lines[0].minutes_per_session", problemFields(err))
	}
	if n := countRows(t, db, "plans", f.district.ID); n != 0 {
		t.Errorf("%d plans stored after an invalid create", n)
	}

	// A record whose Validate leaves the tenant to the store.
	m := iep.TeamMember{PlanID: "p", Role: iep.TeamGuest, GuestName: "Pat", InvitedBy: iep.InvitedByFamily}
	err = db.Write(ctx, func(tx *Tx) error { return tx.AddTeamMember(ctx, &m) })
	wantKind(t, err, iep.KindInvalid, "AddTeamMember(no district)")
	diff(t, "problem fields", problemFields(err), []string{"district_id"})
}

func testNotFound(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d, missing := f.district.ID, "00000000-0000-7000-8000-000000000000"
	s := f.addStudent(t, db, "Only", "One")
	checks := map[string]error{}
	_, checks["GetDistrict"] = db.GetDistrict(ctx, missing)
	_, checks["GetSchool"] = db.GetSchool(ctx, d, missing)
	_, checks["GetStaff"] = db.GetStaff(ctx, d, missing)
	_, checks["GetStudent"] = db.GetStudent(ctx, d, missing)
	_, checks["GetPlan"] = db.GetPlan(ctx, d, missing)
	_, _, checks["GetSection"] = db.GetSection(ctx, d, missing, iep.SectionGoals)
	_, checks["CurrentPlan"] = db.CurrentPlan(ctx, d, s.ID)
	_, checks["GetVersion"] = db.GetVersion(ctx, d, missing, 1)
	checks["UpdateStudent"] = db.Write(ctx, func(tx *Tx) error {
		x := f.student("No", "Body")
		x.ID = missing
		return tx.UpdateStudent(ctx, &x)
	})
	checks["UpdatePlanHeader"] = db.Write(ctx, func(tx *Tx) error {
		p := f.plan(s.ID)
		p.ID = missing
		return tx.UpdatePlanHeader(ctx, &p)
	})
	checks["SaveSection"] = db.Write(ctx, func(tx *Tx) error {
		_, err := tx.SaveSection(ctx, d, missing, iep.SectionConcerns, []byte(`{}`), 1, "")
		return err
	})
	checks["FreezePlan"] = db.Write(ctx, func(tx *Tx) error {
		_, err := tx.FreezePlan(ctx, d, missing, "")
		return err
	})
	for what, err := range checks {
		wantKind(t, err, iep.KindNotFound, what)
		if !errors.Is(err, iep.ErrNotFound) {
			t.Errorf("%s: errors.Is(%v, ErrNotFound) = false", what, err)
		}
	}
	for what, run := range map[string]func() (int, error){
		"ListGuardians": func() (int, error) { l, err := db.ListGuardians(ctx, d, missing); return len(l), err },
		"ListPlans":     func() (int, error) { l, err := db.ListPlans(ctx, d, missing); return len(l), err },
		"ListEvents":    func() (int, error) { l, err := db.ListEvents(ctx, d, missing); return len(l), err },
	} {
		if n, err := run(); n != 0 || err != nil {
			t.Errorf("%s(unknown) = %d rows, %v; want 0, nil", what, n, err)
		}
	}
}

func testTenancy(t *testing.T, db *DB) {
	a, b := newFixture(t, db), newFixture(t, db)
	s := a.addStudent(t, db, "Ten", "Ant")
	p := a.addPlan(t, db, s.ID, nil)
	if _, err := db.GetStudent(ctx, b.district.ID, s.ID); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("district B reads district A's student: err = %v, want not found", err)
	}
	if _, err := db.GetPlan(ctx, b.district.ID, p.ID); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("district B reads district A's plan: err = %v, want not found", err)
	}
	if _, err := db.CurrentPlan(ctx, b.district.ID, s.ID); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("district B reads district A's current plan: err = %v, want not found", err)
	}
	if l, _ := db.ListStudents(ctx, b.district.ID, StudentFilter{}); len(l) != 0 {
		t.Errorf("district B lists %d students, want 0", len(l))
	}
	if _, err := db.GetSchool(ctx, b.district.ID, a.school.ID); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("district B reads district A's school: %v", err)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		_, err := tx.SaveSection(ctx, b.district.ID, p.ID, iep.SectionConcerns, []byte(`{}`), 1, "")
		return err
	})
	wantKind(t, err, iep.KindNotFound, "district B saves a section of district A's plan")

	// District B's student in district A's school: the composite foreign key refuses it.
	x := b.student("Cross", "Over")
	x.SchoolID = a.school.ID
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreateStudent(ctx, &x) })
	wantKind(t, err, iep.KindInvalid, "student of B in A's school")
}

func testConflictsAndReferences(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Du", "Plicate")
	again := f.student("Other", "Person")
	again.ID = s.ID
	err := db.Write(ctx, func(tx *Tx) error { return tx.CreateStudent(ctx, &again) })
	wantKind(t, err, iep.KindConflict, "CreateStudent(existing id)")

	sameLocal := f.student("Other", "Person")
	sameLocal.LocalID = s.LocalID
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreateStudent(ctx, &sameLocal) })
	wantKind(t, err, iep.KindConflict, "CreateStudent(existing local id)")
	if !strings.Contains(err.Error(), "local_id") {
		t.Errorf("conflict %q does not name local_id", err)
	}

	orphan := f.student("No", "School")
	orphan.SchoolID = "no-such-school"
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreateStudent(ctx, &orphan) })
	wantKind(t, err, iep.KindInvalid, "CreateStudent(unknown school)")
	if !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("error %q does not say what is missing", err)
	}

	p := f.plan("no-such-student")
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreatePlan(ctx, &p, "") })
	wantKind(t, err, iep.KindInvalid, "CreatePlan(unknown student)")
}

// names for the paging test: mixed case and shared last names, so that the order needs all
// three keys.
var pagingNames = [][2]string{
	{"Zoe", "Adams"}, {"Al", "Brown"}, {"Bea", "Brown"}, {"Bea", "Brown"}, {"Cy", "Chen"},
	{"Di", "Diaz"}, {"Ed", "Evans"}, {"Flo", "Fox"}, {"Gus", "Garcia"}, {"Hal", "Hill"},
	{"Ivy", "Ito"}, {"Jo", "Jones"}, {"Kai", "Kim"}, {"Lu", "Lee"}, {"Mo", "Moore"},
	{"Ned", "Nash"}, {"Oz", "Ortiz"}, {"Pia", "Patel"}, {"Quin", "Quill"}, {"Ray", "Ruiz"},
	{"Sol", "de Vries"}, {"Tia", "Young"}, {"Uma", "Zhang"},
}

func testListStudentsPaging(t *testing.T, db *DB) {
	f := newFixture(t, db)
	var all []iep.Student
	for i, n := range pagingNames {
		s := f.student(n[0], n[1])
		if i%2 == 1 {
			s.SchoolID = f.school2.ID
		}
		mustWrite(t, db, func(tx *Tx) error { return tx.CreateStudent(ctx, &s) })
		all = append(all, s)
	}
	withPlan := map[string]iep.Plan{}
	for _, i := range []int{1, 2, 5, 13, 20} {
		withPlan[all[i].ID] = f.addPlan(t, db, all[i].ID, nil)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		return a.LastName+"\x00"+a.FirstName+"\x00"+a.ID < b.LastName+"\x00"+b.FirstName+"\x00"+b.ID
	})
	summary := func(s iep.Student) StudentSummary {
		out := StudentSummary{Student: s, Cursor: s.ID}
		if p, ok := withPlan[s.ID]; ok {
			out.PlanID, out.PlanStatus, out.NextReviewDate = p.ID, p.Status, p.NextReviewDate
		}
		return out
	}
	pages := func(filter StudentFilter) []StudentSummary {
		t.Helper()
		var got []StudentSummary
		for range 100 {
			page, err := db.ListStudents(ctx, f.district.ID, filter)
			if err != nil {
				t.Fatalf("ListStudents(%+v): %v", filter, err)
			}
			if len(page) > filter.Limit && filter.Limit > 0 {
				t.Fatalf("page of %d rows, limit %d", len(page), filter.Limit)
			}
			got = append(got, page...)
			if len(page) < filter.Limit || len(page) == 0 {
				return got
			}
			filter.After = page[len(page)-1].Cursor
		}
		t.Fatal("paging does not end")
		return nil
	}
	var want, wantSchool2, wantPlans []StudentSummary
	for _, s := range all {
		want = append(want, summary(s))
		if s.SchoolID == f.school2.ID {
			wantSchool2 = append(wantSchool2, summary(s))
		}
		if _, ok := withPlan[s.ID]; ok {
			wantPlans = append(wantPlans, summary(s))
		}
	}
	diff(t, "all students, pages of 5", pages(StudentFilter{Limit: 5}), want)
	diff(t, "all students, default page", pages(StudentFilter{}), want)
	diff(t, "school 2, pages of 4", pages(StudentFilter{SchoolID: f.school2.ID, Limit: 4}), wantSchool2)
	diff(t, "with plans, pages of 2", pages(StudentFilter{WithPlansOnly: true, Limit: 2}), wantPlans)

	_, err := db.ListStudents(ctx, f.district.ID, StudentFilter{After: "not-a-cursor"})
	wantKind(t, err, iep.KindInvalid, "ListStudents(bad cursor)")
}

func testCountStudents(t *testing.T, db *DB) {
	f := newFixture(t, db)
	for i := range 7 {
		s := f.student("C", fmt.Sprint("Count", i))
		if i >= 4 {
			s.SchoolID = f.school2.ID
		}
		mustWrite(t, db, func(tx *Tx) error { return tx.CreateStudent(ctx, &s) })
		if i%3 == 0 {
			f.addPlan(t, db, s.ID, nil)
		}
	}
	for _, c := range []struct {
		school          string
		total, withPlan int
	}{{"", 7, 3}, {f.school.ID, 4, 2}, {f.school2.ID, 3, 1}} {
		total, with, err := db.CountStudents(ctx, f.district.ID, c.school)
		if err != nil || total != c.total || with != c.withPlan {
			t.Errorf("CountStudents(school %q) = %d, %d, %v; want %d, %d", c.school, total, with, err, c.total, c.withPlan)
		}
	}
}

func testCountStudentsBySchool(t *testing.T, db *DB) {
	f := newFixture(t, db)
	for i := range 7 {
		s := f.student("B", fmt.Sprint("BySchool", i))
		if i >= 4 {
			s.SchoolID = f.school2.ID
		}
		mustWrite(t, db, func(tx *Tx) error { return tx.CreateStudent(ctx, &s) })
		if i%3 == 0 {
			f.addPlan(t, db, s.ID, nil)
		}
	}
	got, err := db.CountStudentsBySchool(ctx, f.district.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]SchoolCount{
		f.school.ID:  {SchoolID: f.school.ID, Students: 4, WithPlans: 2},
		f.school2.ID: {SchoolID: f.school2.ID, Students: 3, WithPlans: 1},
	}
	diff(t, "CountStudentsBySchool", got, want)
	other := newFixture(t, db) // another district with no students counts nothing of this one
	if got, err := db.CountStudentsBySchool(ctx, other.district.ID); err != nil || len(got) != 0 {
		t.Errorf("CountStudentsBySchool(other district) = %v, %v; want empty", got, err)
	}
}
