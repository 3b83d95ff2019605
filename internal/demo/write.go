package demo

import (
	"context"
	"fmt"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// writeOrg writes the district, its school years and calendar, its schools and its staff.
func (g *gen) writeOrg(ctx context.Context, tx *store.Tx) error {
	if err := tx.CreateDistrict(ctx, &g.district); err != nil {
		return err
	}
	for _, y := range g.cal.years {
		if err := tx.CreateSchoolYear(ctx, &y.year); err != nil {
			return err
		}
		if err := tx.PutCalendarDays(ctx, g.district.ID, y.days); err != nil {
			return err
		}
	}
	for _, sc := range g.schools {
		if err := tx.CreateSchool(ctx, &sc.School); err != nil {
			return err
		}
	}
	for i := range g.staff {
		if err := tx.CreateStaff(ctx, &g.staff[i]); err != nil {
			return fmt.Errorf("staff %s: %w", g.staff[i].ID, err)
		}
	}
	return g.writeBanks(ctx, tx)
}

// each calls fn for every element of xs, stopping at the first error.
func each[T any](xs []T, what string, fn func(*T) error) error {
	for i := range xs {
		if err := fn(&xs[i]); err != nil {
			return fmt.Errorf("%s %d: %w", what, i, err)
		}
	}
	return nil
}

// writeBatch writes one batch in an order the foreign keys accept: people first, then the
// process records, plans (each frozen when proposed, answered once frozen), and what hangs off
// plans and the ledger last.
func (g *gen) writeBatch(ctx context.Context, tx *store.Tx, b *batch) error {
	if err := tx.CreateStudents(ctx, b.students); err != nil {
		return err
	}
	steps := []error{
		each(b.guardians, "guardian", func(x *iep.Guardian) error { return tx.CreateGuardian(ctx, x) }),
		each(b.links, "guardian link", func(x *iep.StudentGuardian) error { return tx.LinkGuardian(ctx, x) }),
		each(b.referrals, "referral", func(x *iep.Referral) error { return tx.CreateReferral(ctx, x) }),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	for _, job := range b.plans {
		if err := writePlan(ctx, tx, job); err != nil {
			return fmt.Errorf("plan %s: %w", job.plan.ID, err)
		}
	}
	for _, step := range []func() error{
		func() error {
			return each(b.consents, "consent", func(x *iep.Consent) error { return tx.CreateConsent(ctx, x) })
		},
		func() error {
			return each(b.evals, "evaluation", func(x *iep.Evaluation) error { return tx.CreateEvaluation(ctx, x) })
		},
		func() error {
			return each(b.eligs, "eligibility", func(x *iep.Eligibility) error { return tx.CreateEligibility(ctx, x) })
		},
		func() error {
			return each(b.members, "team member", func(x *iep.TeamMember) error { return tx.AddTeamMember(ctx, x) })
		},
		func() error {
			return each(b.meetings, "meeting", func(x *iep.Meeting) error { return tx.CreateMeeting(ctx, x) })
		},
		func() error {
			return each(b.notices, "notice", func(x *iep.Notice) error { return tx.CreateNotice(ctx, x) })
		},
		func() error {
			return each(b.assignments, "assignment", func(x *iep.Assignment) error { return tx.CreateAssignment(ctx, x) })
		},
		func() error {
			return each(b.logs, "service log", func(x *iep.ServiceLog) error { return tx.CreateServiceLog(ctx, x) })
		},
		func() error {
			return each(b.points, "progress point", func(x *iep.ProgressPoint) error { return tx.CreateProgressPoint(ctx, x) })
		},
		func() error {
			return each(b.reports, "progress report", func(x *iep.ProgressReport) error { return tx.CreateProgressReport(ctx, x) })
		},
		func() error {
			return each(b.requests, "records request", func(x *iep.RecordsRequest) error { return tx.CreateRecordsRequest(ctx, x) })
		},
		func() error {
			return each(b.events, "event", func(x *iep.Event) error { return tx.AppendEvent(ctx, x) })
		},
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// writePlan creates a plan as a draft and walks it through its statuses: the version is frozen
// before the plan becomes proposed, and the responses (which point at that version) are
// created while it is proposed, before the status they lead to.
func writePlan(ctx context.Context, tx *store.Tx, job *planJob) error {
	p := &job.plan
	shared := !p.SharedAt.IsZero()
	if err := tx.CreatePlan(ctx, p, job.by); err != nil {
		return err
	}
	if shared { // a draft shared with the family (stored as shared when generated)
		if _, err := tx.MarkShared(ctx, p.DistrictID, p.ID); err != nil {
			return err
		}
	}
	for _, s := range job.walk {
		if s == iep.StatusProposed {
			v, err := tx.FreezePlan(ctx, p.DistrictID, p.ID, job.by)
			if err != nil {
				return err
			}
			p.CurrentVersion = v.Number
			for i := range job.responses {
				job.responses[i].VersionID, job.responses[i].VersionSHA256 = v.ID, v.SHA256
			}
		}
		p.Status = s
		if err := tx.UpdatePlanHeader(ctx, p); err != nil {
			return fmt.Errorf("to %s: %w", s, err)
		}
		if s == iep.StatusProposed {
			for i := range job.responses {
				if err := tx.CreateResponse(ctx, &job.responses[i]); err != nil {
					return fmt.Errorf("response: %w", err)
				}
			}
		}
	}
	return nil
}
