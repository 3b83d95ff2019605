package store

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

// bankGoal is a valid goal item of the district (not stored).
func bankGoal(districtID, area, band, text string, tags ...string) BankItem {
	return BankItem{DistrictID: districtID, Kind: BankGoal, Area: area, GradeBand: band, Text: text,
		MeasurementMethod: "Curriculum-based measurement", Schedule: "Every two weeks", Unit: "words correct per minute",
		Objectives: []string{"By the first report, [student] will read 60 wcpm."}, Tags: tags}
}

// bankAcc is a valid accommodation item of the district (not stored).
func bankAcc(districtID string, ctx iep.AccommodationContext, band, text string, tags ...string) BankItem {
	return BankItem{DistrictID: districtID, Kind: BankAccommodation, AccommodationKind: iep.Accommodation,
		Context: ctx, GradeBand: band, Text: text, Subjects: "all", Tags: tags}
}

func createBank(t *testing.T, db *DB, by AuditActor, items ...*BankItem) {
	t.Helper()
	mustWrite(t, db, func(tx *Tx) error {
		for _, it := range items {
			it.Normalize()
			if err := tx.CreateBankItem(ctx, it, by); err != nil {
				return err
			}
		}
		return nil
	})
}

func bankTexts(p *BankPage) []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.Text)
	}
	return out
}

func search(t *testing.T, db *DB, districtID string, f BankFilter) *BankPage {
	t.Helper()
	p, err := db.SearchBank(ctx, districtID, f)
	if err != nil {
		t.Fatalf("SearchBank(%+v) = %v", f, err)
	}
	return p
}

