package demo

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

func openDB(tb testing.TB, name string) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), name), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func mustGenerate(tb testing.TB, db *store.DB, cfg Config) *Result {
	tb.Helper()
	res, err := Generate(context.Background(), db, cfg)
	if err != nil {
		tb.Fatalf("Generate(%+v) = %v", cfg, err)
	}
	return res
}

// allStudents pages through the roster.
func allStudents(tb testing.TB, db *store.DB, districtID string) []store.StudentSummary {
	tb.Helper()
	var out []store.StudentSummary
	f := store.StudentFilter{Limit: 500}
	for {
		page, err := db.ListStudents(context.Background(), districtID, f)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out
		}
		f.After = page[len(page)-1].Cursor
	}
}

func countBy(tb testing.TB, db *store.DB, query string) map[string]int {
	tb.Helper()
	rows, err := db.Writer().QueryContext(context.Background(), query)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	m := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			tb.Fatal(err)
		}
		m[k] = n
	}
	return m
}

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "demo.db")
	if empty, err := Empty(ctx, db); err != nil || !empty {
		t.Fatalf("Empty(new database) = %v, %v; want true, nil", empty, err)
	}
	cfg := Config{Students: 500, Seed: 7}
	res := mustGenerate(t, db, cfg)
	if empty, err := Empty(ctx, db); err != nil || empty {
		t.Errorf("Empty(after Generate) = %v, %v; want false, nil", empty, err)
	}
	d := res.DistrictID
	today := DefaultToday

	total, withPlans, err := db.CountStudents(ctx, d, "")
	if err != nil {
		t.Fatal(err)
	}
	if total != 500 || res.Students != 500 {
		t.Errorf("students = %d (result %d), want 500", total, res.Students)
	}
	if pct := 100 * float64(withPlans) / float64(total); pct < 10 || pct > 20 {
		t.Errorf("students with plans = %d (%.1f%%), want 15%% ± 5", withPlans, pct)
	}
	if withPlans != res.WithPlans {
		t.Errorf("Result.WithPlans = %d, store counts %d", res.WithPlans, withPlans)
	}

	t.Run("stages", func(t *testing.T) {
		g, err := newGen(cfg.withDefaults())
		if err != nil {
			t.Fatal(err)
		}
		var n [numStages]int
		for _, p := range g.pupils {
			n[p.stage]++
		}
		for s := stageReferred; s < numStages; s++ {
			if n[s] == 0 {
				t.Errorf("no student in stage %s", s)
			}
		}
		statuses := countBy(t, db, `SELECT status, COUNT(*) FROM plans GROUP BY status`)
		for _, s := range iep.PlanStatuses {
			if statuses[string(s)] == 0 {
				t.Errorf("no plan with status %s (have %v)", s, statuses)
			}
		}
		kinds := countBy(t, db, `SELECT kind, COUNT(*) FROM plans GROUP BY kind`)
		for _, k := range iep.PlanKinds {
			if kinds[string(k)] == 0 {
				t.Errorf("no plan of kind %s (have %v)", k, kinds)
			}
		}
		events := countBy(t, db, `SELECT kind, COUNT(*) FROM events GROUP BY kind`)
		for _, k := range []iep.EventKind{iep.EventReferralReceived, iep.EventEvaluationNoticeSent, iep.EventEvaluationConsentReceived,
			iep.EventAssessmentCompleted, iep.EventEvaluationCompleted, iep.EventEligibilityDetermined, iep.EventFoundNotEligible,
			iep.EventTeamFormed, iep.EventMeetingNoticeSent, iep.EventMeetingHeld, iep.EventDraftShared, iep.EventPlanFinalized,
			iep.EventPlanProposed, iep.EventResponseReceived, iep.EventServicesConsentReceived, iep.EventServicesStarted,
			iep.EventAmendmentAgreed, iep.EventProgressReportSent, iep.EventReevaluationConsent, iep.EventReevaluationCompleted,
			iep.EventConsentRevoked, iep.EventTransferredIn, iep.EventExited} {
			if events[string(k)] == 0 {
				t.Errorf("no event %s", k)
			}
		}
		future := countBy(t, db, `SELECT 'n', COUNT(*) FROM events WHERE occurred_on > '`+today.String()+`'`)
		if future["n"] != 0 {
			t.Errorf("%d events occur after today", future["n"])
		}
		meetings := countBy(t, db, `SELECT status, COUNT(*) FROM meetings GROUP BY status`)
		if meetings["held"] == 0 || meetings["scheduled"] == 0 {
			t.Errorf("meetings by status = %v, want held and scheduled ones", meetings)
		}
		logs := countBy(t, db, `SELECT status, COUNT(*) FROM service_logs GROUP BY status`)
		for _, s := range []string{"delivered", "missed", "make_up"} {
			if logs[s] == 0 {
				t.Errorf("service logs by status = %v, want some %s", logs, s)
			}
		}
		// Every line logged has its provider assigned, and every logged session was given by the
		// assigned provider (or a colleague covering), on a day of their schedule or a make-up.
		unassigned := countBy(t, db, `SELECT 'n', COUNT(*) FROM service_logs l WHERE NOT EXISTS (
			SELECT 1 FROM service_assignments a WHERE a.district_id = l.district_id AND a.student_id = l.student_id
				AND a.service_line_id = l.service_line_id AND a.provider_id = l.provider_id)`)
		if unassigned["n"] != 0 {
			t.Errorf("%d service logs of a provider not assigned to the line", unassigned["n"])
		}
		if n := countBy(t, db, `SELECT 'n', COUNT(*) FROM service_assignments WHERE weekdays <> '' AND start_time <> ''`); n["n"] == 0 {
			t.Error("no assignment has a schedule")
		}
	})

	t.Run("staff roles", func(t *testing.T) {
		staff, err := db.ListStaff(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		have := map[iep.StaffRole]bool{}
		for _, s := range staff {
			for _, r := range s.Roles {
				have[r] = true
			}
		}
		for _, r := range iep.StaffRoles {
			if !have[r] {
				t.Errorf("no staff member with role %s", r)
			}
		}
		if len(staff) != res.Staff {
			t.Errorf("staff = %d, Result.Staff = %d", len(staff), res.Staff)
		}
		// One person per staff role, three parents (a plan to answer, a plan in effect, a shared
		// draft: the family portal's states) and an adult student.
		if got, want := len(res.SignIns), len(iep.StaffRoles)+4; got != want {
			t.Errorf("len(SignIns) = %d, want %d", got, want)
		}
		roles := map[string]bool{}
		for _, si := range res.SignIns {
			roles[si.Role] = true
		}
		for _, r := range []string{"guardian", "guardian (plan in effect)", "guardian (draft shared)", "student"} {
			if !roles[r] {
				t.Errorf("no demo sign-in for %q", r)
			}
		}
		// The parent of a shared draft finds it shared (the family sees a draft only then).
		for _, si := range res.SignIns {
			if si.Role != "guardian (draft shared)" {
				continue
			}
			kids, err := db.ListGuardianChildren(ctx, d, si.GuardianID)
			if err != nil {
				t.Fatal(err)
			}
			shared := false
			for _, k := range kids {
				if p, err := db.CurrentPlan(ctx, d, k.StudentID); err == nil && p.Status == iep.StatusDraft && !p.SharedAt.IsZero() {
					shared = true
				}
			}
			if !shared {
				t.Error("the demo parent of a shared draft has no shared draft")
			}
		}
	})

	students := allStudents(t, db, d)
	t.Run("guardians", func(t *testing.T) {
		for _, s := range students {
			gs, err := db.ListGuardians(ctx, d, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(gs) == 0 || len(gs) > 3 {
				t.Errorf("student %s has %d guardians, want 1 to 3", s.ID, len(gs))
				continue
			}
			rights := false
			for i, g := range gs {
				if g.Link.StudentID != s.ID || g.Link.GuardianID != g.ID || g.Link.ContactOrder != i+1 {
					t.Errorf("student %s: bad link %+v", s.ID, g.Link)
				}
				if err := g.Link.Validate(); err != nil {
					t.Errorf("student %s: link: %v", s.ID, err)
				}
				if g.PreferredLanguage == "" || len(g.ContactMethods) == 0 {
					t.Errorf("guardian %s has no language or contact", g.ID)
				}
				rights = rights || g.Link.HoldsEducationalRights
			}
			if !rights && s.BirthDate.AgeOn(today) < 18 {
				t.Errorf("student %s (a minor) has no guardian holding educational rights", s.ID)
			}
		}
	})

	t.Run("plans", func(t *testing.T) {
		for _, s := range students {
			if s.PlanID == "" {
				continue
			}
			plans, err := db.ListPlans(ctx, d, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range plans {
				p, err := db.GetPlan(ctx, d, h.ID)
				if err != nil {
					t.Fatal(err)
				}
				if p.Status.InEffect() && s.BirthDate.AgeOn(today) >= 14 && !p.Content.Transition.Applies {
					t.Errorf("plan %s in effect for a student of %d has no transition plan", p.ID, s.BirthDate.AgeOn(today))
				}
				if p.Status.InEffect() && p.Content.Placement.EnvironmentCode == "" {
					t.Errorf("plan %s in effect has no environment code", p.ID)
				}
				if p.Status.InEffect() && p.Kind != iep.PlanAmendment {
					team, err := db.ListTeam(ctx, d, p.ID)
					if err != nil {
						t.Fatal(err)
					}
					regular := p.Content.Placement.EnvironmentCode != "SS"
					if m := iep.MissingRoles(team, regular, s.BirthDate.AgeOn(p.MeetingDate) >= 14); len(m) > 0 {
						t.Errorf("plan %s in effect: team misses %v", p.ID, m)
					}
				}
				if p.CurrentVersion == 0 {
					continue
				}
				v, err := db.GetVersion(ctx, d, p.ID, p.CurrentVersion)
				if err != nil {
					t.Fatal(err)
				}
				if !iep.VerifyVersion(v) {
					t.Errorf("version %d of plan %s does not verify", v.Number, p.ID)
				}
				resps, err := db.ListResponses(ctx, d, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range resps {
					if r.VersionID != v.ID || r.VersionSHA256 != v.SHA256 {
						t.Errorf("response %s points at %s/%s, want version %s", r.ID, r.VersionID, r.VersionSHA256, v.ID)
					}
				}
			}
		}
	})

	t.Run("calendar", func(t *testing.T) {
		years, err := db.ListSchoolYears(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, y := range years {
			names = append(names, y.Name)
		}
		slices.Sort(names)
		if diff := cmp.Diff([]string{"2025-2026", "2026-2027"}, names); diff != "" {
			t.Errorf("school years (-want +got):\n%s", diff)
		}
		for _, y := range years {
			days, err := db.ListCalendarDays(ctx, d, y.ID)
			if err != nil {
				t.Fatal(err)
			}
			notes := map[string]bool{}
			kinds := map[iep.CalendarDayKind]int{}
			school := 0
			for _, day := range days {
				if wd := day.Date.Weekday(); wd == time.Saturday || wd == time.Sunday {
					t.Errorf("%s: weekend day %s stored", y.Name, day.Date)
				}
				kinds[day.Kind]++
				if day.Kind == iep.DaySchool || day.Kind == iep.DayPartial {
					school++
				}
				for _, w := range strings.Fields(day.Note) {
					notes[strings.Trim(w, "().:")] = true
				}
				if day.Kind == iep.DayEmergency && day.Date.After(today) {
					t.Errorf("%s: emergency closure %s in the future", y.Name, day.Date)
				}
			}
			if school != 180 {
				t.Errorf("%s has %d school days, want 180", y.Name, school)
			}
			for _, w := range []string{"Labor", "Indigenous", "Veterans", "Thanksgiving", "Winter", "Martin", "February", "April", "Memorial", "Juneteenth"} {
				if !notes[w] {
					t.Errorf("%s: no closure noted %q", y.Name, w)
				}
			}
			for _, k := range []iep.CalendarDayKind{iep.DaySchool, iep.DayPartial, iep.DayClosed, iep.DayEmergency, iep.DayESY} {
				if kinds[k] == 0 {
					t.Errorf("%s: no %s day", y.Name, k)
				}
			}
		}
		if y := years[0]; y.Name == "2026-2027" && y.FirstDay != date.New(2026, time.September, 2) {
			t.Errorf("first day of 2026-2027 = %s, want 2026-09-02", y.FirstDay)
		}
	})
}

// TestGenerateAnyDay lays the district out around other days of the year (the first week of
// school, winter, a leap day, summer): every record must still pass validation.
func TestGenerateAnyDay(t *testing.T) {
	for _, day := range []string{"2026-09-03", "2027-01-04", "2028-02-29", "2027-07-20", "2026-06-30"} {
		t.Run(day, func(t *testing.T) {
			db := openDB(t, "day.db")
			res := mustGenerate(t, db, Config{Students: 400, Seed: 3, Today: date.MustParse(day)})
			if res.Students != 400 || res.WithPlans == 0 {
				t.Errorf("Generate(today %s) = %d students, %d with plans", day, res.Students, res.WithPlans)
			}
			for _, q := range []string{
				"SELECT 'events', COUNT(*) FROM events WHERE occurred_on > '" + day + "'",
				"SELECT 'responses', COUNT(*) FROM responses WHERE responded_on > '" + day + "'",
				"SELECT 'service logs', COUNT(*) FROM service_logs WHERE day >= '" + day + "'",
				"SELECT 'held meetings', COUNT(*) FROM meetings WHERE status = 'held' AND starts_at > '" + day + "T23:59'",
				"SELECT 'exits', COUNT(*) FROM students WHERE exited_on > '" + day + "'",
			} {
				for what, n := range countBy(t, db, q) {
					if n > 0 {
						t.Errorf("%d %s after today %s", n, what, day)
					}
				}
			}
		})
	}
}

// TestDeterministic generates the same district twice and compares what was written.
func TestDeterministic(t *testing.T) {
	cfg := Config{Students: 300, Seed: 42}
	type row struct{ ID, First, Last, Birth, Plan string }
	snapshot := func(name string) ([]row, map[string]int) {
		db := openDB(t, name)
		res := mustGenerate(t, db, cfg)
		var rows []row
		for _, s := range allStudents(t, db, res.DistrictID) {
			rows = append(rows, row{s.ID, s.FirstName, s.LastName, s.BirthDate.String(), s.PlanID})
		}
		counts := map[string]int{}
		for _, tbl := range []string{"students", "guardians", "student_guardians", "staff", "schools", "plans", "plan_versions",
			"team_members", "meetings", "consents", "notices", "responses", "service_logs", "service_assignments", "progress_points", "events", "calendar_days"} {
			for k, v := range countBy(t, db, `SELECT '`+tbl+`', COUNT(*) FROM `+tbl) {
				counts[k] = v
			}
		}
		return rows, counts
	}
	rowsA, countsA := snapshot("a.db")
	rowsB, countsB := snapshot("b.db")
	if diff := cmp.Diff(rowsA, rowsB); diff != "" {
		t.Errorf("students differ between two runs with the same seed (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(countsA, countsB); diff != "" {
		t.Errorf("row counts differ (-first +second):\n%s", diff)
	}
	if len(rowsA) != cfg.Students {
		t.Errorf("got %d students, want %d", len(rowsA), cfg.Students)
	}
}

func BenchmarkGenerate10k(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		db := openDB(b, "bench"+itoa(i)+".db")
		if _, err := Generate(context.Background(), db, Config{Students: 10000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSameSeedTwice: a second run of the same seed into the same database is refused with a
// sentence that says what to do, and adds nothing; another seed adds a second district.
func TestSameSeedTwice(t *testing.T) {
	db := openDB(t, "twice.db")
	mustGenerate(t, db, Config{Students: 40, Seed: 5})
	_, err := Generate(context.Background(), db, Config{Students: 40, Seed: 5})
	if err == nil || !strings.Contains(err.Error(), "seed 5 is already in this database") {
		t.Fatalf("second Generate(seed 5) = %v, want a refusal naming the seed", err)
	}
	mustGenerate(t, db, Config{Students: 40, Seed: 6})
	ds, err := db.ListDistricts(context.Background())
	if err != nil || len(ds) != 2 {
		t.Errorf("districts after seeds 5, 5, 6 = %d, %v; want 2", len(ds), err)
	}
}
