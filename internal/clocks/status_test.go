package clocks

import (
	"testing"
)

func TestStatusOn(t *testing.T) {
	ma := pack(t, "MA")
	// services_start is due soon 5 days ahead; parent_response has a silence rule.
	services := Deadline{Clock: "services_start", Start: d("2026-12-18"), Due: d("2027-01-12")}
	met := services
	met.MetOn = d("2027-01-11")
	late := services
	late.MetOn = d("2027-01-15")
	paused := services
	paused.Paused, paused.PauseReason = true, "parent_fails_to_produce_child"
	response := Deadline{Clock: "parent_response", Start: d("2026-11-02"), Due: d("2026-12-02")}
	lapsed := response
	lapsed.MetOn, lapsed.Lapsed = d("2026-12-02"), true
	early := Deadline{Clock: "reevaluation_min_interval", Start: d("2026-10-15"), Due: d("2027-10-15"), MetOn: d("2027-06-01"), Early: true}
	unknown := Deadline{Clock: "not_in_pack", Due: d("2027-01-12")}
	tests := []struct {
		name  string
		d     Deadline
		today string
		want  Status
		days  int
	}{
		{"six days left", services, "2027-01-06", StatusUpcoming, 6},
		{"five days left: due soon", services, "2027-01-07", StatusDueSoon, 5},
		{"due today", services, "2027-01-12", StatusDueSoon, 0},
		{"a day late", services, "2027-01-13", StatusOverdue, 1},
		{"met on time, whatever today", met, "2027-03-01", StatusMet, 0},
		{"met three days late", late, "2027-01-10", StatusMetLate, 3},
		{"paused", paused, "2027-02-01", StatusPaused, 0},
		{"the parent's window is open", response, "2026-11-30", StatusDueSoon, 2},
		{"the window passed in silence: rejection, not the district's delay", response, "2026-12-05", StatusLapsed, 3},
		{"the silence recorded", lapsed, "2026-12-05", StatusLapsed, 0},
		{"a reevaluation 136 days too early", early, "2027-07-01", StatusTooEarly, 136},
		{"a clock the pack does not know: 7 days", unknown, "2027-01-05", StatusDueSoon, 7},
	}
	for _, tt := range tests {
		s, n := tt.d.StatusOn(d(tt.today), ma)
		if s != tt.want || n != tt.days {
			t.Errorf("%s: StatusOn(%s) = %s, %d, want %s, %d", tt.name, tt.today, s, n, tt.want, tt.days)
		}
	}
	if got := services.SoonOn(ma); got != d("2027-01-07") {
		t.Errorf("SoonOn = %s, want 2027-01-07 (5 days before 2027-01-12)", got)
	}
}
