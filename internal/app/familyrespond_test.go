package app

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// respondFixture is the app fixture with a mother who holds the rights of the first student
// (with an e-mail) and two more students in the district.
type respondFixture struct {
	*fixture
	mother  Actor
	sibling string // another student of the district, not the mother's
}

func newRespondFixture(t *testing.T) *respondFixture {
	t.Helper()
	f := &respondFixture{fixture: newFixture(t, 2)}
	ctx := context.Background()
	students, err := f.svc.db.ListStudents(ctx, f.district, store.StudentFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range students {
		if s.ID != f.student {
			f.sibling = s.ID
		}
	}
	err = f.svc.db.Write(ctx, func(tx *store.Tx) error {
		g := &iep.Guardian{DistrictID: f.district, FirstName: "Mother", LastName: "Of", PreferredLanguage: "es",
			ContactMethods: []iep.ContactMethod{{Kind: iep.ContactEmail, Value: "old@example.org"}, {Kind: iep.ContactEmail, Value: "mother@example.org", Preferred: true}}}
		if err := tx.CreateGuardian(ctx, g); err != nil {
			return err
		}
		f.mother = Actor{Kind: ActorGuardian, ID: g.ID, DistrictID: f.district, AccountID: "mother-account", Address: "198.51.100.7"}
		return tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: f.district, StudentID: f.student, GuardianID: g.ID,
			Relationship: iep.RelMother, HoldsEducationalRights: true, ContactOrder: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// meeting schedules a meeting of the draft at start and returns its id.
func (f *respondFixture) meeting(t *testing.T, start time.Time) string {
	t.Helper()
	mv, err := f.svc.ScheduleMeeting(context.Background(), f.admin, f.district, f.planID, MeetingInput{
		Purposes: []iep.MeetingPurpose{iep.PurposeInitialIEP}, StartsAt: start, Location: "Room 1", ShorterNoticeAgreed: true})
	if err != nil {
		t.Fatal(err)
	}
	return mv.Meeting.ID
}

// audits counts the student's audit entries of an action by an actor.
func (f *respondFixture) audits(t *testing.T, a Actor, action string) int {
	t.Helper()
	es, err := f.svc.db.ListAudit(context.Background(), f.district, f.student, 200)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.ActorID == a.ID && e.Action == action {
			n++
		}
	}
	return n
}

func wantRespondKind(t *testing.T, what string, err error, kind iep.Kind) {
	t.Helper()
	if iep.KindOf(err) != kind {
		t.Errorf("%s: err = %v, want kind %v", what, err, kind)
	}
}

func TestFamilyMeetingUseCases(t *testing.T) {
	f := newRespondFixture(t)
	ctx := context.Background()
	id := f.meeting(t, testNow.Add(72*time.Hour))
	v, err := f.svc.FamilyMeeting(ctx, f.mother, f.district, f.student, id)
	if err != nil {
		t.Fatal(err)
	}
	if !v.MayAnswer || v.Closed != MeetingOpen || v.Language != "es" || v.ReaderID != f.mother.ID || v.Notice == nil ||
		v.CaseManager != "Case Manager" || v.Meeting.InterpreterLanguage != "es" || len(v.Team) != 2 {
		t.Errorf("the family's meeting: %+v", v)
	}
	if n := f.audits(t, f.mother, auditRead); n != 1 {
		t.Errorf("one view, %d read entries", n)
	}
	// Staff, another district, another student's address: not found.
	_, err = f.svc.FamilyMeeting(ctx, f.admin, f.district, f.student, id)
	wantRespondKind(t, "staff", err, iep.KindNotFound)
	_, err = f.svc.FamilyMeeting(ctx, f.mother, f.district, f.sibling, id)
	wantRespondKind(t, "another student's address", err, iep.KindNotFound)
	_, err = f.svc.FamilyMeeting(ctx, Anonymous, f.district, f.student, id)
	wantRespondKind(t, "anonymous", err, iep.KindUnauthenticated)
	_, err = f.svc.RequestInterpreter(ctx, f.admin, f.district, f.student, id, "fr")
	wantRespondKind(t, "staff asking for an interpreter", err, iep.KindNotFound)

	// The reply goes through ReplyToMeeting; another time needs the family's words.
	_, err = f.svc.FamilyReplyToMeeting(ctx, f.mother, f.district, f.student, id, iep.ReplyOtherTimeProposed, "")
	wantRespondKind(t, "another time without words", err, iep.KindInvalid)
	if _, err := f.svc.FamilyReplyToMeeting(ctx, f.mother, f.district, f.student, id, iep.ReplyOtherTimeProposed, "Mornings"); err != nil {
		t.Fatal(err)
	}
	// The interpreter, without changing the reply.
	_, err = f.svc.RequestInterpreter(ctx, f.mother, f.district, f.student, id, "  ")
	wantRespondKind(t, "no language", err, iep.KindInvalid)
	_, err = f.svc.RequestInterpreter(ctx, f.mother, f.district, f.student, id, string(make([]rune, MaxLanguageLength+1)))
	wantRespondKind(t, "a language too long", err, iep.KindInvalid)
	m, err := f.svc.RequestInterpreter(ctx, f.mother, f.district, f.student, id, " pt ")
	if err != nil || m.InterpreterLanguage != "pt" || m.FamilyReply != iep.ReplyOtherTimeProposed {
		t.Errorf("the interpreter request: %+v, %v", m, err)
	}
	// Guests: several, each once, with who they are.
	for _, g := range []GuestInput{{"Ana", "grandmother"}, {"Pat", "advocate"}} {
		if _, err := f.svc.AnnounceGuest(ctx, f.mother, f.district, f.student, id, g); err != nil {
			t.Fatal(err)
		}
	}
	_, err = f.svc.AnnounceGuest(ctx, f.mother, f.district, f.student, id, GuestInput{"guest person", "friend"})
	wantRespondKind(t, "a guest already on the team", err, iep.KindInvalid)
	_, err = f.svc.AnnounceGuest(ctx, f.mother, f.district, f.student, id, GuestInput{"Lee", ""})
	wantRespondKind(t, "a guest without who they are", err, iep.KindInvalid)
	v, err = f.svc.FamilyMeeting(ctx, f.mother, f.district, f.student, id)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range v.FamilyGuests() {
		names = append(names, g.Name+"/"+g.GuestTitle+"/"+g.AnnouncedOn.String())
	}
	if !slices.Equal(names, []string{"Guest Person//", "Ana/grandmother/2026-03-15", "Pat/advocate/2026-03-15"}) {
		t.Errorf("the family's guests: %v", names)
	}
	if !slices.Equal(v.ProposedTimes, []string{"Mornings"}) {
		t.Errorf("the times proposed: %v", v.ProposedTimes)
	}
	events, _ := f.svc.db.ListEvents(ctx, f.district, f.student)
	announced := 0
	for _, e := range events {
		var d map[string]any
		_ = json.Unmarshal(e.Data, &d)
		if e.Kind == iep.EventGuestAnnounced && d["meeting_id"] == id {
			announced++
		}
	}
	if announced != 2 || f.audits(t, f.mother, "announce_guest") != 2 || f.audits(t, f.mother, "request_interpreter") != 1 {
		t.Errorf("ledger %d guests, audit %d guests and %d interpreters", announced, f.audits(t, f.mother, "announce_guest"), f.audits(t, f.mother, "request_interpreter"))
	}
	// A meeting whose time has come takes no answer.
	past := f.meeting(t, testNow.Add(-time.Hour))
	_, err = f.svc.AnnounceGuest(ctx, f.mother, f.district, f.student, past, GuestInput{"Sam", "uncle"})
	wantRespondKind(t, "a meeting begun", err, iep.KindConflict)
	if v, err := f.svc.FamilyMeeting(ctx, f.mother, f.district, f.student, past); err != nil || v.Closed != MeetingIsPast {
		t.Errorf("a meeting begun: %v, %v", v.Closed, err)
	}
	if _, err := f.svc.FamilyMeetingInvitation(ctx, f.mother, f.district, f.student, id); err != nil {
		t.Errorf("the invitation: %v", err)
	}
	_, err = f.svc.FamilyMeetingInvitation(ctx, f.mother, f.district, f.sibling, id)
	wantRespondKind(t, "the invitation under another student's address", err, iep.KindNotFound)
}

func TestFamilyProposals(t *testing.T) {
	for notes, want := range map[string][]string{
		"":                         nil,
		"Family proposed: Mondays": {"Mondays"},
		"staff note\nFamily proposed: A\nFamily proposed: B\nFamily proposed: ": {"A", "B"},
	} {
		if got := familyProposals(notes); !slices.Equal(got, want) {
			t.Errorf("familyProposals(%q) = %v, want %v", notes, got, want)
		}
	}
}

func TestClosedState(t *testing.T) {
	now := testNow
	for _, c := range []struct {
		m    iep.Meeting
		want MeetingClosed
	}{
		{iep.Meeting{Status: iep.MeetingScheduled, StartsAt: now.Add(time.Minute)}, MeetingOpen},
		{iep.Meeting{Status: iep.MeetingProposed, StartsAt: now.Add(time.Hour)}, MeetingOpen},
		{iep.Meeting{Status: iep.MeetingScheduled, StartsAt: now}, MeetingIsPast},
		{iep.Meeting{Status: iep.MeetingHeld, StartsAt: now.Add(time.Hour)}, MeetingWasHeld},
		{iep.Meeting{Status: iep.MeetingCancelled, StartsAt: now.Add(time.Hour)}, MeetingWasCancelled},
	} {
		if got := closedState(&c.m, now); got != c.want {
			t.Errorf("closedState(%s at %s) = %q, want %q", c.m.Status, c.m.StartsAt, got, c.want)
		}
	}
}

// propose freezes the fixture's draft as its first version and records the proposal and its
// notice as Propose does (the draft is not whole: the family's answer is what is tested here).
func (f *respondFixture) propose(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var sha string
	err := f.svc.db.Write(ctx, func(tx *store.Tx) error {
		v, err := tx.FreezePlan(ctx, f.district, f.planID, "cm")
		if err != nil {
			return err
		}
		p, err := tx.GetPlan(ctx, f.district, f.planID)
		if err != nil {
			return err
		}
		p.Status, p.CurrentVersion, sha = iep.StatusProposed, v.Number, v.SHA256
		if err := tx.UpdatePlanHeader(ctx, p); err != nil {
			return err
		}
		n := iep.Notice{DistrictID: f.district, StudentID: f.student, PlanID: f.planID, Kind: iep.NoticePriorWritten, Language: "es",
			SentOn: date.MustParse("2026-03-15"), Action: "a", Reasons: "r", BasedOn: "b", OptionsConsidered: "o", Safeguards: "s", HelpSources: "h"}
		if err := tx.CreateNotice(ctx, &n); err != nil {
			return err
		}
		data, _ := json.Marshal(map[string]any{"version": v.Number, "sha256": v.SHA256, "notice_id": n.ID})
		return tx.AppendEvent(ctx, &iep.Event{DistrictID: f.district, StudentID: f.student, PlanID: f.planID, Kind: iep.EventPlanProposed,
			OccurredOn: n.SentOn, ActorID: "cm", Data: data})
	})
	if err != nil {
		t.Fatal(err)
	}
	return sha
}

func TestFamilyProposalAndAnswer(t *testing.T) {
	f := newRespondFixture(t)
	ctx := context.Background()
	// Nothing proposed yet: nothing to answer.
	_, err := f.svc.FamilyProposal(ctx, f.mother, f.district, f.student, f.planID)
	wantRespondKind(t, "a draft never proposed", err, iep.KindNotFound)
	sha := f.propose(t)
	p, err := f.svc.FamilyProposal(ctx, f.mother, f.district, f.student, f.planID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Number != 1 || p.SHA256 != sha || p.Version == nil || !p.MayRespond || !p.Open() || p.Answered() || p.Notice == nil ||
		p.ProposedOn.String() != "2026-03-15" || p.ResponseDue.String() != "2026-04-14" || !p.SilenceRejects || p.Status != iep.StatusProposed ||
		len(p.Sections) != len(iep.Sections)-1 || p.ServicesStart != nil || p.CaseManager != "Case Manager" {
		t.Errorf("the proposal: %+v", p)
	}
	if n := f.audits(t, f.mother, auditRead); n != 1 {
		t.Errorf("one view, %d read entries", n)
	}
	_, err = f.svc.FamilyProposal(ctx, f.admin, f.district, f.student, f.planID)
	wantRespondKind(t, "staff", err, iep.KindNotFound)
	_, err = f.svc.FamilyProposal(ctx, f.mother, f.district, f.sibling, f.planID)
	wantRespondKind(t, "another student's address", err, iep.KindNotFound)
	_, err = f.svc.FamilyRespond(ctx, f.mother, f.district, f.sibling, f.planID, ResponseInput{})
	wantRespondKind(t, "an answer under another student's address", err, iep.KindNotFound)
	_, err = f.svc.FamilyRespond(ctx, f.admin, f.district, f.student, f.planID, ResponseInput{})
	wantRespondKind(t, "staff answering in the portal", err, iep.KindNotFound)

	in := ResponseInput{VersionSHA256: sha, Decision: iep.AcceptInFull, GuardianID: "someone-else",
		Signature: SignatureInput{TypedName: "Mother Of", Attest: true}}
	ans, err := f.svc.FamilyRespond(ctx, f.mother, f.district, f.student, f.planID, in)
	if err != nil {
		t.Fatal(err)
	}
	if ans.ReceiptTo != "mother@example.org" || ans.ReceiptErr != nil || ans.Response.GuardianID != f.mother.ID ||
		ans.Response.Signature.FromAddress != "198.51.100.7" {
		t.Errorf("the answer: receipt to %q (%v), %+v", ans.ReceiptTo, ans.ReceiptErr, ans.Response)
	}
	mails, err := f.svc.db.ListOutbox(ctx, f.district, 50)
	if err != nil {
		t.Fatal(err)
	}
	receipts := 0
	for _, m := range mails {
		if m.Kind == receiptKind && m.To == "mother@example.org" && m.Subject == "Comprobante: su respuesta al IEP propuesto (Usted aceptó todo el IEP)" {
			receipts++
		}
	}
	if receipts != 1 {
		t.Errorf("%d receipts in the outbox: %+v", receipts, mails)
	}
	p, err = f.svc.FamilyProposal(ctx, f.mother, f.district, f.student, f.planID)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Answered() || p.Mine.Decision != iep.AcceptInFull || p.Status != iep.StatusAccepted || !p.Plan.Status.InEffect() ||
		len(p.Answers) != 1 || p.ServicesStart == nil || p.ServicesStart.Due.IsZero() {
		t.Errorf("after the answer: %+v", p)
	}
}

// TestFamilyAnswerByTheAdultStudent: once the student is an adult, they answer for themselves;
// the parent who held the rights no longer may (and, without the student sharing, cannot read).
func TestFamilyAnswerByTheAdultStudent(t *testing.T) {
	f := newRespondFixture(t)
	ctx := context.Background()
	sha := f.propose(t)
	err := f.svc.db.Write(ctx, func(tx *store.Tx) error {
		st, err := tx.GetStudent(ctx, f.district, f.student)
		if err != nil {
			return err
		}
		st.BirthDate = date.MustParse("2007-01-01")
		return tx.UpdateStudent(ctx, st)
	})
	if err != nil {
		t.Fatal(err)
	}
	student := Actor{Kind: ActorStudent, ID: f.student, DistrictID: f.district, AccountID: "student-account"}
	p, err := f.svc.FamilyProposal(ctx, student, f.district, f.student, f.planID)
	if err != nil || !p.MayRespond || p.Reason != "adult_student" {
		t.Fatalf("the adult student's proposal: %+v, %v", p, err)
	}
	_, err = f.svc.FamilyProposal(ctx, f.mother, f.district, f.student, f.planID)
	wantRespondKind(t, "the parent after the transfer", err, iep.KindForbidden)
	ans, err := f.svc.FamilyRespond(ctx, student, f.district, f.student, f.planID, ResponseInput{VersionSHA256: sha,
		Decision: iep.RejectInFull, Signature: SignatureInput{TypedName: "F L000", Attest: true}})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Response.StudentID != f.student || ans.Response.GuardianID != "" || ans.ReceiptTo != "" || ans.ReceiptErr != nil {
		t.Errorf("the adult student's answer: %+v, receipt %q %v", ans.Response, ans.ReceiptTo, ans.ReceiptErr)
	}
	p, err = f.svc.FamilyProposal(ctx, student, f.district, f.student, f.planID)
	if err != nil || p.Mine == nil || p.Status != iep.StatusRejected {
		t.Errorf("after the answer: %+v, %v", p, err)
	}
}

// TestReceiptNamesTheAdultStudentOnce: the receipt to an adult student who answered greets them
// by their name as shown everywhere ("First Last"); it said their last name twice.
func TestReceiptNamesTheAdultStudentOnce(t *testing.T) {
	f := newRespondFixture(t)
	ctx := context.Background()
	sha := f.propose(t)
	var st *iep.Student
	acc := store.Account{DistrictID: f.district, Kind: store.AccountStudent, SubjectID: f.student, Email: "adult.student@example.org"}
	err := f.svc.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if st, err = tx.GetStudent(ctx, f.district, f.student); err != nil {
			return err
		}
		st.BirthDate = date.MustParse("2007-01-01")
		if err := tx.UpdateStudent(ctx, st); err != nil {
			return err
		}
		return tx.CreateAccount(ctx, &acc, store.AuditActor{Kind: "system", ID: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
	student := Actor{Kind: ActorStudent, ID: f.student, DistrictID: f.district, AccountID: acc.ID}
	ans, err := f.svc.FamilyRespond(ctx, student, f.district, f.student, f.planID, ResponseInput{VersionSHA256: sha,
		Decision: iep.AcceptInFull, Signature: SignatureInput{TypedName: st.DisplayName(), Attest: true}})
	if err != nil || ans.ReceiptTo != "adult.student@example.org" {
		t.Fatalf("the answer: receipt to %q, %v", ans.ReceiptTo, err)
	}
	mails, err := f.svc.db.ClaimMail(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if m.Kind != receiptKind {
			continue
		}
		if !strings.Contains(m.BodyText, st.DisplayName()+",") && !strings.Contains(m.BodyText, st.DisplayName()+":") {
			t.Errorf("the receipt does not greet %q:\n%s", st.DisplayName(), m.BodyText)
		}
		if strings.Contains(m.BodyText, st.DisplayName()+" "+st.LastName) {
			t.Errorf("the receipt names the student's last name twice:\n%s", m.BodyText)
		}
		return
	}
	t.Fatalf("no receipt among %d mails", len(mails))
}
