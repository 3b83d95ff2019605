package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// Calendar administration in the matrix: district administrators only, as the other
// administration pages; other staff (and state viewers) are refused, families and other
// districts find nothing. Adding a day with the matrix's stray sign-in form is refused (400);
// removing the listed day works (303).
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		w.seedSchoolYear(iep.CalendarDay{Date: date.MustParse("2026-01-26"), Kind: iep.DayEmergency, Note: "Snow day"})
		staffOnly := func(anonymous, admin outcome) map[string]outcome {
			return with(every(anonymous, forbidden), asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden,
				asOtherDistrict, hidden, asDistrictAdmin, admin)
		}
		const c = "/districts/{district}/admin/calendar"
		return map[string]map[string]outcome{
			"GET " + c:                         staffOnly(toSignIn, ok),
			"POST " + c + "/days":              staffOnly(signInAgain, bad),
			"POST " + c + "/days/{day}/remove": staffOnly(signInAgain, redirect),
		}, map[string]string{"day": "2026-01-26"}
	})
}

// seedSchoolYear gives Riverton the school years 2025-2026 and 2026-2027 (no day listed but
// days) and returns the second's id.
func (w *world) seedSchoolYear(days ...iep.CalendarDay) string {
	ctx := context.Background()
	var id string
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		for _, y := range []*iep.SchoolYear{
			{DistrictID: w.district, Name: "2025-2026", FirstDay: date.MustParse("2025-09-03"), LastDay: date.MustParse("2026-06-16")},
			{DistrictID: w.district, Name: "2026-2027", FirstDay: date.MustParse("2026-09-02"), LastDay: date.MustParse("2027-06-16")},
		} {
			if err := tx.CreateSchoolYear(ctx, y); err != nil {
				return err
			}
			for i := range days {
				if !days[i].Date.Before(y.FirstDay) && !days[i].Date.After(y.LastDay) {
					days[i].SchoolYearID = y.ID
				}
			}
			id = y.ID
		}
		return tx.PutCalendarDays(ctx, w.district, days)
	})
	if err != nil {
		panic(err)
	}
	return id
}

