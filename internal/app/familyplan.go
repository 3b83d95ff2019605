package app

// The family's plan pages: one plan of a child as the family reads it (with the discussion of a
// draft), the family's own editor of the concerns and vision, their comments and suggested
// changes. Every use case here is for families only (staff get not found: their page of a plan is
// the editor), takes the child of the URL and refuses a plan of another child as not found, and
// goes through the one seam of the access policy (begin) before it reads anything.

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// FamilyPlanView is what the family's page of one plan shows: the plan whole, where it stands,
// the discussion of a draft (comments and the family's suggested changes with the team's
// answers), the names of everyone in it, and the child's other plans.
type FamilyPlanView struct {
	District iep.District
	Student  iep.Student
	Today    date.Date
	// Plan is the plan shown; nil when the child has no plan the family may read yet.
	Plan *iep.Plan
	// Open is set when Plan is being written (a draft shared with the family) or waits for the
	// family's answer (proposed).
	Open bool
	// Earlier are the child's other plans the family may read, newest first (headers only).
	Earlier     []iep.Plan
	PlanSchool  *iep.School // the school the placement names (or the plan's school); nil if none
	CaseManager string      // the case manager's name; "" when none is recorded
	Totals      ServiceTotals
	Comments    []iep.Comment          // oldest first
	Suggestions []FamilySuggestionView // the family's suggestions, newest first
	// Names resolves the ids of the comments' and suggestions' authors and of the team members
	// who answered (staff, guardians, the student).
	Names map[string]string
	// ReaderID is the guardian's or the adult student's id ("you" on the page).
	ReaderID string
	// MayWrite is set when the reader takes part in writing the plan (a guardian with the
	// rights, an adult student): comment, suggest, write the concerns; a parent reading what an
	// adult student shares reads only.
	MayWrite bool
	// Answered is set when the reader has answered the proposed plan's current version;
	// AnswerBy is the day the answer is due, when the clocks say so.
	Answered bool
	AnswerBy date.Date
}

// FamilySuggestionView is a suggested change of the family's with what it changes: Before is
// the section it is compared with (the plan now while it waits or was answered; once taken in,
// the section as the family read it, from the section's history, or After itself when the
// history merged that revision into a later one of the same sitting), After the section as
// suggested.
type FamilySuggestionView struct {
	SuggestionView
	Before, After iep.Content
}

// Editable reports whether the family may write in the plan shown now: comment (draft or
// proposed), and suggest changes and write the concerns (draft).
func (v *FamilyPlanView) Editable() bool {
	return v.MayWrite && v.Plan != nil && v.Plan.Status == iep.StatusDraft
}

// familySees reports whether the family may see plan p: never a draft the team has not shared
// with them, nor a plan cancelled before it was ever shared or proposed.
func familySees(p *iep.Plan) bool {
	switch p.Status {
	case iep.StatusDraft:
		return !p.SharedAt.IsZero()
	case iep.StatusCancelled:
		return !p.SharedAt.IsZero() || p.CurrentVersion > 0
	}
	return true
}

// familyStep begins a family use case on a child: the reader must be the family (staff get not
// found: family pages are the family's), and the policy must let them take act on the child.
func (s *Service) familyStep(ctx context.Context, a Actor, act access.Action, districtID, studentID string) (*step, error) {
	if err := familyReader(a); err != nil {
		return nil, err
	}
	return s.begin(ctx, a, act, districtID, "student", studentID)
}

// familyPlan returns a plan of the step's child that the family may see, whole. A plan of
// another child, or one the family may not see yet, is not found.
func (c *step) familyPlan(ctx context.Context, planID string) (*iep.Plan, error) {
	p, err := c.plan(ctx, planID)
	if err == nil && !familySees(p) {
		err = iep.Errorf(iep.KindNotFound, "plan %s not found", planID)
	}
	return p, err
}

// mayWrite reports whether the policy's decision lets the family write in the plan (the
// participate action's reasons).
func (c *step) mayWrite() bool {
	return c.d.Reason == access.ReasonGuardianWithRights || c.d.Reason == access.ReasonAdultStudent
}

