package store

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

func testPlanRoundTrip(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Plan", "Round")
	p := f.addPlan(t, db, s.ID, nil)
	if p.ID == "" || p.CreatedAt.IsZero() || len(p.SectionRevisions) != len(iep.Sections) {
		t.Fatalf("CreatePlan did not set ID, CreatedAt and SectionRevisions: %+v", p)
	}
	got, err := db.GetPlan(ctx, f.district.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetPlan", got, &p)

	content, rev, err := db.GetSection(ctx, f.district.ID, p.ID, iep.SectionGoals)
	if err != nil || rev != 1 {
		t.Fatalf("GetSection = rev %d, %v; want 1", rev, err)
	}
	var goals iep.Goals
	if err := json.Unmarshal(content, &goals); err != nil {
		t.Fatal(err)
	}
	diff(t, "goals section", goals, p.Content.Goals)

	amend := f.addPlan(t, db, s.ID, func(a *iep.Plan) { a.Kind, a.PreviousPlanID = iep.PlanAmendment, p.ID })
	plans, err := db.ListPlans(ctx, f.district.ID, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	header := func(p iep.Plan) iep.Plan { p.Content, p.SectionRevisions = iep.Content{}, nil; return p }
	diff(t, "ListPlans (newest first, headers)", plans, []iep.Plan{header(amend), header(p)})
}

func testCurrentPlan(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Cur", "Rent")
	d := f.district.ID
	current := func() (string, StudentSummary) {
		t.Helper()
		p, err := db.CurrentPlan(ctx, d, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.ListStudents(ctx, d, StudentFilter{})
		if err != nil || len(rows) != 1 {
			t.Fatalf("ListStudents = %d rows, %v", len(rows), err)
		}
		return p.ID, rows[0]
	}
	draft := f.addPlan(t, db, s.ID, nil)
	if id, row := current(); id != draft.ID || row.PlanID != draft.ID || row.PlanStatus != iep.StatusDraft {
		t.Errorf("with one draft: current = %s, roster %s/%s; want the draft %s", id, row.PlanID, row.PlanStatus, draft.ID)
	}
	accept := func(edit func(*iep.Plan)) iep.Plan {
		return f.addPlan(t, db, s.ID, func(p *iep.Plan) {
			p.Kind, p.Status = iep.PlanAnnual, iep.StatusAccepted
			edit(p)
		})
	}
	later := accept(func(p *iep.Plan) {
		p.StartDate, p.EndDate = date.MustParse("2027-10-01"), date.MustParse("2028-09-30")
		p.NextReviewDate = date.MustParse("2028-09-01")
	})
	earlier := accept(func(p *iep.Plan) {}) // created after, but starts before
	id, row := current()
	if id != later.ID {
		t.Errorf("current = %s, want the accepted plan with the latest start %s (not %s)", id, later.ID, earlier.ID)
	}
	if row.PlanID != later.ID || row.PlanStatus != iep.StatusAccepted || row.NextReviewDate != later.NextReviewDate {
		t.Errorf("roster row = %s/%s/%s, want %s/accepted/%s", row.PlanID, row.PlanStatus, row.NextReviewDate, later.ID, later.NextReviewDate)
	}
	f.addPlan(t, db, s.ID, nil) // a newer draft does not replace the plan in effect
	if id, row := current(); id != later.ID || row.PlanID != later.ID {
		t.Errorf("after a new draft: current = %s, roster %s; want %s", id, row.PlanID, later.ID)
	}
	later.Status = iep.StatusEnded
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdatePlanHeader(ctx, &later) })
	if id, row := current(); id != earlier.ID || row.PlanID != earlier.ID {
		t.Errorf("after the later plan ended: current = %s, roster %s; want %s", id, row.PlanID, earlier.ID)
	}
}

// testCurrentPlanRace writes two accepted plans of one student in overlapping transactions:
// the first holds its transaction open while the second writes. The roster row must end up
// naming the plan CurrentPlan chooses (the later start), not the one the second transaction
// would see from a snapshot taken before the first committed.
func testCurrentPlanRace(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Race", "Plan")
	accepted := func(start string) iep.Plan {
		p := f.plan(s.ID)
		p.Status, p.StartDate, p.EndDate = iep.StatusAccepted, date.MustParse(start), date.Date{}
		return p
	}
	later, earlier := accepted("2027-10-01"), accepted("2026-10-01")
	created, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var err1, err2 error
	wg.Add(2)
	go func() {
		defer wg.Done()
		err1 = db.Write(ctx, func(tx *Tx) error {
			if err := tx.CreatePlan(ctx, &later, ""); err != nil {
				close(created)
				return err
			}
			close(created)
			<-release
			return nil
		})
	}()
	<-created
	go func() {
		defer wg.Done()
		err2 = db.Write(ctx, func(tx *Tx) error { return tx.CreatePlan(ctx, &earlier, "") })
	}()
	time.Sleep(300 * time.Millisecond) // the second writer is now waiting on the first
	close(release)
	wg.Wait()
	if err1 != nil || err2 != nil {
		t.Fatalf("writes: %v, %v", err1, err2)
	}
	cur, err := db.CurrentPlan(ctx, f.district.ID, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.ListStudents(ctx, f.district.ID, StudentFilter{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("ListStudents = %d rows, %v", len(rows), err)
	}
	if cur.ID != later.ID || rows[0].PlanID != later.ID {
		t.Errorf("CurrentPlan = %s, roster = %s; want both %s (the later start)", cur.ID, rows[0].PlanID, later.ID)
	}
}

func saveSection(db *DB, f *fixture, planID string, kind iep.SectionKind, content string, base int) (int, error) {
	var rev int
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		rev, err = tx.SaveSection(ctx, f.district.ID, planID, kind, []byte(content), base, f.teacher.ID)
		return err
	})
	return rev, err
}

func testSaveSection(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Save", "Section")
	p := f.addPlan(t, db, s.ID, nil)
	text := `{"parent_concerns":"We worry about reading.","student_vision":"Read to my sister"}`
	rev, err := saveSection(db, f, p.ID, iep.SectionConcerns, text, 1)
	if err != nil || rev != 2 {
		t.Fatalf("SaveSection = %d, %v; want 2, nil", rev, err)
	}
	got, err := db.GetPlan(ctx, f.district.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := iep.Concerns{ParentConcerns: "We worry about reading.", StudentVision: "Read to my sister"}
	diff(t, "concerns after save", got.Content.Concerns, want)
	if got.SectionRevisions[iep.SectionConcerns] != 2 || got.SectionRevisions[iep.SectionGoals] != 1 {
		t.Errorf("revisions = %v, want concerns 2 and the others 1", got.SectionRevisions)
	}
	if !got.UpdatedAt.After(p.UpdatedAt) {
		t.Errorf("plan UpdatedAt = %v, not after %v", got.UpdatedAt, p.UpdatedAt)
	}
	// Another section from the same base: no collision.
	if rev, err := saveSection(db, f, p.ID, iep.SectionTransportation, `{"needed":true,"kind":"special"}`, 1); err != nil || rev != 2 {
		t.Errorf("SaveSection(other section) = %d, %v; want 2, nil", rev, err)
	}
}

func testSaveSectionConflict(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Con", "Flict")
	p := f.addPlan(t, db, s.ID, nil)
	first := `{"parent_concerns":"First writer's text"}`
	if _, err := saveSection(db, f, p.ID, iep.SectionConcerns, first, 1); err != nil {
		t.Fatal(err)
	}
	stored, _, err := db.GetSection(ctx, f.district.ID, p.ID, iep.SectionConcerns)
	if err != nil {
		t.Fatal(err)
	}
	second := `{"parent_concerns":"Second writer's text, from revision 1"}`
	_, err = saveSection(db, f, p.ID, iep.SectionConcerns, second, 1)
	var ce *iep.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("stale SaveSection = %v, want *iep.ConflictError", err)
	}
	if !errors.Is(err, iep.ErrConflict) {
		t.Errorf("errors.Is(conflict, ErrConflict) = false")
	}
	want := &iep.ConflictError{Section: iep.SectionConcerns, YourRevision: 1, CurrentRevision: 2,
		Yours: []byte(second), Current: stored, CurrentBy: f.teacher.ID}
	diff(t, "ConflictError", ce, want)
	after, rev, err := db.GetSection(ctx, f.district.ID, p.ID, iep.SectionConcerns)
	if err != nil || rev != 2 || string(after) != string(stored) {
		t.Errorf("after the conflict: section = %s rev %d (%v); want it unchanged at rev 2", after, rev, err)
	}
}

func testSaveSectionInvalid(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "In", "Valid")
	p := f.addPlan(t, db, s.ID, nil)
	for _, c := range []struct {
		kind    iep.SectionKind
		content string
		field   string
	}{
		{iep.SectionServices, `{"lines":[{"id":"l1","category":"lunch"}]}`, "services.lines[0].category"},
		{iep.SectionServices, `{"lines":[{"id":"l1","minutes_per_session":900}]}`, "services.lines[0].minutes_per_session"},
		{iep.SectionGoals, `{"goals":`, "goals"},
		{"no_such_section", `{}`, "section"},
	} {
		_, err := saveSection(db, f, p.ID, c.kind, c.content, 1)
		wantKind(t, err, iep.KindInvalid, "SaveSection("+string(c.kind)+")")
		if fs := problemFields(err); len(fs) == 0 || !strings.HasPrefix(fs[0], c.field) {
			t.Errorf("SaveSection(%s) problems %v, want %s first", c.kind, fs, c.field)
		}
	}
	if _, rev, _ := db.GetSection(ctx, f.district.ID, p.ID, iep.SectionServices); rev != 1 {
		t.Errorf("services revision = %d after invalid saves, want 1", rev)
	}
	// A draft is written over days: a goal begun but not finished is kept, not refused (the
	// proposal requires it whole).
	half := `{"goals":[{"id":"g1","area":"Reading","statement":"Given a grade-level passage, Sam will"}]}`
	if rev, err := saveSection(db, f, p.ID, iep.SectionGoals, half, 1); err != nil || rev != 2 {
		t.Fatalf("SaveSection(half a goal) = %d, %v; want 2, nil", rev, err)
	}
	got, err := db.GetPlan(ctx, f.district.ID, p.ID)
	if err != nil || len(got.Content.Goals.Goals) != 1 || got.Content.Goals.Goals[0].Statement != "Given a grade-level passage, Sam will" {
		t.Fatalf("the half-written goal was not kept: %+v, %v", got, err)
	}
	if err := got.ValidateForProposal(); !slices.Contains(problemFields(err), "goals.goals[0].baseline") {
		t.Errorf("ValidateForProposal = %v, want the missing baseline named", err)
	}
	// Its header can still change (a meeting date, a case manager).
	got.MeetingDate = got.StartDate
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdatePlanHeader(ctx, got) })
}