// TestCalendarAdminMovesDeadlines: the parents of Noah signed on 2027-02-26, so services must
// start within 10 school days: March 12. The administrator adds the snow day of March 2; the
// page says one student's deadlines moved, and the deadline is March 15. Removing the day moves
// it back.
func TestCalendarAdminMovesDeadlines(t *testing.T) {
	w := newWorld(t, 0)
	// Listed day by day as an import does: March 2 is an ordinary school day on the calendar.
	w.seedSchoolYear(iep.CalendarDay{Date: date.MustParse("2027-03-02"), Kind: iep.DaySchool})
	ctx := context.Background()
	noahPlan, err := w.db.CurrentPlan(ctx, w.district, w.noah)
	if err != nil {
		t.Fatal(err)
	}
	err = w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.AppendEvent(ctx, &iep.Event{DistrictID: w.district, StudentID: w.noah, PlanID: noahPlan.ID, ActorID: w.cm,
			Kind: iep.EventResponseReceived, OccurredOn: date.MustParse("2027-02-26"), Data: []byte(`{"decision":"accept"}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	servicesDue := func() string {
		t.Helper()
		ds, err := w.db.ListStudentDeadlines(ctx, w.district, w.noah)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Clock == "services_start" {
				return d.Due.String()
			}
		}
		t.Fatal("Noah has no services_start deadline")
		return ""
	}
	if got := servicesDue(); got != "2027-03-12" {
		t.Fatalf("before the storm: %s, want 2027-03-12", got)
	}
	page := w.adminURL("calendar")
	res, body := w.submitAs(t, asDistrictAdmin, page+"/days?lang=en", url.Values{"date": {"2027-03-02"}, "kind": {"emergency"}, "note": {"Snow day"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding the snow day: %d %s", res.StatusCode, body)
	}
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after adding", body, "Snow day or emergency closing on March 2, 2027 was added to the calendar.",
		"Students whose deadlines were counted again: 2. Of them, students with a deadline that moved: 1.",
		"School year 2026-2027", "March 2027", "Tuesday", "Snow day")
	if got := servicesDue(); got != "2027-03-15" {
		t.Errorf("after the storm: %s, want 2027-03-15", got)
	}

	// The same day again: refused at its field, what was typed kept, nothing changed.
	res, body = w.submitAs(t, asDistrictAdmin, page+"/days?lang=en", url.Values{"date": {"2027-03-02"}, "kind": {"partial"}, "note": {"Early release"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("the same day again: %d", res.StatusCode)
	}
	mustContain(t, "a duplicate", body, `id="error-summary"`, `href="#f-date"`,
		"Date: this day is already on the calendar as “Snow day or emergency closing”; remove it first to change it",
		`value="Early release"`, `<option value="partial" selected>`, `aria-invalid="true"`)
	if got := servicesDue(); got != "2027-03-15" {
		t.Errorf("a refused day changed the deadline: %s", got)
	}
	// Bad input in Spanish: every field named, in Spanish, and what was typed kept.
	res, body = w.submitAs(t, asDistrictAdmin, page+"/days?lang=es", url.Values{"date": {"2027-02-30"}, "kind": {"snow"}, "note": {""}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad input: %d", res.StatusCode)
	}
	mustContain(t, "bad input", body, "Fecha: escriba la fecha como año-mes-día", "Qué tipo de día: elija uno de los tipos",
		"Nombre: este dato es obligatorio", `value="2027-02-30"`)
	res, body = w.submitAs(t, asDistrictAdmin, page+"/days?lang=en", url.Values{"date": {"2027-03-04"}, "kind": {"school"}, "note": {"Make-up"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "this weekday is a school day already") {
		t.Errorf("a make-up day on a weekday: %d", res.StatusCode)
	}
	res, body = w.submitAs(t, asDistrictAdmin, page+"/days?lang=en", url.Values{"date": {"2027-08-10"}, "kind": {"closed"}, "note": {"Storm"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "this day is in none of the district") {
		t.Errorf("a day outside every school year: %d", res.StatusCode)
	}

	// Removing it moves the deadline back.
	res, _ = w.submitAs(t, asDistrictAdmin, page+"/days/2027-03-02/remove", nil)
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after removing", body, "Snow day or emergency closing on March 2, 2027 was removed from the calendar.",
		"students with a deadline that moved: 1.", "No day without school, early release or make-up day is listed")
	if got := servicesDue(); got != "2027-03-12" {
		t.Errorf("after removing the snow day: %s, want 2027-03-12", got)
	}
	if res, _ := w.submitAs(t, asDistrictAdmin, page+"/days/2027-03-02/remove", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("removing it twice: %d", res.StatusCode)
	}

	// Not an administrator: refused, nothing stored.
	for who, want := range map[string]int{asTeamMember: http.StatusForbidden, asStateViewer: http.StatusForbidden,
		asGuardian: http.StatusNotFound, asOtherDistrict: http.StatusNotFound} {
		res, _ := w.submitAs(t, who, page+"/days", url.Values{"date": {"2027-03-03"}, "kind": {"emergency"}, "note": {"Snow"}})
		if res.StatusCode != want {
			t.Errorf("%s adds a day: %d, want %d", who, res.StatusCode, want)
		}
		if res, _ := w.getAs(t, who, page); res.StatusCode != want {
			t.Errorf("%s opens the calendar: %d, want %d", who, res.StatusCode, want)
		}
	}
	years, _ := w.db.ListSchoolYears(ctx, w.district)
	for _, y := range years {
		if days, err := w.db.ListCalendarDays(ctx, w.district, y.ID); err != nil || len(days) != 0 {
			t.Errorf("days stored in %s: %+v, %v", y.Name, days, err)
		}
	}
	// The administration's home links to the calendar.
	_, body = w.get(t, w.adminURL()+"?lang=en")
	mustContain(t, "the administration", body, `href="`+page+`"`, "School calendar")

	// Every change is in the audit trail.
	entries, err := w.db.ListAudit(ctx, w.district, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, e := range entries {
		if e.RecordKind == "calendar_day" {
			changes = append(changes, e.Action+" "+e.RecordID)
		}
	}
	if strings.Join(changes, ", ") != "delete 2027-03-02, create 2027-03-02" {
		t.Errorf("audit: %v", changes)
	}
}

// TestCalendarNoticeIgnoresForgedQuery: the notice says only what a change wrote in the address.
func TestCalendarNoticeIgnoresForgedQuery(t *testing.T) {
	w := newWorld(t, 0)
	w.seedSchoolYear()
	for _, q := range []string{"done=added&day=2027-03-02&kind=<b>&students=1&moved=0", "done=hacked&day=2027-03-02&kind=closed&students=1&moved=0",
		"done=added&day=2027-03-02&kind=closed&students=-1&moved=0"} {
		_, body := w.get(t, w.adminURL("calendar")+"?lang=en&"+q)
		if strings.Contains(body, `class="notice"`) {
			t.Errorf("%s: a notice is shown", q)
		}
	}
	_, body := w.get(t, w.adminURL("calendar")+"?lang=en&done=added&day=2027-03-02&kind=closed&students=0&moved=0")
	mustContain(t, "a notice", body, "No school on March 2, 2027 was added to the calendar. No student has deadlines to recount yet.")
}
