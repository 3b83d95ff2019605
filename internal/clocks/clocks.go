// Package clocks computes a student's compliance deadlines from their ledger: a pure function of
// the events (iep.Event), the district's school calendar (schoolday.Calendar) and the rule pack
// (rules.Pack). Nothing here reads a clock or a database: today is passed in, and the same
// inputs always give the same deadlines, so that the store can recompute a student's clocks in
// the transaction that appends an event and keep them for fast listing.
//
// How each kind of rule is computed:
//
//   - within (most clocks): a start event begins a clock, due Amount days (calendar, business or
//     school) after it — the start's day is day 0 — and the first met event after it meets it.
//     A rule with scope "plan" ties start and met events to one plan, a rule with a key to one
//     Data field (records: request_id). A new start while the clock is open restarts it when the
//     rule says so (a new evaluation consent restarts the evaluation clock: the old clock is
//     superseded and dropped) and is ignored otherwise. A clock paused (clock_paused, Data
//     {"clock": rule id or "" for every clock the reason may pause, "reason": an allowed reason})
//     does not count the days after the pause up to and including the resume (clock_resumed): its
//     due date moves by the school days (or calendar days…) of the pause. A pause whose reason the
//     rule does not allow is ignored: the clock keeps running (the write path refuses it first,
//     rules.Pack.CheckPause). A window with a silence rule (MA: the parent's 30 days) is closed as
//     Lapsed by the "no response" recorded when it passed.
//   - review (annual review): one year (an anniversary: Feb 29 → Feb 28) from each plan's
//     finalization — the plan_finalized event of the meeting that completed it, so the last
//     meeting of a multi-meeting IEP (WI DPI complaint 12-060) — met by the next plan finalized.
//     An amendment (a plan with amendment_agreed, or plan_finalized Data {"kind":"amendment"})
//     never starts or meets it (300.324(a)(4), (6)); an initial plan rejected in full (nothing in
//     effect) starts none.
//   - cycle (reevaluation): three years from each evaluation completed, met by the next one;
//     dropped when the student is found not eligible.
//   - not_before (reevaluation at most once a year): a reevaluation consent less than a year
//     after the last evaluation completed is flagged (Early) unless its Data says {"agreed": true}
//     (300.303(b)(1): "unless the parent and the public agency agree otherwise").
//   - age (transition plan): see ageBy.
//   - before_majority (notice of the transfer of rights): due a year before the age of majority
//     (17 where it is 18), met by rights_transfer_notice_given.
//   - before_meeting (meeting notice, MA assessment summaries): due Amount days before a team
//     meeting: a meeting_held event, or a meeting_notice_sent whose Data has "meeting_on" (the
//     date of a meeting not yet held), both with Data "meeting_id".
//
// Supersession: a clock still open when it is superseded (a restart), when one of its rule's
// ended_by events happens, or when the student exits (exited ends every open clock) no longer
// binds and is not returned. A clock met before stays, as history.
package clocks

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/schoolday"
)

// Facts are what the clocks need to know about a student beside their ledger.
type Facts struct {
	DistrictID, StudentID string
	BirthDate             date.Date
	MajorityAge           int    // 0: the pack's (18)
	CurrentPlanID         string // informational: the clocks read the plans from the ledger
	// TransitionPlanIDs are the plans whose transition section applies
	// (Content.Transition.Applies). A plan_finalized or amendment_agreed event whose Data has
	// {"transition": true} counts too.
	TransitionPlanIDs []string
}

// Status is where a deadline stands on a day.
type Status string

const (
	StatusUpcoming Status = "upcoming"
	StatusDueSoon  Status = "due_soon" // due today or within the rule's threshold
	StatusOverdue  Status = "overdue"
	StatusMet      Status = "met"
	StatusMetLate  Status = "met_late"
	StatusPaused   Status = "paused" // open and stopped with a recorded reason
	// StatusLapsed: a window with a silence rule passed without an answer (MA: the proposed IEP
	// counts as rejected). It is the family's window, not the district's delay.
	StatusLapsed Status = "lapsed"
	// StatusTooEarly: a step taken before the earliest day the law allows (a reevaluation within
	// a year of the last one, without agreement).
	StatusTooEarly Status = "too_early"
)

