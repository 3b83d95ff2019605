package demo

import (
	"strconv"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// kid is a student whose special education record is being written.
type kid struct {
	st        *iep.Student
	p         *pupil
	sc        *school
	first     string // the name the student goes by
	birth     date.Date
	gradeIdx  int
	famLang   string
	primary   iep.DisabilityCategory
	severe    bool                // needs intensive services
	alternate bool                // assessed on alternate standards (MCAS-Alt)
	separate  bool                // placed in a separate day school or out of district
	ell       bool                // English learner
	preCode   iep.EnvironmentCode // a preschooler's early-childhood environment (FS089)
	shared    bool                // an adult student who shares decisions with the parents
	medicaid  bool                // the family consented to Medicaid billing
	guardians []guardianRef
	cm        *iep.Staff
	earliest  date.Date // the earliest date of the record, so enrolment can precede it
}

// holder is the first guardian who holds educational rights (every household has one).
func (k *kid) holder() guardianRef {
	for _, g := range k.guardians {
		if g.holds {
			return g
		}
	}
	return k.guardians[0]
}

// adultOn reports whether the student has reached the age of majority (18 in MA) on d.
func (k *kid) adultOn(d date.Date) bool { return k.birth.AgeOn(d) >= 18 }

func (cb *caseGen) touch(k *kid, d date.Date) {
	if k.earliest.IsZero() || d.Before(k.earliest) {
		k.earliest = d
	}
}

// event appends a ledger entry. Nothing is recorded in the future: a step after today has not
// happened yet.
func (cb *caseGen) event(k *kid, kind iep.EventKind, on date.Date, planID, actor string, data []byte) {
	if on.After(cb.g.today) || on.IsZero() {
		return
	}
	cb.touch(k, on)
	cb.b.events = append(cb.b.events, iep.Event{ID: cb.ids.next(), DistrictID: cb.g.district.ID, StudentID: k.st.ID,
		PlanID: planID, Kind: kind, OccurredOn: on, RecordedAt: at(on, 9+cb.r.IntN(8), cb.r.IntN(60), cb.g.loc),
		ActorID: actor, Data: data})
}

// sd is the n-th school day from d (see calendar.addSchoolDays).
func (cb *caseGen) sd(d date.Date, n int) date.Date { return cb.g.cal.addSchoolDays(d, n) }

// daysAgo returns the school day on or before today minus a random lo..hi calendar days.
func (cb *caseGen) daysAgo(lo, hi int) date.Date {
	return cb.g.cal.onOrBefore(cb.g.today.AddDays(-cb.r.between(lo, hi)))
}

// notYet clamps d to today.
func (cb *caseGen) notYet(d date.Date) date.Date { return minDate(d, cb.g.today) }

var referralReasons = map[iep.DisabilityCategory]string{
	iep.SpecificLearningDisability: "Not making effective progress in reading and writing despite a semester of tiered intervention",
	iep.SpeechLanguageImpairment:   "Speech is hard to understand; difficulty following directions",
	iep.OtherHealthImpairment:      "Attention and work completion difficulties affecting grades; diagnosis of ADHD from the pediatrician",
	iep.Autism:                     "Social communication differences and intense reactions to changes in routine",
	iep.DevelopmentalDelay:         "Delays in language and play noted by early intervention",
	iep.EmotionalDisturbance:       "Frequent emotional crises and leaving class; a therapist recommended an evaluation",
}

// refer records a referral and its event.
func (cb *caseGen) refer(k *kid, on date.Date) string {
	r := cb.r
	ref := iep.Referral{ID: cb.ids.next(), DistrictID: cb.g.district.ID, StudentID: k.st.ID, ReferredOn: on,
		Source: []iep.ReferralSource{iep.ReferredByParent, iep.ReferredBySchool, iep.ReferredByOther}[r.weighted([]float64{45, 45, 10})]}
	if k.gradeIdx == 0 && r.chance(0.6) {
		ref.Source, ref.FromPartC = iep.ReferredByOther, true
	}
	ref.Reason = referralReasons[k.primary]
	if ref.Reason == "" {
		ref.Reason = "Concerns about progress in the general curriculum raised by the teacher and the family"
	}
	for _, a := range areasFor(k.primary, k.gradeIdx == 0)[:2] {
		ref.Areas = append(ref.Areas, areas[a].name)
	}
	cb.b.referrals = append(cb.b.referrals, ref)
	cb.event(k, iep.EventReferralReceived, on, "", k.cm.ID, jsonData("referral_id", ref.ID, "source", string(ref.Source)))
	return ref.ID
}

// notice records a notice sent to the family, in the rights holder's language.
func (cb *caseGen) notice(k *kid, kind iep.NoticeKind, planID string, on date.Date) *iep.Notice {
	cb.b.notices = append(cb.b.notices, iep.Notice{ID: cb.ids.next(), DistrictID: cb.g.district.ID, StudentID: k.st.ID,
		PlanID: planID, Kind: kind, Language: k.holder().lang, SentOn: on,
		DeliveredBy: pick(cb.r, []string{"email", "portal", "mail", "hand"})})
	cb.touch(k, on)
	return &cb.b.notices[len(cb.b.notices)-1]
}

// priorNotice records a prior written notice (300.503) with all of its elements.
func (cb *caseGen) priorNotice(k *kid, planID string, on date.Date, action, reasons, basedOn string) {
	n := cb.notice(k, iep.NoticePriorWritten, planID, on)
	n.Action, n.Reasons, n.BasedOn = action, reasons, basedOn
	n.OptionsConsidered = "The team considered continuing without special education services and a more restrictive setting; both were rejected because of the evaluation results and progress data."
	n.OtherFactors = "The family's concerns and the student's preferences were discussed at the meeting."
	n.Safeguards, n.HelpSources = safeguards, helpSources
}

// consent records a consent request and its answer (decided zero: still pending). For an adult
// student the student answers.
func (cb *caseGen) consent(k *kid, kind iep.ConsentKind, planID string, asked, decided date.Date, d iep.ConsentDecision) string {
	c := iep.Consent{ID: cb.ids.next(), DistrictID: cb.g.district.ID, StudentID: k.st.ID, PlanID: planID, Kind: kind,
		RequestedOn: asked, Decision: iep.ConsentPending}
	if k.adultOn(asked) {
		c.Note = "Answered by the student, who holds the rights at 18"
	} else {
		c.GuardianID = k.holder().id
	}
	if d != iep.ConsentPending && !decided.IsZero() && !decided.After(cb.g.today) {
		c.Decision, c.DecidedOn, c.Method = d, maxDate(decided, asked), pick(cb.r, []string{"electronic", "electronic", "paper"})
	}
	cb.b.consents = append(cb.b.consents, c)
	cb.touch(k, asked)
	return c.ID
}

// askToEvaluate sends the notice proposing an evaluation with the consent form and the
// procedural safeguards, and records the family's answer when given.
func (cb *caseGen) askToEvaluate(k *kid, kind iep.ConsentKind, sent, answered date.Date) (string, bool) {
	n := cb.notice(k, iep.NoticeEvaluationConsent, "", sent)
	n.Action = "The district proposes to evaluate the student in the areas listed on the consent form."
	cb.notice(k, iep.NoticeProceduralSafeguards, "", sent)
	cb.event(k, iep.EventEvaluationNoticeSent, sent, "", k.cm.ID, nil)
	d := iep.ConsentPending
	if !answered.IsZero() && !answered.After(cb.g.today) {
		d = iep.ConsentGranted
	}
	id := cb.consent(k, kind, "", sent, answered, d)
	if d == iep.ConsentGranted {
		ev := iep.EventEvaluationConsentReceived
		if kind == iep.ConsentReevaluation {
			ev = iep.EventReevaluationConsent
		}
		cb.event(k, ev, answered, "", k.holder().id, jsonData("consent_id", id))
	}
	return id, d == iep.ConsentGranted
}

// evaluate records an evaluation under consent given on consentOn: one assessment per area,
// due 30 school days later, each done by `through` with probability done (1: all of them).
// When all are done the evaluation is complete. It returns the evaluation's id.
func (cb *caseGen) evaluate(k *kid, kind iep.EvaluationKind, referralID, consentID string, consentOn, meeting, through date.Date, done float64) string {
	r := cb.r
	e := iep.Evaluation{ID: cb.ids.next(), DistrictID: cb.g.district.ID, StudentID: k.st.ID, ReferralID: referralID,
		Kind: kind, ConsentID: consentID, ConsentOn: consentOn}
	due := cb.sd(consentOn, 30)
	seen := map[string]bool{}
	names := areasFor(k.primary, k.gradeIdx == 0)
	if kind == iep.EvaluationInitial {
		names = append(names, "health")
	}
	all := true
	for _, n := range names {
		a, ok := areas[n]
		evalArea, role, summary := "health", iep.RoleSchoolNurse, "Vision and hearing screenings passed; health history reviewed with the family."
		if ok {
			evalArea, role, summary = a.evalArea, a.evaluator, a.perf
		}
		if seen[evalArea] {
			continue
		}
		seen[evalArea] = true
		as := iep.Assessment{Area: evalArea, EvaluatorID: cb.g.staffFor(r, k.sc, role).ID, DueOn: due}
		if fin := cb.sd(consentOn, r.between(8, 28)); r.chance(done) && !fin.After(through) {
			as.CompletedOn, as.Summary = fin, summary
			if !meeting.IsZero() {
				as.SummarySharedOn = maxDate(fin, meeting.AddDays(-r.between(2, 5)))
			}
			if as.CompletedOn.After(e.CompletedOn) {
				e.CompletedOn = as.CompletedOn
			}
			cb.event(k, iep.EventAssessmentCompleted, fin, "", as.EvaluatorID, jsonData("evaluation_id", e.ID, "area", evalArea))
		} else {
			all = false
		}
		e.Assessments = append(e.Assessments, as)
	}
	if !all {
		e.CompletedOn = date.Date{}
	} else {
		ev := iep.EventEvaluationCompleted
		if kind == iep.EvaluationReeval {
			ev = iep.EventReevaluationCompleted
		}
		cb.event(k, ev, e.CompletedOn, "", k.cm.ID, jsonData("evaluation_id", e.ID))
	}
	cb.b.evals = append(cb.b.evals, e)
	return e.ID
}

// determine records the team's eligibility determination on day on.
func (cb *caseGen) determine(k *kid, evalID string, on date.Date, eligible bool) string {
	e := iep.Eligibility{ID: cb.ids.next(), DistrictID: cb.g.district.ID, StudentID: k.st.ID, EvaluationID: evalID,
		DeterminedOn: on, Eligible: eligible}
	if eligible {
		e.Disabilities = k.st.Disabilities
		e.Basis = "The student has a disability (" + string(k.primary) + "), is not making effective progress because of it, and needs specialized instruction and related services to make effective progress."
		cb.event(k, iep.EventEligibilityDetermined, on, "", k.cm.ID, jsonData("eligibility_id", e.ID, "disability", string(k.primary)))
	} else {
		e.Basis = "The evaluation found the student is making effective progress in the general curriculum with general education supports; no disability requiring specialized instruction was found."
		cb.event(k, iep.EventFoundNotEligible, on, "", k.cm.ID, jsonData("eligibility_id", e.ID))
	}
	cb.b.eligs = append(cb.b.eligs, e)
	return e.ID
}

// initialEvaluation writes the path from referral to a complete evaluation reviewed at the
// meeting on m, with consent given c school days earlier. It returns the evaluation id.
func (cb *caseGen) initialEvaluation(k *kid, m date.Date, c int) string {
	r := cb.r
	consentOn := cb.sd(m, -c)
	sent := cb.g.cal.onOrBefore(consentOn.AddDays(-r.between(2, 10)))
	refID := cb.refer(k, cb.sd(sent, -r.between(1, 5)))
	cid, _ := cb.askToEvaluate(k, iep.ConsentInitialEvaluation, sent, consentOn)
	return cb.evaluate(k, iep.EvaluationInitial, refID, cid, consentOn, m, m, 1)
}

// reevaluation writes a reevaluation whose consent was given c school days before m and whose
// results were reviewed at m.
func (cb *caseGen) reevaluation(k *kid, m date.Date, c int) string {
	consentOn := cb.sd(m, -c)
	sent := cb.g.cal.onOrBefore(consentOn.AddDays(-cb.r.between(2, 10)))
	cid, _ := cb.askToEvaluate(k, iep.ConsentReevaluation, sent, consentOn)
	return cb.evaluate(k, iep.EvaluationReeval, "", cid, consentOn, m, m, 1)
}

// recordsRequest records a parent's request to see the records and, when done, its answer.
func (cb *caseGen) recordsRequest(k *kid) {
	on := cb.daysAgo(3, 60)
	rq := iep.RecordsRequest{ID: cb.ids.next(), DistrictID: cb.g.district.ID, StudentID: k.st.ID, GuardianID: k.holder().id, RequestedOn: on}
	if f := on.AddDays(cb.r.between(2, 20)); !f.After(cb.g.today) {
		rq.FulfilledOn = f
		rq.Note = "Copies of the evaluation reports and the current IEP sent through the family portal"
	}
	cb.b.requests = append(cb.b.requests, rq)
	cb.event(k, iep.EventRecordsRequested, on, "", rq.GuardianID, jsonData("request_id", rq.ID))
	cb.event(k, iep.EventRecordsProvided, rq.FulfilledOn, "", k.cm.ID, jsonData("request_id", rq.ID))
}

func itoa(n int) string { return strconv.Itoa(n) }
