package store

import (
	"strings"
	"sync"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"ProgressDrafts", testProgressDrafts},
		{"ProgressDraftRace", testProgressDraftRace},
		{"SentReportsImmutable", testSentReportsImmutable},
	}...)
}

// testProgressDrafts: a draft may be unfinished; a plan has one draft per period; a save names
// the revision it started from and a stale one is refused; sending moves the draft into the
// plan's reports under its id, only when whole, and nothing changes it afterwards.
func testProgressDrafts(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	s := f.addStudent(t, db, "Pro", "Gress")
	p := f.addPlan(t, db, s.ID, nil)
	end := date.MustParse("2026-11-20")
	draft := ProgressDraft{ProgressReport: iep.ProgressReport{DistrictID: d, PlanID: p.ID, Period: "Term 1", PeriodEnd: end,
		Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingSufficient, Narrative: "Up 6 wcpm"}, {GoalID: "g2", Narrative: "Started"}}}}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateProgressDraft(ctx, &draft, f.teacher.ID) })
	if draft.StudentID != s.ID || draft.Revision != 1 || draft.UpdatedBy != f.teacher.ID {
		t.Errorf("created draft: student %q, revision %d, by %q", draft.StudentID, draft.Revision, draft.UpdatedBy)
	}
	got, err := db.ListProgressDrafts(ctx, d, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListProgressDrafts", got, []ProgressDraft{draft})

	// One draft per period; what is wrong is refused and nothing is written.
	again := ProgressDraft{ProgressReport: iep.ProgressReport{DistrictID: d, PlanID: p.ID, Period: "Term 1 again", PeriodEnd: end}}
	wantKind(t, db.Write(ctx, func(tx *Tx) error { return tx.CreateProgressDraft(ctx, &again, f.teacher.ID) }), iep.KindConflict,
		"CreateProgressDraft(a second draft of the period)")
	for name, bad := range map[string]ProgressDraft{
		"no end":         {ProgressReport: iep.ProgressReport{DistrictID: d, PlanID: p.ID}},
		"unknown rating": {ProgressReport: iep.ProgressReport{DistrictID: d, PlanID: p.ID, PeriodEnd: end.AddDays(1), Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: "great"}}}},
		"goal twice":     {ProgressReport: iep.ProgressReport{DistrictID: d, PlanID: p.ID, PeriodEnd: end.AddDays(1), Entries: []iep.ProgressEntry{{GoalID: "g1"}, {GoalID: "g1"}}}},
		"sent":           {ProgressReport: iep.ProgressReport{DistrictID: d, PlanID: p.ID, PeriodEnd: end.AddDays(1), SentOn: end}},
		"no such plan":   {ProgressReport: iep.ProgressReport{DistrictID: d, PlanID: "no-plan", PeriodEnd: end.AddDays(1)}},
	} {
		err := db.Write(ctx, func(tx *Tx) error { return tx.CreateProgressDraft(ctx, &bad, f.teacher.ID) })
		wantKind(t, err, iep.KindInvalid, "CreateProgressDraft("+name+")")
	}
	if got, _ := db.ListProgressDrafts(ctx, d, p.ID); len(got) != 1 {
		t.Errorf("refused drafts were written: %d drafts", len(got))
	}

	// Saves: from revision 1, then a stale one from revision 1 again.
	mine := draft
	mine.Entries = []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingSufficient, Narrative: "Up 8 wcpm"}, {GoalID: "g2", Narrative: "Started"}}
	mustWrite(t, db, func(tx *Tx) error { return tx.SaveProgressDraft(ctx, &mine, 1, f.provider.ID) })
	if mine.Revision != 2 || mine.UpdatedBy != f.provider.ID {
		t.Errorf("saved draft: revision %d, by %q; want 2, the provider", mine.Revision, mine.UpdatedBy)
	}
	stale := draft
	stale.Period = "Stale"
	wantKind(t, db.Write(ctx, func(tx *Tx) error { return tx.SaveProgressDraft(ctx, &stale, 1, f.teacher.ID) }), iep.KindConflict,
		"SaveProgressDraft(stale revision)")
	other := mine
	other.DistrictID = "another-district"
	wantKind(t, db.Write(ctx, func(tx *Tx) error { return tx.SaveProgressDraft(ctx, &other, 2, f.teacher.ID) }), iep.KindNotFound,
		"SaveProgressDraft(another district)")
	got, _ = db.ListProgressDrafts(ctx, d, p.ID)
	diff(t, "ListProgressDrafts after the saves", got, []ProgressDraft{mine})

	// Sending: refused from a stale revision, refused while a goal is not rated (and the draft
	// stays), then sent.
	send := func(base int) (*iep.ProgressReport, error) {
		var r *iep.ProgressReport
		err := db.Write(ctx, func(tx *Tx) (err error) {
			r, err = tx.SendProgressDraft(ctx, d, p.ID, draft.ID, base, date.MustParse("2026-11-24"))
			return err
		})
		return r, err
	}
	_, err = send(1)
	wantKind(t, err, iep.KindConflict, "SendProgressDraft(stale revision)")
	_, err = send(2)
	wantKind(t, err, iep.KindInvalid, "SendProgressDraft(a goal not rated)")
	if got, _ := db.ListProgressDrafts(ctx, d, p.ID); len(got) != 1 {
		t.Fatalf("a refused send lost the draft: %d drafts", len(got))
	}
	mine.Entries[1].Rating = iep.RatingNotIntroduced
	mustWrite(t, db, func(tx *Tx) error { return tx.SaveProgressDraft(ctx, &mine, 2, f.teacher.ID) })
	sent, err := send(3)
	if err != nil {
		t.Fatalf("SendProgressDraft = %v", err)
	}
	want := mine.ProgressReport
	want.SentOn = date.MustParse("2026-11-24")
	diff(t, "the sent report", *sent, want)
	reports, err := db.ListProgressReports(ctx, d, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListProgressReports after sending", reports, []iep.ProgressReport{want})
	if got, _ := db.ListProgressDrafts(ctx, d, p.ID); len(got) != 0 {
		t.Errorf("the sent draft is still a draft: %+v", got)
	}

	// A sent report is never changed: saving or sending its draft again is a conflict; a
	// correction is a new draft of the same period.
	wantKind(t, db.Write(ctx, func(tx *Tx) error { return tx.SaveProgressDraft(ctx, &mine, 4, f.teacher.ID) }), iep.KindConflict,
		"SaveProgressDraft(sent)")
	_, err = send(4)
	wantKind(t, err, iep.KindConflict, "SendProgressDraft(sent)")
	missing := mine
	missing.ID = "no-such-draft"
	wantKind(t, db.Write(ctx, func(tx *Tx) error { return tx.SaveProgressDraft(ctx, &missing, 1, f.teacher.ID) }), iep.KindNotFound,
		"SaveProgressDraft(unknown)")
	correction := ProgressDraft{ProgressReport: iep.ProgressReport{DistrictID: d, PlanID: p.ID, Period: "Term 1 (correction)", PeriodEnd: end}}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateProgressDraft(ctx, &correction, f.teacher.ID) })
}