// testBanks is the contract of the goal and accommodation banks on both engines: round trip,
// search by kind, area, grade band, context and words (any case, any accent), pages, retiring,
// the revision that keeps two administrators from overwriting each other, loading a starter
// bank once, tenancy and audit.
func testBanks(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	admin := AuditActor{Kind: "staff", ID: f.teacher.ID, Address: "192.0.2.7", Reason: "district_admin"}

	fluency := bankGoal(d, "reading", "3_5", "  Given a grade-level passage, [student] will read [target] words correct per minute. ", "Fluency", "fluency", " ORF ")
	decoding := bankGoal(d, "reading", "k_2", "[student] will decode CVC words with 90% accuracy.", "phonics")
	facts := bankGoal(d, "mathematics", "3_5", "[student] will solve multiplication facts to 10 × 10 at [target] correct digits per minute.")
	essay := bankGoal(d, "written_expression", "6_8", "[student] will write a five-paragraph essay scoring 3 of 4 on the rubric; café español.")
	extended := bankAcc(d, iep.ContextTesting, "", "Extended time (time and a half) on tests and quizzes.", "time")
	seating := bankAcc(d, iep.ContextClassroom, "k_2", "Preferential seating near the teacher and away from distractions.")
	breaks := bankAcc(d, iep.ContextBoth, "9_12", "Frequent breaks: a short movement break after 20 minutes of sustained work.")
	createBank(t, db, admin, &fluency, &decoding, &facts, &essay, &extended, &seating, &breaks)

	t.Run("RoundTrip", func(t *testing.T) {
		got, err := db.GetBankItem(ctx, d, fluency.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != "Given a grade-level passage, [student] will read [target] words correct per minute." ||
			strings.Join(got.Tags, "|") != "fluency|orf" || got.Revision != 1 || got.Retired() ||
			got.UpdatedBy != f.teacher.ID || got.UpdatedByName != "Ana Teach" || got.UpdatedAt.IsZero() ||
			len(got.Objectives) != 1 || got.Unit != "words correct per minute" || got.Kind != BankGoal {
			t.Errorf("stored goal = %+v", got)
		}
		acc, err := db.GetBankItem(ctx, d, extended.ID)
		if err != nil {
			t.Fatal(err)
		}
		if acc.AccommodationKind != iep.Accommodation || acc.Context != iep.ContextTesting || acc.Subjects != "all" ||
			acc.Objectives != nil || acc.GradeBand != "" {
			t.Errorf("stored accommodation = %+v", acc)
		}
		if _, err := db.GetBankItem(ctx, d, "no-such-item"); iep.KindOf(err) != iep.KindNotFound {
			t.Errorf("an unknown item: %v", err)
		}
	})

	t.Run("Validation", func(t *testing.T) {
		bad := BankItem{DistrictID: d, Kind: BankGoal, Area: "astrology", Tags: []string{strings.Repeat("x", MaxBankTagLen+1)}}
		err := db.Write(ctx, func(tx *Tx) error { return tx.CreateBankItem(ctx, &bad, admin) })
		wantKind(t, err, iep.KindInvalid, "an invalid goal")
		diff(t, "problem fields", problemFields(err), []string{"area", "grade_band", "text", "measurement_method", "schedule", "tags"})
		badAcc := BankItem{DistrictID: d, Kind: BankAccommodation, Context: "hallway", Text: "x"}
		err = db.Write(ctx, func(tx *Tx) error { return tx.CreateBankItem(ctx, &badAcc, admin) })
		diff(t, "accommodation problem fields", problemFields(err), []string{"accommodation_kind", "context"})
		if n, _ := db.CountBankItems(ctx, d, BankGoal); n != 4 {
			t.Errorf("a refused item was stored: %d goals", n)
		}
		_, err = db.SearchBank(ctx, d, BankFilter{Kind: "poem", Area: "astrology", Grade: "13"})
		diff(t, "search problem fields", problemFields(err), []string{"kind", "area", "grade"})
	})

	t.Run("Search", func(t *testing.T) {
		diff(t, "every goal, by area then grade band", bankTexts(search(t, db, d, BankFilter{Kind: BankGoal})),
			[]string{decoding.Text, fluency.Text, essay.Text, facts.Text})
		diff(t, "reading goals", bankTexts(search(t, db, d, BankFilter{Kind: BankGoal, Area: "reading"})),
			[]string{decoding.Text, fluency.Text})
		diff(t, "grades 3-5", bankTexts(search(t, db, d, BankFilter{Kind: BankGoal, Grade: "3_5"})),
			[]string{fluency.Text, facts.Text})
		// Words: every word, any case, any accent, in the text or the tags; wildcards are literal.
		diff(t, "words", bankTexts(search(t, db, d, BankFilter{Kind: BankGoal, Query: "  GRADE-level   Passage "})), []string{fluency.Text})
		diff(t, "a tag", bankTexts(search(t, db, d, BankFilter{Kind: BankGoal, Query: "orf"})), []string{fluency.Text})
		diff(t, "accents", bankTexts(search(t, db, d, BankFilter{Kind: BankGoal, Query: "Cafe ESPAÑOL"})), []string{essay.Text})
		diff(t, "all words must match", bankTexts(search(t, db, d, BankFilter{Kind: BankGoal, Query: "decode essay"})), []string(nil))
		diff(t, "a percent sign is not a wildcard", bankTexts(search(t, db, d, BankFilter{Kind: BankGoal, Query: "90%"})), []string{decoding.Text})
		diff(t, "an underscore is not a wildcard", bankTexts(search(t, db, d, BankFilter{Kind: BankGoal, Query: "9_%"})), []string(nil))
		// Accommodations: a context keeps those that apply there or in both places; a grade band
		// keeps those of the band and those for every grade.
		diff(t, "testing", bankTexts(search(t, db, d, BankFilter{Kind: BankAccommodation, Context: iep.ContextTesting})),
			[]string{extended.Text, breaks.Text})
		diff(t, "k-2 accommodations", bankTexts(search(t, db, d, BankFilter{Kind: BankAccommodation, Grade: "k_2"})),
			[]string{seating.Text, extended.Text})
		p := search(t, db, d, BankFilter{Kind: BankAccommodation, Query: "tests"})
		if p.Total != 1 || p.More || len(p.Items) != 1 {
			t.Errorf("a word search: %d items, total %d, more %v", len(p.Items), p.Total, p.More)
		}
	})

	t.Run("Pages", func(t *testing.T) {
		first := search(t, db, d, BankFilter{Kind: BankGoal, Limit: 3})
		if len(first.Items) != 3 || !first.More || first.Total != 4 {
			t.Fatalf("first page: %d items, more %v, total %d", len(first.Items), first.More, first.Total)
		}
		second := search(t, db, d, BankFilter{Kind: BankGoal, Limit: 3, After: first.Items[2].ID})
		diff(t, "second page", bankTexts(second), []string{facts.Text})
		if second.More || second.Total != 4 {
			t.Errorf("second page: more %v, total %d", second.More, second.Total)
		}
		_, err := db.SearchBank(ctx, d, BankFilter{Kind: BankGoal, After: extended.ID})
		wantKind(t, err, iep.KindInvalid, "an After of another kind")
	})

	t.Run("RevisionConflict", func(t *testing.T) {
		// Two administrators open revision 1; the first saves, the second is refused and nothing
		// of theirs is stored.
		first, second := fluency, fluency
		first.Text, second.Text = "First administrator's text.", "Second administrator's text."
		mustWrite(t, db, func(tx *Tx) error { return tx.UpdateBankItem(ctx, &first, 1, admin) })
		if first.Revision != 2 {
			t.Errorf("revision after a save = %d, want 2", first.Revision)
		}
		err := db.Write(ctx, func(tx *Tx) error { return tx.UpdateBankItem(ctx, &second, 1, admin) })
		wantKind(t, err, iep.KindConflict, "a save from a stale revision")
		got, _ := db.GetBankItem(ctx, d, fluency.ID)
		if got.Text != first.Text || got.Revision != 2 {
			t.Errorf("after the conflict: %q at revision %d", got.Text, got.Revision)
		}
		// The words follow the text.
		diff(t, "search the new text", bankTexts(search(t, db, d, BankFilter{Kind: BankGoal, Query: "first administrator"})), []string{first.Text})
		// Another kind, another district: not found.
		acc := extended
		err = db.Write(ctx, func(tx *Tx) error {
			return tx.UpdateBankItem(ctx, &BankItem{DistrictID: d, ID: acc.ID, Kind: BankGoal,
				Area: "reading", GradeBand: "pk", Text: "x", MeasurementMethod: "x", Schedule: "x"}, 1, admin)
		})
		wantKind(t, err, iep.KindNotFound, "an update naming another kind")
	})

	t.Run("RevisionRace", func(t *testing.T) {
		// Eight writers start from the same revision at once: exactly one wins on either engine.
		cur, _ := db.GetBankItem(ctx, d, decoding.ID)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, conflicts := 0, 0
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				it := *cur
				it.Text = fmt.Sprintf("Writer %d", i)
				err := db.Write(ctx, func(tx *Tx) error { return tx.UpdateBankItem(ctx, &it, cur.Revision, admin) })
				mu.Lock()
				defer mu.Unlock()
				switch iep.KindOf(err) {
				case iep.KindConflict:
					conflicts++
				default:
					if err != nil {
						t.Errorf("writer %d: %v", i, err)
					} else {
						wins++
					}
				}
			}()
		}
		wg.Wait()
		if wins != 1 || conflicts != 7 {
			t.Errorf("%d saves won and %d conflicted, want 1 and 7", wins, conflicts)
		}
		if got, _ := db.GetBankItem(ctx, d, decoding.ID); got.Revision != cur.Revision+1 {
			t.Errorf("revision %d, want %d", got.Revision, cur.Revision+1)
		}
	})

	t.Run("Retire", func(t *testing.T) {
		mustWrite(t, db, func(tx *Tx) error { return tx.RetireBankItem(ctx, d, BankGoal, facts.ID, true, admin) })
		mustWrite(t, db, func(tx *Tx) error { return tx.RetireBankItem(ctx, d, BankGoal, facts.ID, true, admin) }) // again: no change
		got, _ := db.GetBankItem(ctx, d, facts.ID)
		if !got.Retired() || got.Revision != 2 {
			t.Errorf("retired item: retired %v, revision %d", got.Retired(), got.Revision)
		}
		for _, it := range search(t, db, d, BankFilter{Kind: BankGoal}).Items {
			if it.ID == facts.ID {
				t.Error("a retired item is found by a search")
			}
		}
		diff(t, "the retired list", bankTexts(search(t, db, d, BankFilter{Kind: BankGoal, Retired: true})), []string{facts.Text})
		// A stale editor of the retired item conflicts.
		stale := facts
		err := db.Write(ctx, func(tx *Tx) error { return tx.UpdateBankItem(ctx, &stale, 1, admin) })
		wantKind(t, err, iep.KindConflict, "saving an item retired meanwhile")
		mustWrite(t, db, func(tx *Tx) error { return tx.RetireBankItem(ctx, d, BankGoal, facts.ID, false, admin) })
		if got, _ := db.GetBankItem(ctx, d, facts.ID); got.Retired() || got.Revision != 3 {
			t.Errorf("restored item: retired %v, revision %d", got.Retired(), got.Revision)
		}
		err = db.Write(ctx, func(tx *Tx) error { return tx.RetireBankItem(ctx, d, BankAccommodation, facts.ID, true, admin) })
		wantKind(t, err, iep.KindNotFound, "retiring under another kind")
	})

	t.Run("Audit", func(t *testing.T) {
		entries, err := db.ListAudit(ctx, d, "", 200)
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, e := range entries {
			if e.RecordKind == "bank_item" {
				count[e.Action]++
				if e.ActorID != f.teacher.ID || e.Reason != "district_admin" || e.FromAddress != "192.0.2.7" {
					t.Errorf("audit entry %+v", e)
				}
			}
		}
		if count["create"] != 7 || count["update"] != 2 || count["retire"] != 1 || count["restore"] != 1 {
			t.Errorf("audited bank changes: %v", count)
		}
	})

	t.Run("Load", func(t *testing.T) {
		other := newFixture(t, db)
		o := other.district.ID
		items := []BankItem{bankGoal("", "motor", "pk", "[student] will cut along a line."), bankGoal("", "behavior", "6_8", "[student] will stay on task.")}
		var n int
		mustWrite(t, db, func(tx *Tx) error {
			var err error
			n, err = tx.LoadBankItems(ctx, o, BankGoal, items, AuditActor{Kind: "system"})
			return err
		})
		if n != 2 {
			t.Errorf("loaded %d items, want 2", n)
		}
		if got := search(t, db, o, BankFilter{Kind: BankGoal}); got.Total != 2 || got.Items[0].UpdatedBy != "" {
			t.Errorf("the loaded bank: %+v", got)
		}
		err := db.Write(ctx, func(tx *Tx) error {
			_, err := tx.LoadBankItems(ctx, o, BankGoal, items, AuditActor{Kind: "system"})
			return err
		})
		wantKind(t, err, iep.KindConflict, "loading into a bank that has items")
		err = db.Write(ctx, func(tx *Tx) error {
			_, err := tx.LoadBankItems(ctx, o, BankAccommodation, items, AuditActor{Kind: "system"})
			return err
		})
		wantKind(t, err, iep.KindInvalid, "loading goals as accommodations")
		if n, _ := db.CountBankItems(ctx, o, BankAccommodation); n != 0 {
			t.Errorf("a refused load stored %d items", n)
		}
		// Tenancy: the other district sees none of the first district's items, and cannot change them.
		if got := search(t, db, o, BankFilter{Kind: BankGoal, Query: "passage"}); got.Total != 0 {
			t.Error("a search found another district's item")
		}
		if _, err := db.GetBankItem(ctx, o, fluency.ID); iep.KindOf(err) != iep.KindNotFound {
			t.Errorf("another district's item: %v", err)
		}
		err = db.Write(ctx, func(tx *Tx) error { return tx.RetireBankItem(ctx, o, BankGoal, fluency.ID, true, admin) })
		wantKind(t, err, iep.KindNotFound, "retiring another district's item")
	})

	t.Run("UpdatedByIsStaff", func(t *testing.T) {
		// A change recorded under an id that is no staff member of the district is refused by the
		// database (the foreign key), not stored under a stranger.
		it := bankAcc(d, iep.ContextClassroom, "", "Graphic organizers.")
		err := db.Write(ctx, func(tx *Tx) error { return tx.CreateBankItem(ctx, &it, AuditActor{Kind: "staff", ID: "nobody"}) })
		wantKind(t, err, iep.KindInvalid, "a change by an unknown staff id")
	})
}

