package store

import (
	"context"
	"fmt"

	"github.com/openiep/openiep/internal/iep"
)

// CreateDistrict stores a new district (the tenant). It sets ID when empty and CreatedAt.
// Errors: invalid (Validate's problems), conflict (the id exists).
func (tx *Tx) CreateDistrict(ctx context.Context, d *iep.District) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if err := ensureID(&d.ID); err != nil {
		return err
	}
	d.CreatedAt = tx.now
	var j jsonArgs
	langs := j.of(d.Languages)
	if j.err != nil {
		return j.err
	}
	_, err := tx.exec(ctx, `INSERT INTO districts (id, name, state_code, lea_code, rule_pack, timezone, languages, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		d.ID, d.Name, d.StateCode, d.LEACode, d.RulePack, d.Timezone, langs, tx.db.d.instant(d.CreatedAt))
	return wrap(err, "create district %s", d.ID)
}

const districtCols = `id, name, state_code, lea_code, rule_pack, timezone, languages, created_at`

func scanDistrict(r row, d *iep.District) error {
	return r.Scan(&d.ID, &d.Name, &d.StateCode, &d.LEACode, &d.RulePack, &d.Timezone,
		jsonCol{&d.Languages}, instant{&d.CreatedAt})
}

// GetDistrict returns the district with this id. Errors: not found.
func (db *DB) GetDistrict(ctx context.Context, id string) (*iep.District, error) {
	var d iep.District
	err := scanDistrict(db.queryRow(ctx, `SELECT `+districtCols+` FROM districts WHERE id = $1`, id), &d)
	if err := one(err, "district", id); err != nil {
		return nil, err
	}
	return &d, nil
}

// ListDistricts returns every district, by name.
func (db *DB) ListDistricts(ctx context.Context) ([]iep.District, error) {
	return list(ctx, db, scanDistrict, `SELECT `+districtCols+` FROM districts ORDER BY name, id`)
}

// CreateSchool stores a new school of s.DistrictID. Errors: invalid (including an unknown
// district), conflict (the id or the school code exists in the district).
func (tx *Tx) CreateSchool(ctx context.Context, s *iep.School) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := ensureID(&s.ID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO schools (district_id, id, name, code, low_grade, high_grade, kind, address)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		s.DistrictID, s.ID, s.Name, s.Code, string(s.LowGrade), string(s.HighGrade), string(s.Kind), s.Address)
	return wrap(err, "create school %s", s.ID)
}

const schoolCols = `district_id, id, name, code, low_grade, high_grade, kind, address`

func scanSchool(r row, s *iep.School) error {
	return r.Scan(&s.DistrictID, &s.ID, &s.Name, &s.Code, &s.LowGrade, &s.HighGrade, &s.Kind, &s.Address)
}

// ListSchools returns the district's schools, by name.
func (db *DB) ListSchools(ctx context.Context, districtID string) ([]iep.School, error) {
	return list(ctx, db, scanSchool,
		`SELECT `+schoolCols+` FROM schools WHERE district_id = $1 ORDER BY name, id`, districtID)
}

// GetSchool returns one school of the district. Errors: not found.
func (db *DB) GetSchool(ctx context.Context, districtID, id string) (*iep.School, error) {
	var s iep.School
	err := scanSchool(db.queryRow(ctx, `SELECT `+schoolCols+` FROM schools WHERE district_id = $1 AND id = $2`,
		districtID, id), &s)
	if err := one(err, "school", id); err != nil {
		return nil, err
	}
	return &s, nil
}

// CreateSchoolYear stores a school year of y.DistrictID. Errors: invalid, conflict.
func (tx *Tx) CreateSchoolYear(ctx context.Context, y *iep.SchoolYear) error {
	if err := y.Validate(); err != nil {
		return err
	}
	if err := ensureID(&y.ID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO school_years (district_id, id, name, first_day, last_day)
		VALUES ($1, $2, $3, $4, $5)`, y.DistrictID, y.ID, y.Name, y.FirstDay, y.LastDay)
	return wrap(err, "create school year %s", y.ID)
}

// ListSchoolYears returns the district's school years, by first day.
func (db *DB) ListSchoolYears(ctx context.Context, districtID string) ([]iep.SchoolYear, error) {
	return list(ctx, db, func(r row, y *iep.SchoolYear) error {
		return r.Scan(&y.DistrictID, &y.ID, &y.Name, &y.FirstDay, &y.LastDay)
	}, `SELECT district_id, id, name, first_day, last_day FROM school_years
		WHERE district_id = $1 ORDER BY first_day, id`, districtID)
}