// Deadline is one clock of a student.
type Deadline struct {
	Clock       string // the rule id
	Citation    string
	PlanID      string    // when the clock belongs to a plan
	StartEvent  string    // the id of the event that started it ("" for age clocks derived from facts)
	Start       date.Date // day 0 (for a lead time before a meeting: the meeting it counts back from)
	Due         date.Date
	Provisional bool      // the calendar ran out: Due is an estimate
	MetOn       date.Date // zero while open
	MetEvent    string
	Paused      bool // open and paused with a recorded reason
	PauseReason string
	// Lapsed: closed by silence (MetOn is the day the "no response" was recorded); the rule's
	// Silence says what it means.
	Lapsed bool
	// Early: a step before the earliest day allowed (reevaluation_min_interval): Due is that
	// earliest day, MetOn the step.
	Early bool
}

// Deadlines computes every clock of one student from their events (any order; the ledger),
// the district calendar and the rule pack. Deterministic; no I/O. A nil calendar counts
// business and school days as weekdays and marks those deadlines Provisional. The deadlines
// come sorted by due date, then clock, plan and start.
func Deadlines(f Facts, events []iep.Event, cal *schoolday.Calendar, pack rules.Pack) ([]Deadline, error) {
	l := newLedger(events)
	c := counter{cal: cal}
	var out []Deadline
	for _, r := range pack.Rules {
		ds, err := compute(r, f, l, c, pack)
		if err != nil {
			return nil, fmt.Errorf("clocks: %s of student %s: %w", r.ID, f.StudentID, err)
		}
		for i := range ds {
			ds[i].Clock, ds[i].Citation = r.ID, r.Citation
		}
		out = append(out, ds...)
	}
	slices.SortStableFunc(out, func(a, b Deadline) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.Clock, b.Clock), cmp.Compare(a.PlanID, b.PlanID),
			a.Start.Compare(b.Start), cmp.Compare(a.StartEvent, b.StartEvent))
	})
	return out, nil
}

func compute(r rules.Rule, f Facts, l *ledger, c counter, pack rules.Pack) ([]Deadline, error) {
	switch r.Kind {
	case rules.Within:
		return within(r, l, c)
	case rules.Review:
		return review(r, l), nil
	case rules.Cycle:
		return cycle(r, l), nil
	case rules.NotBefore:
		return notBefore(r, l), nil
	case rules.AgeBy:
		return ageBy(r, f, l), nil
	case rules.BeforeMajority:
		return beforeMajority(r, f, l, pack), nil
	case rules.BeforeMeeting:
		return beforeMeeting(r, l), nil
	}
	return nil, fmt.Errorf("unknown kind of rule %q", r.Kind)
}

// defaultDueSoon is the threshold of a clock whose rule is not in the pack given to StatusOn.
const defaultDueSoon = 7

// SoonOn is the first day on which the deadline is "due soon": its rule's threshold (calendar
// days) before Due.
func (d Deadline) SoonOn(pack rules.Pack) date.Date {
	n := defaultDueSoon
	if r, ok := pack.Rule(d.Clock); ok {
		n = r.DueSoon
	}
	return d.Due.AddDays(-n)
}

// StatusOn is a deadline's status on a day (due soon: within the rule's threshold) and the
// number of calendar days that goes with it: days left (upcoming, due soon: 0 when due today),
// days late (overdue, met late, lapsed), days too early (too early), 0 otherwise.
func (d Deadline) StatusOn(today date.Date, pack rules.Pack) (Status, int) {
	switch {
	case d.Early:
		return StatusTooEarly, d.MetOn.DaysUntil(d.Due)
	case d.Lapsed:
		return StatusLapsed, 0
	case !d.MetOn.IsZero() && d.MetOn.After(d.Due):
		return StatusMetLate, d.Due.DaysUntil(d.MetOn)
	case !d.MetOn.IsZero():
		return StatusMet, 0
	case d.Paused:
		return StatusPaused, 0
	case today.After(d.Due):
		if r, ok := pack.Rule(d.Clock); ok && r.Silence != rules.SilenceNone {
			return StatusLapsed, d.Due.DaysUntil(today)
		}
		return StatusOverdue, d.Due.DaysUntil(today)
	case !today.Before(d.SoonOn(pack)):
		return StatusDueSoon, today.DaysUntil(d.Due)
	}
	return StatusUpcoming, today.DaysUntil(d.Due)
}

// majorityAge is the student's age of majority: the facts', else the pack's, else 18.
func majorityAge(f Facts, pack rules.Pack) int {
	return cmp.Or(f.MajorityAge, pack.MajorityAge, access.DefaultMajorityAge)
}
