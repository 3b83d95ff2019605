package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The provider's day in the matrix: every staff member of the district has a day (empty without
// assignments); families, the state viewer and other districts find nothing; an empty post is
// refused at its field.
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		d := "/districts/{district}"
		outsiders := []any{asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden, asStateViewer, hidden, asOtherDistrict, hidden}
		st := d + "/students/{student}/services"
		a := iep.Assignment{DistrictID: w.district, StudentID: w.mia, ServiceLineID: "s2", ProviderID: w.staffIDs[asTeamMember],
			StartsOn: date.MustParse("2025-09-02"), CreatedBy: w.cm}
		if err := w.db.Write(context.Background(), func(tx *store.Tx) error { return tx.CreateAssignment(context.Background(), &a) }); err != nil {
			panic(err)
		}
		// Mia's services: her team and the administrators read and assign; her mother reads the
		// record but assigns nothing; the unassigned and other schools are refused.
		readers := with(every(toSignIn, ok), asOtherGuardian, hidden, asNoRights, hidden, asUnassigned, forbidden,
			asOtherSchool, forbidden, asStateViewer, hidden, asOtherDistrict, hidden)
		writers := with(every(signInAgain, bad), asGuardian, forbidden, asOtherGuardian, hidden, asNoRights, hidden,
			asUnassigned, forbidden, asOtherSchool, forbidden, asStateViewer, hidden, asOtherDistrict, hidden)
		return map[string]map[string]outcome{
			"GET " + d + "/sessions":           with(every(toSignIn, ok), outsiders...),
			"POST " + d + "/sessions":          with(every(signInAgain, bad), outsiders...),
			"GET " + st:                        readers,
			"POST " + st:                       writers,
			"POST " + st + "/{assignment}/end": with(writers, asTeamMember, redirect, asDistrictAdmin, redirect),
		}, map[string]string{"assignment": a.ID}
	})
}

// assignUnassigned assigns the unassigned OT to Mia's reading line (three 45-minute sessions a
// week, in force to February 28) on Tuesdays and Thursdays at 09:30.
func (w *world) assignUnassigned(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	a := iep.Assignment{DistrictID: w.district, StudentID: w.mia, ServiceLineID: "s1", ProviderID: w.staffIDs[asUnassigned],
		Weekdays: []time.Weekday{time.Tuesday, time.Thursday}, StartTime: "09:30", StartsOn: date.MustParse("2025-09-02"), CreatedBy: w.cm}
	if err := w.db.Write(ctx, func(tx *store.Tx) error { return tx.CreateAssignment(ctx, &a) }); err != nil {
		t.Fatal(err)
	}
}

