package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/schoolday"
	"github.com/openiep/openiep/internal/store"
)

const schooldaySummary = "Count school, business and calendar days on a district calendar.\n\n" +
	"  openiep schoolday add    --calendar FILE --from YYYY-MM-DD --days N [--unit school|business|calendar]\n" +
	"  openiep schoolday count  --calendar FILE --from YYYY-MM-DD --to YYYY-MM-DD [--unit …]\n" +
	"  openiep schoolday export --calendar FILE [--format ics|text] [--name NAME]\n" +
	"  openiep schoolday import --calendar FILE [--district ID] [--db DB]\n\n" +
	"FILE is an iCalendar feed (.ics) or the text format of docs/architecture.md (\"School calendar\").\n" +
	"The triggering date is day 0. A result that runs past the end of the calendar is printed on\n" +
	"standard error as a provisional estimate, and the command exits 1."

// runSchoolday dispatches to schoolday add, count, export and import.
func runSchoolday(ctx context.Context, e *env, args []string) error {
	sub, err := subcommand(e, "schoolday", schooldaySummary, args, "add", "count", "export", "import")
	if sub == "" {
		return err
	}
	switch sub {
	case "add":
		return runSchooldayAdd(e, args[1:])
	case "count":
		return runSchooldayCount(e, args[1:])
	case "export":
		return runSchooldayExport(e, args[1:])
	case "import":
		return runSchooldayImport(ctx, e, args[1:])
	}
	return nil
}

// calendarFlags are the flags add and count share.
type calendarFlags struct {
	file, jurisdiction, unit, from *string
}

func addCalendarFlags(fs *flag.FlagSet) calendarFlags {
	return calendarFlags{
		file:         fs.String("calendar", "", "the district calendar: an .ics feed or the text format (needed for school days)"),
		jurisdiction: fs.String("jurisdiction", "federal", "whose holidays business days skip: "+strings.Join(schoolday.Jurisdictions, " or ")),
		unit:         fs.String("unit", "school", "the days to count: school, business or calendar"),
		from:         fs.String("from", "", "the triggering date, YYYY-MM-DD (day 0)"),
	}
}

// load checks the flags and reads the calendar. Mistakes in the flags are usage errors; a
// calendar that cannot be read is not.
func (f calendarFlags) load() (*schoolday.Calendar, schoolday.Unit, date.Date, error) {
	u := schoolday.Unit(*f.unit)
	if u != schoolday.SchoolDays && u != schoolday.BusinessDays && u != schoolday.CalendarDays {
		return nil, "", date.Date{}, &usageError{fmt.Sprintf("--unit %q: want school, business or calendar", *f.unit)}
	}
	from, err := dateFlag("from", *f.from)
	if err != nil {
		return nil, "", date.Date{}, err
	}
	if _, err := schoolday.New(*f.jurisdiction); err != nil {
		return nil, "", date.Date{}, &usageError{"--jurisdiction: " + err.Error()}
	}
	if *f.file == "" {
		if u == schoolday.SchoolDays {
			return nil, "", date.Date{}, &usageError{"school days need --calendar FILE"}
		}
		c, _ := schoolday.New(*f.jurisdiction)
		return c, u, from, nil
	}
	c, err := loadCalendar(*f.file, *f.jurisdiction)
	return c, u, from, err
}

func dateFlag(name, v string) (date.Date, error) {
	if v == "" {
		return date.Date{}, &usageError{fmt.Sprintf("--%s YYYY-MM-DD is required", name)}
	}
	d, err := date.Parse(v)
	if err != nil {
		return date.Date{}, &usageError{fmt.Sprintf("--%s: %v", name, err)}
	}
	return d, nil
}

