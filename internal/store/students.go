package store

import (
	"context"

	"github.com/openiep/openiep/internal/iep"
)

const insertStudent = `INSERT INTO students (district_id, id, school_id, local_id, state_id, first_name,
	middle_name, last_name, preferred_name, birth_date, grade, home_language, pronouns, enrolled_on,
	exited_on, exit_reason, created_at, updated_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`

// studentArgs are the values of insertStudent, in its order.
func (tx *Tx) studentArgs(s *iep.Student) []any {
	now := tx.db.d.instant(tx.now)
	return []any{s.DistrictID, s.ID, s.SchoolID, s.LocalID, s.StateID, s.FirstName,
		s.MiddleName, s.LastName, s.PreferredName, s.BirthDate, string(s.Grade), s.HomeLanguage, s.Pronouns,
		s.EnrolledOn, s.ExitedOn, string(s.ExitReason), now, now}
}

// CreateStudent stores a new student of s.DistrictID with its disabilities (in their order,
// one primary). Errors: invalid (Validate's problems, or a school not in the district),
// conflict (the id, or the local id, exists in the district).
func (tx *Tx) CreateStudent(ctx context.Context, s *iep.Student) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if err := ensureID(&s.ID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, insertStudent, tx.studentArgs(s)...); err != nil {
		return wrap(err, "create student %s", s.ID)
	}
	return tx.putDisabilities(ctx, s)
}

func (tx *Tx) putDisabilities(ctx context.Context, s *iep.Student) error {
	for _, d := range s.Disabilities {
		_, err := tx.exec(ctx, `INSERT INTO student_disabilities (district_id, student_id, category, position, is_primary)
			VALUES ($1, $2, $3, $4, $5)`, s.DistrictID, s.ID, string(d.Category), d.Order, d.Primary)
		if err != nil {
			return wrap(err, "student %s: disability", s.ID)
		}
	}
	return nil
}

// UpdateStudent replaces the stored student s.ID of s.DistrictID, disabilities included (its
// current plan is kept: plans move it). Errors: invalid, not found, conflict (local id taken).
func (tx *Tx) UpdateStudent(ctx context.Context, s *iep.Student) error {
	if err := s.Validate(); err != nil {
		return err
	}
	ok, err := tx.execOne(ctx, `UPDATE students SET school_id = $3, local_id = $4, state_id = $5,
		first_name = $6, middle_name = $7, last_name = $8, preferred_name = $9, birth_date = $10,
		grade = $11, home_language = $12, pronouns = $13, enrolled_on = $14, exited_on = $15,
		exit_reason = $16, updated_at = $17
		WHERE district_id = $1 AND id = $2`,
		s.DistrictID, s.ID, s.SchoolID, s.LocalID, s.StateID, s.FirstName, s.MiddleName, s.LastName,
		s.PreferredName, s.BirthDate, string(s.Grade), s.HomeLanguage, s.Pronouns, s.EnrolledOn,
		s.ExitedOn, string(s.ExitReason), tx.db.d.instant(tx.now))
	if err != nil {
		return wrap(err, "update student %s", s.ID)
	}
	if !ok {
		return notFound("student", s.ID)
	}
	_, err = tx.exec(ctx, `DELETE FROM student_disabilities WHERE district_id = $1 AND student_id = $2`,
		s.DistrictID, s.ID)
	if err != nil {
		return wrap(err, "update student %s", s.ID)
	}
	return tx.putDisabilities(ctx, s)
}

const studentCols = `district_id, id, school_id, local_id, state_id, first_name, middle_name,
	last_name, preferred_name, birth_date, grade, home_language, pronouns, enrolled_on, exited_on, exit_reason`

// studentDest are the scan targets of studentCols.
func studentDest(s *iep.Student) []any {
	return []any{&s.DistrictID, &s.ID, &s.SchoolID, &s.LocalID, &s.StateID, &s.FirstName, &s.MiddleName,
		&s.LastName, &s.PreferredName, &s.BirthDate, &s.Grade, &s.HomeLanguage, &s.Pronouns,
		&s.EnrolledOn, &s.ExitedOn, &s.ExitReason}
}

func scanDisability(r row, d *iep.Disability) error {
	return r.Scan(&d.Category, &d.Order, &d.Primary)
}

// GetStudent returns one student of the district with its disabilities. Errors: not found.
func (db *DB) GetStudent(ctx context.Context, districtID, id string) (*iep.Student, error) {
	return getStudent(ctx, db, districtID, id)
}

// GetStudent is DB.GetStudent inside the transaction (it sees the transaction's writes).
func (tx *Tx) GetStudent(ctx context.Context, districtID, id string) (*iep.Student, error) {
	return getStudent(ctx, tx, districtID, id)
}

