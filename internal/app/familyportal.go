package app

// The family portal's home for one child: the record as the family may see it, what waits for
// the family to do, and what happens next with real dates from the clocks.

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// FamilyTaskKind names something that waits for the family.
type FamilyTaskKind string

const (
	TaskAnswerPlan    FamilyTaskKind = "answer_plan"    // a proposed plan waits for the family's answer
	TaskReadDraft     FamilyTaskKind = "read_draft"     // a draft was shared before the meeting
	TaskWriteConcerns FamilyTaskKind = "write_concerns" // the open plan has no words of the family yet
	TaskAnswerMeeting FamilyTaskKind = "answer_meeting" // a meeting notice has no reply yet
)

// FamilyTask is one thing the family can do now, most urgent first.
type FamilyTask struct {
	Kind      FamilyTaskKind
	PlanID    string
	MeetingID string
	By        date.Date // when it is due, if a clock says so (zero: no date)
	At        time.Time // a meeting's start
}

// FamilyStep is one dated entry of "what happens next": a meeting, or a deadline of the clocks.
type FamilyStep struct {
	On       date.Date
	At       time.Time // a meeting's start (zero for a deadline)
	Clock    string    // the rule's id for a deadline ("services_start"); "" for a meeting
	Citation string
	Meeting  *iep.Meeting
	Overdue  bool // the school is late
}

// FamilyChild is one child's home in the family portal.
type FamilyChild struct {
	*Record
	// Answered is set when the reader has already answered the proposed plan's current version.
	Answered bool
	Tasks    []FamilyTask
	Next     []FamilyStep
	// MayRespond is set when the reader may answer plans (a guardian with rights, an adult
	// student); a parent reading what an adult student shares may not.
	MayRespond bool
}

// FamilyHome returns a child's home in the family portal: the record as StudentRecord gives it to
// the family (audited there), with the family's tasks and what happens next. Staff are answered
// not found: the staff's page of a student is the student record.
func (s *Service) FamilyHome(ctx context.Context, a Actor, districtID, studentID string) (*FamilyChild, error) {
	if !a.SignedIn() {
		return nil, iep.ErrUnauthenticated
	}
	if !a.IsFamily() {
		return nil, iep.Errorf(iep.KindNotFound, "family pages are for families")
	}
	rec, err := s.StudentRecord(ctx, a, districtID, studentID)
	if err != nil {
		return nil, err
	}
	c := &FamilyChild{Record: rec, MayRespond: rec.Reason == access.ReasonGuardianWithRights || rec.Reason == access.ReasonAdultStudent}
	if err := s.familyTasks(ctx, a, c); err != nil {
		return nil, err
	}
	c.Next = familyNext(rec)
	return c, nil
}

// familyTasks lists what waits for the family: the proposed plan to answer, the shared draft to
// read, the concerns to write, the meetings to answer.
func (s *Service) familyTasks(ctx context.Context, a Actor, c *FamilyChild) error {
	due := map[string]date.Date{}
	for _, d := range c.Deadlines {
		if d.Open() {
			due[d.Clock] = d.Due
		}
	}
	if p := c.OpenPlan; p != nil && c.MayRespond {
		switch p.Status {
		case iep.StatusProposed:
			rs, err := s.db.ListResponses(ctx, c.District.ID, p.ID)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if (a.Kind == ActorGuardian && r.GuardianID == a.ID) || (a.Kind == ActorStudent && r.StudentID == a.ID) {
					c.Answered = true
				}
			}
			if !c.Answered {
				c.Tasks = append(c.Tasks, FamilyTask{Kind: TaskAnswerPlan, PlanID: p.ID, By: due["parent_response"]})
			}
		case iep.StatusDraft:
			c.Tasks = append(c.Tasks, FamilyTask{Kind: TaskReadDraft, PlanID: p.ID})
			if familyFields(&p.Content.Concerns) == [4]string{} {
				c.Tasks = append(c.Tasks, FamilyTask{Kind: TaskWriteConcerns, PlanID: p.ID})
			}
		}
	}
	now := s.now()
	for _, m := range c.Meetings {
		if (m.Status == iep.MeetingScheduled || m.Status == iep.MeetingProposed) && m.StartsAt.After(now) && m.FamilyReply == iep.ReplyNone {
			c.Tasks = append(c.Tasks, FamilyTask{Kind: TaskAnswerMeeting, PlanID: m.PlanID, MeetingID: m.ID, At: m.StartsAt})
		}
	}
	return nil
}

// familyNext is what happens next: upcoming meetings and the open deadlines of the clocks, by
// date. The family's own windows are listed too ("parent_response"), so that they see the day.
func familyNext(r *Record) []FamilyStep {
	var out []FamilyStep
	loc, err := time.LoadLocation(r.District.Timezone)
	if err != nil {
		loc = time.UTC
	}
	for i, m := range r.Meetings {
		on := date.Of(m.StartsAt.In(loc))
		if (m.Status == iep.MeetingScheduled || m.Status == iep.MeetingProposed) && !on.Before(r.Today) {
			out = append(out, FamilyStep{On: on, At: m.StartsAt, Meeting: &r.Meetings[i]})
		}
	}
	for _, d := range r.Deadlines {
		if !d.Open() || d.Paused {
			continue
		}
		out = append(out, FamilyStep{On: d.Due, Clock: d.Clock, Citation: d.Citation, Overdue: d.Due.Before(r.Today)})
	}
	slices.SortStableFunc(out, func(a, b FamilyStep) int { return cmp.Or(a.On.Compare(b.On), a.At.Compare(b.At)) })
	return out
}
