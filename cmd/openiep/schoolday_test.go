package main

import (
	"context"
	"errors"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/schoolday"
)

// The hand-counted calendars of internal/schoolday (see its schoolday_test.go).
var (
	rivertonText = filepath.Join("..", "..", "internal", "schoolday", "testdata", "riverton-2026-2027.txt")
	rivertonICS  = filepath.Join("..", "..", "internal", "schoolday", "testdata", "riverton-2026-2027.ics")
)

const nextYearText = "\nyear 2027-2028 2027-08-31 2028-06-14\nclosed 2027-09-06 Labor Day\n"

// copyFile copies src to dir/name, with extra appended, and returns the new path.
func copyFile(t *testing.T, src, dir, name, extra string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name)
	if err := os.WriteFile(dst, append(b, extra...), 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestSchooldayAddAndCount(t *testing.T) {
	dir := t.TempDir()
	sniffedICS := copyFile(t, rivertonICS, dir, "riverton-feed", "")       // no extension: sniffed
	sniffedText := copyFile(t, rivertonText, dir, "riverton.calendar", "") // not a feed: the text format
	twoYears := copyFile(t, rivertonText, dir, "two.txt", nextYearText)
	for _, tt := range []struct {
		args []string
		want string
	}{
		// The seed's 10 school days from a signature on Friday 2027-02-26, across the second snow
		// day and the Saturday make-up day.
		{[]string{"add", "--calendar", rivertonText, "--from", "2027-02-26", "--days", "10", "--unit", "school"}, "2027-03-12"},
		{[]string{"add", "--calendar", rivertonICS, "--from", "2027-02-26", "--days", "10", "--unit", "school"}, "2027-03-12"},
		{[]string{"add", "--calendar", sniffedICS, "--from", "2027-02-26", "--days", "10"}, "2027-03-12"},
		{[]string{"add", "--calendar", sniffedText, "--from", "2027-02-26", "--days", "10"}, "2027-03-12"},
		{[]string{"add", "--calendar", rivertonText, "--from", "2026-11-20", "--days", "5"}, "2026-12-02"},
		{[]string{"add", "--calendar", rivertonText, "--from", "2026-11-26", "--days", "0"}, "2026-11-26"},
		{[]string{"add", "--calendar", twoYears, "--from", "2027-06-10", "--days", "10"}, "2027-09-08"},
		{[]string{"add", "--calendar", rivertonText, "--from", "2027-04-16", "--days", "1", "--unit", "business"}, "2027-04-19"},
		{[]string{"add", "--calendar", rivertonText, "--from", "2027-04-16", "--days", "1", "--unit", "business", "--jurisdiction", "MA"}, "2027-04-20"},
		{[]string{"add", "--from", "2026-12-23", "--days", "3", "--unit", "business"}, "2026-12-29"},
		{[]string{"add", "--from", "2028-02-20", "--days", "10", "--unit", "calendar"}, "2028-03-01"},
		{[]string{"count", "--calendar", rivertonText, "--from", "2027-02-26", "--to", "2027-03-12", "--unit", "school"}, "10"},
		{[]string{"count", "--calendar", rivertonICS, "--from", "2026-07-01", "--to", "2027-06-16"}, "180"},
		{[]string{"count", "--calendar", rivertonText, "--from", "2027-03-12", "--to", "2027-02-26"}, "0"},
		{[]string{"count", "--from", "2026-11-20", "--to", "2026-11-30", "--unit", "business"}, "5"},
	} {
		out, errOut, err := runCmd(t, nil, append([]string{"schoolday"}, tt.args...)...)
		if err != nil || out != tt.want+"\n" || errOut != "" {
			t.Errorf("schoolday %s = %q (stderr %q), %v; want %q alone", strings.Join(tt.args, " "), out, errOut, err, tt.want)
		}
	}
}

// Past the end of the calendar nothing is printed on standard output, the error gives the
// estimate, and the exit status is 1.
func TestSchooldayBeyondTheCalendar(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"add", "--calendar", rivertonText, "--from", "2027-06-10", "--days", "10"}, "provisional estimate 2027-09-09"},
		{[]string{"count", "--calendar", rivertonText, "--from", "2027-06-10", "--to", "2027-09-10"}, "provisional: at least 4"},
	} {
		out, _, err := runCmd(t, nil, append([]string{"schoolday"}, tt.args...)...)
		if out != "" || !errors.Is(err, schoolday.ErrBeyondCalendar) || !strings.Contains(err.Error(), tt.want) || exitCode(err) != 1 {
			t.Errorf("schoolday %s = %q, %v (exit %d); want nothing on stdout, an error with %q, exit 1",
				strings.Join(tt.args, " "), out, err, exitCode(err), tt.want)
		}
	}
}

func TestSchooldayErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("year 2026-2027 2026-09-02 2027-06-16\nclosed 2027-13-01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	add := func(more ...string) []string {
		return append([]string{"schoolday", "add", "--calendar", rivertonText}, more...)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"schoolday"}, 2, "needs a subcommand"},
		{[]string{"schoolday", "subtract"}, 2, `unknown schoolday subcommand "subtract"`},
		{add("--from", "2026-11-20"), 2, "--days"},
		{add("--days", "5"), 2, "--from"},
		{add("--from", "2026-11-31", "--days", "5"), 2, "--from"},
		{add("--from", "2026-11-20", "--days", "-3"), 2, "--days"},
		{add("--from", "2026-11-20", "--days", "five"), 2, `invalid value "five"`},
		{add("--from", "2026-11-20", "--days", "5", "--unit", "weekdays"), 2, `--unit "weekdays"`},
		{add("--from", "2026-11-20", "--days", "5", "--jurisdiction", "Narnia"), 2, "--jurisdiction"},
		{add("--from", "2026-11-20", "--days", "5", "extra"), 2, "takes no arguments"},
		{[]string{"schoolday", "add", "--from", "2026-11-20", "--days", "5"}, 2, "school days need --calendar"},
		{[]string{"schoolday", "count", "--calendar", rivertonText, "--from", "2026-11-20"}, 2, "--to"},
		{[]string{"schoolday", "export"}, 2, "--calendar"},
		{[]string{"schoolday", "export", "--calendar", rivertonText, "--format", "pdf"}, 2, "--format"},
		{[]string{"schoolday", "add", "--calendar", filepath.Join(dir, "missing.ics"), "--from", "2026-11-20", "--days", "5"}, 1, "missing.ics"},
		{[]string{"schoolday", "add", "--calendar", bad, "--from", "2026-11-20", "--days", "5"}, 1, "bad.txt: line 2: "},
	} {
		out, _, err := runCmd(t, nil, tt.args...)
		if err == nil || exitCode(err) != tt.code || !strings.Contains(err.Error(), tt.want) || out != "" {
			t.Errorf("%s = %q, %v (exit %d); want exit %d and an error containing %q",
				strings.Join(tt.args, " "), out, err, exitCode(err), tt.code, tt.want)
		}
	}
}

// export converts the text format into a feed that the other commands (and ImportICS) read
// back to the same calendar; --format text gives back the text.
func TestSchooldayExport(t *testing.T) {
	out, _, err := runCmd(t, nil, "schoolday", "export", "--calendar", rivertonText)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "BEGIN:VCALENDAR\r\n") || !strings.Contains(out, "X-WR-CALNAME:riverton-2026-2027\r\n") {
		t.Fatalf("export printed %q…", out[:min(len(out), 200)])
	}
	feed := filepath.Join(t.TempDir(), "exported.ics")
	if err := os.WriteFile(feed, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	got, _, err := runCmd(t, nil, "schoolday", "add", "--calendar", feed, "--from", "2027-02-26", "--days", "10")
	if err != nil || got != "2027-03-12\n" {
		t.Errorf("add on the exported feed = %q, %v; want 2027-03-12", got, err)
	}
	text, _, err := runCmd(t, nil, "schoolday", "export", "--calendar", feed, "--format", "text")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(rivertonText)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			want = append(want, l)
		}
	}
	if text != strings.Join(want, "\n")+"\n" {
		t.Errorf("export --format text of the exported feed =\n%s\nwant\n%s", text, strings.Join(want, "\n"))
	}
}

// TestSchooldayProcess runs the real binary (this test binary, through main) and checks what
// a script sees: standard output exactly the date, and the exit status.
func TestSchooldayProcess(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		stdout string
		code   int
		stderr string
	}{
		{[]string{"schoolday", "add", "--calendar", rivertonText, "--from", "2027-02-26", "--days", "10"}, "2027-03-12\n", 0, ""},
		{[]string{"schoolday", "count", "--calendar", rivertonICS, "--from", "2027-02-26", "--to", "2027-03-12"}, "10\n", 0, ""},
		{[]string{"schoolday", "add", "--calendar", rivertonText, "--from", "2027-06-10", "--days", "10"}, "", 1, "provisional estimate 2027-09-09"},
		{[]string{"schoolday", "add", "--calendar", rivertonText, "--from", "2027-06-10"}, "", 2, "--days"},
	} {
		cmd := exec.Command(os.Args[0], append([]string{"--"}, tt.args...)...)
		cmd.Env = []string{"OPENIEP_TEST_RUN_MAIN=1"}
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if stdout.String() != tt.stdout || code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("openiep %s: stdout %q, exit %d, stderr %q; want stdout %q, exit %d, stderr with %q",
				strings.Join(tt.args, " "), stdout.String(), code, stderr.String(), tt.stdout, tt.code, tt.stderr)
		}
	}
}

