package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// GrantAccess stores a time-limited grant of one staff member to one student's record. An empty
// ID gets a new one; a zero StartsAt is the transaction's instant; both are truncated to UTC
// microseconds (what is kept). Errors: invalid (Validate's problems, or a staff member, student
// or granting staff member not in the district), conflict.
func (tx *Tx) GrantAccess(ctx context.Context, g *access.Grant) error {
	if g.StartsAt.IsZero() {
		g.StartsAt = tx.now
	}
	g.StartsAt = g.StartsAt.UTC().Truncate(time.Microsecond)
	g.Until = g.Until.UTC().Truncate(time.Microsecond)
	g.RevokedAt = time.Time{}
	if err := checked(g.Validate(), g.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&g.ID); err != nil {
		return err
	}
	d := tx.db.d
	_, err := tx.exec(ctx, `INSERT INTO access_grants (district_id, id, staff_id, student_id, scope,
		granted_by, reason, starts_at, until, revoked_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10)`,
		g.DistrictID, g.ID, g.StaffID, g.StudentID, string(g.Scope), g.GrantedBy, g.Reason,
		d.instant(g.StartsAt), d.instant(g.Until), d.instant(tx.now))
	return wrap(err, "grant access %s", g.ID)
}

// RevokeGrant ends a grant at the transaction's instant. Revoking a revoked grant keeps the
// first revocation. Errors: not found (no such grant in the district).
func (tx *Tx) RevokeGrant(ctx context.Context, districtID, grantID string) error {
	ok, err := tx.execOne(ctx, `UPDATE access_grants SET revoked_at = COALESCE(revoked_at, $3)
		WHERE district_id = $1 AND id = $2`, districtID, grantID, tx.db.d.instant(tx.now))
	if err != nil {
		return wrap(err, "revoke grant %s", grantID)
	}
	if !ok {
		return notFound("grant", grantID)
	}
	return nil
}

// ListGrants returns every grant on a student, revoked and expired ones too (the record of who
// was given access, 300.614), oldest first.
func (db *DB) ListGrants(ctx context.Context, districtID, studentID string) ([]access.Grant, error) {
	return list(ctx, db, scanGrant, `SELECT `+grantCols+` FROM access_grants
		WHERE district_id = $1 AND student_id = $2 ORDER BY starts_at, id`, districtID, studentID)
}

const grantCols = `district_id, id, staff_id, student_id, scope, granted_by, reason, starts_at, until, revoked_at`

func scanGrant(r row, g *access.Grant) error {
	return r.Scan(&g.DistrictID, &g.ID, &g.StaffID, &g.StudentID, &g.Scope, &g.GrantedBy, &g.Reason,
		instant{&g.StartsAt}, instant{&g.Until}, instant{&g.RevokedAt})
}

// ShareWithGuardian records that the adult student shares their record with one of their
// guardians (view only; access.Facts.SharedWith), from the transaction's instant; sharing again
// after an unshare renews it. Whether the rights have transferred is the policy's question, not
// this write's. Errors: invalid (the guardian is not linked to the student in the district).
func (tx *Tx) ShareWithGuardian(ctx context.Context, districtID, studentID, guardianID string) error {
	_, err := tx.exec(ctx, `INSERT INTO access_shares (district_id, student_id, guardian_id, shared_at, revoked_at)
		VALUES ($1, $2, $3, $4, NULL)
		ON CONFLICT (district_id, student_id, guardian_id) DO UPDATE SET shared_at = $4, revoked_at = NULL`,
		districtID, studentID, guardianID, tx.db.d.instant(tx.now))
	return wrap(err, "share student %s with guardian %s", studentID, guardianID)
}

// UnshareWithGuardian stops sharing the student's record with the guardian, at the
// transaction's instant. Errors: not found (it was not shared).
func (tx *Tx) UnshareWithGuardian(ctx context.Context, districtID, studentID, guardianID string) error {
	ok, err := tx.execOne(ctx, `UPDATE access_shares SET revoked_at = $4
		WHERE district_id = $1 AND student_id = $2 AND guardian_id = $3 AND revoked_at IS NULL`,
		districtID, studentID, guardianID, tx.db.d.instant(tx.now))
	if err != nil {
		return wrap(err, "unshare student %s with guardian %s", studentID, guardianID)
	}
	if !ok {
		return notFound("share with guardian", guardianID)
	}
	return nil
}

