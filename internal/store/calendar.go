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