// TestMain is main when TestSchooldayProcess runs this test binary as openiep (the variable
// OPENIEP_TEST_RUN_MAIN set, the arguments after "--"); otherwise it runs the tests.
func TestMain(m *testing.M) {
	if os.Getenv("OPENIEP_TEST_RUN_MAIN") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Args = append([]string{"openiep"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestSchooldayImport stores the hand-counted Riverton calendar as a district's calendar and
// recomputes a student's deadline on it; importing it again without the March snow day gives
// the year exactly the file's days and moves the deadline back.
func TestSchooldayImport(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "import.db")
	ids := seedDistricts(t, path, 1)
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var student string
	err = db.Write(ctx, func(tx *store.Tx) error {
		sc := &iep.School{DistrictID: ids[0], Name: "S", Code: "1", LowGrade: "K", HighGrade: "12", Kind: iep.SchoolPublic}
		if err := tx.CreateSchool(ctx, sc); err != nil {
			return err
		}
		st := &iep.Student{DistrictID: ids[0], SchoolID: sc.ID, FirstName: "A", LastName: "B", BirthDate: date.MustParse("2016-05-05"),
			Grade: "04", HomeLanguage: "en", EnrolledOn: date.MustParse("2021-09-01")}
		if err := tx.CreateStudent(ctx, st); err != nil {
			return err
		}
		student = st.ID
		// Written without the clocks (no service yet): the import recomputes it.
		return tx.AppendEvent(ctx, &iep.Event{DistrictID: ids[0], StudentID: st.ID, Kind: iep.EventEvaluationConsentReceived,
			OccurredOn: date.MustParse("2027-02-24")})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"OPENIEP_DB": path}
	due := func() date.Date {
		t.Helper()
		db, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ds, err := db.ListStudentDeadlines(ctx, ids[0], student)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Clock == "initial_evaluation" {
				return d.Due
			}
		}
		t.Fatalf("no initial evaluation deadline: %+v", ds)
		return date.Date{}
	}
	out, _, err := runCmd(t, vars, "schoolday", "import", "--calendar", rivertonText)
	if err != nil || !strings.Contains(out, "Stored 1 school years") || !strings.Contains(out, "of 1 students") {
		t.Fatalf("import = %q, %v", out, err)
	}
	// MA: 30 school days from Wednesday 2027-02-24 on the hand-counted calendar (603 CMR 28.05(1)):
	// Feb 25–26 (2); March 1, 3–5, the Saturday make-up day 6, 8–12, 15–19, 22–26, 29–31 (23: 25
	// in all, the March 2 snow day skipped); April 1, 2, 5, 6, 7 — the 30th is Wednesday April 7.
	if got := due(); got != date.MustParse("2027-04-07") {
		t.Errorf("due %s after the import, want 2027-04-07", got)
	}
	// The same year without the March 2 snow day: one school day more, the deadline a day earlier.
	b, err := os.ReadFile(rivertonText)
	if err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(t.TempDir(), "riverton.txt")
	if err := os.WriteFile(edited, []byte(strings.Replace(string(b), "emergency 2027-03-02 Snow day\n", "", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCmd(t, vars, "schoolday", "import", "--calendar", edited); err != nil {
		t.Fatal(err)
	}
	if got := due(); got != date.MustParse("2027-04-06") {
		t.Errorf("due %s after re-importing without the snow day, want 2027-04-06", got)
	}
	if _, _, err := runCmd(t, vars, "schoolday", "import"); exitCode(err) != 2 {
		t.Errorf("import without --calendar: %v", err)
	}
}

// TestRulesSet: a district's own amount replaces the pack's and moves the deadlines; one less
// protective than the law is refused; 0 goes back to the pack's.
func TestRulesSet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rules.db")
	seedDistricts(t, path, 1)
	vars := map[string]string{"OPENIEP_DB": path}
	out, _, err := runCmd(t, vars, "rules", "list")
	if err != nil || !regexp.MustCompile(`(?m)^services_start\s+10\s+school\s+34 CFR 300.323\(c\)\(2\)`).MatchString(out) {
		t.Fatalf("rules list:\n%s %v", out, err)
	}
	if out, _, err = runCmd(t, vars, "rules", "set", "--rule", "services_start", "--amount", "5"); err != nil {
		t.Fatalf("rules set: %v", err)
	}
	if out, _, _ = runCmd(t, vars, "rules", "list"); !regexp.MustCompile(`(?m)^services_start\s+5 \(district\)\s+school`).MatchString(out) {
		t.Errorf("after set:\n%s", out)
	}
	// More than the law allows (MA: the initial evaluation within 30 school days).
	if _, _, err = runCmd(t, vars, "rules", "set", "--rule", "initial_evaluation", "--amount", "45"); err == nil {
		t.Error("an evaluation timeline longer than the law's was accepted")
	}
	if _, _, err = runCmd(t, vars, "rules", "set", "--rule", "services_start", "--amount", "0"); err != nil {
		t.Fatal(err)
	}
	if out, _, _ = runCmd(t, vars, "rules", "list"); !regexp.MustCompile(`(?m)^services_start\s+10\s+school`).MatchString(out) {
		t.Errorf("after going back:\n%s", out)
	}
	if _, _, err = runCmd(t, vars, "rules", "set", "--rule", "services_start"); exitCode(err) != 2 {
		t.Errorf("set without --amount: %v", err)
	}
}