func testSaveSectionNotDraft(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Not", "Draft")
	p := f.addPlan(t, db, s.ID, nil)
	p.Status = iep.StatusProposed
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdatePlanHeader(ctx, &p) })
	_, err := saveSection(db, f, p.ID, iep.SectionConcerns, `{"parent_concerns":"late"}`, 1)
	wantKind(t, err, iep.KindConflict, "SaveSection on a proposed plan")
	if !strings.Contains(err.Error(), "plan is proposed") {
		t.Errorf("error %q does not say the plan is proposed", err)
	}
	if _, rev, _ := db.GetSection(ctx, f.district.ID, p.ID, iep.SectionConcerns); rev != 1 {
		t.Errorf("revision = %d, want 1", rev)
	}
}

// testSaveSectionRace has two writers save the same section from the same revision at once:
// exactly one wins, the other gets the conflict with the winner's text.
func testSaveSectionRace(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Ra", "Ce")
	p := f.addPlan(t, db, s.ID, nil)
	for round := range 5 {
		_, base, err := db.GetSection(ctx, f.district.ID, p.ID, iep.SectionPresentLevels)
		if err != nil {
			t.Fatal(err)
		}
		texts := []string{`{"areas":[{"area":"reading A"}]}`, `{"areas":[{"area":"math B"}]}`}
		errs := make([]error, 2)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = saveSection(db, f, p.ID, iep.SectionPresentLevels, texts[i], base)
			}()
		}
		close(start)
		wg.Wait()
		var wins, conflicts int
		var ce *iep.ConflictError
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.As(err, &ce):
				conflicts++
			default:
				t.Fatalf("round %d: unexpected error %v", round, err)
			}
		}
		if wins != 1 || conflicts != 1 {
			t.Fatalf("round %d: %d wins and %d conflicts, want 1 and 1", round, wins, conflicts)
		}
		stored, rev, err := db.GetSection(ctx, f.district.ID, p.ID, iep.SectionPresentLevels)
		if err != nil || rev != base+1 {
			t.Fatalf("round %d: revision %d (%v), want %d", round, rev, err, base+1)
		}
		if string(ce.Current) != string(stored) || string(ce.Yours) == string(stored) {
			t.Errorf("round %d: the loser's conflict carries current %s, stored %s", round, ce.Current, stored)
		}
	}
}

func testUpdatePlanHeader(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Up", "Date")
	p := f.addPlan(t, db, s.ID, nil)
	p.Status = iep.StatusAccepted
	err := db.Write(ctx, func(tx *Tx) error { return tx.UpdatePlanHeader(ctx, &p) })
	wantKind(t, err, iep.KindConflict, "draft -> accepted")
	if !strings.Contains(err.Error(), "draft") || !strings.Contains(err.Error(), "accepted") {
		t.Errorf("error %q does not name both statuses", err)
	}
	for _, st := range []iep.PlanStatus{iep.StatusProposed, iep.StatusAccepted} {
		p.Status = st
		p.MeetingDate = date.MustParse("2026-09-20")
		p.CaseManagerID = f.provider.ID
		mustWrite(t, db, func(tx *Tx) error { return tx.UpdatePlanHeader(ctx, &p) })
	}
	got, err := db.GetPlan(ctx, f.district.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetPlan after header updates", got, &p)
	rows, _ := db.ListStudents(ctx, f.district.ID, StudentFilter{})
	if len(rows) != 1 || rows[0].PlanStatus != iep.StatusAccepted {
		t.Errorf("roster status = %+v, want accepted", rows)
	}
}
