package store

import (
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

func testMigrationsIdempotent(t *testing.T, db *DB) {
	n, err := db.Migrate(ctx)
	if err != nil || n != 0 {
		t.Fatalf("Migrate on a migrated database = %d, %v; want 0, nil", n, err)
	}
	dsn, _ := dsns.Load(db)
	again, err := Open(ctx, dsn.(string), Options{})
	if err != nil {
		t.Fatalf("Open a second time: %v", err)
	}
	defer again.Close()
	if n, err := again.Migrate(ctx); err != nil || n != 0 {
		t.Fatalf("Migrate after a second Open = %d, %v; want 0, nil", n, err)
	}
	var count int
	if err := db.Writer().QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&count); err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations(db.Engine())
	if err != nil {
		t.Fatal(err)
	}
	if count != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", count, len(ms))
	}
	if err := again.Ping(ctx); err != nil {
		t.Errorf("Ping = %v", err)
	}
}

func testDistrictRoundTrip(t *testing.T, db *DB) {
	f := newFixture(t, db)
	got, err := db.GetDistrict(ctx, f.district.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetDistrict", got, &f.district)
	if f.district.CreatedAt.IsZero() || f.district.ID == "" {
		t.Errorf("CreateDistrict did not set ID and CreatedAt: %+v", f.district)
	}
	all, err := db.ListDistricts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range all {
		if d.ID == f.district.ID {
			found = true
			diff(t, "ListDistricts entry", d, f.district)
		}
	}
	if !found {
		t.Errorf("ListDistricts does not include %s", f.district.ID)
	}
}

func testOrgRoundTrip(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	schools, err := db.ListSchools(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListSchools", schools, []iep.School{f.school, f.school2})
	s, err := db.GetSchool(ctx, d, f.school2.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetSchool", s, &f.school2)

	staff, err := db.ListStaff(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListStaff", staff, []iep.Staff{f.provider, f.teacher}) // Speech before Teach
	st, err := db.GetStaff(ctx, d, f.teacher.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetStaff", st, &f.teacher)

	years, err := db.ListSchoolYears(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListSchoolYears", years, []iep.SchoolYear{f.year})
}

func testCalendarUpsert(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d, y := f.district.ID, f.year.ID
	days := []iep.CalendarDay{
		{SchoolYearID: y, Date: date.MustParse("2026-09-03"), Kind: iep.DaySchool},
		{SchoolYearID: y, Date: date.MustParse("2026-09-02"), Kind: iep.DayPartial, Note: "first day"},
		{SchoolYearID: y, Date: date.MustParse("2026-11-26"), Kind: iep.DayClosed, Note: "Thanksgiving"},
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.PutCalendarDays(ctx, d, days) })
	snow := []iep.CalendarDay{{SchoolYearID: y, Date: date.MustParse("2026-09-03"), Kind: iep.DayEmergency, Note: "Snow day"}}
	mustWrite(t, db, func(tx *Tx) error { return tx.PutCalendarDays(ctx, d, snow) })
	got, err := db.ListCalendarDays(ctx, d, y)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListCalendarDays", got, []iep.CalendarDay{days[1], snow[0], days[2]})

	bad := []iep.CalendarDay{{SchoolYearID: y, Kind: "holiday"}}
	err = db.Write(ctx, func(tx *Tx) error { return tx.PutCalendarDays(ctx, d, bad) })
	wantKind(t, err, iep.KindInvalid, "PutCalendarDays(no date, bad kind)")
	diff(t, "problem fields", problemFields(err), []string{"days[0].date", "days[0].kind"})
}