// providerTeamRoles are the team roles taken to mean "delivers one of the student's services".
var providerTeamRoles = []iep.TeamRole{iep.TeamRelatedServiceProvider, iep.TeamSpecialEducationTeacher}

// assignedPart marks, among the staff AccessFacts reads, a provider assigned to one of the
// student's service lines (service_assignments).
const assignedPart = iep.TeamRole("assigned")

// endedPlanStatuses are the statuses whose teams no longer give access.
const endedPlanStatuses = `('ended', 'superseded', 'cancelled')`

// AccessFacts loads everything the access policy needs about one student, in four queries
// whatever the size of the record:
//
//  1. the student (district, school, birth date, who let a minor student read their record)
//     and the case manager of the current plan;
//  2. the guardian links (educational rights) and whether the adult student shares with each;
//  3. the staff on the teams of the student's plans that have not ended (drafts, proposed,
//     accepted, rejected: not ended, superseded or cancelled);
//  4. the grants on the student active at now.
//
// Providers: a service line names the role that delivers it, not the person
// (iep.ServiceLine.ProviderRole). ProviderStaffIDs are the staff assigned to one of the student's
// lines on the day (service_assignments, migration 0025) and the team members (of those plans)
// whose role is related_service_provider or special_education_teacher, as their role or one of
// their further ones.
//
// MajorityAge is left 0 (the policy's default, 18) until rule packs carry it, and
// RightsRetained false until a determination under 300.520(b) is recorded. Facts.Now is now
// (set it in the district's zone for the age of majority to turn over at local midnight).
// Errors: not found (no such student in the district: another district's student is not found).
func (db *DB) AccessFacts(ctx context.Context, districtID, studentID string, now time.Time) (*access.Facts, error) {
	f := &access.Facts{DistrictID: districtID, StudentID: studentID, Now: now}
	err := db.queryRow(ctx, `SELECT s.school_id, s.birth_date, COALESCE(p.case_manager_id, ''),
			COALESCE(s.view_shared_by, '')
		FROM students s
		LEFT JOIN plans p ON p.district_id = s.district_id AND p.id = s.current_plan_id
		WHERE s.district_id = $1 AND s.id = $2`, districtID, studentID).
		Scan(&f.SchoolID, &f.BirthDate, &f.CaseManagerID, &f.ViewSharedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("student", studentID)
	}
	if err != nil {
		return nil, wrap(err, "access facts of student %s", studentID)
	}

	type link struct {
		access.GuardianLink
		shared bool
	}
	links, err := list(ctx, db, func(r row, l *link) error {
		return r.Scan(&l.GuardianID, &l.HoldsEducationalRights, &l.shared)
	}, `SELECT l.guardian_id, l.holds_educational_rights,
			CASE WHEN sh.guardian_id IS NOT NULL AND sh.revoked_at IS NULL THEN 1 ELSE 0 END
		FROM student_guardians l
		LEFT JOIN access_shares sh ON sh.district_id = l.district_id AND sh.student_id = l.student_id
			AND sh.guardian_id = l.guardian_id
		WHERE l.district_id = $1 AND l.student_id = $2 ORDER BY l.guardian_id`, districtID, studentID)
	if err != nil {
		return nil, wrap(err, "access facts of student %s: guardians", studentID)
	}
	for _, l := range links {
		f.Guardians = append(f.Guardians, l.GuardianLink)
		if l.shared {
			f.SharedWith = append(f.SharedWith, l.GuardianID)
		}
	}

	type member struct {
		staffID string
		role    iep.TeamRole
		also    []iep.TeamRole
	}
	// The teams of the student's plans, and the staff of active evaluations (an evaluation's case
	// manager counts as the team; its evaluators as evaluators).
	members, err := list(ctx, db, func(r row, m *member) error {
		return r.Scan(&m.staffID, &m.role, jsonCol{&m.also})
	}, `SELECT tm.staff_id, tm.role, tm.also
		FROM plans p
		CROSS JOIN team_members tm
		WHERE tm.district_id = p.district_id AND tm.plan_id = p.id
			AND p.district_id = $1 AND p.student_id = $2 AND p.status NOT IN `+endedPlanStatuses+`
			AND COALESCE(tm.staff_id, '') <> ''
		UNION ALL
		SELECT staff_id, CASE WHEN part = 'case_manager' THEN 'case_manager' ELSE 'evaluator' END, '[]'
		FROM evaluation_staff WHERE district_id = $1 AND student_id = $2 AND active = $3
		UNION ALL
		SELECT provider_id, '`+string(assignedPart)+`', '[]'
		FROM service_assignments WHERE district_id = $1 AND student_id = $2 AND starts_on <= $4
			AND (ends_on IS NULL OR ends_on >= $4)`, districtID, studentID, true, date.Of(now))
	if err != nil {
		return nil, wrap(err, "access facts of student %s: team", studentID)
	}
	// Without statistics SQLite's planner takes "district_id = ?" for a narrow range: it walked the
	// district's team members (by the partial index on staff_id, or to merge the union in staff
	// order) and reached the plan by key, 115-135 ms at 100,000 students. So: the plans first
	// (CROSS JOIN keeps SQLite's order; PostgreSQL plans it as a join), a staff test no index
	// answers, and the order made here.
	slices.SortStableFunc(members, func(a, b member) int { return strings.Compare(a.staffID, b.staffID) })
	for _, m := range members {
		if m.role == assignedPart {
			// Assigned to deliver one of the student's services on the day: a provider, not the team.
			if !slices.Contains(f.ProviderStaffIDs, m.staffID) {
				f.ProviderStaffIDs = append(f.ProviderStaffIDs, m.staffID)
			}
			continue
		}
		if m.role == evaluatorPart {
			// Assigned an assessment of an active evaluation (evaluation_staff): not the team.
			if !slices.Contains(f.EvaluatorStaffIDs, m.staffID) {
				f.EvaluatorStaffIDs = append(f.EvaluatorStaffIDs, m.staffID)
			}
			continue
		}
		if !slices.Contains(f.TeamStaffIDs, m.staffID) {
			f.TeamStaffIDs = append(f.TeamStaffIDs, m.staffID)
		}
		provides := slices.Contains(providerTeamRoles, m.role) ||
			slices.ContainsFunc(m.also, func(r iep.TeamRole) bool { return slices.Contains(providerTeamRoles, r) })
		if provides && !slices.Contains(f.ProviderStaffIDs, m.staffID) {
			f.ProviderStaffIDs = append(f.ProviderStaffIDs, m.staffID)
		}
	}

	at := db.d.instant(now)
	f.Grants, err = list(ctx, db, scanGrant, `SELECT `+grantCols+` FROM access_grants
		WHERE district_id = $1 AND student_id = $2 AND starts_at <= $3 AND until > $3
			AND (revoked_at IS NULL OR revoked_at > $3)
		ORDER BY starts_at, id`, districtID, studentID, at)
	if err != nil {
		return nil, wrap(err, "access facts of student %s: grants", studentID)
	}
	return f, nil
}

// ShareViewWithStudent records that guardianID lets the student read their own record before
// the age of majority (read only), or with guardianID "" that nobody does any more. The caller
// checks that the guardian holds the rights and audits the change. Errors: not found.
func (tx *Tx) ShareViewWithStudent(ctx context.Context, districtID, studentID, guardianID string) error {
	ok, err := tx.execOne(ctx, `UPDATE students SET view_shared_by = $3 WHERE district_id = $1 AND id = $2`,
		districtID, studentID, opt(guardianID))
	if err != nil {
		return wrap(err, "share the record of student %s with the student", studentID)
	}
	if !ok {
		return notFound("student", studentID)
	}
	return nil
}
