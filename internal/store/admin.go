package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// This file holds what the district administration screens need beyond the records' own
// create and read: the staff directory with account state, changes to staff and to guardian
// links, and moving a caseload. Every change here appends its audit entry in the same
// transaction.

// StaffFilter selects a page of the staff directory.
type StaffFilter struct {
	// Query keeps staff whose first name, last name or e-mail starts with it (case-insensitive).
	Query string
	// After is the id of the last staff member of the previous page; "" for the first page.
	After string
	Limit int // rows per page: default 50, at most 500
}

// AccountState is where a staff member's or guardian's account stands.
type AccountState string

const (
	AccountNone     AccountState = "none"     // no account: they cannot sign in
	AccountInvited  AccountState = "invited"  // an account without a password yet
	AccountActive   AccountState = "active"   // can sign in
	AccountDisabled AccountState = "disabled" // kept with its history; cannot sign in
)

// StaffAccount is a row of the staff directory: the staff member and their account, if any.
type StaffAccount struct {
	iep.Staff
	AccountID    string
	State        AccountState
	LastSignInAt time.Time // zero: never
}

// escapeLike escapes the LIKE wildcards of s with '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ListStaffAccounts returns a page of the district's staff with their accounts, by last name,
// first name and id: one index range per page (keyset, no OFFSET). Errors: invalid (an After
// that names no staff member of the district).
func (db *DB) ListStaffAccounts(ctx context.Context, districtID string, f StaffFilter) ([]StaffAccount, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	limit = min(limit, maxPageSize)
	args := []any{districtID, limit}
	where := ""
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		args = append(args, escapeLike(q)+"%")
		where += ` AND (LOWER(s.last_name) LIKE $3 ESCAPE '\' OR LOWER(s.first_name) LIKE $3 ESCAPE '\'
			OR LOWER(s.email) LIKE $3 ESCAPE '\')`
	}
	if f.After != "" {
		var last, first string
		err := db.queryRow(ctx, `SELECT last_name, first_name FROM staff WHERE district_id = $1 AND id = $2`,
			districtID, f.After).Scan(&last, &first)
		if err := one(err, "staff", f.After); err != nil {
			return nil, iep.Problems{{Field: "after", Code: iep.CodeInvalid}}.Err()
		}
		n := len(args)
		args = append(args, last, first, f.After)
		where += ` AND (s.last_name, s.first_name, s.id) > ($` + strconv.Itoa(n+1) + `, $` + strconv.Itoa(n+2) + `, $` + strconv.Itoa(n+3) + `)`
	}
	rows, err := list(ctx, db, func(r row, sa *StaffAccount) error {
		var hasPassword bool
		var disabled time.Time
		s := &sa.Staff
		err := r.Scan(&s.DistrictID, &s.ID, &s.FirstName, &s.LastName, &s.Email, &s.Phone,
			jsonCol{&s.Roles}, jsonCol{&s.SchoolIDs}, jsonCol{&s.Languages}, &s.Active,
			&sa.AccountID, &hasPassword, instant{&disabled}, instant{&sa.LastSignInAt})
		if err != nil {
			return err
		}
		sa.State = accountState(sa.AccountID, hasPassword, !disabled.IsZero())
		return nil
	}, `SELECT s.district_id, s.id, s.first_name, s.last_name, s.email, s.phone, s.roles, s.school_ids,
			s.languages, s.active, COALESCE(a.id, ''), a.password_hash IS NOT NULL, a.disabled_at, a.last_sign_in_at
		FROM staff s LEFT JOIN accounts a ON a.district_id = s.district_id AND a.staff_id = s.id
		WHERE s.district_id = $1`+where+`
		ORDER BY s.last_name, s.first_name, s.id LIMIT $2`, args...)
	if err != nil {
		return nil, wrap(err, "list the staff of district %s", districtID)
	}
	return rows, nil
}

func accountState(id string, hasPassword, disabled bool) AccountState {
	switch {
	case id == "":
		return AccountNone
	case disabled:
		return AccountDisabled
	case !hasPassword:
		return AccountInvited
	}
	return AccountActive
}

// State is where the account stands.
func (a *Account) State() AccountState {
	return accountState(a.ID, a.PasswordHash != "", a.Disabled())
}

