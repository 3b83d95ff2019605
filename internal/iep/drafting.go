package iep

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

// AuthorKind says which side of the table wrote a comment or suggestion.
type AuthorKind string

const (
	AuthorStaff    AuthorKind = "staff"
	AuthorGuardian AuthorKind = "guardian"
	AuthorStudent  AuthorKind = "student"
)

// Comment is one message in a thread on a section of a draft: by any team member, the family
// included. A reply names the comment that starts its thread. The text is kept as typed, with no
// length limit.
type Comment struct {
	ID         string      `json:"id"`
	DistrictID string      `json:"district_id"`
	PlanID     string      `json:"plan_id"`
	Section    SectionKind `json:"section"`
	ReplyTo    string      `json:"reply_to,omitempty"`
	AuthorKind AuthorKind  `json:"author_kind"`
	AuthorID   string      `json:"author_id"`
	Body       string      `json:"body"`
	CreatedAt  time.Time   `json:"created_at"`
}

// Validate reports what is wrong with c.
func (c *Comment) Validate() error {
	var ps Problems
	ps.required("plan_id", c.PlanID)
	requiredChoice(&ps, "section", c.Section, Sections)
	ps.required("body", c.Body)
	ps.required("author_id", c.AuthorID)
	return ps.Err()
}

// SuggestionStatus is where a suggested change is.
type SuggestionStatus string

const (
	SuggestionOpen     SuggestionStatus = "open"
	SuggestionAccepted SuggestionStatus = "accepted" // taken into the draft as a new revision
	SuggestionAnswered SuggestionStatus = "answered" // the team answered without taking it, and said why
)

// Suggestion is a change the family proposes to a section: the section's whole new content
// (as the section's JSON) and why. The team takes it into the draft or answers it; either way
// the family's words stay on record.
type Suggestion struct {
	ID              string           `json:"id"`
	DistrictID      string           `json:"district_id"`
	PlanID          string           `json:"plan_id"`
	Section         SectionKind      `json:"section"`
	BaseRevision    int              `json:"base_revision"` // the revision the family read
	Content         []byte           `json:"-"`             // the proposed section JSON
	Note            string           `json:"note,omitempty"`
	AuthorKind      AuthorKind       `json:"author_kind"`
	AuthorID        string           `json:"author_id"`
	Status          SuggestionStatus `json:"status"`
	Answer          string           `json:"answer,omitempty"`
	DecidedBy       string           `json:"decided_by,omitempty"`
	DecidedAt       time.Time        `json:"decided_at,omitzero"`
	AppliedRevision int              `json:"applied_revision,omitempty"` // the section revision it became
	CreatedAt       time.Time        `json:"created_at"`
}

// Validate reports what is wrong with s (the content is validated by DecodeSection).
func (s *Suggestion) Validate() error {
	var ps Problems
	ps.required("plan_id", s.PlanID)
	requiredChoice(&ps, "section", s.Section, Sections)
	ps.required("author_id", s.AuthorID)
	if len(s.Content) == 0 {
		ps.add("content", CodeRequired, "")
	}
	if s.BaseRevision < 1 {
		ps.add("base_revision", CodeRange, fmt.Sprintf("1..%d", maxRevision))
	}
	requiredChoice(&ps, "status", s.Status, []SuggestionStatus{SuggestionOpen, SuggestionAccepted, SuggestionAnswered})
	if s.Status == SuggestionAnswered {
		ps.required("answer", s.Answer)
	}
	return ps.Err()
}

const maxRevision = 1 << 30

// Document is an uploaded file of a student's record: an evaluation report, an outside
// evaluation the family brings, a scanned signature page. The bytes live in the database on
// both engines (so a backup holds everything); only the types below are taken.
type Document struct {
	ID         string    `json:"id"`
	DistrictID string    `json:"district_id"`
	StudentID  string    `json:"student_id"`
	Name       string    `json:"name"`
	MediaType  string    `json:"media_type"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	UploadedBy string    `json:"uploaded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// MaxDocumentBytes is the largest upload: a scanned 40-page report fits.
const MaxDocumentBytes = 20 << 20

// DocumentTypes are the media types taken, by file extension: documents and scans, never
// anything a browser would run.
var DocumentTypes = map[string]string{
	".pdf":  "application/pdf",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".jpeg": "image/jpeg",
	".tif":  "image/tiff",
	".tiff": "image/tiff",
	".txt":  "text/plain",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

// magic are the first bytes each media type starts with, so that a renamed file is refused.
var magic = map[string][]string{
	"application/pdf": {"%PDF-"},
	"image/png":       {"\x89PNG\r\n\x1a\n"},
	"image/jpeg":      {"\xff\xd8\xff"},
	"image/tiff":      {"II*\x00", "MM\x00*"},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"PK\x03\x04"},
}

// CheckDocument checks an upload's name, declared media type and bytes: a known extension, a
// declared type that agrees with it (or none), content that starts as that type says, and a
// size within MaxDocumentBytes. It returns the media type to store. Errors are KindInvalid
// with the field at fault.
func CheckDocument(name, declared string, data []byte) (string, error) {
	var ps Problems
	name = strings.TrimSpace(name)
	ext := strings.ToLower(path.Ext(name))
	mt, ok := DocumentTypes[ext]
	switch {
	case name == "":
		ps.add("name", CodeRequired, "")
	case len(name) > 200:
		ps.add("name", CodeTooLong, "200")
	case strings.ContainsAny(name, "/\\\x00\r\n"):
		ps.add("name", CodeInvalid, "a file name without folders")
	case !ok:
		exts := make([]string, 0, len(DocumentTypes))
		for e := range DocumentTypes {
			exts = append(exts, e)
		}
		slices.Sort(exts)
		ps.add("name", CodeChoice, strings.Join(exts, ", "))
	}
	if d := strings.TrimSpace(strings.Split(declared, ";")[0]); ok && d != "" && d != "application/octet-stream" && !strings.EqualFold(d, mt) {
		ps.add("media_type", CodeInvalid, "the file is named "+ext+" but declared as "+d)
	}
	switch {
	case len(data) == 0:
		ps.add("content", CodeRequired, "")
	case len(data) > MaxDocumentBytes:
		ps.add("content", CodeRange, fmt.Sprintf("1..%d bytes", MaxDocumentBytes))
	case ok && !startsAs(mt, data):
		ps.add("content", CodeInvalid, "the content is not a "+ext+" file")
	}
	return mt, ps.Err()
}

func startsAs(mt string, data []byte) bool {
	prefixes, known := magic[mt]
	if !known { // text: valid UTF-8 without NUL
		return !slices.Contains(data, 0) && strings.ToValidUTF8(string(data), "\uFFFD") == string(data)
	}
	for _, p := range prefixes {
		if strings.HasPrefix(string(data[:min(len(data), 16)]), p) {
			return true
		}
	}
	return false
}
