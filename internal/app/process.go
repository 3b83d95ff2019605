package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/store"
)

// The IEP process (DOMAIN.md §5): every step is a use case here that asks the access policy,
// checks the step against the state machine (iep.CheckEvaluationStep, iep.CheckPlanStep),
// validates what the person typed, and writes in one transaction the records, an event in the
// ledger (which recomputes the clocks) and an entry in the audit trail. Drafting edits (a
// section saved, a comment) are kept by their own revisions and in the audit trail, not in the
// ledger: the ledger holds the steps the clocks and the reports read.

// step is one use case under way: who asks, what the policy said, about which student, and
// today in the district.
type step struct {
	s        *Service
	a        Actor
	d        access.Decision
	district string
	student  string
	today    date.Date
	loc      *time.Location // the district's time zone
}

// begin authorizes act on the student that the record (kind, id) belongs to; kind "student"
// names the student directly. A record of another district, or of a student the actor may not
// know, is not found.
func (s *Service) begin(ctx context.Context, a Actor, act access.Action, districtID, kind, id string) (*step, error) {
	if !a.SignedIn() {
		return nil, iep.ErrUnauthenticated
	}
	if a.DistrictID != districtID && a.Kind != ActorStateViewer {
		return nil, iep.Errorf(iep.KindNotFound, "not found")
	}
	studentID := id
	if kind != "student" {
		var err error
		if studentID, err = s.db.StudentOf(ctx, districtID, kind, id); err != nil {
			return nil, err
		}
	}
	d, err := s.authorize(ctx, a, act, districtID, studentID)
	if err != nil {
		return nil, err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return nil, err
	}
	return &step{s: s, a: a, d: d, district: districtID, student: studentID, today: date.Of(now), loc: now.Location()}, nil
}

// beginEither is begin with the family's action for a guardian or adult student and the staff
// action for staff: the same step (a consent, a reply) is given by the family or recorded by
// staff from paper.
func (s *Service) beginEither(ctx context.Context, a Actor, family, staff access.Action, districtID, kind, id string) (*step, error) {
	if a.IsFamily() {
		return s.begin(ctx, a, family, districtID, kind, id)
	}
	return s.begin(ctx, a, staff, districtID, kind, id)
}

// IsFamily reports whether the actor is a guardian or a student speaking for themselves.
func (a Actor) IsFamily() bool { return a.Kind == ActorGuardian || a.Kind == ActorStudent }

// subject reads the step's district and student.
func (c *step) subject(ctx context.Context) (*iep.District, *iep.Student, error) {
	d, err := c.s.db.GetDistrict(ctx, c.district)
	if err != nil {
		return nil, nil, err
	}
	st, err := c.s.db.GetStudent(ctx, c.district, c.student)
	if err != nil {
		return nil, nil, err
	}
	return d, st, nil
}

// day is the civil day an instant falls on in the district.
func (c *step) day(t time.Time) date.Date { return date.Of(t.In(c.loc)) }

// event appends a ledger event about the step's student; data holds ids and codes, never
// free text.
func (c *step) event(ctx context.Context, tx *store.Tx, kind iep.EventKind, planID string, on date.Date, data map[string]any) error {
	e := iep.Event{DistrictID: c.district, StudentID: c.student, PlanID: planID, Kind: kind, OccurredOn: on, ActorID: c.a.ID}
	if len(data) > 0 {
		b, err := json.Marshal(data)
		if err != nil {
			return fmt.Errorf("event %s: %w", kind, err)
		}
		e.Data = b
	}
	return tx.AppendEvent(ctx, &e)
}

// audit appends the step's entry to the audit trail in the step's transaction.
func (c *step) audit(ctx context.Context, tx *store.Tx, action, recordKind, recordID string) error {
	return tx.AppendAudit(ctx, &store.AuditEntry{DistrictID: c.district, ActorKind: string(c.a.Kind), ActorID: c.a.ID,
		Action: action, RecordKind: recordKind, RecordID: recordID, StudentID: c.student, FromAddress: c.a.Address,
		Reason: string(c.d.Reason)})
}

// readAudit records a read of the record in its own transaction (see Service.audit).
func (c *step) readAudit(ctx context.Context, recordKind, recordID string) error {
	return c.s.audit(ctx, c.a, c.d, auditRead, recordKind, recordID, c.district, c.student)
}

// pack is the district's rule pack with its own amounts.
func (c *step) pack(ctx context.Context) (rules.Pack, error) {
	return c.s.DistrictRules(ctx, c.district)
}

// Attestation is the sentence a person signs electronically: it names them and the exact
// version (its hash), so that the signature cannot be moved to another text.
func Attestation(typedName, sha string) string {
	return fmt.Sprintf("I, %s, sign this electronically and intend it as my signature on the document whose SHA-256 is %s.", typedName, sha)
}

// AttestationPDF is the attestation of a signer who was shown the version as a PDF: it names
// the PDF's hash too.
func AttestationPDF(typedName, sha, pdfSHA string) string {
	return fmt.Sprintf("I, %s, sign this electronically and intend it as my signature on the document whose SHA-256 is %s, shown to me as the PDF whose SHA-256 is %s.", typedName, sha, pdfSHA)
}