// FamilyPlan returns the plan of a child that the family reads: planID, or with planID "" the
// one to read now — the open plan (a draft shared with the family, a plan proposed to them),
// else the plan in effect, else none (Plan nil). Audited once, as a read of the plan shown (of
// the student when there is none).
//
// Errors: not found for staff, for a child who is not the reader's, for another child's plan
// and for a plan the family may not see yet; the policy's kinds.
func (s *Service) FamilyPlan(ctx context.Context, a Actor, districtID, studentID, planID string) (*FamilyPlanView, error) {
	c, err := s.familyStep(ctx, a, access.ViewRecord, districtID, studentID)
	if err != nil {
		return nil, err
	}
	d, st, err := c.subject(ctx)
	if err != nil {
		return nil, err
	}
	v := &FamilyPlanView{District: *d, Student: *st, Today: c.today, ReaderID: a.ID, MayWrite: c.mayWrite(),
		Names: map[string]string{}}
	plans, err := s.db.ListPlans(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	plans = slices.DeleteFunc(plans, func(p iep.Plan) bool { return !familySees(&p) })
	shown := planID
	if shown == "" {
		shown = readNow(plans)
	}
	if shown != "" {
		if v.Plan, err = c.familyPlan(ctx, shown); err != nil {
			return nil, err
		}
		if err := s.readFamilyPlan(ctx, c, v); err != nil {
			return nil, err
		}
	}
	for _, p := range plans {
		if p.ID != shown {
			v.Earlier = append(v.Earlier, p)
		}
	}
	if v.Plan == nil {
		return v, c.readAudit(ctx, auditStudent, studentID)
	}
	return v, c.readAudit(ctx, "plan", v.Plan.ID)
}

// readNow picks the plan the family should read now from the plans they may see: the open one,
// else the one in effect; "" for none.
func readNow(plans []iep.Plan) string {
	for _, p := range plans {
		if p.Status == iep.StatusDraft || p.Status == iep.StatusProposed {
			return p.ID
		}
	}
	if p := newestInEffect(plans); p != nil {
		return p.ID
	}
	return ""
}

// readFamilyPlan reads what the page of v.Plan shows besides the plan itself.
func (s *Service) readFamilyPlan(ctx context.Context, c *step, v *FamilyPlanView) error {
	p := v.Plan
	v.Open = p.Status == iep.StatusDraft || p.Status == iep.StatusProposed
	v.Totals = TotalServices(p.Content.Services.Lines, 0)
	var err error
	if v.PlanSchool, err = s.optionalSchool(ctx, c.district, cmp.Or(p.Content.Placement.SchoolID, p.SchoolID)); err != nil {
		return err
	}
	if v.CaseManager, err = s.staffName(ctx, c.district, p.CaseManagerID); err != nil {
		return err
	}
	if v.Comments, err = s.db.ListComments(ctx, c.district, p.ID); err != nil {
		return err
	}
	sugs, err := s.db.ListSuggestions(ctx, c.district, p.ID)
	if err != nil {
		return err
	}
	if err := s.familySuggestions(ctx, c, v, sugs); err != nil {
		return err
	}
	if p.Status == iep.StatusProposed {
		if err := s.familyAnswer(ctx, c, v); err != nil {
			return err
		}
	}
	return s.familyNames(ctx, c, v)
}

// familySuggestions keeps the family's side of the suggestions, newest first, each with the
// section it is compared with. A change taken in is compared with the revision the family read
// (one read of the section's history per section that has one).
func (s *Service) familySuggestions(ctx context.Context, c *step, v *FamilyPlanView, sugs []iep.Suggestion) error {
	history := map[iep.SectionKind][]store.SectionRevision{}
	for _, sg := range sugs {
		if sg.AuthorKind == iep.AuthorStaff {
			continue
		}
		fs := FamilySuggestionView{SuggestionView: SuggestionView{Suggestion: sg, Content: sg.Content}, Before: v.Plan.Content}
		if fs.After.Section(sg.Section) == nil || json.Unmarshal(sg.Content, fs.After.Section(sg.Section)) != nil {
			continue // a section this version does not know
		}
		if sg.Status == iep.SuggestionAccepted {
			revs, ok := history[sg.Section]
			if !ok {
				var err error
				if revs, err = s.db.SectionHistory(ctx, c.district, v.Plan.ID, sg.Section); err != nil {
					return err
				}
				history[sg.Section] = revs
			}
			// The section as the family read it, when its history still holds that revision
			// (saves of one sitting are one revision there); otherwise no words are compared.
			fs.Before = fs.After
			for _, r := range revs {
				if r.Revision == sg.BaseRevision {
					fs.Before = iep.Content{}
					_ = json.Unmarshal(r.Content, fs.Before.Section(sg.Section))
				}
			}
		}
		v.Suggestions = append(v.Suggestions, fs)
	}
	slices.Reverse(v.Suggestions)
	return nil
}

// familyAnswer says whether the reader has answered the proposed plan, and by when the answer
// is due.
func (s *Service) familyAnswer(ctx context.Context, c *step, v *FamilyPlanView) error {
	rs, err := s.db.ListResponses(ctx, c.district, v.Plan.ID)
	if err != nil {
		return err
	}
	mine := slices.ContainsFunc(rs, func(r iep.Response) bool { return r.GuardianID == c.a.ID || r.StudentID == c.a.ID })
	if mine { // an answer counts for the version proposed now (a plan proposed again is asked anew)
		vs, err := s.db.ListVersions(ctx, c.district, v.Plan.ID)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if len(vs) > 0 && r.VersionID == vs[len(vs)-1].ID && (r.GuardianID == c.a.ID || r.StudentID == c.a.ID) {
				v.Answered = true
			}
		}
	}
	ds, err := s.db.ListStudentDeadlines(ctx, c.district, c.student)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Clock == "parent_response" && d.Open() && (d.PlanID == "" || d.PlanID == v.Plan.ID) {
			v.AnswerBy = d.Due
		}
	}
	return nil
}

