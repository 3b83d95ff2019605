package web

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/iep"
)

// Errors most operations can answer, for the document.
var (
	readErrors  = []int{403, 404}
	writeErrors = []int{400, 403, 404, 409}
)

// apiTable is every operation of the JSON API, in the order of the process.
func (s *server) apiTable() []apiRoute {
	svc := s.svc
	return []apiRoute{
		// The student's process and deadlines.
		{apiOp{Method: "GET", Path: "/api/v1/students/{student}/process", Tag: "Process", Summary: "The student's process: referrals, evaluations, eligibility, consents, notices, plans, meetings, documents and the ledger",
			Response: app.ProcessView{}, Errors: readErrors},
			getJSON(func(r *http.Request, a app.Actor, d string) (*app.ProcessView, error) {
				return svc.Process(r.Context(), a, d, r.PathValue("student"))
			})},
		{apiOp{Method: "GET", Path: "/api/v1/students/{student}/deadlines", Tag: "Process", Summary: "The student's deadlines on the district's calendar",
			Response: deadlinesJSON{}, Errors: readErrors}, s.studentDeadlinesJSON},
		{apiOp{Method: "GET", Path: "/api/v1/students/{student}/services", Tag: "Plans", Summary: "The services the school must deliver now (accepted lines, and the previous plan's for rejected parts)",
			Response: []iep.EffectiveLine{}, Errors: readErrors},
			getJSON(func(r *http.Request, a app.Actor, d string) ([]iep.EffectiveLine, error) {
				return svc.ServicesInEffect(r.Context(), a, d, r.PathValue("student"))
			})},

		// Documents.
		{apiOp{Method: "POST", Path: "/api/v1/students/{student}/documents", Tag: "Documents", Summary: "Upload a document (report, outside evaluation, signed page)",
			Doc:     "The body is the file itself; its type in Content-Type. Taken: PDF, PNG, JPEG, TIFF, plain text, DOCX, up to 20 MiB; the content must be what the name says.",
			RawBody: "application/octet-stream", Query: []apiParam{{Name: "name", Doc: "the file's name, with its extension", Required: true}},
			Response: iep.Document{}, Status: 201, Errors: []int{400, 403, 404, 413}}, s.uploadDocument},
		{apiOp{Method: "GET", Path: "/api/v1/documents/{document}", Tag: "Documents", Summary: "Download a document",
			Produces: "application/octet-stream", Errors: readErrors}, s.downloadDocument},

		// Before the plan.
		{apiOp{Method: "POST", Path: "/api/v1/students/{student}/referrals", Tag: "Evaluation", Summary: "Refer the student for an evaluation (staff, or the parent)",
			Request: app.ReferralInput{}, Response: iep.Referral{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.ReferralInput) (*iep.Referral, error) {
				return svc.Refer(r.Context(), a, d, r.PathValue("student"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/students/{student}/evaluations", Tag: "Evaluation", Summary: "Send the notice and the request for consent to evaluate",
			Request: app.ConsentRequestInput{}, Response: app.EvaluationView{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.ConsentRequestInput) (*app.EvaluationView, error) {
				return svc.RequestEvaluationConsent(r.Context(), a, d, r.PathValue("student"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/evaluations/{evaluation}/consent", Tag: "Evaluation", Summary: "The parent's consent to evaluate, or refusal (signed; or paper recorded by staff)",
			Request: app.ConsentAnswer{}, Response: app.EvaluationView{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, in app.ConsentAnswer) (*app.EvaluationView, error) {
				return svc.AnswerEvaluationConsent(r.Context(), a, d, r.PathValue("evaluation"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/evaluations/{evaluation}/consent-request", Tag: "Evaluation", Summary: "Ask a family that refused consent once more, with a new notice",
			Request: app.NoticeInput{}, Response: app.EvaluationView{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, in app.NoticeInput) (*app.EvaluationView, error) {
				return svc.AskConsentAgain(r.Context(), a, d, r.PathValue("evaluation"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/evaluations/{evaluation}/assessments", Tag: "Evaluation", Summary: "Assign an area to an evaluator, due when the evaluation is due",
			Request: app.AssignmentInput{}, Response: iep.Evaluation{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, in app.AssignmentInput) (*iep.Evaluation, error) {
				return svc.AssignAssessment(r.Context(), a, d, r.PathValue("evaluation"), in)
			})},
		{apiOp{Method: "PUT", Path: "/api/v1/evaluations/{evaluation}/assessments/{area}", Tag: "Evaluation", Summary: "The evaluator's report on an area",
			Request: app.AssessmentReport{}, Response: iep.Evaluation{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, in app.AssessmentReport) (*iep.Evaluation, error) {
				return svc.ReportAssessment(r.Context(), a, d, r.PathValue("evaluation"), r.PathValue("area"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/evaluations/{evaluation}/share-summaries", Tag: "Evaluation", Summary: "Give the family the summaries of the reported assessments",
			Response: iep.Evaluation{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, _ none) (*iep.Evaluation, error) {
				return svc.ShareSummaries(r.Context(), a, d, r.PathValue("evaluation"))
			})},
		{apiOp{Method: "POST", Path: "/api/v1/evaluations/{evaluation}/complete", Tag: "Evaluation", Summary: "Complete the evaluation (every area reported)",
			Response: iep.Evaluation{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, _ none) (*iep.Evaluation, error) {
				return svc.CompleteEvaluation(r.Context(), a, d, r.PathValue("evaluation"))
			})},
		{apiOp{Method: "POST", Path: "/api/v1/evaluations/{evaluation}/eligibility", Tag: "Evaluation", Summary: "The team's eligibility determination (not eligible: with its prior written notice)",
			Request: app.EligibilityInput{}, Response: app.EligibilityView{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.EligibilityInput) (*app.EligibilityView, error) {
				return svc.DetermineEligibility(r.Context(), a, d, r.PathValue("evaluation"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/students/{student}/outside-evaluations", Tag: "Evaluation", Summary: "An evaluation the family brings, or an independent one",
			Request: app.OutsideEvaluationInput{}, Response: iep.Evaluation{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.OutsideEvaluationInput) (*iep.Evaluation, error) {
				return svc.AddOutsideEvaluation(r.Context(), a, d, r.PathValue("student"), in)
			})},

		// Plans and drafting.
		{apiOp{Method: "POST", Path: "/api/v1/students/{student}/plans", Tag: "Plans", Summary: "Start a draft: initial, annual review, amendment or after a reevaluation",
			Request: app.NewPlanInput{}, Response: iep.Plan{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.NewPlanInput) (*iep.Plan, error) {
				return svc.CreatePlan(r.Context(), a, d, r.PathValue("student"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/students/{student}/transfer-in", Tag: "Plans", Summary: "Start a transfer plan: comparable services for a student who moved in",
			Request: app.TransferInput{}, Response: iep.Plan{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.TransferInput) (*iep.Plan, error) {
				return svc.TransferIn(r.Context(), a, d, r.PathValue("student"), in)
			})},
		{apiOp{Method: "GET", Path: "/api/v1/plans/{plan}", Tag: "Plans", Summary: "A plan whole: sections, team, comments, suggestions, meetings, versions, responses",
			Doc: "The family sees a draft once it is shared with them.", Response: app.PlanView{}, Errors: readErrors},
			getJSON(func(r *http.Request, a app.Actor, d string) (*app.PlanView, error) {
				return svc.Plan(r.Context(), a, d, r.PathValue("plan"))
			})},
		{apiOp{Method: "PUT", Path: "/api/v1/plans/{plan}/sections/{section}", Tag: "Plans", Summary: "Save a section of a draft from the revision you read",
			Doc:     "A save from a revision that is no longer current is refused with 409 carrying both texts. The family writes the concerns section.",
			Request: app.SectionInput{}, Response: sectionSaved{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, in app.SectionInput) (sectionSaved, error) {
				rev, err := svc.SaveSection(r.Context(), a, d, r.PathValue("plan"), iep.SectionKind(r.PathValue("section")), in)
				return sectionSaved{Revision: rev}, err
			})},
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/comments", Tag: "Plans", Summary: "Comment on a section, or reply in a thread",
			Request: app.CommentInput{}, Response: iep.Comment{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.CommentInput) (*iep.Comment, error) {
				return svc.Comment(r.Context(), a, d, r.PathValue("plan"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/suggestions", Tag: "Plans", Summary: "Suggest a change to a section",
			Request: app.SuggestionInput{}, Response: app.SuggestionView{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.SuggestionInput) (*app.SuggestionView, error) {
				return svc.Suggest(r.Context(), a, d, r.PathValue("plan"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/suggestions/{suggestion}/decision", Tag: "Plans", Summary: "Take a suggestion into the draft, or answer it",
			Request: app.SuggestionDecision{}, Response: app.SuggestionView{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, in app.SuggestionDecision) (*app.SuggestionView, error) {
				return svc.DecideSuggestion(r.Context(), a, d, r.PathValue("suggestion"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/share", Tag: "Plans", Summary: "Share the draft with the family",
			Response: iep.Plan{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, _ none) (*iep.Plan, error) {
				return svc.ShareDraft(r.Context(), a, d, r.PathValue("plan"))
			})},
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/draft-request", Tag: "Plans", Summary: "The family asks to see the draft before the meeting",
			Response: iep.Plan{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, _ none) (*iep.Plan, error) {
				return svc.RequestDraft(r.Context(), a, d, r.PathValue("plan"))
			})},
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/team", Tag: "Team", Summary: "Add a team member (the family: announce a guest)",
			Request: app.MemberInput{}, Response: iep.TeamMember{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.MemberInput) (*iep.TeamMember, error) {
				return svc.AddTeamMember(r.Context(), a, d, r.PathValue("plan"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/team/{member}/excusal", Tag: "Team", Summary: "Excuse a required member in writing (the parent agrees, or staff record the signed agreement)",
			Request: app.ExcusalInput{}, Response: iep.TeamMember{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, in app.ExcusalInput) (*iep.TeamMember, error) {
				return svc.ExcuseMember(r.Context(), a, d, r.PathValue("plan"), r.PathValue("member"), in)
			})},

		// Meetings.
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/meetings", Tag: "Meetings", Summary: "Schedule a meeting and send its notice (with an iCalendar invitation by e-mail)",
			Request: app.MeetingInput{}, Response: app.MeetingView{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.MeetingInput) (*app.MeetingView, error) {
				return svc.ScheduleMeeting(r.Context(), a, d, r.PathValue("plan"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/meetings/{meeting}/reply", Tag: "Meetings", Summary: "The family's answer to a meeting notice: accept, another time, decline; an interpreter; a guest",
			Request: app.MeetingReply{}, Response: iep.Meeting{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, in app.MeetingReply) (*iep.Meeting, error) {
				return svc.ReplyToMeeting(r.Context(), a, d, r.PathValue("meeting"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/meetings/{meeting}/contact-attempts", Tag: "Meetings", Summary: "Record an attempt to reach the family",
			Request: app.ContactAttemptInput{}, Response: iep.Meeting{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, in app.ContactAttemptInput) (*iep.Meeting, error) {
				return svc.RecordContactAttempt(r.Context(), a, d, r.PathValue("meeting"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/meetings/{meeting}/held", Tag: "Meetings", Summary: "Record the meeting held: attendance, notes, and whether it finalized the plan",
			Doc:     "Refused (409) while a required role is unfilled and not excused in writing, or without the parent and the recorded attempts to reach them.",
			Request: app.HoldInput{}, Response: heldMeeting{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, in app.HoldInput) (*app.HeldMeeting, error) {
				return svc.HoldMeeting(r.Context(), a, d, r.PathValue("meeting"), in)
			})},
		{apiOp{Method: "GET", Path: "/api/v1/meetings/{meeting}/invitation.ics", Tag: "Meetings", Summary: "The meeting's iCalendar invitation",
			Produces: "text/calendar", Errors: readErrors},
			func(w http.ResponseWriter, r *http.Request) error {
				a := actor(r)
				b, err := svc.MeetingInvitation(r.Context(), a, a.DistrictID, r.PathValue("meeting"))
				if err != nil {
					return apiProblem(w, r, err)
				}
				w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
				w.Header().Set("Cache-Control", "no-store")
				w.Write(b)
				return nil
			}},

		// Proposal and answer.
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/proposal", Tag: "Proposal", Summary: "Propose the plan: freeze a version with its hash and send the prior written notice",
			Request: app.ProposeInput{}, Response: app.Proposal{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.ProposeInput) (*app.Proposal, error) {
				return svc.Propose(r.Context(), a, d, r.PathValue("plan"), in)
			})},
		{apiOp{Method: "GET", Path: "/api/v1/plans/{plan}/versions/{number}", Tag: "Proposal", Summary: "A frozen version, byte for byte, with its hash",
			Response: app.VersionOut{}, Errors: readErrors},
			getJSON(func(r *http.Request, a app.Actor, d string) (*app.VersionOut, error) {
				n, err := strconv.Atoi(r.PathValue("number"))
				if err != nil {
					return nil, iep.Errorf(iep.KindNotFound, "no version %q", r.PathValue("number"))
				}
				return svc.Version(r.Context(), a, d, r.PathValue("plan"), n)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/responses", Tag: "Proposal", Summary: "Accept, reject or accept in part, and sign (the family; or staff record a paper signature)",
			Request: app.ResponseInput{}, Response: app.ResponseOut{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.ResponseInput) (*app.ResponseOut, error) {
				return svc.Respond(r.Context(), a, d, r.PathValue("plan"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/no-response", Tag: "Proposal", Summary: "Record that the family did not answer in the pack's window (where silence means rejection)",
			Response: iep.Plan{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, _ none) (*iep.Plan, error) {
				return svc.RecordNoResponse(r.Context(), a, d, r.PathValue("plan"))
			})},
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/reopen", Tag: "Proposal", Summary: "Take a proposed or rejected plan back to a draft",
			Response: iep.Plan{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, _ none) (*iep.Plan, error) {
				return svc.ReopenPlan(r.Context(), a, d, r.PathValue("plan"))
			})},
		{apiOp{Method: "POST", Path: "/api/v1/plans/{plan}/cancel", Tag: "Plans", Summary: "Abandon a draft never proposed",
			Response: iep.Plan{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, _ none) (*iep.Plan, error) {
				return svc.CancelPlan(r.Context(), a, d, r.PathValue("plan"))
			})},
		{apiOp{Method: "POST", Path: "/api/v1/students/{student}/consent-revocations", Tag: "Proposal", Summary: "Revoke a consent in writing (never retroactive)",
			Request: app.RevocationInput{}, Response: iep.Consent{}, Status: 201, Errors: writeErrors},
			call(201, func(r *http.Request, a app.Actor, d string, in app.RevocationInput) (*iep.Consent, error) {
				return svc.RevokeConsent(r.Context(), a, d, r.PathValue("student"), in)
			})},
		{apiOp{Method: "POST", Path: "/api/v1/students/{student}/exit", Tag: "Plans", Summary: "The student leaves special education",
			Request: app.ExitInput{}, Response: iep.Student{}, Errors: writeErrors},
			call(200, func(r *http.Request, a app.Actor, d string, in app.ExitInput) (*iep.Student, error) {
				return svc.Exit(r.Context(), a, d, r.PathValue("student"), in)
			})},
	}
}

// sectionSaved is the answer to a section saved: its new revision.
type sectionSaved struct {
	Revision int `json:"revision"`
}

// heldMeeting is the answer to a meeting held.
type heldMeeting = app.HeldMeeting

// uploadDocument serves POST /api/v1/students/{student}/documents: the body is the file.
func (s *server) uploadDocument(w http.ResponseWriter, r *http.Request) error {
	data, err := io.ReadAll(io.LimitReader(r.Body, iep.MaxDocumentBytes+1))
	if err != nil {
		return apiProblem(w, r, iep.Problems{{Field: "content", Code: iep.CodeInvalid, Detail: "could not be read"}}.Err())
	}
	if len(data) > iep.MaxDocumentBytes {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		w.Write([]byte(`{"type":"about:blank","title":"Request Entity Too Large","status":413}` + "\n"))
		return nil
	}
	a := actor(r)
	d, err := s.svc.UploadDocument(r.Context(), a, a.DistrictID, r.PathValue("student"), r.URL.Query().Get("name"),
		r.Header.Get("Content-Type"), data)
	if err != nil {
		return apiProblem(w, r, err)
	}
	return writeJSONStatus(w, http.StatusCreated, d)
}

// downloadDocument serves GET /api/v1/documents/{document}: the bytes as an attachment, never
// shown inline (a document is not run by the browser).
func (s *server) downloadDocument(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	d, data, err := s.svc.Document(r.Context(), a, a.DistrictID, r.PathValue("document"))
	if err != nil {
		return apiProblem(w, r, err)
	}
	h := w.Header()
	h.Set("Content-Type", d.MediaType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Name}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(data)
	return nil
}
