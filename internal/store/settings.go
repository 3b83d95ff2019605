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