// familyNames resolves the authors of the comments and suggestions and those who answered:
// the child's guardians and the child from one read, staff one by one.
func (s *Service) familyNames(ctx context.Context, c *step, v *FamilyPlanView) error {
	gs, err := s.db.ListGuardians(ctx, c.district, c.student)
	if err != nil {
		return err
	}
	for _, g := range gs {
		v.Names[g.ID] = g.Name()
	}
	v.Names[v.Student.ID] = v.Student.DisplayName()
	var ids []string
	for _, cm := range v.Comments {
		ids = append(ids, cm.AuthorID)
	}
	for _, sg := range v.Suggestions {
		ids = append(ids, sg.AuthorID, sg.DecidedBy)
	}
	for _, id := range ids {
		if _, known := v.Names[id]; known || id == "" {
			continue
		}
		name, err := s.staffName(ctx, c.district, id)
		if err != nil {
			return err
		}
		v.Names[id] = name
	}
	return nil
}

// FamilyWords are the concerns-and-vision fields the family writes, in their own words.
type FamilyWords struct {
	ParentConcerns      string
	StudentConcerns     string
	StudentVision       string
	PostSecondaryVision string
}

// WordsOf are the family's fields of a concerns section.
func WordsOf(c *iep.Concerns) FamilyWords {
	return FamilyWords{c.ParentConcerns, c.StudentConcerns, c.StudentVision, c.PostSecondaryVision}
}

// apply writes w into the family's fields of c, leaving the team's as they are.
func (w FamilyWords) apply(c *iep.Concerns) {
	c.ParentConcerns, c.StudentConcerns, c.StudentVision, c.PostSecondaryVision =
		w.ParentConcerns, w.StudentConcerns, w.StudentVision, w.PostSecondaryVision
}

