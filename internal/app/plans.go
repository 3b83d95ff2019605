package app

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// Drafting (DOMAIN.md §5): a plan starts as a draft written section by section, the family
// writes its concerns and vision, anyone on the team comments, the family suggests changes the
// team takes in or answers, and the draft is shared with the family before the meeting.

// NewPlanInput starts a plan: the first IEP after eligibility, the annual review of the plan in
// effect, or an amendment to it.
type NewPlanInput struct {
	Kind          iep.PlanKind `json:"kind"`                      // initial, annual, amendment, reevaluation
	FromPlanID    string       `json:"from_plan_id,omitempty"`    // the plan reviewed or amended (default: the plan in effect)
	CaseManagerID string       `json:"case_manager_id,omitempty"` // default: the plan reviewed's, else the staff member asking
}

// plan returns a plan of the step's student, whole. Errors: not found.
func (c *step) plan(ctx context.Context, id string) (*iep.Plan, error) {
	p, err := c.s.db.GetPlan(ctx, c.district, id)
	if err != nil {
		return nil, err
	}
	if p.StudentID != c.student {
		return nil, iep.Errorf(iep.KindNotFound, "plan %s not found", id)
	}
	return p, nil
}

// openPlan returns the student's plan being written or waiting for an answer, if any: there is
// one at a time.
func (c *step) openPlan(ctx context.Context) (*iep.Plan, error) {
	ps, err := c.s.db.ListPlans(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].Status == iep.StatusDraft || ps[i].Status == iep.StatusProposed {
			return &ps[i], nil
		}
	}
	return nil, nil
}