// TestProviderDay: the provider's Thursday lists Mia's reading session at 09:30 with the line's
// minutes filled in; one click logs it (the day then says so, and the student page counts it);
// a session marked missed without a reason comes back with the problem at the reason and what
// was typed kept, and nothing is logged.
func TestProviderDay(t *testing.T) {
	w := newWorld(t, 0)
	w.assignUnassigned(t)
	u := districtURL(w.district) + "/sessions?day=2026-02-26&lang=en"
	res, body := w.getAs(t, asUnassigned, u)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	mustContain(t, "the day", body, "Sessions of February 26, 2026", "09:30 · Reading intervention", "Mia Ortiz",
		`name="entry" value="`+w.mia+`|s1"`, `name="minutes-0" value="45"`, "This week: 0 of 108 minutes", `id="slot-0-log">Log session</button>`,
		`<a href="/districts/`+w.district+`/sessions">My sessions</a>`)
	ctx := context.Background()
	count := func() int {
		logs, err := w.db.ListServiceLogs(ctx, w.district, w.mia, date.MustParse("2026-02-26"), date.MustParse("2026-02-26"))
		if err != nil {
			t.Fatal(err)
		}
		return len(logs)
	}
	// Missed without a reason: refused, kept.
	missed := url.Values{"day": {"2026-02-26"}, "form": {"slot-0"}, "entry": {w.mia + "|s1"}, "status-0": {"missed"},
		"minutes-0": {"45"}, "note": {"Fire drill."}}
	res, body = w.submitAs(t, asUnassigned, districtURL(w.district)+"/sessions?lang=en", missed)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("missed without a reason: %d", res.StatusCode)
	}
	mustContain(t, "the refused form", body, `href="#f-slot-0-missed_reason-0">Say why the session was missed.</a>`,
		`id="f-slot-0-status-0-missed" name="status-0" value="missed" checked`, ">Fire drill.</textarea>")
	if n := count(); n != 0 {
		t.Fatalf("a refused session wrote %d logs", n)
	}
	// One click: delivered, the line's minutes.
	res, _ = w.submitAs(t, asUnassigned, districtURL(w.district)+"/sessions", url.Values{"day": {"2026-02-26"}, "form": {"slot-0"},
		"entry": {w.mia + "|s1"}, "status-0": {"delivered"}, "minutes-0": {"45"}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "done=logged") {
		t.Fatalf("log: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if n := count(); n != 1 {
		t.Fatalf("logs on the day: %d, want 1", n)
	}
	_, body = w.getAs(t, asUnassigned, u)
	mustContain(t, "the day after logging", body, "Logged for this day: delivered, 45 minutes", "This week: 45 of 108 minutes", "Log another session")
	// Someone else's day is their own: the team member has no assignments.
	res, body = w.getAs(t, asTeamMember, u)
	mustContain(t, "the case manager's day", body, "You are not assigned to any student's services yet.")
}

// TestAssignProviderPage: the case manager assigns the OT to Mia's speech service on Mondays at
// 13:00; the page then names her and her schedule, and her day lists the session; a schedule
// without a provider comes back with the problem at the provider and the days ticked kept; the
// assignment ends.
func TestAssignProviderPage(t *testing.T) {
	w := newWorld(t, 0)
	u := studentURL(w.district, w.mia) + "/services"
	res, body := w.getAs(t, asTeamMember, u+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	mustContain(t, "Mia's services", body, "Reading intervention", "Speech and language therapy", "Nobody is assigned to this service yet.",
		`id="assign-s2"`)
	ot := w.staffIDs[asUnassigned]
	res, body = w.submitAs(t, asTeamMember, u+"?lang=en", url.Values{"line_id": {"s2"}, "weekdays": {"1", "3"}, "start_time": {"13:00"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("no provider: %d", res.StatusCode)
	}
	mustContain(t, "the refused form", body, `id="f-s2-day-1" name="weekdays" value="1" checked`, `value="13:00"`, "Provider")
	res, _ = w.submitAs(t, asTeamMember, u, url.Values{"line_id": {"s2"}, "provider_id": {ot}, "weekdays": {"1"}, "start_time": {"13:00"},
		"starts_on": {"2026-02-02"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %d", res.StatusCode)
	}
	_, body = w.getAs(t, asTeamMember, u+"?lang=en")
	mustContain(t, "assigned", body, "Test occupational_therapist", "Monday at 13:00", "from February 2, 2026")
	_, body = w.getAs(t, asUnassigned, districtURL(w.district)+"/sessions?day=2026-02-23&lang=en")
	mustContain(t, "the OT's Monday", body, "13:00 · Speech and language therapy", "Mia Ortiz")
	all, err := w.db.ListStudentAssignments(context.Background(), w.district, w.mia)
	if err != nil || len(all) != 1 {
		t.Fatalf("assignments: %+v %v", all, err)
	}
	if res, _ := w.submitAs(t, asTeamMember, u+"/"+all[0].ID+"/end", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("end: %d", res.StatusCode)
	}
	if got, _ := w.db.GetAssignment(context.Background(), w.district, all[0].ID); got.EndsOn != date.MustParse("2026-03-16") {
		t.Errorf("ended on %s, want today", got.EndsOn)
	}
}