// testProgressDraftRace: two people save the same draft from the same revision at once; one
// save wins and the other is told, on both engines.
func testProgressDraftRace(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Ra", "Ce")
	p := f.addPlan(t, db, s.ID, nil)
	draft := ProgressDraft{ProgressReport: iep.ProgressReport{DistrictID: f.district.ID, PlanID: p.ID, PeriodEnd: date.MustParse("2026-11-20")}}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateProgressDraft(ctx, &draft, f.teacher.ID) })
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := draft
			mine.Period = []string{"First", "Second"}[i]
			errs[i] = db.Write(ctx, func(tx *Tx) error { return tx.SaveProgressDraft(ctx, &mine, 1, f.teacher.ID) })
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case iep.KindOf(err) != iep.KindConflict:
			t.Errorf("losing save = %v, want a conflict", err)
		}
	}
	got, _ := db.ListProgressDrafts(ctx, f.district.ID, p.ID)
	if won != 1 || len(got) != 1 || got[0].Revision != 2 {
		t.Errorf("%d saves won, drafts %+v; want one win at revision 2", won, got)
	}
}

// testSentReportsImmutable: the database itself refuses to change or delete a sent report (raw
// SQL, past the store's checks); a report recorded without a sending day stays as it was.
func testSentReportsImmutable(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Im", "Mutable")
	p := f.addPlan(t, db, s.ID, nil)
	d := f.district.ID
	sent := iep.ProgressReport{DistrictID: d, PlanID: p.ID, Period: "Term 1", PeriodEnd: date.MustParse("2026-11-20"),
		SentOn: date.MustParse("2026-11-24"), Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingMet}}}
	unsent := iep.ProgressReport{DistrictID: d, PlanID: p.ID, Period: "Old", PeriodEnd: date.MustParse("2026-10-01")}
	mustWrite(t, db, func(tx *Tx) error {
		if err := tx.CreateProgressReport(ctx, &sent); err != nil {
			return err
		}
		return tx.CreateProgressReport(ctx, &unsent)
	})
	for _, q := range []string{
		`UPDATE progress_reports SET period = 'Changed' WHERE district_id = $1 AND id = $2`,
		`DELETE FROM progress_reports WHERE district_id = $1 AND id = $2`,
	} {
		_, err := db.Writer().ExecContext(ctx, db.rebindForTest(q), d, sent.ID)
		if err == nil || !strings.Contains(err.Error(), "never changed") {
			t.Errorf("raw %q = %v, want the trigger's refusal", q, err)
			continue
		}
		if mapped := db.d.mapError(err); iep.KindOf(mapped) != iep.KindConflict {
			t.Errorf("mapError(%v) kind = %s, want conflict", err, iep.KindOf(mapped))
		}
	}
	if _, err := db.Writer().ExecContext(ctx, db.rebindForTest(`UPDATE progress_reports SET period = 'Older' WHERE district_id = $1 AND id = $2`),
		d, unsent.ID); err != nil {
		t.Errorf("a report never sent is refused a change: %v", err)
	}
	got, _ := db.ListProgressReports(ctx, d, p.ID)
	if len(got) != 2 || got[1].Period != "Term 1" || got[0].Period != "Older" {
		t.Errorf("reports after the refused changes = %+v", got)
	}
}
