package store

import (
	"context"
	"hash/fnv"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The administration of a district's calendar: one day added or removed at a time, each change
// audited in its transaction, and what the recomputation of the deadlines moved.

// AddCalendarDay stores one day of the district's calendar (d.DistrictID) and its audit entry
// (by: who and on which ground). A date already listed is refused, never replaced (problem
// date/duplicate, whose Detail is the kind it is listed as), except, when replaceSchool is set,
// a date listed as a school day: the caller sets it for a weekday in session, which is a school
// day whether listed or not (calendars imported day by day list every one). Errors: invalid.
func (tx *Tx) AddCalendarDay(ctx context.Context, d *iep.CalendarDay, replaceSchool bool, by AuditActor) error {
	if err := checked(d.Validate(), d.DistrictID); err != nil {
		return err
	}
	replaceable := "''" // no kind
	if replaceSchool {
		replaceable = "'" + string(iep.DaySchool) + "'"
	}
	res, err := tx.exec(ctx, `INSERT INTO calendar_days (district_id, day, school_year_id, kind, note)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (district_id, day) DO UPDATE SET
			school_year_id = excluded.school_year_id, kind = excluded.kind, note = excluded.note
		WHERE calendar_days.kind = `+replaceable,
		d.DistrictID, d.Date, d.SchoolYearID, string(d.Kind), d.Note)
	if err != nil {
		return wrap(err, "add calendar day %s", d.Date)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return wrap(err, "add calendar day %s", d.Date)
		}
		var kind string
		if err := tx.queryRow(ctx, `SELECT kind FROM calendar_days WHERE district_id = $1 AND day = $2`,
			d.DistrictID, d.Date).Scan(&kind); err != nil {
			return wrap(err, "add calendar day %s", d.Date)
		}
		return iep.Problems{{Field: "date", Code: iep.CodeDuplicate, Detail: kind}}.Err()
	}
	return tx.auditCalendar(ctx, d.DistrictID, "create", d.Date, by)
}

// RemoveCalendarDay deletes the district's listed day on day, with its audit entry, and returns
// what it was. Errors: not found (the day is not listed).
func (tx *Tx) RemoveCalendarDay(ctx context.Context, districtID string, day date.Date, by AuditActor) (*iep.CalendarDay, error) {
	var d iep.CalendarDay
	err := tx.queryRow(ctx, `DELETE FROM calendar_days WHERE district_id = $1 AND day = $2
		RETURNING district_id, school_year_id, day, kind, note`, districtID, day).
		Scan(&d.DistrictID, &d.SchoolYearID, &d.Date, &d.Kind, &d.Note)
	if err := one(err, "calendar day", day.String()); err != nil {
		return nil, err
	}
	return &d, tx.auditCalendar(ctx, districtID, "delete", day, by)
}

func (tx *Tx) auditCalendar(ctx context.Context, districtID, action string, day date.Date, by AuditActor) error {
	kind := by.Kind
	if kind == "" {
		kind = "system"
	}
	return tx.AppendAudit(ctx, &AuditEntry{DistrictID: districtID, ActorKind: kind, ActorID: by.ID, Action: action,
		RecordKind: "calendar_day", RecordID: day.String(), FromAddress: by.Address, Reason: by.Reason})
}

// DeadlineDates returns, for each student of the district with deadlines, a fingerprint of the
// clocks and due dates of their deadlines in order: two fingerprints differ when a due date
// moved (or a deadline came or went). Compare the fingerprints taken before and after a
// recomputation to count the students whose deadlines it moved.
func (db *DB) DeadlineDates(ctx context.Context, districtID string) (map[string]uint64, error) {
	rows, err := db.query(ctx, `SELECT student_id, clock, due_on FROM deadlines WHERE district_id = $1
		ORDER BY student_id, n`, districtID)
	if err != nil {
		return nil, wrap(err, "read the due dates of district %s", districtID)
	}
	defer rows.Close()
	out := map[string]uint64{}
	h := fnv.New64a()
	last := ""
	var student, clock, due string
	for rows.Next() {
		if err := rows.Scan(&student, &clock, &due); err != nil {
			return nil, wrap(err, "read the due dates of district %s", districtID)
		}
		if student != last {
			if last != "" {
				out[last] = h.Sum64()
			}
			h.Reset()
			last = student
		}
		h.Write([]byte(clock))
		h.Write([]byte{0})
		h.Write([]byte(due))
		h.Write([]byte{0})
	}
	if last != "" {
		out[last] = h.Sum64()
	}
	return out, wrap(rows.Err(), "read the due dates of district %s", districtID)
}