// inEffect returns the student's plan in effect with the latest start (nil when none).
func (c *step) inEffect(ctx context.Context) (*iep.Plan, error) {
	ps, err := c.s.db.ListPlans(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	return newestInEffect(ps), nil
}

// newestInEffect picks, from plans listed newest first (store.DB.ListPlans), the plan in effect
// with the latest start; of two starting the same day, the newer.
func newestInEffect(plans []iep.Plan) *iep.Plan {
	var best *iep.Plan
	for i := range plans {
		if plans[i].Status.InEffect() && (best == nil || best.StartDate.Before(plans[i].StartDate)) {
			best = &plans[i]
		}
	}
	return best
}

// CreatePlan starts a draft. An initial plan needs a determination of eligibility and no plan
// in effect; an annual review or an amendment starts from the plan in effect, copying its
// sections and its staff on the team. A student has one open plan (draft or proposed) at a time.
func (s *Service) CreatePlan(ctx context.Context, a Actor, districtID, studentID string, in NewPlanInput) (*iep.Plan, error) {
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	if open, err := c.openPlan(ctx); err != nil {
		return nil, err
	} else if open != nil {
		return nil, iep.Errorf(iep.KindConflict, "cannot start a plan: plan %s is %s; finish or cancel it first", open.ID, open.Status)
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	p := iep.Plan{DistrictID: districtID, StudentID: studentID, Kind: in.Kind, Status: iep.StatusDraft, SchoolID: st.SchoolID}
	var from *iep.Plan
	switch in.Kind {
	case iep.PlanInitial:
		if cur, err := c.inEffect(ctx); err != nil {
			return nil, err
		} else if cur != nil {
			return nil, iep.Errorf(iep.KindConflict, "cannot start an initial plan: plan %s is in effect; start an annual review or an amendment", cur.ID)
		}
		els, err := s.db.ListEligibility(ctx, districtID, studentID)
		if err != nil {
			return nil, err
		}
		if len(els) == 0 || !els[len(els)-1].Eligible {
			return nil, iep.Errorf(iep.KindConflict, "cannot start an initial plan: the student has not been found eligible")
		}
	case iep.PlanAnnual, iep.PlanAmendment, iep.PlanReeval:
		id := in.FromPlanID
		if id == "" {
			cur, err := c.inEffect(ctx)
			if err != nil {
				return nil, err
			}
			if cur == nil {
				return nil, iep.Errorf(iep.KindConflict, "cannot start a %s plan: no plan is in effect", in.Kind)
			}
			id = cur.ID
		}
		if from, err = c.plan(ctx, id); err != nil {
			return nil, err
		}
		stp := iep.StepReview
		if in.Kind == iep.PlanAmendment {
			stp = iep.StepAmend
		}
		if err := iep.CheckPlanStep(from.Status, stp); err != nil {
			return nil, err
		}
		p.PreviousPlanID, p.Content, p.CaseManagerID = from.ID, from.Content, from.CaseManagerID
		if in.Kind == iep.PlanAmendment { // an amendment keeps the plan's dates
			p.StartDate, p.EndDate, p.NextReviewDate, p.NextReevalDate, p.MeetingDate =
				from.StartDate, from.EndDate, from.NextReviewDate, from.NextReevalDate, from.MeetingDate
		}
	default:
		return nil, iep.Problems{{Field: "kind", Code: iep.CodeChoice, Detail: "initial, annual, amendment, reevaluation"}}.Err()
	}
	if in.CaseManagerID != "" {
		p.CaseManagerID = in.CaseManagerID
	}
	if p.CaseManagerID == "" && a.Kind == ActorStaff {
		p.CaseManagerID = a.ID
	}
	if _, err := s.db.GetStaff(ctx, districtID, p.CaseManagerID); err != nil {
		return nil, iep.Problems{{Field: "case_manager_id", Code: iep.CodeInvalid, Detail: "no such staff member in this district"}}.Err()
	}
	var team []iep.TeamMember
	if from != nil {
		if team, err = s.db.ListTeam(ctx, districtID, from.ID); err != nil {
			return nil, err
		}
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreatePlan(ctx, &p, a.ID); err != nil {
			return err
		}
		for _, m := range team {
			if m.GuestName != "" {
				continue // guests are invited anew for each meeting
			}
			m.ID, m.PlanID, m.Excusal, m.AnnouncedOn = "", p.ID, nil, date.Date{}
			if err := tx.AddTeamMember(ctx, &m); err != nil {
				return err
			}
		}
		if err := c.event(ctx, tx, iep.EventDraftStarted, p.ID, c.today, map[string]any{"kind": p.Kind, "from_plan_id": p.PreviousPlanID}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "start_plan", "plan", p.ID)
	})
	return &p, err
}

// PlanView is a plan as the API shows it: the plan and its sections, whether it is a draft (a
// draft is always marked), its team, comments, suggestions, meetings, versions and responses.
type PlanView struct {
	Plan        iep.Plan         `json:"plan"`
	Draft       bool             `json:"draft"`
	Team        []iep.TeamMember `json:"team"`
	Comments    []iep.Comment    `json:"comments"`
	Suggestions []SuggestionView `json:"suggestions"`
	Meetings    []iep.Meeting    `json:"meetings"`
	Versions    []VersionInfo    `json:"versions"`
	Responses   []iep.Response   `json:"responses"`
}

// SuggestionView is a suggestion with its proposed content as JSON.
type SuggestionView struct {
	iep.Suggestion
	Content json.RawMessage `json:"content"`
}

// VersionInfo is a frozen version without its bytes.
type VersionInfo struct {
	Number    int    `json:"number"`
	SHA256    string `json:"sha256"`
	CreatedBy string `json:"created_by"`
}

// Plan returns a plan whole to whoever may view the student's record; the family sees a draft
// only once it has been shared with them.
func (s *Service) Plan(ctx context.Context, a Actor, districtID, planID string) (*PlanView, error) {
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "plan", planID)
	if err != nil {
		return nil, err
	}
	p, err := c.plan(ctx, planID)
	if err != nil {
		return nil, err
	}
	if a.IsFamily() && p.Status == iep.StatusDraft && p.SharedAt.IsZero() {
		return nil, iep.Errorf(iep.KindForbidden, "the team has not shared this draft with the family yet")
	}
	v := PlanView{Plan: *p, Draft: p.Status == iep.StatusDraft}
	if v.Team, err = s.db.ListTeam(ctx, districtID, planID); err != nil {
		return nil, err
	}
	if v.Comments, err = s.db.ListComments(ctx, districtID, planID); err != nil {
		return nil, err
	}
	sugs, err := s.db.ListSuggestions(ctx, districtID, planID)
	if err != nil {
		return nil, err
	}
	v.Suggestions = make([]SuggestionView, len(sugs))
	for i, sg := range sugs {
		v.Suggestions[i] = SuggestionView{Suggestion: sg, Content: sg.Content}
	}
	ms, err := s.db.ListMeetings(ctx, districtID, p.StudentID)
	if err != nil {
		return nil, err
	}
	v.Meetings = []iep.Meeting{}
	for _, m := range ms {
		if m.PlanID == planID {
			v.Meetings = append(v.Meetings, m)
		}
	}
	vs, err := s.db.ListVersions(ctx, districtID, planID)
	if err != nil {
		return nil, err
	}
	v.Versions = make([]VersionInfo, len(vs))
	for i, x := range vs {
		v.Versions[i] = VersionInfo{Number: x.Number, SHA256: x.SHA256, CreatedBy: x.CreatedBy}
	}
	if v.Responses, err = s.db.ListResponses(ctx, districtID, planID); err != nil {
		return nil, err
	}
	if err := c.readAudit(ctx, "plan", planID); err != nil {
		return nil, err
	}
	return &v, nil
}

