package store

import (
	"context"

	"github.com/openiep/openiep/internal/iep"
)

// UpdateSchoolYear changes the name and the first and last days of a school year of the
// district. Errors: invalid, not found.
func (tx *Tx) UpdateSchoolYear(ctx context.Context, y *iep.SchoolYear) error {
	if err := checked(y.Validate(), y.DistrictID); err != nil {
		return err
	}
	ok, err := tx.execOne(ctx, `UPDATE school_years SET name = $3, first_day = $4, last_day = $5
		WHERE district_id = $1 AND id = $2`, y.DistrictID, y.ID, y.Name, y.FirstDay, y.LastDay)
	if err != nil {
		return wrap(err, "update school year %s", y.ID)
	}
	if !ok {
		return notFound("school year", y.ID)
	}
	return nil
}

// ReplaceCalendarDays makes days the whole list of a school year's stored days: days of the
// year not in it are deleted. Errors: as PutCalendarDays.
func (tx *Tx) ReplaceCalendarDays(ctx context.Context, districtID, schoolYearID string, days []iep.CalendarDay) error {
	if _, err := tx.exec(ctx, `DELETE FROM calendar_days WHERE district_id = $1 AND school_year_id = $2`,
		districtID, schoolYearID); err != nil {
		return wrap(err, "clear the days of school year %s", schoolYearID)
	}
	return tx.PutCalendarDays(ctx, districtID, days)
}

// RuleOverrides returns the district's own amounts for rules of its pack, by rule id.
func (db *DB) RuleOverrides(ctx context.Context, districtID string) (map[string]int, error) {
	type kv struct {
		id string
		n  int
	}
	rows, err := list(ctx, db, func(r row, x *kv) error { return r.Scan(&x.id, &x.n) },
		`SELECT rule_id, amount FROM district_rule_overrides WHERE district_id = $1 ORDER BY rule_id`, districtID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, x := range rows {
		out[x.id] = x.n
	}
	return out, nil
}

// SetRuleOverride stores the district's amount for a rule (0 removes it, back to the pack's).
// The caller checks it against the law (rules.Pack.With) first. Errors: invalid.
func (tx *Tx) SetRuleOverride(ctx context.Context, districtID, ruleID string, amount int) error {
	if ruleID == "" || amount < 0 {
		return iep.Problems{{Field: "rule", Code: iep.CodeInvalid}}.Err()
	}
	if _, err := tx.exec(ctx, `DELETE FROM district_rule_overrides WHERE district_id = $1 AND rule_id = $2`, districtID, ruleID); err != nil {
		return wrap(err, "set rule %s of district %s", ruleID, districtID)
	}
	if amount == 0 {
		return nil
	}
	_, err := tx.exec(ctx, `INSERT INTO district_rule_overrides (district_id, rule_id, amount) VALUES ($1, $2, $3)`,
		districtID, ruleID, amount)
	return wrap(err, "set rule %s of district %s", ruleID, districtID)
}
