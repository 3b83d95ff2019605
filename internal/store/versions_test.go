package store

import (
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

func testFreezePlan(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Free", "Ze")
	p := f.addPlan(t, db, s.ID, nil)
	var v *iep.Version
	mustWrite(t, db, func(tx *Tx) error {
		var err error
		v, err = tx.FreezePlan(ctx, f.district.ID, p.ID, f.teacher.ID)
		return err
	})
	stored, err := db.GetPlan(ctx, f.district.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.CurrentVersion != 1 || v.Number != 1 {
		t.Fatalf("after FreezePlan: plan current_version %d, version %d; want 1", stored.CurrentVersion, v.Number)
	}
	stored.CurrentVersion = 0 // as it was frozen; Freeze does not include it
	canonical, sum, err := iep.Freeze(stored, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v.SHA256 != sum || string(v.Canonical) != string(canonical) || !iep.VerifyVersion(v) {
		t.Errorf("version hash %s, want %s (verify %v)", v.SHA256, sum, iep.VerifyVersion(v))
	}
	got, err := db.GetVersion(ctx, f.district.ID, p.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetVersion", got, v)
	if !iep.VerifyVersion(got) {
		t.Errorf("VerifyVersion(stored version) = false")
	}

	d := f.district.ID
	if n := countRows(t, db, "plan_service_lines", d); n != 3 {
		t.Errorf("%d service line rows, want 3 (2 + 1 ESY)", n)
	}
	var esy, minutes int
	err = db.Writer().QueryRowContext(ctx, `SELECT COUNT(*), SUM(minutes_per_session * sessions_per_period)
		FROM plan_service_lines WHERE district_id = $1 AND plan_id = $2 AND version = 1 AND esy = $3`,
		d, p.ID, true).Scan(&esy, &minutes)
	if err != nil || esy != 1 || minutes != 60 {
		t.Errorf("ESY projection: %d rows, %d minutes (%v); want 1, 60", esy, minutes, err)
	}
	var goals int
	var target float64
	err = db.Writer().QueryRowContext(ctx, `SELECT COUNT(*), SUM(COALESCE(target_value, 0)) FROM plan_goals
		WHERE district_id = $1 AND plan_id = $2 AND version = 1`, d, p.ID).Scan(&goals, &target)
	if err != nil || goals != 2 || target != 90 {
		t.Errorf("goal projection: %d rows, target sum %v (%v); want 2, 90", goals, target, err)
	}

	mustWrite(t, db, func(tx *Tx) error {
		_, err := tx.FreezePlan(ctx, d, p.ID, f.teacher.ID)
		return err
	})
	versions, err := db.ListVersions(ctx, d, p.ID)
	if err != nil || len(versions) != 2 || versions[0].Number != 1 || versions[1].Number != 2 {
		t.Fatalf("ListVersions = %d versions, %v; want 1 and 2", len(versions), err)
	}
	diff(t, "ListVersions[0]", versions[0], *v)
	if versions[0].SHA256 == versions[1].SHA256 {
		t.Errorf("versions 1 and 2 have the same hash (the number is part of the content)")
	}
	if n := countRows(t, db, "plan_service_lines", d); n != 6 {
		t.Errorf("%d service line rows after two versions, want 6", n)
	}
}

func testVersionsImmutable(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Im", "Mutable")
	p := f.addPlan(t, db, s.ID, nil)
	var v *iep.Version
	mustWrite(t, db, func(tx *Tx) error {
		var err error
		v, err = tx.FreezePlan(ctx, f.district.ID, p.ID, "")
		return err
	})
	for _, q := range []string{
		`UPDATE plan_versions SET sha256 = 'x' WHERE district_id = $1`,
		`DELETE FROM plan_versions WHERE district_id = $1`,
	} {
		_, err := db.Writer().ExecContext(ctx, q, f.district.ID)
		if err == nil || !strings.Contains(err.Error(), "plan versions are frozen") {
			t.Errorf("raw %q = %v, want the trigger's refusal", q, err)
		}
		if mapped := db.d.mapError(err); iep.KindOf(mapped) != iep.KindConflict {
			t.Errorf("mapError(%v) kind = %s, want conflict", err, iep.KindOf(mapped))
		}
	}
	got, err := db.GetVersion(ctx, f.district.ID, p.ID, 1)
	if err != nil || got.SHA256 != v.SHA256 {
		t.Errorf("version after refused changes = %+v, %v", got, err)
	}
}

func testEventsAppendOnly(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Led", "Ger")
	e := iep.Event{DistrictID: f.district.ID, StudentID: s.ID, Kind: iep.EventReferralReceived, OccurredOn: date.MustParse("2026-09-10")}
	mustWrite(t, db, func(tx *Tx) error { return tx.AppendEvent(ctx, &e) })
	for _, q := range []string{
		`UPDATE events SET kind = 'exited' WHERE district_id = $1`,
		`DELETE FROM events WHERE district_id = $1`,
	} {
		if _, err := db.Writer().ExecContext(ctx, q, f.district.ID); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("raw %q = %v, want the trigger's refusal", q, err)
		}
	}
	if got, _ := db.ListEvents(ctx, f.district.ID, s.ID); len(got) != 1 || got[0].Kind != iep.EventReferralReceived {
		t.Errorf("events after refused changes = %+v", got)
	}
}

func testResponses(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Re", "Sponse")
	p := f.addPlan(t, db, s.ID, nil)
	other := f.addPlan(t, db, s.ID, nil)
	var v, ov *iep.Version
	mustWrite(t, db, func(tx *Tx) error {
		var err error
		if v, err = tx.FreezePlan(ctx, f.district.ID, p.ID, ""); err != nil {
			return err
		}
		ov, err = tx.FreezePlan(ctx, f.district.ID, other.ID, "")
		return err
	})
	g := iep.Guardian{DistrictID: f.district.ID, FirstName: "Pa", LastName: "Rent", PreferredLanguage: "en"}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateGuardian(ctx, &g) })
	signedAt := f.district.CreatedAt
	r := iep.Response{DistrictID: f.district.ID, PlanID: p.ID, VersionID: v.ID, VersionSHA256: v.SHA256,
		GuardianID: g.ID, Decision: iep.AcceptInPart, RejectedServices: []string{"l2"},
		Comments: map[string]string{"l2": "We want more speech."}, RespondedOn: date.MustParse("2026-10-05"),
		Signature: &iep.Signature{Method: "electronic", TypedName: "Pa Rent", Attestation: "I agree", SignedAt: signedAt, PDFSHA256: "abc"}}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateResponse(ctx, &r) })
	got, err := db.ListResponses(ctx, f.district.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListResponses", got, []iep.Response{r})

	for what, edit := range map[string]func(*iep.Response){
		"wrong hash":           func(x *iep.Response) { x.VersionSHA256 = strings.Repeat("0", 64) },
		"other plan's version": func(x *iep.Response) { x.VersionID, x.VersionSHA256 = ov.ID, ov.SHA256 },
		"unknown version":      func(x *iep.Response) { x.VersionID = "nope" },
	} {
		bad := r
		bad.ID = ""
		edit(&bad)
		err := db.Write(ctx, func(tx *Tx) error { return tx.CreateResponse(ctx, &bad) })
		wantKind(t, err, iep.KindInvalid, "CreateResponse("+what+")")
	}
	if n := countRows(t, db, "responses", f.district.ID); n != 1 {
		t.Errorf("%d responses stored, want 1", n)
	}
}