// SectionInput is a section's new content and the revision it was written from.
type SectionInput struct {
	BaseRevision int             `json:"base_revision"`
	Content      json.RawMessage `json:"content"`
}

// familyFields are the concerns-and-vision fields that only the family writes.
func familyFields(c *iep.Concerns) [4]string {
	return [4]string{c.ParentConcerns, c.StudentConcerns, c.StudentVision, c.PostSecondaryVision}
}

// SaveSection stores a new revision of one section of a draft. Staff on the team write any
// section; the family writes its concerns and vision, kept as typed (the team writes only its
// own vision there, and never changes the family's words: it suggests, the family decides). A
// stale save is refused with both texts (*iep.ConflictError): nothing typed is lost.
func (s *Service) SaveSection(ctx context.Context, a Actor, districtID, planID string, kind iep.SectionKind, in SectionInput) (int, error) {
	act := access.EditPlan
	if a.IsFamily() {
		act = access.Participate
	}
	c, err := s.begin(ctx, a, act, districtID, "plan", planID)
	if err != nil {
		return 0, err
	}
	p, err := c.plan(ctx, planID)
	if err != nil {
		return 0, err
	}
	if err := iep.CheckPlanStep(p.Status, iep.StepEditSection); err != nil {
		return 0, err
	}
	content := []byte(in.Content)
	if kind == iep.SectionConcerns {
		if content, err = c.concerns(p, content); err != nil {
			return 0, err
		}
	} else if a.IsFamily() {
		return 0, iep.Errorf(iep.KindForbidden, "the family writes the concerns and vision; suggest a change to the %s section instead", kind)
	} else if content, err = assignIDs(kind, content); err != nil {
		return 0, err
	}
	var rev int
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if rev, err = tx.SaveSection(ctx, districtID, planID, kind, content, in.BaseRevision, a.ID); err != nil {
			return err
		}
		return c.audit(ctx, tx, "edit_section:"+string(kind), "plan", planID)
	})
	return rev, err
}

// concerns applies who-writes-what to a save of the concerns section: the family's save keeps
// the team's vision and is signed by them; a staff save keeps the family's words.
func (c *step) concerns(p *iep.Plan, content []byte) ([]byte, error) {
	var in iep.Concerns
	var tmp iep.Content
	if err := iep.DecodeDraftSection(&tmp, iep.SectionConcerns, content); err != nil {
		return nil, err
	}
	in = tmp.Concerns
	stored := p.Content.Concerns
	if c.a.IsFamily() {
		in.TeamVision, in.WrittenBy = stored.TeamVision, c.a.ID
	} else if stored.WrittenBy != "" && familyFields(&in) != familyFields(&stored) {
		return nil, iep.Problems{{Field: "parent_concerns", Code: iep.CodeInvalid,
			Detail: "the family wrote these words; only the family changes them"}}.Err()
	} else {
		in.WrittenBy = stored.WrittenBy
	}
	return json.Marshal(in)
}

