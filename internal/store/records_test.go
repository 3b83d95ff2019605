package store

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// testRecordsRequestDetails: a family's records request keeps what they asked for and how; an
// adult student's has no guardian; a bad one writes nothing; staff provide it once (a second
// answer is a conflict, whichever comes second), never before it was asked, and only for the
// request's own student.
func testRecordsRequestDetails(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	s := f.addStudent(t, db, "Rita", "Records")
	other := f.addStudent(t, db, "Otto", "Other")
	g := iep.Guardian{DistrictID: d, FirstName: "Gina", LastName: "Records", PreferredLanguage: "es"}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateGuardian(ctx, &g) })

	asked := RecordsRequestDetail{RecordsRequest: iep.RecordsRequest{DistrictID: d, StudentID: s.ID, GuardianID: g.ID,
		RequestedOn: date.MustParse("2026-11-02"), Note: "the speech therapist's notes"},
		Parts: []string{RecordsEvaluations, RecordsServices}, Delivery: RecordsCopies}
	adult := RecordsRequestDetail{RecordsRequest: iep.RecordsRequest{DistrictID: d, StudentID: s.ID,
		RequestedOn: date.MustParse("2026-11-01")}, Parts: []string{RecordsAll}, Delivery: RecordsInspect}
	mustWrite(t, db, func(tx *Tx) error {
		if err := tx.CreateRecordsRequestDetail(ctx, &asked); err != nil {
			return err
		}
		return tx.CreateRecordsRequestDetail(ctx, &adult)
	})
	got, err := db.ListRecordsRequestDetails(ctx, d, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListRecordsRequestDetails (oldest first)", got, []RecordsRequestDetail{adult, asked})
	// The older list still reads them.
	if rrs, err := db.ListRecordsRequests(ctx, d, s.ID); err != nil || len(rrs) != 2 || rrs[1].Note != asked.Note {
		t.Errorf("ListRecordsRequests = %+v, %v", rrs, err)
	}

	for name, bad := range map[string]RecordsRequestDetail{
		"no part":          {RecordsRequest: asked.RecordsRequest, Delivery: RecordsCopies},
		"an unknown part":  {RecordsRequest: asked.RecordsRequest, Parts: []string{"diary"}, Delivery: RecordsCopies},
		"no delivery":      {RecordsRequest: asked.RecordsRequest, Parts: []string{RecordsAll}},
		"no day":           {RecordsRequest: iep.RecordsRequest{DistrictID: d, StudentID: s.ID, GuardianID: g.ID}, Parts: []string{RecordsAll}, Delivery: RecordsCopies},
		"provided without": {RecordsRequest: iep.RecordsRequest{DistrictID: d, StudentID: s.ID, GuardianID: g.ID, RequestedOn: asked.RequestedOn, FulfilledOn: asked.RequestedOn}, Parts: []string{RecordsAll}, Delivery: RecordsCopies},
	} {
		bad.ID = ""
		err := db.Write(ctx, func(tx *Tx) error { return tx.CreateRecordsRequestDetail(ctx, &bad) })
		wantKind(t, err, iep.KindInvalid, "CreateRecordsRequestDetail("+name+")")
	}
	if got, _ := db.ListRecordsRequestDetails(ctx, d, s.ID); len(got) != 2 {
		t.Errorf("refused requests were written: %d requests", len(got))
	}

	// Providing: refused before the request, for another student, with an unknown way; then
	// once, by one of two racing staff members.
	provide := func(student, id, on, how string) error {
		return db.Write(ctx, func(tx *Tx) error {
			return tx.ProvideRecords(ctx, d, student, id, date.MustParse(on), how, f.teacher.ID)
		})
	}
	wantKind(t, provide(s.ID, asked.ID, "2026-11-01", ProvidedSent), iep.KindInvalid, "ProvideRecords(before the request)")
	wantKind(t, provide(s.ID, asked.ID, "2026-11-05", "fax"), iep.KindInvalid, "ProvideRecords(unknown how)")
	wantKind(t, provide(other.ID, asked.ID, "2026-11-05", ProvidedSent), iep.KindNotFound, "ProvideRecords(another student)")
	wantKind(t, provide(s.ID, "no-such-request", "2026-11-05", ProvidedSent), iep.KindNotFound, "ProvideRecords(unknown)")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = provide(s.ID, asked.ID, "2026-11-05", ProvidedSent)
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("two staff members providing at once: %v, %v; want exactly one to win", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil && iep.KindOf(err) != iep.KindConflict {
			t.Errorf("the loser's error = %v, want a conflict", err)
		}
	}
	x, err := db.GetRecordsRequestDetail(ctx, d, s.ID, asked.ID)
	if err != nil {
		t.Fatal(err)
	}
	if x.FulfilledOn != date.MustParse("2026-11-05") || x.ProvidedHow != ProvidedSent || x.ProvidedBy != f.teacher.ID ||
		!slices.Equal(x.Parts, asked.Parts) || x.Delivery != RecordsCopies {
		t.Errorf("provided request = %+v", x)
	}
	if _, err := db.GetRecordsRequestDetail(ctx, d, other.ID, asked.ID); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("GetRecordsRequestDetail(another student) = %v, want not found", err)
	}
	if err := provide(s.ID, adult.ID, "2026-11-03", ProvidedInspected); err != nil {
		t.Errorf("ProvideRecords(the adult student's) = %v", err)
	}
}

// TestRecordsRequestReadsUseIndexesSQLite: the records page's reads search an index by the
// student or the request's key, never the district.
func TestRecordsRequestReadsUseIndexesSQLite(t *testing.T) {
	db := openSQLite(t)
	f := newFixture(t, db)
	st := f.addStudent(t, db, "Ada", "Index")
	var seen []string
	var args [][]any
	db.onQuery = func(q string, a []any) { seen, args = append(seen, q), append(args, a) }
	if _, err := db.ListRecordsRequestDetails(ctx, f.district.ID, st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.GetRecordsRequestDetail(ctx, f.district.ID, st.ID, "x"); iep.KindOf(err) != iep.KindNotFound {
		t.Fatal(err)
	}
	db.onQuery = nil
	if len(seen) != 2 {
		t.Fatalf("recorded %d queries, want 2", len(seen))
	}
	for i, q := range seen {
		plan := explain(t, db, q, args[i])
		if strings.Contains(plan, "SCAN ") || strings.Contains(plan, "(district_id=?)") {
			t.Errorf("query walks a district or a table:\n%s\nplan: %s", q, plan)
		}
	}
}
