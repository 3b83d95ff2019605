package store

import (
	"context"
	"fmt"

	"github.com/openiep/openiep/internal/iep"
)

// FreezePlan freezes the plan as it is stored now into its next version (current_version + 1):
// the canonical bytes and SHA-256 of iep.Freeze, immutable from then on (database triggers
// refuse to change or delete a version). It also writes the version's queryable projections,
// one row per service line (ESY lines flagged) and per goal. It does not change the plan's
// status: that is UpdatePlanHeader's. by is who froze it. Errors: not found, conflict (another
// transaction froze the same version number first).
func (tx *Tx) FreezePlan(ctx context.Context, districtID, planID, by string) (*iep.Version, error) {
	if _, _, err := tx.lockPlan(ctx, districtID, planID); err != nil {
		return nil, err
	}
	p, err := getPlan(ctx, tx, districtID, planID)
	if err != nil {
		return nil, err
	}
	n := p.CurrentVersion + 1
	canonical, sum, err := iep.Freeze(p, n)
	if err != nil {
		return nil, wrap(err, "freeze plan %s", planID)
	}
	v := &iep.Version{DistrictID: districtID, PlanID: planID, Number: n, Canonical: canonical,
		SHA256: sum, CreatedAt: tx.now, CreatedBy: by}
	if err := ensureID(&v.ID); err != nil {
		return nil, err
	}
	now := tx.db.d.instant(tx.now)
	_, err = tx.exec(ctx, `INSERT INTO plan_versions (district_id, id, plan_id, number, canonical, sha256, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, districtID, v.ID, planID, n, canonical, sum, now, by)
	if err != nil {
		return nil, wrap(err, "freeze plan %s as version %d", planID, n)
	}
	_, err = tx.exec(ctx, `UPDATE plans SET current_version = $3, updated_at = $4 WHERE district_id = $1 AND id = $2`,
		districtID, planID, n, now)
	if err != nil {
		return nil, wrap(err, "freeze plan %s", planID)
	}
	if err := tx.project(ctx, p, n); err != nil {
		return nil, err
	}
	return v, nil
}

// project writes the service lines and goals of version n of plan p as plain rows.
func (tx *Tx) project(ctx context.Context, p *iep.Plan, n int) error {
	lines := func(ls []iep.ServiceLine, esy bool) error {
		for i := range ls {
			l := &ls[i]
			_, err := tx.exec(ctx, `INSERT INTO plan_service_lines (district_id, plan_id, version, esy, line_id,
				category, type, provider_role, setting, location, group_size, minutes_per_session,
				sessions_per_period, period, cycle_days, start_date, end_date)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
				p.DistrictID, p.ID, n, esy, l.ID, string(l.Category), string(l.Type), string(l.ProviderRole),
				string(l.Setting), l.Location, l.GroupSize, l.MinutesPerSession, l.SessionsPerPeriod,
				string(l.Period), l.CycleDays, l.StartDate, l.EndDate)
			if err != nil {
				return wrap(err, "plan %s version %d: service line %s", p.ID, n, l.ID)
			}
		}
		return nil
	}
	if err := lines(p.Content.Services.Lines, false); err != nil {
		return err
	}
	if err := lines(p.Content.ESY.Services, true); err != nil {
		return err
	}
	for i := range p.Content.Goals.Goals {
		g := &p.Content.Goals.Goals[i]
		_, err := tx.exec(ctx, `INSERT INTO plan_goals (district_id, plan_id, version, goal_id, area, statement,
			unit, baseline, baseline_value, target, target_value)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			p.DistrictID, p.ID, n, g.ID, g.Area, g.Statement, g.Unit, g.Baseline, g.BaselineValue,
			g.Target, g.TargetValue)
		if err != nil {
			return wrap(err, "plan %s version %d: goal %s", p.ID, n, g.ID)
		}
	}
	return nil
}

const versionCols = `district_id, id, plan_id, number, canonical, sha256, created_at, created_by`

func scanVersion(r row, v *iep.Version) error {
	return r.Scan(&v.DistrictID, &v.ID, &v.PlanID, &v.Number, &v.Canonical, &v.SHA256,
		instant{&v.CreatedAt}, &v.CreatedBy)
}

// GetVersion returns version number of a plan of the district. Errors: not found.
func (db *DB) GetVersion(ctx context.Context, districtID, planID string, number int) (*iep.Version, error) {
	return getVersion(ctx, db, districtID, planID, number)
}

// GetVersion is DB.GetVersion inside the transaction.
func (tx *Tx) GetVersion(ctx context.Context, districtID, planID string, number int) (*iep.Version, error) {
	return getVersion(ctx, tx, districtID, planID, number)
}

func getVersion(ctx context.Context, q queryer, districtID, planID string, number int) (*iep.Version, error) {
	var v iep.Version
	err := scanVersion(q.queryRow(ctx, `SELECT `+versionCols+` FROM plan_versions
		WHERE district_id = $1 AND plan_id = $2 AND number = $3`, districtID, planID, number), &v)
	if err := one(err, fmt.Sprintf("version %d of plan", number), planID); err != nil {
		return nil, err
	}
	return &v, nil
}

// ListVersions returns every version of a plan of the district, oldest first.
func (db *DB) ListVersions(ctx context.Context, districtID, planID string) ([]iep.Version, error) {
	return list(ctx, db, scanVersion, `SELECT `+versionCols+` FROM plan_versions
		WHERE district_id = $1 AND plan_id = $2 ORDER BY number`, districtID, planID)
}
