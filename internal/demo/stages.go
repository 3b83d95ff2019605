package demo

import (
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

var secondaryFor = map[iep.DisabilityCategory][]iep.DisabilityCategory{
	iep.Autism:                     {iep.SpeechLanguageImpairment, iep.IntellectualDisability, iep.OtherHealthImpairment},
	iep.SpecificLearningDisability: {iep.OtherHealthImpairment, iep.SpeechLanguageImpairment},
	iep.OtherHealthImpairment:      {iep.SpecificLearningDisability, iep.EmotionalDisturbance},
	iep.IntellectualDisability:     {iep.SpeechLanguageImpairment, iep.OrthopedicImpairment},
	iep.EmotionalDisturbance:       {iep.OtherHealthImpairment, iep.SpecificLearningDisability},
	iep.DevelopmentalDelay:         {iep.SpeechLanguageImpairment},
	iep.HearingImpairment:          {iep.SpeechLanguageImpairment},
}

var initialPurposes = []iep.MeetingPurpose{iep.PurposeEligibility, iep.PurposeInitialIEP}
var annualPurposes = []iep.MeetingPurpose{iep.PurposeAnnualReview}

// record writes the special education record of k for its stage, with dates laid out around
// today and a ledger event for every step that has happened.
func (cb *caseGen) record(k *kid) {
	g, r := cb.g, cb.r
	p := k.p
	k.cm = &g.staff[p.caseMgr]
	k.separate = k.sc.level == levelSeparate || k.sc.level == levelOutOfDistrict
	k.severe = k.separate || severeCategory(k.primary) || k.primary == iep.Autism && r.chance(0.3) || k.primary == iep.EmotionalDisturbance && r.chance(0.15)
	k.alternate = severeCategory(k.primary) || k.severe && k.primary == iep.Autism && r.chance(0.3)
	k.shared = r.chance(0.4)
	k.medicaid = r.chance(0.4)
	if k.gradeIdx == 0 {
		k.severe, k.alternate, k.separate = false, false, false
		k.preCode = []iep.EnvironmentCode{"REC10YSVCS", "REC09YSVCS", "REC10YOTHLOC", "SC", "SPL"}[r.weighted([]float64{62, 8, 8, 17, 5})]
	}
	st := p.stage
	// too young for a three-year-old eligibility: a plan in effect instead of a reevaluation
	if st == stageReevalDue && k.birth.AddYears(3).AddDays(-60).After(g.today.AddYears(-3)) {
		st = stageInEffect
	}
	if st.eligible() {
		k.st.Disabilities = []iep.Disability{{Category: k.primary, Order: 1, Primary: true}}
		if opts := secondaryFor[k.primary]; len(opts) > 0 && r.chance(0.15) {
			k.st.Disabilities = append(k.st.Disabilities, iep.Disability{Category: pick(r, opts), Order: 2})
		}
	}
	switch st {
	case stageReferred:
		cb.referred(k)
	case stageEvaluating:
		cb.evaluating(k)
	case stageNotEligible:
		cb.notEligible(k)
	case stageDrafting, stageDraftShared:
		cb.drafting(k, st == stageDraftShared)
	case stageProposed:
		cb.proposed(k)
	case stageInEffect, stageAcceptedInPart:
		cb.inEffect(k, st)
	case stageRejected:
		cb.rejected(k)
	case stageReviewDue:
		cb.reviewDue(k)
	case stageReevalDue:
		cb.reevalDue(k)
	case stageExited:
		cb.exited(k)
	}
	if st.eligible() && k.adultOn(g.today) {
		cb.event(k, iep.EventRightsTransferred, k.birth.AddYears(18), "", "system", nil)
	}
	if st >= stageEvaluating && r.chance(0.03) {
		cb.recordsRequest(k)
	}
	if !k.earliest.IsZero() && k.earliest.Before(k.st.EnrolledOn) {
		k.st.EnrolledOn = k.earliest
	}
	if st.inEffect() && k.adultOn(g.today) && cb.b.adult == nil {
		cb.b.adult = &SignIn{Role: "student", Name: k.st.DisplayName(), StudentID: k.st.ID}
	}
	if !k.adultOn(g.today) {
		for _, pick := range []struct {
			ok   bool
			into **SignIn
			role string
		}{{st == stageProposed, &cb.b.guardian, "guardian"}, {st.inEffect(), &cb.b.parentIn, "guardian (plan in effect)"},
			{st == stageDraftShared, &cb.b.parentDr, "guardian (draft shared)"}} {
			if h := k.holder(); pick.ok && *pick.into == nil && h.email != "" {
				*pick.into = &SignIn{Role: pick.role, Name: h.name(), Email: h.email, GuardianID: h.id}
			}
		}
	}
}

// floor is the earliest a process step can be: early intervention refers at 2 years 9 months.
func (k *kid) floor() date.Date { return k.birth.AddYears(3).AddDays(-90) }

func (cb *caseGen) referred(k *kid) {
	on := maxDate(cb.sd(cb.g.today, -cb.r.between(0, 6)), cb.g.cal.addSchoolDays(k.floor(), 0))
	on = cb.g.cal.onOrBefore(cb.notYet(on))
	cb.refer(k, on)
	if sent := cb.sd(on, cb.r.between(1, 5)); !sent.After(cb.g.today) {
		cb.askToEvaluate(k, iep.ConsentInitialEvaluation, sent, date.Date{})
	}
}

func (cb *caseGen) evaluating(k *kid) {
	r := cb.r
	consentOn := cb.sd(cb.g.today, -r.between(3, 28))
	sent := cb.g.cal.onOrBefore(consentOn.AddDays(-r.between(2, 10)))
	refID := cb.refer(k, cb.sd(sent, -r.between(1, 5)))
	cid, _ := cb.askToEvaluate(k, iep.ConsentInitialEvaluation, sent, consentOn)
	cb.evaluate(k, iep.EvaluationInitial, refID, cid, consentOn, date.Date{}, cb.g.today, 0.5)
}

func (cb *caseGen) notEligible(k *kid) {
	m := cb.daysAgo(7, 170)
	evalID := cb.initialEvaluation(k, m, cb.r.between(30, 40))
	cb.meeting(k, "", []iep.MeetingPurpose{iep.PurposeEligibility}, iep.MeetingHeld, m, cb.g.cal.onOrBefore(m.AddDays(-12)), false, nil)
	cb.determine(k, evalID, m, false)
	cb.priorNotice(k, "", cb.notYet(cb.sd(m, cb.r.between(1, 3))), "The district refuses to identify the student as eligible for special education.",
		"The team found the student is making effective progress with general education supports.", "The initial evaluation reports, teacher reports and classroom data")
}

// drafting writes an eligible student whose initial IEP is being drafted; shared: the draft is
// complete, shared with the family, and the meeting is scheduled.
func (cb *caseGen) drafting(k *kid, shared bool) {
	r, today := cb.r, cb.g.today
	e := cb.daysAgo(1, 10)
	if shared {
		e = cb.daysAgo(10, 30)
	}
	evalID := cb.initialEvaluation(k, e, r.between(30, 40))
	cb.meeting(k, "", []iep.MeetingPurpose{iep.PurposeEligibility}, iep.MeetingHeld, e, cb.g.cal.onOrBefore(e.AddDays(-12)), false, nil)
	cb.determine(k, evalID, e, true)
	m := cb.sd(today, r.between(3, 15))
	start := cb.sd(m, 10)
	f := planFacts{start: start, end: start.AddYears(1).AddDays(-1), partial: !shared}
	job := cb.newPlan(k, iep.PlanInitial, "", f, e)
	if !shared {
		job.plan.StartDate, job.plan.EndDate = date.Date{}, date.Date{}
	}
	members := cb.team(k, job.plan.ID, job.plan.Content.Services.Lines, m)
	cb.event(k, iep.EventTeamFormed, e, job.plan.ID, k.cm.ID, nil)
	if shared {
		notice := cb.notYet(cb.sd(e, r.between(1, 3)))
		cb.meeting(k, job.plan.ID, []iep.MeetingPurpose{iep.PurposeInitialIEP}, iep.MeetingScheduled, m, notice, false, members)
		on := cb.notYet(maxDate(e, cb.sd(m, -r.between(2, 5))))
		job.plan.SharedAt = on.Time() // a marker: writePlan stores the draft as shared
		cb.event(k, iep.EventDraftShared, on, job.plan.ID, k.cm.ID, nil)
	}
}

// current writes the plan in effect now, finalized at m (kind annual or initial by age), with
// its eligibility history, and returns it.
func (cb *caseGen) current(k *kid, m date.Date, o outcome) (*planJob, planDates) {
	r := cb.r
	// the last eligibility: at least four months before m, recent enough that the
	// reevaluation is not yet due, never before the age of services
	lo := maxDate(maxDate(m.AddDays(-1000), cb.g.today.AddDays(70).AddYears(-3)), k.floor().AddDays(30))
	hi := m.AddDays(-120)
	if hi.Before(lo) {
		evalID := cb.initialEvaluation(k, m, r.between(30, 40))
		cb.determine(k, evalID, m, true)
		return cb.fullPlan(k, iep.PlanInitial, "", m, m, o, initialPurposes)
	}
	e := cb.g.cal.onOrBefore(cb.between(lo, hi))
	var evalID string
	reeval := k.birth.AgeOn(e) >= 6 && r.chance(0.5)
	if reeval {
		evalID = cb.reevaluation(k, e, r.between(25, 40))
	} else {
		// An initial evaluation: the first IEP is written at the eligibility meeting itself, so
		// the plan at m is its first annual review, within the year (300.323(c)(1), 300.324(b)).
		if y := cb.g.cal.onOrAfter(m.AddYears(-1)); e.Before(y) {
			e = y
		}
		evalID = cb.initialEvaluation(k, e, r.between(30, 40))
	}
	cb.determine(k, evalID, e, true)
	if !reeval {
		cb.oldPlan(k, iep.PlanInitial, "", e, e, iep.StatusSuperseded)
	} else if r.chance(0.15) || k.p.rank == 3 && k.p.stage == stageInEffect {
		// The plan before: its meeting a year before this one, never more, so that this meeting
		// is its annual review on time (an anniversary, not 365 days: 300.324(b)(1)(i)).
		cb.oldPlan(k, iep.PlanAnnual, "", cb.g.cal.onOrAfter(m.AddYears(-1)), e, iep.StatusSuperseded)
	}
	return cb.fullPlan(k, iep.PlanAnnual, "", m, e, o, annualPurposes)
}

func (cb *caseGen) inEffect(k *kid, st stage) {
	r, today := cb.r, cb.g.today
	o := outcome{iep.AcceptInFull, iep.StatusAccepted}
	if st == stageAcceptedInPart {
		o = outcome{iep.AcceptInPart, iep.StatusAcceptedInPart}
	}
	variant := r.weighted([]float64{62, 20, 8, 5, 5})
	if st == stageInEffect && k.p.rank < 3 {
		variant = []int{4, 3, 2}[k.p.rank]
	}
	if st == stageAcceptedInPart {
		variant = 0
	}
	var job *planJob
	switch variant {
	case 0, 1: // annual (or initial when the student is new to services)
		m := cb.daysAgo(35, 300)
		if variant == 1 {
			m = maxDate(m, cb.g.cal.addSchoolDays(k.floor().AddDays(90), 0))
			m = cb.g.cal.onOrBefore(minDate(m, today.AddDays(-35)))
			evalID := cb.initialEvaluation(k, m, r.between(30, 40))
			cb.determine(k, evalID, m, true)
			job, _ = cb.fullPlan(k, iep.PlanInitial, "", m, m, o, initialPurposes)
		} else {
			job, _ = cb.current(k, m, o)
		}
	case 2: // reevaluation meeting with a new plan
		m := cb.daysAgo(35, 300)
		evalID := cb.reevaluation(k, m, r.between(25, 40))
		cb.determine(k, evalID, m, true)
		job, _ = cb.fullPlan(k, iep.PlanReeval, "", m, m, o, []iep.MeetingPurpose{iep.PurposeReevaluation, iep.PurposeAnnualReview})
	case 3: // moved in with an IEP: comparable services adopted
		in := cb.daysAgo(30, 150)
		k.st.EnrolledOn = in
		cb.event(k, iep.EventTransferredIn, in, "", k.cm.ID, jsonData("from_state", "MA"))
		m := cb.notYet(cb.sd(in, r.between(3, 10)))
		job, _ = cb.fullPlan(k, iep.PlanTransfer, "", m, in.AddDays(-r.between(200, 700)), o, []iep.MeetingPurpose{iep.PurposePlacement})
	case 4: // amended without a meeting
		base, _ := cb.current(k, cb.daysAgo(120, 300), outcome{iep.AcceptInFull, iep.StatusAccepted})
		job = cb.amend(k, base)
	}
	cb.deliver(k, job)
}

// amend writes an amendment agreed in writing without a meeting (300.324(a)(4)); the amended
// plan is superseded by it.
func (cb *caseGen) amend(k *kid, base *planJob) *planJob {
	r := cb.r
	a := cb.daysAgo(10, 60)
	b := base.plan
	job := cb.newPlan(k, iep.PlanAmendment, b.ID, planFacts{start: a, end: b.EndDate}, b.NextReevalDate.AddYears(-3))
	job.plan.NextReviewDate = b.NextReviewDate
	job.plan.Content.Concerns = b.Content.Concerns
	job.plan.Content.Goals = b.Content.Goals
	cb.propose(k, job, cb.g.cal.onOrBefore(a.AddDays(-r.between(2, 6))))
	cb.respond(k, job, outcome{iep.AcceptInFull, iep.StatusAccepted}, a)
	cb.event(k, iep.EventAmendmentAgreed, a, job.plan.ID, k.cm.ID, jsonData("amends", b.ID))
	base.walk = append(base.walk, iep.StatusSuperseded)
	return job
}

func (cb *caseGen) proposed(k *kid) {
	r := cb.r
	m := cb.daysAgo(3, 20)
	if k.p.rank == 0 || r.chance(0.5) {
		evalID := cb.initialEvaluation(k, m, r.between(30, 40))
		cb.determine(k, evalID, m, true)
		cb.fullPlan(k, iep.PlanInitial, "", m, m, outcome{}, initialPurposes)
		return
	}
	prev, _ := cb.current(k, cb.g.cal.onOrBefore(m.AddDays(-r.between(355, 364))), outcome{iep.AcceptInFull, iep.StatusAccepted})
	cb.deliver(k, prev)
	cb.fullPlan(k, iep.PlanAnnual, prev.plan.ID, m, prev.plan.NextReevalDate.AddYears(-3), outcome{}, annualPurposes)
}

func (cb *caseGen) rejected(k *kid) {
	r := cb.r
	o := outcome{iep.RejectInFull, iep.StatusRejected}
	if k.p.rank == 0 || r.chance(0.2) {
		o.decision = iep.NoResponse
	}
	m := cb.daysAgo(40, 90)
	if k.p.rank == 1 || r.chance(0.4) {
		evalID := cb.initialEvaluation(k, m, r.between(30, 40))
		cb.determine(k, evalID, m, true)
		cb.fullPlan(k, iep.PlanInitial, "", m, m, o, initialPurposes)
		return
	}
	// the previous plan stays in effect while the new one is rejected
	prev, _ := cb.current(k, cb.g.cal.onOrBefore(m.AddDays(-r.between(340, 364))), outcome{iep.AcceptInFull, iep.StatusAccepted})
	cb.deliver(k, prev)
	cb.fullPlan(k, iep.PlanAnnual, prev.plan.ID, m, prev.plan.NextReevalDate.AddYears(-3), o, annualPurposes)
}

func (cb *caseGen) reviewDue(k *kid) {
	r, today := cb.r, cb.g.today
	job, _ := cb.current(k, cb.daysAgo(320, 358), outcome{iep.AcceptInFull, iep.StatusAccepted})
	cb.deliver(k, job)
	due := job.plan.NextReviewDate
	day := maxDate(cb.sd(today, 2), cb.g.cal.onOrBefore(due.AddDays(-r.between(1, 10))))
	status, notice := iep.MeetingScheduled, cb.notYet(cb.sd(today, -r.between(0, 5)))
	if r.chance(0.3) {
		status, notice = iep.MeetingProposed, date.Date{}
	}
	planID := ""
	var members []iep.TeamMember
	if r.chance(0.5) || k.p.rank == 0 {
		start := cb.sd(day, 1)
		draft := cb.newPlan(k, iep.PlanAnnual, job.plan.ID, planFacts{start: start, end: start.AddYears(1).AddDays(-1), partial: true}, job.plan.NextReevalDate.AddYears(-3))
		planID = draft.plan.ID
		members = cb.team(k, planID, draft.plan.Content.Services.Lines, day)
		if k.p.rank == 0 || r.chance(0.1) { // a first draft abandoned when the case manager changed
			old := cb.newPlan(k, iep.PlanAnnual, job.plan.ID, planFacts{start: start, end: start.AddYears(1).AddDays(-1), partial: true}, job.plan.NextReevalDate.AddYears(-3))
			old.walk = append(old.walk, iep.StatusCancelled)
		}
	}
	cb.meeting(k, planID, annualPurposes, status, day, notice, false, members)
}

func (cb *caseGen) reevalDue(k *kid) {
	r, today := cb.r, cb.g.today
	e := cb.g.cal.onOrBefore(today.AddDays(r.between(-10, 60)).AddYears(-3))
	evalID := cb.initialEvaluation(k, e, r.between(30, 40))
	cb.determine(k, evalID, e, true)
	m := cb.daysAgo(40, 280)
	job, _ := cb.fullPlan(k, iep.PlanAnnual, "", m, e, outcome{iep.AcceptInFull, iep.StatusAccepted}, annualPurposes)
	cb.deliver(k, job)
	sent := cb.daysAgo(3, 25)
	var answered date.Date
	if r.chance(0.55) {
		answered = cb.notYet(sent.AddDays(r.between(2, 10)))
	}
	cid, granted := cb.askToEvaluate(k, iep.ConsentReevaluation, sent, answered)
	if granted {
		cb.evaluate(k, iep.EvaluationReeval, "", cid, answered, date.Date{}, today, 0.3)
	}
}

func (cb *caseGen) exited(k *kid) {
	r, today := cb.r, cb.g.today
	reason := []iep.ExitReason{iep.ExitNoLongerEligible, iep.ExitMoved, iep.ExitGraduated, iep.ExitConsentRevoked}[r.weighted([]float64{45, 25, 20, 10})]
	if k.p.rank < 4 {
		reason = []iep.ExitReason{iep.ExitMoved, iep.ExitNoLongerEligible, iep.ExitConsentRevoked, iep.ExitGraduated}[k.p.rank]
	}
	if reason == iep.ExitGraduated && k.gradeIdx < 13 {
		reason = iep.ExitMoved
	}
	m := cb.daysAgo(150, 330)
	var x date.Date
	if reason == iep.ExitGraduated {
		x = cb.g.cal.years[0].year.LastDay
		m = cb.g.cal.onOrBefore(x.AddDays(-r.between(60, 250)))
	}
	job, _ := cb.current(k, m, outcome{iep.AcceptInFull, iep.StatusAccepted})
	switch reason {
	case iep.ExitNoLongerEligible:
		x = cb.daysAgo(5, max(6, m.DaysUntil(today)-60))
		evalID := cb.reevaluation(k, x, r.between(25, 40))
		cb.determine(k, evalID, x, false)
		cb.priorNotice(k, job.plan.ID, cb.notYet(cb.sd(x, 2)), "The district proposes to end special education services: the student is no longer eligible.",
			"The reevaluation shows the student makes effective progress without specialized instruction.", "The reevaluation reports and progress data")
	case iep.ExitMoved:
		x = cb.between(m.AddDays(40), today.AddDays(-5))
		if k.p.rank == 0 || r.chance(0.4) {
			draft := cb.newPlan(k, iep.PlanAnnual, job.plan.ID, planFacts{start: x, end: x.AddYears(1).AddDays(-1), partial: true}, job.plan.NextReevalDate.AddYears(-3))
			draft.walk = append(draft.walk, iep.StatusCancelled)
		}
	case iep.ExitConsentRevoked:
		rv := cb.g.cal.onOrBefore(cb.between(m.AddDays(40), today.AddDays(-20)))
		cb.consent(k, iep.ConsentInitialServices, job.plan.ID, m, rv, iep.ConsentRevoked)
		cb.event(k, iep.EventConsentRevoked, rv, job.plan.ID, k.holder().id, nil)
		cb.priorNotice(k, job.plan.ID, rv, "Special education services will end 10 school days from this notice, as the parent revoked consent in writing.",
			"The parent revoked consent for special education services.", "The parent's written revocation")
		x = cb.notYet(cb.sd(rv, 10))
	}
	job.walk = append(job.walk, iep.StatusEnded)
	k.st.ExitedOn, k.st.ExitReason = x, reason
	cb.event(k, iep.EventExited, x, job.plan.ID, k.cm.ID, jsonData("reason", string(reason)))
}
