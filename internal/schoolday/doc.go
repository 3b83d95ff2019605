// Package schoolday counts the days of the compliance clocks on a district's real calendar:
// calendar days, business days (Monday to Friday except federal and state holidays) and
// school days (34 CFR 300.11; 603 CMR 28.02: a day, partial or not, when children attend for
// instruction; never an ESY day).
//
// A Calendar is a district's school years (Year): the first and last day of school, the
// weekdays in session, and the exceptions: closed days (holidays, vacations), emergency
// closures (snow days, often added during the year), partial days (early release, which
// still count), ESY days (which never count) and extra school days (a Saturday make-up day).
// Summers and the days between years are never school days. The package is pure: no
// database, no clock (today is always passed in), no I/O but the readers and writers it is
// given. A Calendar never changes; a snow day added later is a new Calendar, and every date
// computed on it moves accordingly.
//
// Counting starts on the first day of the right kind after the triggering date, which is
// day 0: Add(from, 10, SchoolDays) is the tenth school day after from. A count that needs
// school days the calendar does not know (after the last year's last day, or before the
// summer preceding its first year) returns an estimate marked Provisional and an error
// wrapping ErrBeyondCalendar: a deadline is never silently wrong.
//
// # The text format
//
// A small line-oriented format for writing a calendar by hand (ParseText, FormatText):
//
//	# Riverton 2026-2027
//	year 2026-2027 2026-09-02 2027-06-16
//	closed 2026-11-25..2026-11-27 Thanksgiving
//	closed 2026-12-24..2027-01-01 Winter break
//	emergency 2027-01-27 Snow day
//	partial 2026-11-24 Early release
//	school 2027-03-06 Make-up day
//	esy 2027-07-06..2027-08-13 ESY
//
// Blank lines and lines starting with # are ignored. "year NAME FIRST LAST" begins a school
// year (NAME without spaces; years in order, not overlapping); the lines after it belong to
// it. "weekdays mon tue wed thu" (right after the year line) sets the weekdays in session when
// they are not Monday to Friday. "KIND DAY [NOTE]" or "KIND FIRST..LAST [NOTE]" lists days of a
// kind: closed, emergency, partial, school or esy; the rest of the line is the note. Dates are
// YYYY-MM-DD. Days must lie inside the year, except ESY days, which may follow it. A closed,
// emergency, partial or esy range leaves out the days the year is not in session (weekends);
// a school range lists every day. A day may be listed once. Errors name the line.
//
// # iCalendar
//
// ImportICS reads the iCalendar (RFC 5545) feed a district already publishes: the first and
// last day of school, all-day events that say there is no school, early-release days, with
// patterns that ICSOptions can change. ExportICS writes any calendar as a feed that ImportICS
// reads back to the same years.
package schoolday