// CommentInput is a comment on a section, or a reply in a thread.
type CommentInput struct {
	Section iep.SectionKind `json:"section"`
	Body    string          `json:"body"`
	ReplyTo string          `json:"reply_to,omitempty"`
}

func authorKind(a Actor) iep.AuthorKind {
	switch a.Kind {
	case ActorGuardian:
		return iep.AuthorGuardian
	case ActorStudent:
		return iep.AuthorStudent
	}
	return iep.AuthorStaff
}

// Comment adds a comment to a section of a draft or proposed plan, by anyone on the team,
// the family included (the family once the draft is shared).
func (s *Service) Comment(ctx context.Context, a Actor, districtID, planID string, in CommentInput) (*iep.Comment, error) {
	c, p, err := s.participate(ctx, a, districtID, planID, iep.StepComment)
	if err != nil {
		return nil, err
	}
	cm := iep.Comment{DistrictID: districtID, PlanID: p.ID, Section: in.Section, ReplyTo: in.ReplyTo,
		AuthorKind: authorKind(a), AuthorID: a.ID, Body: in.Body}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateComment(ctx, &cm); err != nil {
			return err
		}
		return c.audit(ctx, tx, "comment", "plan", p.ID)
	})
	return &cm, err
}

// planStep begins a step on a plan: the policy (act), the plan, the state machine.
func (s *Service) planStep(ctx context.Context, a Actor, act access.Action, districtID, planID string, stp iep.PlanStep) (*step, *iep.Plan, error) {
	c, err := s.begin(ctx, a, act, districtID, "plan", planID)
	if err != nil {
		return nil, nil, err
	}
	p, err := c.plan(ctx, planID)
	if err != nil {
		return nil, nil, err
	}
	return c, p, iep.CheckPlanStep(p.Status, stp)
}

// participate begins a step anyone on the team may take (Participate), the family only on a
// plan shared with them.
func (s *Service) participate(ctx context.Context, a Actor, districtID, planID string, stp iep.PlanStep) (*step, *iep.Plan, error) {
	c, p, err := s.planStep(ctx, a, access.Participate, districtID, planID, stp)
	if err == nil && a.IsFamily() && p.Status == iep.StatusDraft && p.SharedAt.IsZero() {
		err = iep.Errorf(iep.KindForbidden, "the team has not shared this draft with the family yet")
	}
	return c, p, err
}

// SuggestionInput is a suggested change: the section's whole proposed content, the revision it
// was written from, and why.
type SuggestionInput struct {
	Section      iep.SectionKind `json:"section"`
	BaseRevision int             `json:"base_revision"`
	Content      json.RawMessage `json:"content"`
	Note         string          `json:"note,omitempty"`
}

// Suggest records a change proposed to a section of a draft (the family's way to change what
// the school wrote; staff may suggest too).
func (s *Service) Suggest(ctx context.Context, a Actor, districtID, planID string, in SuggestionInput) (*SuggestionView, error) {
	c, p, err := s.participate(ctx, a, districtID, planID, iep.StepSuggestChange)
	if err != nil {
		return nil, err
	}
	var tmp iep.Content
	var ps iep.Problems
	if tmp.Section(in.Section) == nil {
		return nil, iep.Problems{{Field: "section", Code: iep.CodeChoice}}.Err()
	}
	if err := iep.DecodeDraftSection(&tmp, in.Section, in.Content); err != nil {
		ps.Nest("content.", err)
	}
	normal, _ := iep.EncodeSection(&tmp, in.Section)
	sg := iep.Suggestion{DistrictID: districtID, PlanID: p.ID, Section: in.Section, BaseRevision: in.BaseRevision,
		Content: normal, Note: in.Note, AuthorKind: authorKind(a), AuthorID: a.ID, Status: iep.SuggestionOpen}
	ps.Nest("", sg.Validate())
	if err := ps.Err(); err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSuggestion(ctx, &sg); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventChangeSuggested, p.ID, c.today, map[string]any{"suggestion_id": sg.ID, "section": sg.Section}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "suggest_change", "plan", p.ID)
	})
	return &SuggestionView{Suggestion: sg, Content: sg.Content}, err
}

