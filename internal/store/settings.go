package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// Settings are a district's security settings: how long a signed-in browser may stay idle
// before it is signed out (WCAG 2.2.1: the user is warned and may extend it), how long a session
// may last at most, and whether staff must use a second factor (TOTP) to sign in.
type Settings struct {
	DistrictID       string
	IdleTimeout      time.Duration // 1 minute to 12 hours
	SessionMax       time.Duration // 1 hour to 7 days
	RequireStaffTOTP bool
	UpdatedAt        time.Time // zero: never set (the defaults)
}

// The bounds and defaults of Settings.
const (
	MinIdleTimeout     = time.Minute
	MaxIdleTimeout     = 12 * time.Hour
	MinSessionMax      = time.Hour
	MaxSessionMax      = 7 * 24 * time.Hour
	DefaultIdleTimeout = 30 * time.Minute
	DefaultSessionMax  = 12 * time.Hour
)

// DefaultSettings are the settings of a district that never set any.
func DefaultSettings(districtID string) Settings {
	return Settings{DistrictID: districtID, IdleTimeout: DefaultIdleTimeout, SessionMax: DefaultSessionMax}
}

// Validate reports what is wrong with s.
func (s *Settings) Validate() error {
	var ps iep.Problems
	if s.IdleTimeout < MinIdleTimeout || s.IdleTimeout > MaxIdleTimeout || s.IdleTimeout%time.Second != 0 {
		ps = append(ps, iep.Problem{Field: "idle_timeout", Code: iep.CodeRange, Detail: "1 minute to 12 hours"})
	}
	if s.SessionMax < MinSessionMax || s.SessionMax > MaxSessionMax || s.SessionMax%time.Second != 0 {
		ps = append(ps, iep.Problem{Field: "session_max", Code: iep.CodeRange, Detail: "1 hour to 7 days"})
	}
	if s.SessionMax < s.IdleTimeout {
		ps = append(ps, iep.Problem{Field: "session_max", Code: iep.CodeRange, Detail: "at least the idle timeout"})
	}
	return ps.Err()
}

// GetSettings returns the district's settings, the defaults when it never set any. It does not
// check that the district exists.
func (db *DB) GetSettings(ctx context.Context, districtID string) (Settings, error) {
	s := DefaultSettings(districtID)
	var idle, max int64
	err := db.queryRow(ctx, `SELECT idle_timeout_seconds, session_max_seconds, require_staff_totp, updated_at
		FROM district_settings WHERE district_id = $1`, districtID).
		Scan(&idle, &max, &s.RequireStaffTOTP, instant{&s.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, wrap(err, "read the settings of district %s", districtID)
	}
	s.IdleTimeout, s.SessionMax = time.Duration(idle)*time.Second, time.Duration(max)*time.Second
	return s, nil
}

// PutSettings stores the district's settings (UpdatedAt is the transaction's instant) and audits
// the change. Sessions already open keep the idle timeout they began with until they are next
// seen. Errors: invalid (Validate; a district that does not exist).
func (tx *Tx) PutSettings(ctx context.Context, s *Settings, by AuditActor) error {
	if err := checked(s.Validate(), s.DistrictID); err != nil {
		return err
	}
	s.UpdatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO district_settings (district_id, idle_timeout_seconds, session_max_seconds,
		require_staff_totp, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (district_id) DO UPDATE SET idle_timeout_seconds = $2, session_max_seconds = $3,
		require_staff_totp = $4, updated_at = $5`,
		s.DistrictID, int64(s.IdleTimeout/time.Second), int64(s.SessionMax/time.Second), s.RequireStaffTOTP,
		tx.db.d.instant(tx.now))
	if err != nil {
		return wrap(err, "store the settings of district %s", s.DistrictID)
	}
	kind := by.Kind
	if kind == "" {
		kind = "system"
	}
	return tx.AppendAudit(ctx, &AuditEntry{DistrictID: s.DistrictID, ActorKind: kind, ActorID: by.ID,
		Action: "update", RecordKind: "settings", RecordID: s.DistrictID, FromAddress: by.Address})
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

// StaffStudent is one student a staff member works with, and how.
type StaffStudent struct {
	StudentID   string
	FirstName   string
	LastName    string
	Grade       string
	SchoolID    string
	CaseManager bool // the case manager of the student's current plan
	TeamMember  bool // on the team of one of the student's plans that has not ended
	Granted     bool // holds a grant on the student active at now
}

// ListStaffStudents returns the students a staff member works with (a caseload): those whose
// current plan they manage, on whose open plans' teams they are, or on whom they hold a grant
// active at now; by name, at most limit.
func (db *DB) ListStaffStudents(ctx context.Context, districtID, staffID string, now time.Time, limit int) ([]StaffStudent, error) {
	at := db.d.instant(now)
	rows, err := list(ctx, db, func(r row, s *StaffStudent) error {
		var how string
		if err := r.Scan(&s.StudentID, &s.FirstName, &s.LastName, &s.Grade, &s.SchoolID, &how); err != nil {
			return err
		}
		s.CaseManager, s.TeamMember, s.Granted = how == "c", how == "t", how == "g"
		return nil
	}, `SELECT s.id, s.first_name, s.last_name, s.grade, s.school_id, w.how FROM (
			SELECT p.student_id AS student_id, 'c' AS how FROM plans p
				JOIN students s ON s.district_id = p.district_id AND s.id = p.student_id AND s.current_plan_id = p.id
				WHERE p.district_id = $1 AND p.case_manager_id = $2
			UNION SELECT p.student_id, 't' FROM team_members tm
				JOIN plans p ON p.district_id = tm.district_id AND p.id = tm.plan_id
				WHERE tm.district_id = $1 AND tm.staff_id = $2 AND p.status NOT IN `+endedPlanStatuses+`
			UNION SELECT g.student_id, 'g' FROM access_grants g
				WHERE g.district_id = $1 AND g.staff_id = $2 AND g.starts_at <= $3 AND g.until > $3
					AND (g.revoked_at IS NULL OR g.revoked_at > $3)
		) w JOIN students s ON s.district_id = $1 AND s.id = w.student_id
		ORDER BY s.last_name, s.first_name, s.id, w.how`, districtID, staffID, at)
	if err != nil {
		return nil, wrap(err, "list the students of staff %s", staffID)
	}
	// One row per student, with every way the staff member works with them.
	var out []StaffStudent
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1].StudentID == r.StudentID {
			out[n-1].CaseManager = out[n-1].CaseManager || r.CaseManager
			out[n-1].TeamMember = out[n-1].TeamMember || r.TeamMember
			out[n-1].Granted = out[n-1].Granted || r.Granted
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, r)
	}
	return out, nil
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