// SignatureInput is a signature: typed by the signed-in person who attests it, or a paper
// signature staff record with the scanned page.
type SignatureInput struct {
	// TypedName is the signer's name as they type it.
	TypedName string `json:"typed_name"`
	// Attest must be true for an electronic signature: the signer agrees to the attestation.
	Attest bool `json:"attest"`
	// DocumentID is the scan of a paper signature (staff recording it).
	DocumentID string `json:"document_id,omitempty"`
	// SignedOn is the date on a paper signature (staff recording it); an electronic signature
	// is dated today.
	SignedOn date.Date `json:"signed_on,omitzero"`
	// PDFSHA256 is the SHA-256 of the PDF the signer was shown (an electronic signature on a
	// proposal): it must be the PDF kept for the version; empty when none was shown.
	PDFSHA256 string `json:"pdf_sha256,omitempty"`
}

// signature checks a signature input for this actor and returns the stored signature and the
// date it counts from. sha is the hash of what is signed ("" when nothing frozen is).
func (c *step) signature(ctx context.Context, tx *store.Tx, in SignatureInput, sha string, ps *iep.Problems) (*iep.Signature, date.Date) {
	name := strings.TrimSpace(in.TypedName)
	if name == "" {
		*ps = append(*ps, iep.Problem{Field: "signature.typed_name", Code: iep.CodeRequired})
	}
	if c.a.IsFamily() {
		if !in.Attest {
			*ps = append(*ps, iep.Problem{Field: "signature.attest", Code: iep.CodeRequired})
		}
		return &iep.Signature{Method: "electronic", TypedName: name, Attestation: Attestation(name, sha),
			SignedAt: c.s.now(), FromAddress: c.a.Address}, c.today
	}
	// Staff record a paper signature: the scan and its date are the evidence.
	on := in.SignedOn
	switch {
	case on.IsZero():
		*ps = append(*ps, iep.Problem{Field: "signature.signed_on", Code: iep.CodeRequired})
		on = c.today
	case on.After(c.today):
		*ps = append(*ps, iep.Problem{Field: "signature.signed_on", Code: iep.CodeInvalid, Detail: "a date in the future"})
	}
	c.requireDocument(ctx, tx, "signature.document_id", in.DocumentID, ps)
	return &iep.Signature{Method: "paper", TypedName: name, Attestation: "paper signature recorded by staff",
		SignedAt: c.s.now(), RecordedBy: c.a.ID, ScanID: in.DocumentID}, on
}

// requireDocument adds a problem unless id names a document of the step's student.
func (c *step) requireDocument(ctx context.Context, tx *store.Tx, field, id string, ps *iep.Problems) {
	if strings.TrimSpace(id) == "" {
		*ps = append(*ps, iep.Problem{Field: field, Code: iep.CodeRequired})
		return
	}
	ok, err := tx.DocumentExists(ctx, c.district, c.student, id)
	if err == nil && !ok {
		*ps = append(*ps, iep.Problem{Field: field, Code: iep.CodeInvalid, Detail: "no such document of this student"})
	}
}

// optionalDocument adds a problem when id is given and names no document of the student.
func (c *step) optionalDocument(ctx context.Context, tx *store.Tx, field, id string, ps *iep.Problems) {
	if id != "" {
		c.requireDocument(ctx, tx, field, id, ps)
	}
}

// responder returns the guardian a family answer is recorded for: the signed-in guardian, or
// for staff recording paper the guardian named, who must hold educational rights for the
// student. An adult student answers for themselves (guardian "").
func (c *step) responder(ctx context.Context, guardianID string, ps *iep.Problems) (guardian, student string) {
	switch c.a.Kind {
	case ActorGuardian:
		return c.a.ID, ""
	case ActorStudent:
		return "", c.a.ID
	}
	links, err := c.s.db.ListGuardians(ctx, c.district, c.student)
	if err != nil {
		*ps = append(*ps, iep.Problem{Field: "guardian_id", Code: iep.CodeInvalid, Detail: err.Error()})
		return "", ""
	}
	if guardianID == "" {
		*ps = append(*ps, iep.Problem{Field: "guardian_id", Code: iep.CodeRequired})
		return "", ""
	}
	for _, l := range links {
		if l.Guardian.ID == guardianID && l.Link.HoldsEducationalRights {
			return guardianID, ""
		}
	}
	*ps = append(*ps, iep.Problem{Field: "guardian_id", Code: iep.CodeInvalid, Detail: "not a guardian of this student who holds educational rights"})
	return "", ""
}

// familyLanguage is the language notices to the student's family are written in: the first
// rights-holding guardian's preferred language, else the student's home language, else English.
func (s *Service) familyLanguage(ctx context.Context, districtID, studentID string) string {
	links, err := s.db.ListGuardians(ctx, districtID, studentID)
	if err == nil {
		for _, l := range links {
			if l.Link.HoldsEducationalRights && l.Guardian.PreferredLanguage != "" {
				return l.Guardian.PreferredLanguage
			}
		}
	}
	if st, err := s.db.GetStudent(ctx, districtID, studentID); err == nil && st.HomeLanguage != "" {
		return st.HomeLanguage
	}
	return "en"
}
