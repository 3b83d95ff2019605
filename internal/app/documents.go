package app

// Documents: the IEP, its notices, consent forms and progress reports as documents to print,
// save and sign (the web renders them as HTML and as PDF). One read gives a document everything
// it may show, under the one policy: staff who may view the record read every plan, drafts
// too; the family reads what they may see (a draft once shared); a minor reading a view a
// parent shares with them reads the plans only.
//
// The PDF shown to a parent who signs is kept byte for byte: KeepSigningDocument stores it once
// per version and language (never replaced; the database refuses a change), and the
// electronic signature records its SHA-256 and id.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/store"
)

// auditDocument is the kind of record a document read is audited as.
const auditDocument = "document"

// DocumentRecord is what a student's documents are made from: the record as its reader may
// see it, and the jurisdiction's order of the plan's sections.
type DocumentRecord struct {
	*WholeRecord
	// Staff: the reader is staff (drafts never shared are in Plans).
	Staff bool
	// SharedView: the reader is a minor student reading what a parent shares (plans only).
	SharedView bool
	// Order is the plan's sections in the order of the jurisdiction's IEP form.
	Order []iep.SectionKind
	// Pack names the rule pack (its jurisdiction), for the documents' citations.
	Pack rules.Pack
}

// StudentDocuments returns a student's record for its documents, and records the read in the
// audit trail (one entry: document, the student). Errors: the policy's (not found for a
// student the reader may not see).
func (s *Service) StudentDocuments(ctx context.Context, a Actor, districtID, studentID string) (*DocumentRecord, error) {
	dec, err := s.authorize(ctx, a, access.ViewRecord, districtID, studentID)
	if err != nil {
		return nil, err
	}
	staff := !a.IsFamily()
	w, err := s.readRecord(ctx, districtID, studentID, staff)
	if err != nil {
		return nil, fmt.Errorf("student %s: %w", studentID, err)
	}
	out := &DocumentRecord{WholeRecord: w, Staff: staff, SharedView: dec.Reason == access.ReasonSharedWithStudent}
	if out.SharedView {
		// The parent shares the plans; evaluations, notices and the rest stay theirs.
		keep := w.Plans
		*w = WholeRecord{GeneratedAt: w.GeneratedAt, District: w.District, Student: w.Student, School: w.School,
			Plans: keep, People: w.People, Today: w.Today, svc: s}
	}
	if err := out.readPack(ctx); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, dec, auditRead, auditDocument, studentID, districtID, studentID); err != nil {
		return nil, err
	}
	return out, nil
}

// Printable is the whole record ready to print each of its documents (the family's download
// holds every one): what StudentDocuments gives a reader of the family, read by ExportRecord.
func (w *WholeRecord) Printable(ctx context.Context) (*DocumentRecord, error) {
	out := &DocumentRecord{WholeRecord: w}
	return out, out.readPack(ctx)
}

// readPack reads the district's rule pack and its order of the plan's sections.
func (d *DocumentRecord) readPack(ctx context.Context) (err error) {
	if d.Pack, err = d.svc.DistrictRules(ctx, d.District.ID); err != nil {
		return err
	}
	d.Order = SectionOrder(d.Pack)
	return nil
}

// SectionOrder is the plan's sections in the order of the pack's IEP form (every section once;
// the federal order, iep.Sections, for a pack that sets none).
func SectionOrder(p rules.Pack) []iep.SectionKind {
	if len(p.DocumentSections) == 0 {
		return slices.Clone(iep.Sections)
	}
	return slices.Clone(p.DocumentSections)
}

// FormOrder is the plan's sections in the order of the district's IEP form (the embedded
// pack's; nothing is read).
func FormOrder(d *iep.District) []iep.SectionKind {
	pack, err := rules.Load(d.RulePack)
	if err != nil {
		return slices.Clone(iep.Sections)
	}
	return SectionOrder(pack)
}

// Plan returns the plan id of the record; nil when the reader may not see it.
func (d *DocumentRecord) Plan(id string) *ExportPlan {
	for i := range d.Plans {
		if d.Plans[i].Plan.ID == id {
			return &d.Plans[i]
		}
	}
	return nil
}

// SigningKind is the kind of kept document a proposal's PDF is.
const SigningKind = "proposal"

// SigningDocument returns the kept PDF of a proposed version in a language (nil when none is
// kept yet) for whoever may read the plan. Errors: the policy's; not found for a version the
// plan does not have.
func (s *Service) SigningDocument(ctx context.Context, a Actor, districtID, planID string, number int, lang string) (*iep.Document, []byte, error) {
	c, v, err := s.signingVersion(ctx, a, districtID, planID, number)
	if err != nil {
		return nil, nil, err
	}
	doc, data, err := s.db.KeptDocument(ctx, districtID, SigningKind, v.ID, lang)
	if err != nil || doc == nil {
		return nil, nil, err
	}
	if doc.StudentID != c.student {
		return nil, nil, iep.Errorf(iep.KindInternal, "kept document %s is not the student's", doc.ID)
	}
	return doc, data, nil
}

// KeepSigningDocument keeps pdf as the document of version number of the plan in lang, unless
// one is kept already: then the kept one is returned and pdf is dropped (what a parent was
// shown is never replaced). The first keeping is audited. Errors: the policy's; invalid for
// bytes that are not a PDF.
func (s *Service) KeepSigningDocument(ctx context.Context, a Actor, districtID, planID string, number int, lang string, pdf []byte) (*iep.Document, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, iep.Problems{{Field: "pdf", Code: iep.CodeInvalid, Detail: "not a PDF"}}.Err()
	}
	c, v, err := s.signingVersion(ctx, a, districtID, planID, number)
	if err != nil {
		return nil, err
	}
	doc := iep.Document{DistrictID: districtID, StudentID: c.student, MediaType: "application/pdf",
		Name: fmt.Sprintf("IEP-%s-version-%d-%s.pdf", planID, number, lang)}
	var kept *iep.Document
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var created bool
		var err error
		if kept, created, err = tx.KeepDocument(ctx, SigningKind, v.ID, lang, &doc, pdf); err != nil || !created {
			return err
		}
		return c.audit(ctx, tx, "keep_document", auditDocument, kept.ID)
	})
	if errors.Is(err, iep.ErrConflict) {
		// Another request kept one first (PostgreSQL runs them side by side): that one stays.
		kept, _, err = s.db.KeptDocument(ctx, districtID, SigningKind, v.ID, lang)
	}
	return kept, err
}

// signingVersion authorizes a reader of the plan and returns its version number.
func (s *Service) signingVersion(ctx context.Context, a Actor, districtID, planID string, number int) (*step, *iep.Version, error) {
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "plan", planID)
	if err != nil {
		return nil, nil, err
	}
	p, err := c.plan(ctx, planID)
	if err != nil {
		return nil, nil, err
	}
	if number < 1 || number > p.CurrentVersion {
		return nil, nil, iep.Errorf(iep.KindNotFound, "plan %s has no version %d", planID, number)
	}
	v, err := s.db.GetVersion(ctx, districtID, planID, number)
	if err != nil {
		return nil, nil, err
	}
	return c, v, nil
}