// Fingerprint identifies the words exactly (a SHA-256 of each field, length first), so that a
// page can say which text it was showing without sending it back.
func (w FamilyWords) Fingerprint() string {
	h := sha256.New()
	for _, f := range []string{w.ParentConcerns, w.StudentConcerns, w.StudentVision, w.PostSecondaryVision} {
		var n [8]byte
		for i, l := 0, uint64(len(f)); i < 8; i++ {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// FamilyConcernsView is the family's editor of the concerns and vision: the section as stored,
// its revision, and whether the family may write it now.
type FamilyConcernsView struct {
	District iep.District
	Student  iep.Student
	Plan     *iep.Plan // the header and every section
	Revision int       // the concerns section's revision
	// Writable is set while the plan is a draft shared with the family and the reader takes
	// part in writing it; otherwise the page is read-only and says why.
	Writable bool
	MayWrite bool
	// WrittenBy names who wrote the family's words ("" when the team has written them, or
	// nobody yet); WrittenByYou is set when it was the reader.
	WrittenBy    string
	WrittenByYou bool
}

// FamilyConcerns returns the family's editor of a plan's concerns and vision, audited as a read
// of the plan. Errors: as FamilyPlan.
func (s *Service) FamilyConcerns(ctx context.Context, a Actor, districtID, studentID, planID string) (*FamilyConcernsView, error) {
	c, err := s.familyStep(ctx, a, access.ViewRecord, districtID, studentID)
	if err != nil {
		return nil, err
	}
	p, err := c.familyPlan(ctx, planID)
	if err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	v := &FamilyConcernsView{District: *d, Student: *st, Plan: p, Revision: p.SectionRevisions[iep.SectionConcerns],
		MayWrite: c.mayWrite()}
	v.Writable = v.MayWrite && p.Status == iep.StatusDraft
	if by := p.Content.Concerns.WrittenBy; by != "" {
		v.WrittenByYou = by == a.ID
		if v.WrittenBy, err = s.guardianName(ctx, districtID, studentID, by); err != nil {
			return nil, err
		}
		if by == st.ID {
			v.WrittenBy = st.DisplayName()
		}
	}
	return v, c.readAudit(ctx, "plan", p.ID)
}

// ConcernsInput is a save of the family's words: the four fields as typed (kept exactly: no
// trimming, no length limit), the section's revision the page was showing, and the
// fingerprint of the family's words at that revision (FamilyWords.Fingerprint).
type ConcernsInput struct {
	Words        FamilyWords
	BaseRevision int
	Read         string
}

// ConcernsSaved is a save that landed: the section's new revision, the fingerprint of the
// words now stored, and when, in the district's time zone.
type ConcernsSaved struct {
	Revision int
	Read     string
	At       time.Time
}

// ConcernsConflict is a save refused because someone else changed the family's words since the
// page read them (another guardian, or the team before the family first wrote): nothing is
// written, and the other text comes back beside the reader's.
type ConcernsConflict struct {
	*iep.ConflictError
	Theirs FamilyWords
	By     string // who saved them, by name; "" when unknown
	Read   string // the fingerprint of Theirs: saving with it and Revision keeps the reader's words
}

func (e *ConcernsConflict) Unwrap() error { return e.ConflictError }

// SaveFamilyConcerns stores the family's words in the concerns and vision section of a draft
// shared with them, exactly as typed; the team's fields stay as they are (SaveSection's rules).
// When the section moved on since the page read it only in the team's fields (the family's
// words there are still the ones the page read), the words are saved on the newer revision:
// nobody's text is lost. When the family's words themselves changed, the answer is a
// *ConcernsConflict with both texts.
//
// Errors: as FamilyPlan; forbidden for a reader who reads only; conflict when the plan is no
// longer a draft; *ConcernsConflict.
func (s *Service) SaveFamilyConcerns(ctx context.Context, a Actor, districtID, studentID, planID string, in ConcernsInput) (*ConcernsSaved, error) {
	c, err := s.familyStep(ctx, a, access.Participate, districtID, studentID)
	if err != nil {
		return nil, err
	}
	p, err := c.familyPlan(ctx, planID)
	if err != nil {
		return nil, err
	}
	if err := iep.CheckPlanStep(p.Status, iep.StepEditSection); err != nil {
		return nil, err
	}
	stored := p.Content.Concerns
	base := in.BaseRevision
	if rev := p.SectionRevisions[iep.SectionConcerns]; base == rev && WordsOf(&stored) == in.Words {
		return &ConcernsSaved{Revision: rev, Read: in.Words.Fingerprint(), At: s.now().In(c.loc)}, nil // nothing changed
	}
	for range 3 {
		in.Words.apply(&stored)
		content, err := json.Marshal(stored)
		if err != nil {
			return nil, err
		}
		rev, err := s.SaveSection(ctx, a, districtID, planID, iep.SectionConcerns, SectionInput{BaseRevision: base, Content: content})
		var ce *iep.ConflictError
		if !errors.As(err, &ce) {
			if err != nil {
				return nil, err
			}
			return &ConcernsSaved{Revision: rev, Read: in.Words.Fingerprint(), At: s.now().In(c.loc)}, nil
		}
		var now iep.Concerns
		if err := json.Unmarshal(ce.Current, &now); err != nil {
			return nil, err
		}
		if in.Read == "" || WordsOf(&now).Fingerprint() != in.Read {
			cc := &ConcernsConflict{ConflictError: ce, Theirs: WordsOf(&now), Read: WordsOf(&now).Fingerprint()}
			if cc.By, err = s.staffName(ctx, districtID, ce.CurrentBy); err == nil && cc.By == "" {
				cc.By, err = s.guardianName(ctx, districtID, studentID, ce.CurrentBy)
			}
			if err != nil {
				return nil, err
			}
			return nil, cc
		}
		stored, base = now, ce.CurrentRevision // only the team's fields moved: save on theirs
	}
	return nil, iep.Errorf(iep.KindConflict, "the section keeps changing; try again")
}

// FamilyComment adds the family's comment (or reply) to a section of a plan of the child: see
// Comment. Errors: as FamilyPlan; the step's and the comment's.
func (s *Service) FamilyComment(ctx context.Context, a Actor, districtID, studentID, planID string, in CommentInput) (*iep.Comment, error) {
	c, err := s.familyStep(ctx, a, access.Participate, districtID, studentID)
	if err != nil {
		return nil, err
	}
	if _, err := c.familyPlan(ctx, planID); err != nil {
		return nil, err
	}
	return s.Comment(ctx, a, districtID, planID, in)
}

// FamilySuggestionInput is a change the family suggests to a section: the revision they read,
// why (optional), and the change itself, made by Edit on a copy of the section as stored (the
// web binds the form's text fields onto it); Edit reports what it could not read, by field.
type FamilySuggestionInput struct {
	Section      iep.SectionKind
	BaseRevision int
	Note         string
	Edit         func(section any) iep.Problems
}

// FamilySuggest records a change the family suggests to a section of a draft shared with them
// (Suggest), built from the section as stored with the family's edit on it. When the section
// moved on since the revision they read, nothing is recorded and the answer is an
// *iep.ConflictError carrying their text and the current one, so that they can look again. A
// suggestion that changes nothing and says nothing is refused at "note" (code "unchanged").
//
// Errors: as FamilyPlan; invalid (by field); *iep.ConflictError; the step's.
func (s *Service) FamilySuggest(ctx context.Context, a Actor, districtID, studentID, planID string, in FamilySuggestionInput) (*SuggestionView, error) {
	c, err := s.familyStep(ctx, a, access.Participate, districtID, studentID)
	if err != nil {
		return nil, err
	}
	p, err := c.familyPlan(ctx, planID)
	if err != nil {
		return nil, err
	}
	var edited iep.Content // a copy of the section as stored, sharing nothing with it
	sec := edited.Section(in.Section)
	if sec == nil || in.Section == iep.SectionConcerns {
		return nil, iep.Problems{{Field: "section", Code: iep.CodeChoice}}.Err()
	}
	stored, err := iep.EncodeSection(&p.Content, in.Section)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(stored, sec); err != nil {
		return nil, err
	}
	var ps iep.Problems
	if in.Edit != nil {
		ps = in.Edit(sec)
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	content, err := iep.EncodeSection(&edited, in.Section)
	if err != nil {
		return nil, err
	}
	if rev := p.SectionRevisions[in.Section]; rev != in.BaseRevision && p.Status == iep.StatusDraft {
		return nil, &iep.ConflictError{Section: in.Section, YourRevision: in.BaseRevision, CurrentRevision: rev,
			Yours: content, Current: stored}
	}
	if string(stored) == string(content) && in.Note == "" {
		return nil, iep.Problems{{Field: "note", Code: "unchanged"}}.Err()
	}
	return s.Suggest(ctx, a, districtID, planID, SuggestionInput{Section: in.Section, BaseRevision: in.BaseRevision,
		Content: content, Note: in.Note})
}

// FamilyChildHeader is the header of a child's family page that shows no record (the glossary): the
// district and the child's directory entry, for the navigation. Audited as a directory read.
func (s *Service) FamilyChildHeader(ctx context.Context, a Actor, districtID, studentID string) (*iep.District, *iep.Student, error) {
	c, err := s.familyStep(ctx, a, access.ViewRecord, districtID, studentID)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return nil, nil, err
	}
	dir := directoryView(*st)
	return d, &dir, s.audit(ctx, a, c.d, auditReadDirectory, auditStudent, studentID, districtID, studentID)
}
