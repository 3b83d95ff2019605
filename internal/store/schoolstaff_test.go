package store

import (
	"slices"
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

func init() {
	contract = append(contract, struct {
		name string
		fn   func(*testing.T, *DB)
	}{"ListSchoolStaff", testListSchoolStaff})
}

// testListSchoolStaff: a school's staff are those listed in it and the district-wide staff
// (no school), active only; another school's and another district's are left out.
func testListSchoolStaff(t *testing.T, db *DB) {
	f := newFixture(t, db)
	other := newFixture(t, db)
	add := func(f *fixture, last string, schools []string, active bool) string {
		st := iep.Staff{DistrictID: f.district.ID, FirstName: "A", LastName: last, SchoolIDs: schools,
			Roles: []iep.StaffRole{iep.RoleSpecialEducationTeacher}, Active: active}
		mustWrite(t, db, func(tx *Tx) error { return tx.CreateStaff(ctx, &st) })
		return st.ID
	}
	here := add(f, "Here", []string{f.school.ID}, true)
	both := add(f, "Both", []string{f.school2.ID, f.school.ID}, true)
	wide := add(f, "Wide", nil, true)
	add(f, "Elsewhere", []string{f.school2.ID}, true)
	add(f, "Gone", []string{f.school.ID}, false)
	add(other, "Stranger", []string{f.school.ID}, true)
	got, err := db.ListSchoolStaff(ctx, f.district.ID, f.school.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range got {
		if s.LastName != "Tester" && s.FirstName == "A" {
			ids = append(ids, s.ID)
		}
	}
	if want := []string{both, here, wide}; !slices.Equal(ids, want) {
		t.Errorf("school staff = %v, want %v (Both, Here, Wide by name)", ids, want)
	}
	// By role: the active holders only.
	cm := iep.Staff{DistrictID: f.district.ID, FirstName: "C", LastName: "Manager", Active: true,
		Roles: []iep.StaffRole{iep.RoleSpecialEducationTeacher, iep.RoleCaseManager}}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateStaff(ctx, &cm) })
	got, err = db.ListStaffWithRole(ctx, f.district.ID, iep.RoleCaseManager)
	if err != nil || !slices.ContainsFunc(got, func(s iep.Staff) bool { return s.ID == cm.ID }) {
		t.Fatalf("case managers = %+v, %v; want the new one among them", got, err)
	}
	for _, s := range got {
		full, err := db.GetStaff(ctx, f.district.ID, s.ID)
		if err != nil || !full.HasRole(iep.RoleCaseManager) || !full.Active || s.DistrictID != f.district.ID || s.LastName != full.LastName {
			t.Errorf("%s %s listed as a case manager: %+v", s.FirstName, s.LastName, s)
		}
	}
}