// TestBankSearchUsesIndexSQLite: a search of the bank reads the range of one kind of one
// district from an index, whatever its filters.
func TestBankSearchUsesIndexSQLite(t *testing.T) {
	db := openSQLite(t)
	f := newFixture(t, db)
	g := bankGoal(f.district.ID, "reading", "3_5", "Reads.")
	createBank(t, db, AuditActor{Kind: "system"}, &g)
	var seen []string
	var args [][]any
	db.onQuery = func(q string, a []any) { seen, args = append(seen, q), append(args, a) }
	for _, fl := range []BankFilter{{Kind: BankGoal}, {Kind: BankGoal, Query: "read", Area: "reading", Grade: "3_5", After: g.ID},
		{Kind: BankAccommodation, Context: iep.ContextTesting}, {Kind: BankGoal, Retired: true}} {
		if _, err := db.SearchBank(ctx, f.district.ID, fl); err != nil {
			t.Fatal(err)
		}
	}
	db.onQuery = nil
	for i, q := range seen {
		plan := explain(t, db, q, args[i])
		if !strings.Contains(plan, "USING") || (strings.Contains(plan, "SCAN ") && !strings.Contains(plan, "COVERING INDEX")) {
			t.Errorf("the bank search does not read an index range:\n%s\nplan: %s", q, plan)
		}
	}
}