// loadCalendar reads an .ics feed or the text format: by the file's extension, or, for any
// other name, by whether it begins with BEGIN:VCALENDAR.
func loadCalendar(path, jurisdiction string) (*schoolday.Calendar, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var years []schoolday.Year
	if isICS(path, b) {
		years, err = schoolday.ImportICS(bytes.NewReader(b), schoolday.ICSOptions{})
	} else {
		years, err = schoolday.ParseText(bytes.NewReader(b))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c, err := schoolday.New(jurisdiction, years...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func isICS(path string, b []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ics", ".ical", ".icalendar":
		return true
	case ".txt":
		return false
	}
	head := bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\ufeff")), " \t\r\n")
	return len(head) >= 15 && strings.EqualFold(string(head[:15]), "BEGIN:VCALENDAR")
}

func runSchooldayAdd(e *env, args []string) error {
	fs := newFlags(e, "schoolday add", "Print the date N days of a unit after --from (day 0), alone on a line.\n"+
		"Past the end of the calendar: a provisional estimate on standard error, exit status 1.")
	cf := addCalendarFlags(fs)
	days := fs.Int("days", -1, "how many days to add (0 or more)")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	if *days < 0 {
		return &usageError{"--days N (0 or more) is required"}
	}
	c, u, from, err := cf.load()
	if err != nil {
		return err
	}
	r, err := c.Add(from, *days, u)
	if errors.Is(err, schoolday.ErrBeyondCalendar) {
		return fmt.Errorf("provisional estimate %s: %w; add the next school year to the calendar for a certain date", r.Date, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, r.Date)
	return nil
}

func runSchooldayCount(e *env, args []string) error {
	fs := newFlags(e, "schoolday count", "Print how many days of a unit lie after --from, up to and including --to.\n"+
		"Past the end of the calendar: the count so far on standard error, exit status 1.")
	cf := addCalendarFlags(fs)
	toFlag := fs.String("to", "", "the last day counted, YYYY-MM-DD")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	to, err := dateFlag("to", *toFlag)
	if err != nil {
		return err
	}
	c, u, from, err := cf.load()
	if err != nil {
		return err
	}
	n, err := c.Count(from, to, u)
	if errors.Is(err, schoolday.ErrBeyondCalendar) {
		return fmt.Errorf("provisional: at least %d, not a certain count: %w; add the next school year to the calendar", n, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, n)
	return nil
}

func runSchooldayExport(e *env, args []string) error {
	fs := newFlags(e, "schoolday export", "Write the calendar to standard output as an iCalendar feed (or in the text format):\n"+
		"to publish a calendar written in the text format, or to check how a district's feed was read.")
	file := fs.String("calendar", "", "the district calendar: an .ics feed or the text format")
	format := fs.String("format", "ics", "ics or text")
	name := fs.String("name", "", "the feed's name (default: the file's name)")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	if *file == "" {
		return &usageError{"export needs --calendar FILE"}
	}
	if *format != "ics" && *format != "text" {
		return &usageError{fmt.Sprintf("--format %q: want ics or text", *format)}
	}
	c, err := loadCalendar(*file, "federal")
	if err != nil {
		return err
	}
	if *format == "text" {
		return schoolday.FormatText(e.stdout, c.Years())
	}
	if *name == "" {
		*name = strings.TrimSuffix(filepath.Base(*file), filepath.Ext(*file))
	}
	return schoolday.ExportICS(e.stdout, c, *name)
}

// runSchooldayImport stores a calendar file as a district's school calendar: each year of the
// file, matched to a stored year by name (created when new, its first and last days updated),
// gets exactly the file's days; then every student's deadlines are recomputed on it.
func runSchooldayImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "schoolday import", "Store a calendar file (.ics feed or text format) as a district's school calendar\n"+
		"and recompute every deadline on it. Years are matched by name; each gets exactly the file's days.")
	dsn := fs.String("db", defaultDB, dbUsage())
	district := fs.String("district", "", "the district's id (may be left out when the database has one district)")
	file := fs.String("calendar", "", "the calendar file")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	if *file == "" {
		return &usageError{"schoolday import needs --calendar FILE"}
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := pickDistrict(ctx, db, *district)
	if err != nil {
		return err
	}
	cal, err := loadCalendar(*file, d.RulePack)
	if err != nil {
		return err
	}
	stored, err := db.ListSchoolYears(ctx, d.ID)
	if err != nil {
		return err
	}
	byName := map[string]iep.SchoolYear{}
	for _, y := range stored {
		byName[y.Name] = y
	}
	years := cal.Years()
	err = db.Write(ctx, func(tx *store.Tx) error {
		for _, y := range years {
			sy, ok := byName[y.Name]
			sy.DistrictID, sy.Name, sy.FirstDay, sy.LastDay = d.ID, y.Name, y.First, y.Last
			if ok {
				err = tx.UpdateSchoolYear(ctx, &sy)
			} else {
				err = tx.CreateSchoolYear(ctx, &sy)
			}
			if err != nil {
				return fmt.Errorf("school year %s: %w", y.Name, err)
			}
			days := make([]iep.CalendarDay, 0, len(y.Days))
			for day, kind := range y.Days {
				days = append(days, iep.CalendarDay{SchoolYearID: sy.ID, Date: day, Kind: kind, Note: y.Notes[day]})
			}
			slices.SortFunc(days, func(a, b iep.CalendarDay) int { return a.Date.Compare(b.Date) })
			if err := tx.ReplaceCalendarDays(ctx, d.ID, sy.ID, days); err != nil {
				return fmt.Errorf("school year %s: %w", y.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store the calendar: %w", err)
	}
	n, err := app.New(db, now).RecomputeDistrict(ctx, d.ID)
	if err != nil {
		return fmt.Errorf("recompute the deadlines: %w", err)
	}
	fmt.Fprintf(e.stdout, "Stored %d school years for district %s; recomputed the deadlines of %d students.\n", len(years), d.ID, n)
	return nil
}