// SuggestionDecision is the team's answer to a suggestion: take it into the draft (from the
// section revision the person deciding has read) or answer why not.
type SuggestionDecision struct {
	Accept       bool   `json:"accept"`
	BaseRevision int    `json:"base_revision,omitempty"` // with accept: the revision the suggestion replaces
	Answer       string `json:"answer,omitempty"`        // required when not accepted
}

// DecideSuggestion takes a suggestion into the draft as a new revision of its section, or
// answers it. Taking it in is a section save like any other: when the section moved on since
// the revision given, nothing is written and both texts come back.
func (s *Service) DecideSuggestion(ctx context.Context, a Actor, districtID, suggestionID string, in SuggestionDecision) (*SuggestionView, error) {
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "suggestion", suggestionID)
	if err != nil {
		return nil, err
	}
	sg, err := s.db.GetSuggestion(ctx, districtID, suggestionID)
	if err != nil {
		return nil, err
	}
	p, err := c.plan(ctx, sg.PlanID)
	if err != nil {
		return nil, err
	}
	if err := iep.CheckPlanStep(p.Status, iep.StepDecideSuggestion); err != nil {
		return nil, err
	}
	if sg.Status != iep.SuggestionOpen {
		return nil, iep.Errorf(iep.KindConflict, "the suggestion was already %s", sg.Status)
	}
	sg.DecidedBy, sg.Answer = a.ID, strings.TrimSpace(in.Answer)
	content := sg.Content
	if in.Accept && sg.Section == iep.SectionConcerns {
		// The family's own words arrive through its suggestion: kept, and signed by its author.
		var cn iep.Concerns
		if err := json.Unmarshal(content, &cn); err == nil && sg.AuthorKind != iep.AuthorStaff {
			cn.WrittenBy = sg.AuthorID
			content, _ = json.Marshal(cn)
		}
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if in.Accept {
			base := in.BaseRevision
			if base == 0 {
				base = sg.BaseRevision
			}
			rev, err := tx.SaveSection(ctx, districtID, p.ID, sg.Section, content, base, a.ID)
			if err != nil {
				return err
			}
			sg.Status, sg.AppliedRevision = iep.SuggestionAccepted, rev
		} else {
			sg.Status = iep.SuggestionAnswered
		}
		if err := tx.DecideSuggestion(ctx, sg); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventSuggestionDecided, p.ID, c.today, map[string]any{"suggestion_id": sg.ID, "accepted": in.Accept}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "decide_suggestion", "plan", p.ID)
	})
	if err != nil {
		return nil, err
	}
	return &SuggestionView{Suggestion: *sg, Content: sg.Content}, nil
}

// ShareDraft shares the draft with the family (the seed: the draft before the meeting): from
// now they read it, comment and suggest. Sharing again after changes records the new time.
func (s *Service) ShareDraft(ctx context.Context, a Actor, districtID, planID string) (*iep.Plan, error) {
	c, p, err := s.planStep(ctx, a, access.EditPlan, districtID, planID, iep.StepShareDraft)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		at, err := tx.MarkShared(ctx, districtID, planID)
		if err != nil {
			return err
		}
		p.SharedAt = at
		if err := c.event(ctx, tx, iep.EventDraftShared, planID, c.today, map[string]any{"revisions": p.SectionRevisions}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "share_draft", "plan", planID)
	})
	return p, err
}

// RequestDraft records the family's request to see the draft before the meeting; where the
// pack requires it (rules.Pack.DraftBeforeMeeting), the meeting is then held only if the draft
// was shared that many days before.
func (s *Service) RequestDraft(ctx context.Context, a Actor, districtID, planID string) (*iep.Plan, error) {
	c, p, err := s.planStep(ctx, a, access.Participate, districtID, planID, iep.StepRequestDraft)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := c.event(ctx, tx, iep.EventDraftRequested, planID, c.today, nil); err != nil {
			return err
		}
		return c.audit(ctx, tx, "request_draft", "plan", planID)
	})
	// The header only: the family asking has not been shown the draft's sections yet.
	return &iep.Plan{ID: p.ID, DistrictID: p.DistrictID, StudentID: p.StudentID, Kind: p.Kind, Status: p.Status, SharedAt: p.SharedAt}, err
}

