package store

import (
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// testSectionHistory: a plan's sections start their history at creation; saves by one person
// within ten minutes are one revision (the latest text), a save by someone else or after a pause
// is a new one; a refused save records nothing.
func testSectionHistory(t *testing.T, db *DB) {
	c := newManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	cdb := reopenWithClock(t, db, c)
	f := newFixture(t, cdb)
	s := f.addStudent(t, cdb, "His", "Tory")
	p := f.addPlan(t, cdb, s.ID, func(p *iep.Plan) { p.Content.Concerns.ParentConcerns = "Reading." })
	history := func() []SectionRevision {
		t.Helper()
		h, err := cdb.SectionHistory(ctx, f.district.ID, p.ID, iep.SectionConcerns)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if h := history(); len(h) != 1 || h[0].Revision != 1 || !strings.Contains(string(h[0].Content), `"parent_concerns":"Reading."`) {
		t.Fatalf("history at creation = %+v", h)
	}
	save := func(text string, base int, by string) error {
		return cdb.Write(ctx, func(tx *Tx) error {
			_, err := tx.SaveSection(ctx, f.district.ID, p.ID, iep.SectionConcerns, []byte(`{"parent_concerns":"`+text+`"}`), base, by)
			return err
		})
	}
	// One sitting: three autosaves a few seconds apart.
	for i, text := range []string{"Reading is", "Reading is hard", "Reading is hard for her."} {
		c.advance(5 * time.Second)
		if err := save(text, i+1, f.teacher.ID); err != nil {
			t.Fatal(err)
		}
	}
	h := history()
	if len(h) != 2 || h[0].Revision != 4 || h[0].SavedBy != f.teacher.ID || string(h[0].Content) != `{"parent_concerns":"Reading is hard for her.","student_vision":""}` {
		t.Fatalf("after one sitting: %d revisions, newest %+v; want 2, the newest revision 4 with the last text", len(h), h[0])
	}
	// A refused (stale) save records nothing.
	if err := save("stale", 2, f.teacher.ID); err == nil {
		t.Fatal("a stale save was taken")
	}
	// Someone else: a new revision.
	c.advance(time.Minute)
	if err := save("Her words.", 4, "someone-else"); err != nil {
		t.Fatal(err)
	}
	// The first person again, after a pause of more than ten minutes: a new revision.
	c.advance(11 * time.Minute)
	if err := save("Her words, again.", 5, "someone-else"); err != nil {
		t.Fatal(err)
	}
	h = history()
	var revs []int
	for _, r := range h {
		revs = append(revs, r.Revision)
	}
	if len(revs) != 4 || revs[0] != 6 || revs[1] != 5 || revs[2] != 4 || revs[3] != 1 {
		t.Errorf("revisions = %v, want [6 5 4 1]", revs)
	}
	if !h[0].SavedAt.Equal(c.now()) {
		t.Errorf("newest saved at %v, want %v", h[0].SavedAt, c.now())
	}
}