// PutCalendarDays stores days of the district's calendar, replacing any day already stored
// for the same date. Each day's DistrictID is set to districtID. Errors: invalid (a day without
// a school year, date or known kind, or a school year not in the district).
func (tx *Tx) PutCalendarDays(ctx context.Context, districtID string, days []iep.CalendarDay) error {
	var ps iep.Problems
	for i := range days {
		if err := days[i].Validate(); err != nil {
			ps.Nest(fmt.Sprintf("days[%d].", i), err)
		}
	}
	if err := checked(ps.Err(), districtID); err != nil {
		return err
	}
	for i := range days {
		d := &days[i]
		d.DistrictID = districtID
		_, err := tx.exec(ctx, `INSERT INTO calendar_days (district_id, day, school_year_id, kind, note)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (district_id, day) DO UPDATE SET
				school_year_id = excluded.school_year_id, kind = excluded.kind, note = excluded.note`,
			districtID, d.Date, d.SchoolYearID, string(d.Kind), d.Note)
		if err != nil {
			return wrap(err, "put calendar day %s", d.Date)
		}
	}
	return nil
}

// ListCalendarDays returns the stored days of one school year, by date.
func (db *DB) ListCalendarDays(ctx context.Context, districtID, schoolYearID string) ([]iep.CalendarDay, error) {
	return list(ctx, db, func(r row, d *iep.CalendarDay) error {
		return r.Scan(&d.DistrictID, &d.SchoolYearID, &d.Date, &d.Kind, &d.Note)
	}, `SELECT district_id, school_year_id, day, kind, note FROM calendar_days
		WHERE district_id = $1 AND school_year_id = $2 ORDER BY day`, districtID, schoolYearID)
}

// CreateStaff stores a staff member of s.DistrictID. Errors: invalid, conflict.
func (tx *Tx) CreateStaff(ctx context.Context, s *iep.Staff) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := ensureID(&s.ID); err != nil {
		return err
	}
	var j jsonArgs
	roles, schools, langs := j.of(s.Roles), j.of(s.SchoolIDs), j.of(s.Languages)
	if j.err != nil {
		return j.err
	}
	_, err := tx.exec(ctx, `INSERT INTO staff (district_id, id, first_name, last_name, email, phone, roles, school_ids, languages, active)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.DistrictID, s.ID, s.FirstName, s.LastName, s.Email, s.Phone, roles, schools, langs, s.Active)
	return wrap(err, "create staff %s", s.ID)
}

const staffCols = `district_id, id, first_name, last_name, email, phone, roles, school_ids, languages, active`

func scanStaff(r row, s *iep.Staff) error {
	return r.Scan(&s.DistrictID, &s.ID, &s.FirstName, &s.LastName, &s.Email, &s.Phone,
		jsonCol{&s.Roles}, jsonCol{&s.SchoolIDs}, jsonCol{&s.Languages}, &s.Active)
}

// ListStaff returns the district's staff, by last name, first name.
func (db *DB) ListStaff(ctx context.Context, districtID string) ([]iep.Staff, error) {
	return list(ctx, db, scanStaff, `SELECT `+staffCols+` FROM staff WHERE district_id = $1
		ORDER BY last_name, first_name, id`, districtID)
}

// ListSchoolStaff returns the district's active staff who work in the school or district-wide
// (no school listed), by last name, first name: those a team of that school's student is made
// of. The district's other schools' staff are left out (a district has thousands).
func (db *DB) ListSchoolStaff(ctx context.Context, districtID, schoolID string) ([]iep.Staff, error) {
	return list(ctx, db, scanStaff, `SELECT `+staffCols+` FROM staff WHERE district_id = $1 AND active = $3
		AND (CAST(school_ids AS TEXT) IN ('[]', 'null') OR `+fmt.Sprintf(db.d.idsIn, "$2", "school_ids")+`)
		ORDER BY last_name, first_name, id`, districtID, schoolID, true)
}

// ListStaffWithRole returns the district's active staff who hold role, by last name, first
// name, for a picker: their id, district, names and e-mail only (roles, schools and languages
// are not read: a district has thousands of staff).
func (db *DB) ListStaffWithRole(ctx context.Context, districtID string, role iep.StaffRole) ([]iep.Staff, error) {
	// A LIKE on the roles' JSON text: a role is a quoted word of a JSON array, and no role's
	// name holds a quote, so `%"case_manager"%` matches exactly the holders.
	return list(ctx, db, func(r row, s *iep.Staff) error {
		s.Active = true
		return r.Scan(&s.DistrictID, &s.ID, &s.FirstName, &s.LastName, &s.Email)
	}, `SELECT district_id, id, first_name, last_name, email FROM staff WHERE district_id = $1 AND active = $3
		AND CAST(roles AS TEXT) LIKE $2
		ORDER BY last_name, first_name, id`, districtID, `%"`+string(role)+`"%`, true)
}

// GetStaff returns one staff member of the district. Errors: not found.
func (db *DB) GetStaff(ctx context.Context, districtID, id string) (*iep.Staff, error) {
	var s iep.Staff
	err := scanStaff(db.queryRow(ctx, `SELECT `+staffCols+` FROM staff WHERE district_id = $1 AND id = $2`,
		districtID, id), &s)
	if err := one(err, "staff", id); err != nil {
		return nil, err
	}
	return &s, nil
}
