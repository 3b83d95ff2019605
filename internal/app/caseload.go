package app

import (
	"context"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// "My caseload": a case manager's students, what needs doing first. Read from a few index
// ranges by case manager (store/caseload.go, and store.ListDue with the case manager), never a
// query per student.

// CaseloadQuery is what a reader asks of a caseload: an administrator may name the case manager.
type CaseloadQuery struct {
	CaseManagerID string
}

// Caseload is one case manager's caseload: what is overdue or due soon, the plans waiting for
// the family's signature, the meetings of the coming week, the drafts being written, then the
// rest of the students by name.
type Caseload struct {
	District iep.District
	Today    date.Date // in the district's time zone
	WeekEnd  date.Date // the last day of "this week": Today and the seven days after it
	// CaseManager is whose caseload it is; nil when an administrator has not chosen one yet.
	CaseManager *iep.Staff
	// Own is set when the caseload is the reader's own.
	Own bool
	// MayChoose is set for a reader who may see any case manager's caseload (administrators).
	MayChoose bool
	// CaseManagers are, when no caseload is chosen yet, the district's active staff who manage
	// one, for an administrator to choose from.
	CaseManagers []iep.Staff

	Counts   store.DueCounts // the caseload's open deadlines by state
	Due      []DueRow        // overdue, then due soon, each by due date
	MoreDue  int             // overdue or due soon but not listed (see "what is due")
	Proposed []CaseloadPlan  // waiting for the family's answer, the longest waiting first
	Drafts   []CaseloadPlan  // being written, the least recently edited first
	Meetings []store.CaseloadMeeting
	// Rest are the caseload's other students (in none of the lists above), by name.
	Rest []StudentRow
	// Students is how many students the caseload has; Truncated is set when more than
	// MaxCaseload are on it (Students is then MaxCaseload) and only the first MaxCaseload by
	// name are considered.
	Students  int
	Truncated bool
}

// CaseloadPlan is a plan on a caseload with the days since it was proposed (Proposed) or last
// edited (Drafts), in the district's days.
type CaseloadPlan struct {
	store.CaseloadPlan
	Days int
}

// MaxCaseload is the most students a caseload page lists; MaxCaseloadDue the most deadlines of
// each state (overdue, due soon) it lists.
const (
	MaxCaseload    = 1000
	MaxCaseloadDue = 100
)

// CaseloadWeek is how many days after today "this week" reaches.
const CaseloadWeek = 7

// Caseload returns a case manager's caseload (the policy's ViewCaseload). A case manager sees
// their own, whatever case manager they ask for (the policy's OwnCaseload scope); a district
// administrator or representative the one of the case manager q names, by default their own when
// they are a case manager too, else nobody's yet (CaseManager nil: they choose from
// CaseManagers, the staff who manage a caseload); other staff are refused, families and other districts find nothing. The page
// names students, so showing a caseload is audited (action "read_caseload", record "caseload",
// the case manager's id).
//
// Errors: KindInvalid when q names no staff member of the district; the policy's kinds.
func (s *Service) Caseload(ctx context.Context, a Actor, districtID string, q CaseloadQuery) (*Caseload, error) {
	dec, err := s.authorize(ctx, a, access.ViewCaseload, districtID, "")
	if err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return nil, err
	}
	out := &Caseload{District: *d, Today: date.Of(now)}
	out.WeekEnd = out.Today.AddDays(CaseloadWeek)
	cmID := q.CaseManagerID
	switch {
	case dec.Scope.OwnCaseload:
		cmID = a.ID
	case cmID == "" && a.HasRole(iep.RoleCaseManager):
		cmID = a.ID
	}
	out.MayChoose = !dec.Scope.OwnCaseload
	if cmID == "" {
		out.CaseManagers, err = s.db.ListCaseManagers(ctx, districtID)
		return out, err
	}
	cm, err := s.db.GetStaff(ctx, districtID, cmID)
	if iep.KindOf(err) == iep.KindNotFound {
		return nil, iep.Problems{{Field: "case_manager", Code: iep.CodeInvalid, Detail: "no such staff member in this district"}}.Err()
	}
	if err != nil {
		return nil, err
	}
	out.CaseManager, out.Own = cm, cm.ID == a.ID
	if err := s.readCaseload(ctx, out, now.Location()); err != nil {
		return nil, err
	}
	return out, s.audit(ctx, a, dec, "read_caseload", "caseload", cm.ID, districtID, "")
}

// readCaseload fills a caseload's lists.
func (s *Service) readCaseload(ctx context.Context, out *Caseload, loc *time.Location) error {
	districtID, cmID := out.District.ID, out.CaseManager.ID
	f := store.DueFilter{Today: out.Today, CaseManagerID: cmID, Limit: MaxCaseloadDue}
	var err error
	if out.Counts, err = s.db.CountDue(ctx, districtID, f); err != nil {
		return err
	}
	pack := s.packOf(ctx, &out.District)
	for _, st := range []store.DueStatus{store.DueOverdue, store.DueSoon} {
		f.Status = st
		rows, err := s.db.ListDue(ctx, districtID, f)
		if err != nil {
			return err
		}
		for _, r := range rows {
			out.Due = append(out.Due, DueRow{DueRow: r, Status: statusUnder(pack, r.Deadline, out.Today)})
		}
	}
	out.MoreDue = max(0, out.Counts.Overdue+out.Counts.DueSoon-len(out.Due))

	plans, err := s.db.ListCaseloadPlans(ctx, districtID, cmID)
	if err != nil {
		return err
	}
	day := func(t time.Time) date.Date { return date.Of(t.In(loc)) }
	for _, p := range plans {
		if p.Status == iep.StatusProposed {
			out.Proposed = append(out.Proposed, CaseloadPlan{p, day(p.ProposedAt).DaysUntil(out.Today)})
		} else {
			out.Drafts = append(out.Drafts, CaseloadPlan{p, day(p.UpdatedAt).DaysUntil(out.Today)})
		}
	}
	from := time.Date(out.Today.Year, out.Today.Month, out.Today.Day, 0, 0, 0, 0, loc)
	to := time.Date(out.WeekEnd.Year, out.WeekEnd.Month, out.WeekEnd.Day+1, 0, 0, 0, 0, loc)
	if out.Meetings, err = s.db.ListCaseloadMeetings(ctx, districtID, cmID, from, to); err != nil {
		return err
	}

	students, err := s.db.ListCaseload(ctx, districtID, cmID, MaxCaseload+1)
	if err != nil {
		return err
	}
	out.Students = len(students)
	if len(students) > MaxCaseload {
		students, out.Truncated, out.Students = students[:MaxCaseload], true, MaxCaseload
	}
	listed := map[string]bool{}
	for _, r := range out.Due {
		listed[r.StudentID] = true
	}
	for _, ps := range [][]CaseloadPlan{out.Proposed, out.Drafts} {
		for _, p := range ps {
			listed[p.StudentID] = true
		}
	}
	for _, m := range out.Meetings {
		listed[m.StudentID] = true
	}
	schools, err := s.db.ListSchools(ctx, districtID)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(schools))
	for _, sc := range schools {
		names[sc.ID] = sc.Name
	}
	for _, st := range students {
		if !listed[st.ID] {
			out.Rest = append(out.Rest, StudentRow{StudentSummary: st, SchoolName: names[st.SchoolID]})
		}
	}
	return nil
}