// MemberInput adds a member to a plan's team: a staff member, a guardian, the student, or a
// guest (by name). The family may add guests only: they are announced to the district by it.
type MemberInput struct {
	Role       iep.TeamRole   `json:"role"`
	Also       []iep.TeamRole `json:"also,omitempty"`
	StaffID    string         `json:"staff_id,omitempty"`
	GuardianID string         `json:"guardian_id,omitempty"`
	StudentID  string         `json:"student_id,omitempty"`
	GuestName  string         `json:"guest_name,omitempty"`
	GuestTitle string         `json:"guest_title,omitempty"`
}

// AddTeamMember adds a member to the team of a draft or proposed plan.
func (s *Service) AddTeamMember(ctx context.Context, a Actor, districtID, planID string, in MemberInput) (*iep.TeamMember, error) {
	var c *step
	var p *iep.Plan
	var err error
	if a.IsFamily() {
		c, p, err = s.participate(ctx, a, districtID, planID, iep.StepChangeTeam)
	} else {
		c, p, err = s.planStep(ctx, a, access.EditPlan, districtID, planID, iep.StepChangeTeam)
	}
	if err != nil {
		return nil, err
	}
	m := iep.TeamMember{DistrictID: districtID, PlanID: p.ID, Role: in.Role, Also: in.Also, StaffID: in.StaffID,
		GuardianID: in.GuardianID, StudentID: in.StudentID, GuestName: strings.TrimSpace(in.GuestName),
		GuestTitle: strings.TrimSpace(in.GuestTitle)}
	var ps iep.Problems
	if m.GuestName != "" {
		m.Role, m.InvitedBy, m.AnnouncedOn = iep.TeamGuest, iep.InvitedByDistrict, c.today
		if a.IsFamily() {
			m.InvitedBy = iep.InvitedByFamily
		}
	} else if a.IsFamily() {
		return nil, iep.Errorf(iep.KindForbidden, "the family announces guests; the district adds the other members")
	}
	ps.Nest("", m.Validate())
	switch {
	case m.StaffID != "":
		if st, err := s.db.GetStaff(ctx, districtID, m.StaffID); err != nil || !st.Active {
			ps = append(ps, iep.Problem{Field: "staff_id", Code: iep.CodeInvalid, Detail: "no such active staff member in this district"})
		}
	case m.GuardianID != "":
		links, err := s.db.ListGuardians(ctx, districtID, c.student)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(links, func(l store.GuardianLink) bool { return l.Guardian.ID == m.GuardianID }) {
			ps = append(ps, iep.Problem{Field: "guardian_id", Code: iep.CodeInvalid, Detail: "not a guardian of this student"})
		}
	case m.StudentID != "" && m.StudentID != c.student:
		ps = append(ps, iep.Problem{Field: "student_id", Code: iep.CodeInvalid, Detail: "only the student of this plan"})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	team, err := s.db.ListTeam(ctx, districtID, p.ID)
	if err != nil {
		return nil, err
	}
	for _, x := range team {
		if (m.StaffID != "" && x.StaffID == m.StaffID) || (m.GuardianID != "" && x.GuardianID == m.GuardianID) ||
			(m.StudentID != "" && x.StudentID == m.StudentID) {
			return nil, iep.Problems{{Field: "member", Code: iep.CodeDuplicate, Detail: "already on the team as " + string(x.Role)}}.Err()
		}
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.AddTeamMember(ctx, &m); err != nil {
			return err
		}
		kind := iep.EventMemberAdded
		if m.GuestName != "" {
			kind = iep.EventGuestAnnounced
		}
		if err := c.event(ctx, tx, kind, p.ID, c.today, map[string]any{"member_id": m.ID, "role": m.Role, "invited_by": m.InvitedBy}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "add_team_member", "plan", p.ID)
	})
	return &m, err
}

