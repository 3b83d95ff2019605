package app

import (
	"context"
	"fmt"

	"github.com/openiep/openiep/internal/clocks"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/schoolday"
	"github.com/openiep/openiep/internal/store"
)

// The clocks follow the ledger: each event appended recomputes the student's deadlines in the
// same transaction (store.DB.OnEvent, set by New), from the student's events, the district's
// calendar and its rule pack (internal/clocks, pure). RecomputeDistrict does the same for every
// student with a ledger (after a bulk import, a calendar change, a new rule pack).

// recomputeDeadlines is the event hook: it refuses a pause without a reason the rule pack
// allows for that clock (34 CFR 300.301(d)), then replaces the student's stored deadlines.
func (s *Service) recomputeDeadlines(ctx context.Context, tx *store.Tx, e *iep.Event) error {
	districtID, studentID := e.DistrictID, e.StudentID
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return err
	}
	pack, err := s.districtPack(ctx, d)
	if err != nil {
		return err
	}
	if e.Kind == iep.EventClockPaused {
		if err := pack.CheckPause(rules.DataString(e, "clock"), rules.DataString(e, "reason")); err != nil {
			return err
		}
	}
	cal, err := s.calendar(ctx, d)
	if err != nil {
		return err
	}
	return s.recomputeWith(ctx, tx, districtID, studentID, cal, pack)
}

// recomputeWith replaces one student's deadlines under a calendar and pack already loaded.
func (s *Service) recomputeWith(ctx context.Context, tx *store.Tx, districtID, studentID string, cal *schoolday.Calendar, pack rules.Pack) error {
	st, err := tx.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return err
	}
	events, err := tx.ListEvents(ctx, districtID, studentID)
	if err != nil {
		return err
	}
	f := clocks.Facts{DistrictID: districtID, StudentID: studentID, BirthDate: st.BirthDate}
	plans := map[string]*iep.Plan{}
	plan := func(id string) (*iep.Plan, error) {
		if p, ok := plans[id]; ok || id == "" {
			return p, nil
		}
		p, err := tx.GetPlan(ctx, districtID, id)
		if iep.KindOf(err) == iep.KindNotFound {
			p, err = nil, nil
		}
		plans[id] = p
		return p, err
	}
	for _, e := range events {
		p, err := plan(e.PlanID)
		if err != nil {
			return err
		}
		if p != nil && p.Content.Transition.Applies {
			f.TransitionPlanIDs = append(f.TransitionPlanIDs, p.ID)
		}
	}
	ds, err := clocks.Deadlines(f, events, cal, pack)
	if err != nil {
		return err
	}
	// The case manager for the filters and digests: the deadline's plan's, else the current
	// plan's (the latest plan of the ledger).
	current := ""
	for _, e := range events {
		if e.PlanID != "" {
			current = e.PlanID
		}
	}
	rows := make([]store.Deadline, len(ds))
	for i, x := range ds {
		cm := ""
		for _, id := range []string{x.PlanID, current} {
			p, err := plan(id)
			if err != nil {
				return err
			}
			if p != nil && p.CaseManagerID != "" {
				cm = p.CaseManagerID
				break
			}
		}
		rows[i] = store.Deadline{Clock: x.Clock, Citation: x.Citation, PlanID: x.PlanID, SchoolID: st.SchoolID,
			CaseManagerID: cm, Start: x.Start, Due: x.Due, Soon: x.SoonOn(pack), Provisional: x.Provisional,
			MetOn: x.MetOn, Paused: x.Paused, PauseReason: x.PauseReason, Lapsed: x.Lapsed, Early: x.Early}
	}
	return tx.ReplaceDeadlines(ctx, districtID, studentID, rows)
}

// districtPack is the district's rule pack with the district's own amounts.
func (s *Service) districtPack(ctx context.Context, d *iep.District) (rules.Pack, error) {
	pack, err := rules.Load(d.RulePack)
	if err != nil {
		return rules.Pack{}, fmt.Errorf("district %s: %w", d.ID, err)
	}
	over, err := s.db.RuleOverrides(ctx, d.ID)
	if err != nil || len(over) == 0 {
		return pack, err
	}
	with, err := pack.With(over)
	if err != nil {
		return rules.Pack{}, fmt.Errorf("district %s: its own rule amounts: %w", d.ID, err)
	}
	return with, nil
}

// DistrictRules is the district's rule pack with its own amounts (Overrides names them).
func (s *Service) DistrictRules(ctx context.Context, districtID string) (rules.Pack, error) {
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return rules.Pack{}, err
	}
	return s.districtPack(ctx, d)
}

// SetRuleAmount gives the district its own amount for a rule of its pack (0: back to the
// pack's), checked against the law (rules.Pack.With), and recomputes the district's deadlines.
// A command-line operation (openiep rules set); no actor. Errors: invalid.
func (s *Service) SetRuleAmount(ctx context.Context, districtID, ruleID string, amount int) (int, error) {
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return 0, err
	}
	if amount != 0 {
		pack, err := s.districtPack(ctx, d)
		if err != nil {
			return 0, err
		}
		if _, err := pack.With(map[string]int{ruleID: amount}); err != nil {
			return 0, err
		}
	} else if _, err := rules.Load(d.RulePack); err != nil {
		return 0, err
	}
	if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.SetRuleOverride(ctx, districtID, ruleID, amount) }); err != nil {
		return 0, err
	}
	return s.RecomputeDistrict(ctx, districtID)
}

// calendar is the district's school calendar from the store, under its rule pack's
// jurisdiction (business days' holidays).
func (s *Service) calendar(ctx context.Context, d *iep.District) (*schoolday.Calendar, error) {
	years, err := s.db.ListSchoolYears(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	if len(years) == 0 {
		return nil, nil // no calendar yet: the clocks count weekdays and say so (provisional)
	}
	var days []iep.CalendarDay
	for _, y := range years {
		ds, err := s.db.ListCalendarDays(ctx, d.ID, y.ID)
		if err != nil {
			return nil, err
		}
		days = append(days, ds...)
	}
	cal, err := schoolday.New(d.RulePack, schoolday.FromStore(years, days)...)
	if err != nil {
		return nil, fmt.Errorf("the calendar of district %s: %w", d.ID, err)
	}
	return cal, nil
}

// RecomputeDistrict recomputes the deadlines of every student of the district who has a
// ledger, in transactions of 500 students, and returns how many students it did.
func (s *Service) RecomputeDistrict(ctx context.Context, districtID string) (int, error) {
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return 0, err
	}
	pack, err := s.districtPack(ctx, d)
	if err != nil {
		return 0, err
	}
	cal, err := s.calendar(ctx, d)
	if err != nil {
		return 0, err
	}
	ids, err := s.db.StudentsWithEvents(ctx, districtID)
	if err != nil {
		return 0, err
	}
	for start := 0; start < len(ids); start += 500 {
		batch := ids[start:min(start+500, len(ids))]
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			for _, id := range batch {
				if err := s.recomputeWith(ctx, tx, districtID, id, cal, pack); err != nil {
					return fmt.Errorf("student %s: %w", id, err)
				}
			}
			return nil
		})
		if err != nil {
			return start, err
		}
	}
	return len(ids), nil
}