// GetAccountBySubject returns the account of a staff member, guardian or student (by kind) of
// the district. Errors: not found (they have no account).
func (db *DB) GetAccountBySubject(ctx context.Context, districtID string, kind AccountKind, subjectID string) (*Account, error) {
	col := map[AccountKind]string{AccountStaff: "staff_id", AccountGuardian: "guardian_id", AccountStudent: "student_id"}[kind]
	if col == "" {
		return nil, iep.Problems{{Field: "kind", Code: iep.CodeChoice, Detail: "staff, guardian, student"}}.Err()
	}
	var a Account
	err := scanAccount(db.queryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE district_id = $1 AND `+col+` = $2`,
		districtID, subjectID), &a)
	if err := one(err, "account of", subjectID); err != nil {
		return nil, err
	}
	return &a, nil
}

// UpdateStaff stores the changed fields of staff member s.ID (names, e-mail, phone, roles,
// schools, languages, active) and audits "update" of the staff record by by. Errors: invalid,
// not found.
func (tx *Tx) UpdateStaff(ctx context.Context, s *iep.Staff, by AuditActor) error {
	if err := checked(s.Validate(), s.DistrictID); err != nil {
		return err
	}
	var j jsonArgs
	roles, schools, langs := j.of(s.Roles), j.of(s.SchoolIDs), j.of(s.Languages)
	if j.err != nil {
		return j.err
	}
	ok, err := tx.execOne(ctx, `UPDATE staff SET first_name = $3, last_name = $4, email = $5, phone = $6,
		roles = $7, school_ids = $8, languages = $9, active = $10 WHERE district_id = $1 AND id = $2`,
		s.DistrictID, s.ID, s.FirstName, s.LastName, s.Email, s.Phone, roles, schools, langs, s.Active)
	if err != nil {
		return wrap(err, "update staff %s", s.ID)
	}
	if !ok {
		return notFound("staff", s.ID)
	}
	return tx.auditBy(ctx, s.DistrictID, "update", "staff", s.ID, "", by)
}

// auditBy appends one audit entry of a change made by by.
func (tx *Tx) auditBy(ctx context.Context, districtID, action, recordKind, recordID, studentID string, by AuditActor) error {
	kind := by.Kind
	if kind == "" {
		kind = "system"
	}
	return tx.AppendAudit(ctx, &AuditEntry{DistrictID: districtID, ActorKind: kind, ActorID: by.ID, Action: action,
		RecordKind: recordKind, RecordID: recordID, StudentID: studentID, FromAddress: by.Address, Reason: by.Reason})
}

// UpdateGuardianLink stores the changed link of a guardian to a student (relationship,
// educational rights, lives with, emergency contact, contact order) and audits
// "update_guardian_link" on the student's record. Errors: invalid, not found.
func (tx *Tx) UpdateGuardianLink(ctx context.Context, l *iep.StudentGuardian, by AuditActor) error {
	if err := checked(l.Validate(), l.DistrictID); err != nil {
		return err
	}
	ok, err := tx.execOne(ctx, `UPDATE student_guardians SET relationship = $4, holds_educational_rights = $5,
		lives_with_student = $6, emergency_contact = $7, contact_order = $8
		WHERE district_id = $1 AND student_id = $2 AND guardian_id = $3`,
		l.DistrictID, l.StudentID, l.GuardianID, string(l.Relationship), l.HoldsEducationalRights,
		l.LivesWithStudent, l.EmergencyContact, l.ContactOrder)
	if err != nil {
		return wrap(err, "update the link of guardian %s", l.GuardianID)
	}
	if !ok {
		return notFound("guardian link", l.GuardianID)
	}
	return tx.auditBy(ctx, l.DistrictID, "update_guardian_link", "guardian", l.GuardianID, l.StudentID, by)
}

// UnlinkGuardian removes a guardian from a student (the guardian's record and account stay:
// they may have other children) and audits "unlink_guardian". Errors: not found.
func (tx *Tx) UnlinkGuardian(ctx context.Context, districtID, studentID, guardianID string, by AuditActor) error {
	ok, err := tx.execOne(ctx, `DELETE FROM student_guardians WHERE district_id = $1 AND student_id = $2 AND guardian_id = $3`,
		districtID, studentID, guardianID)
	if err != nil {
		return wrap(err, "unlink guardian %s", guardianID)
	}
	if !ok {
		return notFound("guardian link", guardianID)
	}
	return tx.auditBy(ctx, districtID, "unlink_guardian", "guardian", guardianID, studentID, by)
}

// ReassignCaseManager makes to the case manager of the open plans (not ended) that from
// manages, of the given students (all of from's when studentIDs is empty), and audits
// "reassign_case_manager" on each plan. It returns how many plans moved. Errors: invalid (to is
// not an active staff member of the district, or is from).
func (tx *Tx) ReassignCaseManager(ctx context.Context, districtID, from, to string, studentIDs []string, by AuditActor) (int, error) {
	if to == "" || to == from {
		return 0, iep.Problems{{Field: "to", Code: iep.CodeInvalid}}.Err()
	}
	var active bool
	err := tx.queryRow(ctx, `SELECT active FROM staff WHERE district_id = $1 AND id = $2`, districtID, to).Scan(&active)
	if err := one(err, "staff", to); err != nil || !active {
		return 0, iep.Problems{{Field: "to", Code: iep.CodeInvalid}}.Err()
	}
	args := []any{districtID, from}
	in := ""
	for i, id := range studentIDs {
		if i > 0 {
			in += ", "
		}
		args = append(args, id)
		in += "$" + strconv.Itoa(len(args))
	}
	q := `SELECT id, student_id FROM plans WHERE district_id = $1 AND case_manager_id = $2
		AND status NOT IN ` + endedPlanStatuses
	if in != "" {
		q += ` AND student_id IN (` + in + `)`
	}
	type moved struct{ plan, student string }
	plans, err := list(ctx, tx, func(r row, m *moved) error { return r.Scan(&m.plan, &m.student) }, q+` ORDER BY id`+tx.db.d.forUpdate, args...)
	if err != nil {
		return 0, wrap(err, "read the caseload of staff %s", from)
	}
	for _, p := range plans {
		if _, err := tx.exec(ctx, `UPDATE plans SET case_manager_id = $3, updated_at = $4 WHERE district_id = $1 AND id = $2`,
			districtID, p.plan, to, tx.db.d.instant(tx.now)); err != nil {
			return 0, wrap(err, "reassign plan %s", p.plan)
		}
		if err := tx.auditBy(ctx, districtID, "reassign_case_manager", "plan", p.plan, p.student, by); err != nil {
			return 0, err
		}
	}
	return len(plans), nil
}

// SetAccountEmail changes the e-mail address an account signs in with (stored lower-cased) and
// audits "set_email". Errors: invalid (empty), conflict (another account has it), not found.
func (tx *Tx) SetAccountEmail(ctx context.Context, districtID, id, email string, by AuditActor) error {
	email = NormalizeEmail(email)
	if email == "" {
		return iep.Problems{{Field: "email", Code: iep.CodeRequired}}.Err()
	}
	return tx.updateAccount(ctx, districtID, id, "set_email", by,
		`UPDATE accounts SET email = $3 WHERE district_id = $1 AND id = $2`, email)
}
