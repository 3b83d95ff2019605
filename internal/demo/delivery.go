package demo

import (
	"fmt"
	"hash/fnv"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// deliveryWindow is how many calendar days of service logs an in-effect plan gets: two weeks,
// enough to show delivered, missed and made-up sessions without swelling the database.
const deliveryWindow = 14

var sessionNotes = map[iep.ServiceType]string{
	iep.ServiceSpeechLanguage:         "Targeted goal in structured activities; data recorded.",
	iep.ServiceOccupationalTherapy:    "Handwriting and fine motor warm-ups; sensory break strategies practiced.",
	iep.ServicePhysicalTherapy:        "Stairs and hallway mobility practice.",
	iep.ServiceCounseling:             "Practiced coping strategies with role play.",
	iep.ServiceSpecializedInstruction: "Small-group instruction on goal skills; progress probe given.",
	iep.ServiceVision:                 "Practiced magnification tools with class materials.",
	iep.ServiceTransition:             "Career interest activity and job-site preparation.",
}

// deliver writes a few weeks of service logs for a plan in effect, its goals' progress points
// and the progress reports of the marking periods it has been in effect for.
func (cb *caseGen) deliver(k *kid, job *planJob) {
	if job == nil {
		return
	}
	today := cb.g.today
	from := maxDate(job.plan.StartDate, today.AddDays(-deliveryWindow))
	for _, l := range job.plan.Content.Services.Lines {
		if l.Category == iep.CategoryStaffSupport || l.ProviderRole == iep.RoleParaprofessional {
			continue // consultation and aide support are not logged per session
		}
		cb.logLine(k, job, l, from, today.AddDays(-1))
	}
	cb.progress(k, job)
}

// sessionDays returns the weekdays a line with n sessions a week is scheduled on.
func sessionDays(n int, r rng) [7]bool {
	var days [7]bool
	switch {
	case n >= 5:
		for d := time.Monday; d <= time.Friday; d++ {
			days[d] = true
		}
	case n == 4:
		days[time.Monday], days[time.Tuesday], days[time.Wednesday], days[time.Thursday] = true, true, true, true
	case n == 3:
		days[time.Monday], days[time.Wednesday], days[time.Friday] = true, true, true
	case n == 2:
		if r.chance(0.5) {
			days[time.Tuesday], days[time.Thursday] = true, true
		} else {
			days[time.Monday], days[time.Wednesday] = true, true
		}
	default:
		days[time.Monday+time.Weekday(r.IntN(5))] = true
	}
	return days
}

func (cb *caseGen) logLine(k *kid, job *planJob, l iep.ServiceLine, from, to date.Date) {
	g, r := cb.g, cb.r
	provider := g.staffFor(r, k.sc, l.ProviderRole)
	perWeek := l.SessionsPerPeriod
	switch l.Period {
	case iep.PerCycle:
		perWeek = max(1, l.SessionsPerPeriod*5/l.CycleDays)
	case iep.PerMonth:
		perWeek = 0
	}
	days := sessionDays(perWeek, r)
	if perWeek == 0 {
		days[time.Monday+time.Weekday(r.IntN(5))] = r.chance(0.35) // monthly: at most one in the window
	}
	// The provider is assigned to the line with these days as their schedule, at a time of their
	// own for the service (students of one provider and service on a day are seen together).
	asg := iep.Assignment{ID: cb.ids.next(), DistrictID: g.district.ID, StudentID: k.st.ID, ServiceLineID: l.ID,
		ProviderID: provider.ID, StartTime: slotTime(provider.ID, l.Type), StartsOn: maxDate(job.plan.StartDate, l.StartDate),
		CreatedBy: job.plan.CaseManagerID}
	for d := time.Monday; d <= time.Friday; d++ {
		if days[d] {
			asg.Weekdays = append(asg.Weekdays, d)
		}
	}
	cb.b.assignments = append(cb.b.assignments, asg)
	billable := k.medicaid && l.Category == iep.CategoryRelated
	for d := from; !d.After(to); d = d.AddDays(1) {
		wd := d.Weekday()
		if !days[wd] {
			continue
		}
		kind := g.cal.kind(d)
		if kind != iep.DaySchool && kind != iep.DayPartial && kind != iep.DayEmergency {
			continue // holidays and vacations are not scheduled
		}
		lg := iep.ServiceLog{ID: cb.ids.next(), DistrictID: g.district.ID, StudentID: k.st.ID, PlanID: job.plan.ID,
			ServiceLineID: l.ID, Date: d, Status: iep.SessionDelivered, Minutes: l.MinutesPerSession, GroupSize: l.GroupSize,
			ProviderID: provider.ID, LoggedAt: at(d, 15, r.IntN(90), g.loc), Medicaid: iep.Medicaid{Billable: billable}}
		if kind == iep.DayEmergency {
			lg.Status, lg.Minutes, lg.MissedReason = iep.SessionMissed, 0, iep.MissedSchoolClosed
		} else {
			switch r.weighted([]float64{86, 6, 4, 2, 2}) {
			case 1:
				lg.Status, lg.Minutes, lg.MissedReason = iep.SessionMissed, 0, iep.MissedStudentAbsent
			case 2:
				lg.Status, lg.Minutes, lg.MissedReason = iep.SessionMissed, 0, iep.MissedProviderAbsent
			case 3:
				lg.Status, lg.Minutes, lg.MissedReason = iep.SessionMissed, 0, iep.MissedStudentUnavailable
			case 4:
				lg.Status, lg.Minutes, lg.MissedReason = iep.SessionMissed, 0, iep.MissedProviderDuty
			}
		}
		if lg.Status == iep.SessionDelivered {
			lg.Note = sessionNotes[l.Type]
			if l.GroupSize > 1 {
				lg.GroupSessionID = cb.groupSession(provider.ID, d, l.Type)
			}
			if r.chance(0.04) {
				lg.ActualProviderID = g.staffFor(r, k.sc, l.ProviderRole).ID // a colleague covered
			}
			if billable && r.chance(0.03) {
				lg.Medicaid.OmitFromBilling, lg.Medicaid.OmitReason = true, "Session note missing the provider's signature"
			}
		} else {
			lg.Medicaid.Billable = false
		}
		cb.b.logs = append(cb.b.logs, lg)
		if lg.Status == iep.SessionMissed && lg.MissedReason != iep.MissedStudentAbsent && r.chance(0.6) {
			if mu := cb.sd(d, r.between(1, 4)); mu.Before(cb.g.today) {
				cb.b.logs = append(cb.b.logs, iep.ServiceLog{ID: cb.ids.next(), DistrictID: g.district.ID, StudentID: k.st.ID,
					PlanID: job.plan.ID, ServiceLineID: l.ID, Date: mu, Status: iep.SessionMakeUp, Minutes: l.MinutesPerSession,
					MakeUpOf: lg.ID, GroupSize: 1, ProviderID: provider.ID, Note: "Make-up session", LoggedAt: at(mu, 15, 30, g.loc),
					Medicaid: iep.Medicaid{Billable: billable}})
			}
		}
	}
}

// groupSession returns the id shared by the students one provider sees together on a day.
func (cb *caseGen) groupSession(provider string, d date.Date, t iep.ServiceType) string {
	if cb.groups == nil {
		cb.groups = map[groupKey]string{}
	}
	key := groupKey{provider, dayNum(d), t}
	id, ok := cb.groups[key]
	if !ok {
		id = cb.ids.next()
		cb.groups[key] = id
	}
	return id
}

// slotTime is the time of day a provider sees students for a service: from 08:00 to 14:00 by
// half hours, the same for every student of theirs (so that a group meets at one time).
func slotTime(provider string, t iep.ServiceType) string {
	h := fnv.New32a()
	h.Write([]byte(provider + "/" + string(t)))
	n := int(h.Sum32() % 13)
	return fmt.Sprintf("%02d:%02d", 8+n/2, 30*(n%2))
}

type groupKey struct {
	provider string
	day      int32
	t        iep.ServiceType
}

// progress writes a measurement of each goal every three weeks since the plan started (the
// last three at most), moving from the baseline toward the target, and the progress reports of
// the marking periods that ended since the start.
func (cb *caseGen) progress(k *kid, job *planJob) {
	g, r := cb.g, cb.r
	p := &job.plan
	year := float64(p.StartDate.DaysUntil(p.EndDate) + 1)
	for _, goal := range p.Content.Goals.Goals {
		if goal.BaselineValue == nil || goal.TargetValue == nil {
			continue
		}
		by := g.staffFor(r, k.sc, goal.ProviderRoles[0]).ID
		var dates []date.Date
		for d := p.StartDate.AddDays(21); d.Before(g.today); d = d.AddDays(21) {
			dates = append(dates, d)
		}
		if len(dates) > 3 {
			dates = dates[len(dates)-3:]
		}
		pace := 0.6 + 0.5*r.Float64()
		for _, d := range dates {
			frac := float64(p.StartDate.DaysUntil(d)) / year
			v := *goal.BaselineValue + (*goal.TargetValue-*goal.BaselineValue)*frac*pace*(0.9+0.2*r.Float64())
			cb.b.points = append(cb.b.points, iep.ProgressPoint{ID: cb.ids.next(), DistrictID: g.district.ID, StudentID: k.st.ID,
				PlanID: p.ID, GoalID: goal.ID, Date: g.cal.onOrBefore(d), Value: float64(int(v*10+0.5)) / 10, Unit: goal.Unit, RecordedBy: by})
		}
	}
	reports := 0
	for yi := len(g.cal.years) - 1; yi >= 0 && reports < 2; yi-- {
		y := g.cal.years[yi]
		for ti := len(y.termEnds) - 1; ti >= 0 && reports < 2; ti-- {
			end := y.termEnds[ti]
			sent := cb.sd(end, 5)
			if !end.After(p.StartDate) || sent.After(g.today) {
				continue
			}
			rep := iep.ProgressReport{ID: cb.ids.next(), DistrictID: g.district.ID, StudentID: k.st.ID, PlanID: p.ID,
				Period: "Term " + itoa(ti+1) + " " + y.year.Name, PeriodEnd: end, SentOn: sent}
			for _, goal := range p.Content.Goals.Goals {
				rating := []iep.ProgressRating{iep.RatingSufficient, iep.RatingInsufficient, iep.RatingMet, iep.RatingNotIntroduced}[r.weighted([]float64{70, 20, 5, 5})]
				rep.Entries = append(rep.Entries, iep.ProgressEntry{GoalID: goal.ID, Rating: rating, Narrative: narratives[rating]})
			}
			cb.b.reports = append(cb.b.reports, rep)
			cb.event(k, iep.EventProgressReportSent, sent, p.ID, k.cm.ID, jsonData("report_id", rep.ID))
			reports++
		}
	}
}

var narratives = map[iep.ProgressRating]string{
	iep.RatingSufficient:    "Steady gains this term; data points are at or above the aim line.",
	iep.RatingInsufficient:  "Progress has been slower than expected; the team will adjust instruction and may meet to review the goal.",
	iep.RatingMet:           "The goal's target was reached; the team will propose a new goal.",
	iep.RatingNotIntroduced: "This goal will be introduced next term as planned.",
}
