package demo

import (
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// planJob is a plan to write: created as a draft, then moved through walk (freezing a version
// when it becomes proposed), with the family's responses created once it is frozen.
type planJob struct {
	plan      iep.Plan
	walk      []iep.PlanStatus
	by        string         // who proposes it (freezes the version)
	responses []iep.Response // VersionID and VersionSHA256 are filled when the version exists
}

// newPlan adds a draft plan of kind for k with content written for f. evalOn is the date of
// the last eligibility determination (the reevaluation is due three years later).
func (cb *caseGen) newPlan(k *kid, kind iep.PlanKind, prev string, f planFacts, evalOn date.Date) *planJob {
	p := iep.Plan{ID: cb.ids.next(), DistrictID: cb.g.district.ID, StudentID: k.st.ID, Kind: kind, Status: iep.StatusDraft,
		PreviousPlanID: prev, CaseManagerID: k.cm.ID, SchoolID: k.sc.ID, StartDate: f.start, EndDate: f.end, MeetingDate: f.meeting}
	if !f.meeting.IsZero() {
		p.NextReviewDate = f.meeting.AddYears(1)
	}
	if !evalOn.IsZero() {
		p.NextReevalDate = evalOn.AddYears(3)
	}
	if f.writtenBy == "" && !k.adultOn(cb.g.today) && cb.r.chance(0.7) {
		f.writtenBy = k.holder().id
	}
	p.Content = cb.content(k, f)
	job := &planJob{plan: p, by: k.cm.ID}
	cb.b.plans = append(cb.b.plans, job)
	return job
}

// outcome is how a proposed plan was answered.
type outcome struct {
	decision iep.ResponseDecision // "" while awaiting
	status   iep.PlanStatus       // the status the answer leads to
}

// planDates are the dates of a plan written at a meeting on m.
type planDates struct{ notice, shared, meeting, proposed, responded, start, end date.Date }

// datesFrom lays out the dates around a finalizing meeting on m: the notice about two weeks
// before, the draft shared a few days before, the plan proposed within days (never held over a
// vacation), the answer within the response window, and services starting within 10 school
// days of it.
func (cb *caseGen) datesFrom(m date.Date, o outcome) planDates {
	r := cb.r
	d := planDates{meeting: m}
	d.notice = cb.g.cal.onOrBefore(m.AddDays(-r.between(10, 16)))
	d.shared = cb.g.cal.onOrBefore(m.AddDays(-r.between(2, 5)))
	d.proposed = m.AddDays(r.between(0, 4)) // "immediately" after the meeting, on a weekday
	for isWeekend(d.proposed) {
		d.proposed = d.proposed.AddDays(1)
	}
	d.proposed = cb.notYet(d.proposed)
	switch o.decision {
	case "":
		d.start = cb.sd(d.proposed, 12)
	case iep.NoResponse:
		d.responded = d.proposed.AddDays(30)
		d.start = cb.sd(d.proposed, 12)
	default:
		d.responded = maxDate(d.proposed, cb.notYet(d.proposed.AddDays(r.between(1, 24))))
		d.start = cb.sd(d.responded, r.between(1, 8))
		if o.decision == iep.RejectInFull {
			d.start = cb.sd(d.proposed, 12)
		}
	}
	d.end = d.start.AddYears(1).AddDays(-1)
	return d
}

// fullPlan writes a plan from its team to the family's answer: team, meeting notice, draft
// shared, the finalizing meeting (sometimes after a first meeting that did not finish), the
// proposal with its notices, and the response. initial adds the consent to initial services.
func (cb *caseGen) fullPlan(k *kid, kind iep.PlanKind, prev string, m, evalOn date.Date, o outcome, purposes []iep.MeetingPurpose) (*planJob, planDates) {
	r := cb.r
	d := cb.datesFrom(m, o)
	job := cb.newPlan(k, kind, prev, planFacts{start: d.start, end: d.end, meeting: m}, evalOn)
	id := job.plan.ID
	members := cb.team(k, id, job.plan.Content.Services.Lines, m)
	if kind == iep.PlanInitial {
		cb.event(k, iep.EventTeamFormed, d.notice, id, k.cm.ID, nil)
	}
	notice := d.notice
	if r.chance(0.12) { // a first meeting that ran out of time; the plan is finalized at the second
		first := cb.g.cal.onOrBefore(m.AddDays(-r.between(7, 14)))
		cb.meeting(k, id, purposes, iep.MeetingHeld, first, first.AddDays(-12), false, members)
		notice = first.AddDays(2)
	}
	cb.event(k, iep.EventDraftShared, d.shared, id, k.cm.ID, nil)
	cb.meeting(k, id, purposes, iep.MeetingHeld, m, notice, true, members)
	cb.event(k, iep.EventPlanFinalized, m, id, k.cm.ID, nil)
	if t := job.plan.Content.Transition.RightsTransferNoticeOn; !t.IsZero() {
		cb.notice(k, iep.NoticeRightsTransfer, id, t)
		cb.event(k, iep.EventRightsTransferNotice, t, id, k.cm.ID, nil)
	}
	cb.propose(k, job, d.proposed)
	if kind == iep.PlanInitial {
		cd := iep.ConsentPending
		switch o.decision {
		case iep.AcceptInFull, iep.AcceptInPart:
			cd = iep.ConsentGranted
		case iep.RejectInFull:
			cd = iep.ConsentRefused
		}
		cid := cb.consent(k, iep.ConsentInitialServices, id, d.proposed, d.responded, cd)
		if cd == iep.ConsentGranted {
			cb.event(k, iep.EventServicesConsentReceived, d.responded, id, k.holder().id, jsonData("consent_id", cid))
		}
	}
	if o.decision != "" {
		cb.respond(k, job, o, d.responded)
	}
	if o.status.InEffect() {
		cb.event(k, iep.EventServicesStarted, d.start, id, k.cm.ID, nil)
	}
	return job, d
}

// propose freezes the plan and sends it to the family with a prior written notice.
func (cb *caseGen) propose(k *kid, job *planJob, on date.Date) {
	job.walk = append(job.walk, iep.StatusProposed)
	id := job.plan.ID
	cb.notice(k, iep.NoticeProposedPlan, id, on)
	action := "The district proposes the IEP for " + job.plan.StartDate.String() + " to " + job.plan.EndDate.String() + ", including the services and placement it describes."
	cb.priorNotice(k, id, on, action, pick(cb.r, pwnReasons), "Evaluation reports, progress reports, teacher and parent input, and classroom data")
	cb.event(k, iep.EventPlanProposed, on, id, job.by, jsonData("plan_id", id))
}

var signAttestation = "I have read the proposed IEP and understand my rights. My decision is recorded above."

// respond records the answer of the rights holder (or the adult student) and the status it
// leads to. A partial acceptance rejects one service line (and sometimes the placement) with
// the family's comment; silence for 30 days is recorded as no response.
func (cb *caseGen) respond(k *kid, job *planJob, o outcome, on date.Date) {
	r := cb.r
	resp := iep.Response{ID: cb.ids.next(), DistrictID: cb.g.district.ID, PlanID: job.plan.ID, Decision: o.decision, RespondedOn: on}
	name, actor := "", ""
	if k.adultOn(on) {
		resp.StudentID, name, actor = k.st.ID, k.st.FirstName+" "+k.st.LastName, k.st.ID
	} else {
		h := k.holder()
		resp.GuardianID, name, actor = h.id, h.name(), h.id
	}
	if o.decision != iep.NoResponse {
		sig := &iep.Signature{Method: "electronic", TypedName: name, Attestation: signAttestation, SignedAt: at(on, r.between(7, 21), r.IntN(60), cb.g.loc)}
		if r.chance(0.3) {
			sig.Method, sig.RecordedBy, sig.ScanID = "paper", k.cm.ID, cb.ids.next()
		} else {
			sig.FromAddress = "203.0.113." + itoa(r.between(1, 254))
		}
		resp.Signature = sig
	} else {
		actor = "system"
	}
	switch o.decision {
	case iep.AcceptInPart:
		for _, l := range job.plan.Content.Services.Lines {
			if l.Category != iep.CategoryStaffSupport && l.Setting == iep.OutsideGeneralEducation {
				resp.RejectedServices = []string{l.ID}
				resp.Comments = map[string]string{l.ID: "We do not agree to pulling our child out of class for this service. We want it delivered inside the classroom so our child does not miss science."}
				break
			}
		}
		if len(resp.RejectedServices) == 0 || r.chance(0.3) {
			resp.RejectedSections = []iep.SectionKind{iep.SectionPlacement}
			if resp.Comments == nil {
				resp.Comments = map[string]string{}
			}
			resp.Comments[string(iep.SectionPlacement)] = "We want more time with general education peers than this placement gives."
		}
	case iep.RejectInFull:
		resp.Comments = map[string]string{"plan": "The plan does not have enough reading instruction and the goals are the same as last year. We would like another meeting."}
	}
	job.responses = append(job.responses, resp)
	job.walk = append(job.walk, o.status)
	cb.event(k, iep.EventResponseReceived, on, job.plan.ID, actor, jsonData("response_id", resp.ID, "decision", string(o.decision)))
}

// oldPlan writes an earlier plan that was accepted and later replaced (superseded) or ended:
// header, content, version and the signed acceptance, with its ledger entries.
func (cb *caseGen) oldPlan(k *kid, kind iep.PlanKind, prev string, m, evalOn date.Date, final iep.PlanStatus) *planJob {
	d := cb.datesFrom(m, outcome{iep.AcceptInFull, iep.StatusAccepted})
	job := cb.newPlan(k, kind, prev, planFacts{start: d.start, end: d.end, meeting: m}, evalOn)
	cb.meeting(k, job.plan.ID, []iep.MeetingPurpose{iep.PurposeAnnualReview}, iep.MeetingHeld, m, d.notice, true, nil)
	cb.event(k, iep.EventPlanFinalized, m, job.plan.ID, k.cm.ID, nil)
	cb.propose(k, job, d.proposed)
	cb.respond(k, job, outcome{iep.AcceptInFull, iep.StatusAccepted}, d.responded)
	cb.event(k, iep.EventServicesStarted, d.start, job.plan.ID, k.cm.ID, nil)
	if final != "" {
		job.walk = append(job.walk, final)
	}
	return job
}