func getStudent(ctx context.Context, q queryer, districtID, id string) (*iep.Student, error) {
	var s iep.Student
	err := q.queryRow(ctx, `SELECT `+studentCols+` FROM students WHERE district_id = $1 AND id = $2`,
		districtID, id).Scan(studentDest(&s)...)
	if err := one(err, "student", id); err != nil {
		return nil, err
	}
	ds, err := list(ctx, q, scanDisability, `SELECT category, position, is_primary FROM student_disabilities
		WHERE district_id = $1 AND student_id = $2 ORDER BY position, category`, districtID, id)
	if err != nil {
		return nil, err
	}
	if len(ds) > 0 {
		s.Disabilities = ds
	}
	return &s, nil
}

// CreateGuardian stores a guardian of g.DistrictID. Errors: invalid, conflict.
func (tx *Tx) CreateGuardian(ctx context.Context, g *iep.Guardian) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if err := ensureID(&g.ID); err != nil {
		return err
	}
	var j jsonArgs
	contacts := j.of(g.ContactMethods)
	if j.err != nil {
		return j.err
	}
	_, err := tx.exec(ctx, `INSERT INTO guardians (district_id, id, first_name, last_name, preferred_language,
		needs_interpreter, contact_methods, address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		g.DistrictID, g.ID, g.FirstName, g.LastName, g.PreferredLanguage, g.NeedsInterpreter, contacts, g.Address)
	return wrap(err, "create guardian %s", g.ID)
}

// LinkGuardian links a guardian to a student of the same district. Errors: invalid (including
// a student or guardian not in the district), conflict (already linked).
func (tx *Tx) LinkGuardian(ctx context.Context, l *iep.StudentGuardian) error {
	if err := checked(l.Validate(), l.DistrictID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO student_guardians (district_id, student_id, guardian_id, relationship,
		holds_educational_rights, lives_with_student, emergency_contact, contact_order)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		l.DistrictID, l.StudentID, l.GuardianID, string(l.Relationship), l.HoldsEducationalRights,
		l.LivesWithStudent, l.EmergencyContact, l.ContactOrder)
	return wrap(err, "link guardian %s to student %s", l.GuardianID, l.StudentID)
}

// GuardianLink is a guardian with its link to one student.
type GuardianLink struct {
	iep.Guardian
	Link iep.StudentGuardian
}

// ListGuardians returns the guardians of a student of the district, by contact order.
func (db *DB) ListGuardians(ctx context.Context, districtID, studentID string) ([]GuardianLink, error) {
	return list(ctx, db, func(r row, gl *GuardianLink) error {
		g, l := &gl.Guardian, &gl.Link
		return r.Scan(&g.DistrictID, &g.ID, &g.FirstName, &g.LastName, &g.PreferredLanguage,
			&g.NeedsInterpreter, jsonCol{&g.ContactMethods}, &g.Address,
			&l.DistrictID, &l.StudentID, &l.GuardianID, &l.Relationship, &l.HoldsEducationalRights,
			&l.LivesWithStudent, &l.EmergencyContact, &l.ContactOrder)
	}, `SELECT g.district_id, g.id, g.first_name, g.last_name, g.preferred_language, g.needs_interpreter,
			g.contact_methods, g.address,
			l.district_id, l.student_id, l.guardian_id, l.relationship, l.holds_educational_rights,
			l.lives_with_student, l.emergency_contact, l.contact_order
		FROM student_guardians l
		JOIN guardians g ON g.district_id = l.district_id AND g.id = l.guardian_id
		WHERE l.district_id = $1 AND l.student_id = $2
		ORDER BY l.contact_order, g.id`, districtID, studentID)
}

// GetGuardian returns one guardian of the district. Errors: not found.
func (db *DB) GetGuardian(ctx context.Context, districtID, id string) (*iep.Guardian, error) {
	var g iep.Guardian
	err := db.queryRow(ctx, `SELECT district_id, id, first_name, last_name, preferred_language, needs_interpreter,
		contact_methods, address FROM guardians WHERE district_id = $1 AND id = $2`, districtID, id).
		Scan(&g.DistrictID, &g.ID, &g.FirstName, &g.LastName, &g.PreferredLanguage, &g.NeedsInterpreter,
			jsonCol{&g.ContactMethods}, &g.Address)
	if err := one(err, "guardian", id); err != nil {
		return nil, err
	}
	return &g, nil
}

// GuardianChild is one student a guardian is linked to, with the link.
type GuardianChild struct {
	StudentID   string
	FirstName   string
	LastName    string
	Grade       string
	SchoolID    string
	HoldsRights bool
}

// ListGuardianChildren returns the students a guardian is linked to in the district, by name.
// The access policy decides what the guardian may see of each.
func (db *DB) ListGuardianChildren(ctx context.Context, districtID, guardianID string) ([]GuardianChild, error) {
	return list(ctx, db, func(r row, c *GuardianChild) error {
		return r.Scan(&c.StudentID, &c.FirstName, &c.LastName, &c.Grade, &c.SchoolID, &c.HoldsRights)
	}, `SELECT s.id, s.first_name, s.last_name, s.grade, s.school_id, l.holds_educational_rights
		FROM student_guardians l JOIN students s ON s.district_id = l.district_id AND s.id = l.student_id
		WHERE l.district_id = $1 AND l.guardian_id = $2
		ORDER BY s.last_name, s.first_name, s.id`, districtID, guardianID)
}