// ExcusalInput excuses a required member from a meeting (34 CFR 300.321(e)): with the parent's
// written agreement, or when the member's area is discussed, written consent and the member's
// written input before the meeting. The parent agrees in the portal (signed in), or staff
// record the signed paper with its scan.
type ExcusalInput struct {
	AreaDiscussed       bool      `json:"area_discussed"`
	WrittenInputOn      date.Date `json:"written_input_on,omitzero"`
	AgreementDocumentID string    `json:"agreement_document_id,omitempty"` // staff: the signed agreement
	MeetingID           string    `json:"meeting_id,omitempty"`
}

// ExcuseMember records a required member's excusal.
func (s *Service) ExcuseMember(ctx context.Context, a Actor, districtID, planID, memberID string, in ExcusalInput) (*iep.TeamMember, error) {
	c, err := s.beginEither(ctx, a, access.RespondToPlan, access.EditPlan, districtID, "plan", planID)
	if err != nil {
		return nil, err
	}
	p, err := c.plan(ctx, planID)
	if err != nil {
		return nil, err
	}
	if err := iep.CheckPlanStep(p.Status, iep.StepChangeTeam); err != nil {
		return nil, err
	}
	team, err := s.db.ListTeam(ctx, districtID, planID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(team, func(m iep.TeamMember) bool { return m.ID == memberID })
	if i < 0 {
		return nil, iep.Errorf(iep.KindNotFound, "team member %s not found", memberID)
	}
	m := team[i]
	if !slices.ContainsFunc(iep.RequiredTeamRoles, m.Fills) || m.Role == iep.TeamParent {
		return nil, iep.Problems{{Field: "member", Code: iep.CodeInvalid, Detail: "only a required member other than the parent is excused"}}.Err()
	}
	m.Excusal = &iep.Excusal{AreaDiscussed: in.AreaDiscussed, ParentAgreedOn: c.today, WrittenInputOn: in.WrittenInputOn, MeetingID: in.MeetingID}
	var ps iep.Problems
	if in.AreaDiscussed && in.WrittenInputOn.IsZero() {
		ps = append(ps, iep.Problem{Field: "written_input_on", Code: iep.CodeRequired})
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if !a.IsFamily() {
			c.requireDocument(ctx, tx, "agreement_document_id", in.AgreementDocumentID, &ps)
		}
		if err := ps.Err(); err != nil {
			return err
		}
		if err := tx.UpdateTeamMember(ctx, &m); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventMemberExcused, planID, c.today, map[string]any{"member_id": m.ID, "area_discussed": in.AreaDiscussed}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "excuse_team_member", "plan", planID)
	})
	return &m, err
}

// simpleStep moves a plan by a step that needs nothing more than the actor's word (reopen,
// cancel), with its event.
func (s *Service) simpleStep(ctx context.Context, a Actor, districtID, planID string, stp iep.PlanStep, kind iep.EventKind) (*iep.Plan, error) {
	c, p, err := s.planStep(ctx, a, access.EditPlan, districtID, planID, stp)
	if err != nil {
		return nil, err
	}
	to, _ := iep.PlanStepTarget(stp)
	p.Status = to
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdatePlanHeader(ctx, p); err != nil {
			return err
		}
		if err := c.event(ctx, tx, kind, planID, c.today, nil); err != nil {
			return err
		}
		return c.audit(ctx, tx, string(stp), "plan", planID)
	})
	return p, err
}

// ReopenPlan takes a proposed or rejected plan back to a draft to revise it after negotiation;
// a new proposal freezes a new version.
func (s *Service) ReopenPlan(ctx context.Context, a Actor, districtID, planID string) (*iep.Plan, error) {
	return s.simpleStep(ctx, a, districtID, planID, iep.StepReopen, iep.EventPlanReopened)
}

// CancelPlan abandons a draft that was never proposed.
func (s *Service) CancelPlan(ctx context.Context, a Actor, districtID, planID string) (*iep.Plan, error) {
	return s.simpleStep(ctx, a, districtID, planID, iep.StepCancel, iep.EventPlanCancelled)
}