// BenchmarkSearchBank measures a search of a large district bank (1,000 goals and 1,000
// accommodations, beside three other districts' banks of the same size) on each engine: the
// first page with the count, as the plan editor's search asks for it.
func BenchmarkSearchBank(b *testing.B) {
	engines := map[string]func() *DB{"sqlite": func() *DB { return openSQLite(b) }}
	if pgDSN != "" {
		engines["postgres"] = func() *DB {
			db, err := Open(ctx, pgDSN, Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db
		}
	}
	words := []string{"fluency", "decode", "essay", "fractions", "peers", "scissors", "budget", "planner", "breaks", "calculator"}
	for _, engine := range []string{"sqlite", "postgres"} {
		open := engines[engine]
		if open == nil {
			continue
		}
		b.Run(engine, func(b *testing.B) {
			db := open()
			var district string
			for n := range 4 {
				f := newFixture(b, db)
				district = f.district.ID
				mustWrite(b, db, func(tx *Tx) error {
					for i := range 1000 {
						w := words[i%len(words)]
						g := bankGoal(district, BankAreas[i%len(BankAreas)], GradeBands[i%len(GradeBands)],
							fmt.Sprintf("By [date], given item %d of district %d, [student] will show %s with [target]%% accuracy (baseline: [baseline]%%).", i, n, w), w)
						a := bankAcc(district, BankContexts[i%3], GradeBands[i%len(GradeBands)], fmt.Sprintf("Accommodation %d: %s support in class.", i, w), w)
						for _, it := range []*BankItem{&g, &a} {
							it.Normalize()
							if err := tx.CreateBankItem(ctx, it, AuditActor{Kind: "system"}); err != nil {
								return err
							}
						}
					}
					return nil
				})
			}
			for _, c := range []struct {
				name string
				f    BankFilter
			}{
				{"first-page", BankFilter{Kind: BankGoal, Limit: 25}},
				{"two-words", BankFilter{Kind: BankGoal, Query: "Fluency accuracy", Limit: 25}},
				{"area-grade", BankFilter{Kind: BankGoal, Area: "reading", Grade: "3_5", Limit: 25}},
				{"no-match", BankFilter{Kind: BankAccommodation, Query: "zebra", Limit: 25}},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := db.SearchBank(ctx, district, c.f); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
