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
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/store"
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
	// Own is the student's own access to their record, for the guardian who holds the rights
	// (nil for other readers).
	Own *StudentOwnAccess
}

// StudentOwnAccess is what the student may see of their own record: before the age of majority
// only what a parent holding the rights lets them read (read only); from it, everything, the
// rights being theirs (34 CFR 300.520).
type StudentOwnAccess struct {
	MajorityOn date.Date // the day the rights pass to the student (zero: no birth date on file)
	Adult      bool      // the rights have passed
	SharedBy   string    // the guardian who lets the minor student read their record; "" for none
	Email      string    // the student's account's e-mail; "" when they have no account
	Active     bool      // the student has set a password (they can sign in)
}

// FamilyHome returns a child's home in the family portal: the record as StudentRecord gives it to
// the family (audited there), with the family's tasks and what happens next. Staff are answered
// not found: the staff's page of a student is the student record.
func (s *Service) FamilyHome(ctx context.Context, a Actor, districtID, studentID string) (*FamilyChild, error) {
	if err := familyReader(a); err != nil {
		return nil, err
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
	if rec.Reason == access.ReasonGuardianWithRights {
		if c.Own, err = s.studentOwnAccess(ctx, districtID, studentID); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// studentOwnAccess reads the student's own access to their record (no authorization: callers
// have authorized the reader).
func (s *Service) studentOwnAccess(ctx context.Context, districtID, studentID string) (*StudentOwnAccess, error) {
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return nil, err
	}
	f, err := s.db.AccessFacts(ctx, districtID, studentID, now)
	if err != nil {
		return nil, err
	}
	o := &StudentOwnAccess{Adult: f.RightsTransferred(), SharedBy: f.ViewSharedBy}
	if !f.BirthDate.IsZero() {
		o.MajorityOn = f.BirthDate.AddYears(cmp.Or(f.MajorityAge, access.DefaultMajorityAge))
	}
	acc, err := s.db.GetAccountBySubject(ctx, districtID, store.AccountStudent, studentID)
	switch {
	case err == nil:
		o.Email, o.Active = acc.Email, acc.PasswordHash != "" && !acc.Disabled()
	case iep.KindOf(err) != iep.KindNotFound:
		return nil, err
	}
	return o, nil
}

// ShareWithStudent lets the student, before the age of majority, read their own record (read
// only: the plan, meetings, progress; never answering, never the record of access), or with
// share false stops it. Only a guardian holding the educational rights may; an adult student's
// rights are already theirs. Sharing with a student who has no account makes one with email and
// sends them an invitation in their family's language; an account not yet used gets a new
// invitation. Audited ("share_with_student", "unshare_with_student"). Errors: invalid (an adult
// student; a missing, malformed or taken e-mail), the policy's kinds.
func (s *Service) ShareWithStudent(ctx context.Context, a Actor, districtID, studentID string, share bool, email string) error {
	if a.Kind != ActorGuardian {
		return errFamilyOnly
	}
	dec, err := s.authorize(ctx, a, access.RespondToPlan, districtID, studentID)
	if err != nil {
		return err
	}
	own, err := s.studentOwnAccess(ctx, districtID, studentID)
	if err != nil {
		return err
	}
	if own.Adult {
		return iep.Problems{{Field: "share", Code: "already_adult"}}.Err()
	}
	by := byActor(a, dec)
	action, sharedBy := "unshare_with_student", ""
	if share {
		action, sharedBy = "share_with_student", a.ID
	}
	var invite string // the account to invite once the share is written
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if share && own.Email == "" {
			email = store.NormalizeEmail(email)
			probe := iep.Staff{DistrictID: districtID, FirstName: "-", LastName: "-", Email: email, Roles: []iep.StaffRole{iep.RoleCaseManager}}
			switch {
			case email == "":
				return iep.Problems{{Field: "student_email", Code: iep.CodeRequired}}.Err()
			case probe.Validate() != nil:
				return iep.Problems{{Field: "student_email", Code: iep.CodeInvalid}}.Err()
			}
			acc := &store.Account{DistrictID: districtID, Kind: store.AccountStudent, SubjectID: studentID, Email: email}
			if err := tx.CreateAccount(ctx, acc, by); err != nil {
				if iep.KindOf(err) == iep.KindConflict {
					return iep.Problems{{Field: "student_email", Code: "email_taken"}}.Err()
				}
				return err
			}
			invite = acc.ID
		}
		if err := tx.ShareViewWithStudent(ctx, districtID, studentID, sharedBy); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &store.AuditEntry{DistrictID: districtID, ActorKind: string(a.Kind), ActorID: a.ID,
			Action: action, RecordKind: auditStudent, RecordID: studentID, StudentID: studentID,
			FromAddress: a.Address, Reason: string(dec.Reason)})
	})
	if err != nil || !share {
		return err
	}
	if invite == "" && !own.Active {
		acc, err := s.db.GetAccountBySubject(ctx, districtID, store.AccountStudent, studentID)
		if err != nil {
			return err
		}
		invite = acc.ID
	}
	if invite == "" {
		return nil
	}
	l, err := s.prepareLink(ctx, &store.Account{DistrictID: districtID, ID: invite, Kind: store.AccountStudent, SubjectID: studentID, Email: cmp.Or(own.Email, email)}, store.TokenInvite)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error { return l.write(ctx, tx, by) })
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

// Translated reports whether a page in lang is a translation of what the district's rule pack
// names as the legal language of its documents, and names that language (rules.Pack.Translated;
// no pack, no notice). The pack is embedded: nothing is read.
func Translated(d *iep.District, lang string) (legal string, translated bool) {
	pack, err := rules.Load(d.RulePack)
	if err != nil {
		return "", false
	}
	return pack.Translated(lang)
}

// errFamilyOnly answers staff who ask for a family page: not found (their page of a student is
// the student record).
var errFamilyOnly = iep.Errorf(iep.KindNotFound, "family pages are for families")

// familyReader admits a reader to a family page: the anonymous must sign in, staff are not
// found. Every family use case starts here, then asks the policy.
func familyReader(a Actor) error {
	if !a.SignedIn() {
		return iep.ErrUnauthenticated
	}
	if !a.IsFamily() {
		return errFamilyOnly
	}
	return nil
}

// familyPage starts a family page's use case: the reader must be signed in and family (staff
// are answered not found: their page of a student is the student record), and the policy must
// allow act on the student; it returns the decision, the district and the student.
func (s *Service) familyPage(ctx context.Context, a Actor, act access.Action, districtID, studentID string) (access.Decision, *iep.District, *iep.Student, error) {
	if err := familyReader(a); err != nil {
		return access.Decision{}, nil, nil, err
	}
	dec, err := s.authorize(ctx, a, act, districtID, studentID)
	if err != nil {
		return dec, nil, nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return dec, nil, nil, err
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return dec, nil, nil, err
	}
	return dec, d, st, nil
}
