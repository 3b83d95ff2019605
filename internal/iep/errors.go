package iep

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies an error so that adapters can map it to a status (HTTP, exit code) without
// looking at its text.
type Kind int

const (
	KindInternal        Kind = iota // a bug or a fault below us; shown as a neutral message
	KindInvalid                     // the input breaks a rule; Problems say which fields and why
	KindNotFound                    // no such record in this district (or not visible to the actor)
	KindConflict                    // the record changed since it was read, or the step is not allowed now
	KindForbidden                   // the actor may not do this
	KindUnauthenticated             // nobody is signed in
)

func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindNotFound:
		return "not found"
	case KindConflict:
		return "conflict"
	case KindForbidden:
		return "forbidden"
	case KindUnauthenticated:
		return "unauthenticated"
	}
	return "internal"
}

// Sentinel errors, one per kind, for errors.Is.
var (
	ErrInvalid         = &Error{Kind: KindInvalid, Message: "invalid input"}
	ErrNotFound        = &Error{Kind: KindNotFound, Message: "not found"}
	ErrConflict        = &Error{Kind: KindConflict, Message: "conflict"}
	ErrForbidden       = &Error{Kind: KindForbidden, Message: "forbidden"}
	ErrUnauthenticated = &Error{Kind: KindUnauthenticated, Message: "sign-in required"}
)

// Error is openiep's error: a kind, a message for people, and for KindInvalid the list of
// per-field problems.
type Error struct {
	Kind     Kind
	Message  string
	Problems Problems
}

func (e *Error) Error() string {
	if len(e.Problems) > 0 {
		return e.Message + ": " + e.Problems.Error()
	}
	return e.Message
}

// Is makes errors.Is(err, ErrNotFound) true for every error of that kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && (t.Message == e.Message || isSentinel(t))
}

func isSentinel(e *Error) bool {
	return e == ErrInvalid || e == ErrNotFound || e == ErrConflict || e == ErrForbidden || e == ErrUnauthenticated
}

// Errorf returns an *Error of kind k with a formatted message.
func Errorf(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err: the kind of the first *Error in its chain (a
// *ConflictError is KindConflict), or KindInternal.
func KindOf(err error) Kind {
	var c *ConflictError
	if errors.As(err, &c) {
		return KindConflict
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Problem is one thing wrong with one field. Code is stable and machine-readable (the i18n
// catalog turns it into a sentence in the user's language); Detail carries the value the
// message needs (a limit, an allowed list, another field's name).
type Problem struct {
	Field  string `json:"field"`
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
}

// Problem codes.
const (
	CodeRequired  = "required"   // the field must be given
	CodeInvalid   = "invalid"    // the value is not of the expected form
	CodeChoice    = "choice"     // the value is not one of the allowed ones (Detail lists them)
	CodeRange     = "range"      // a number outside its bounds (Detail: "min..max")
	CodeDateOrder = "date_order" // a date before the one it must follow (Detail: that field)
	CodeDuplicate = "duplicate"  // the value repeats one that must be unique
	CodeTooLong   = "too_long"   // a short identifier field over its limit (never free text)
)

// Message is the problem in plain English; adapters show the i18n catalog's version instead.
func (p Problem) Message() string {
	switch p.Code {
	case CodeRequired:
		return "is required"
	case CodeChoice:
		return "must be one of: " + p.Detail
	case CodeRange:
		return "must be between " + strings.Replace(p.Detail, "..", " and ", 1)
	case CodeDateOrder:
		return "must not be before " + p.Detail
	case CodeDuplicate:
		if p.Detail == "" {
			return "is already used"
		}
		return "is repeated: " + p.Detail
	case CodeTooLong:
		return "is longer than " + p.Detail + " characters"
	}
	if p.Detail != "" {
		return "is not valid: " + p.Detail
	}
	return "is not valid"
}

// Problems is the list of what is wrong with an input; nil means valid.
type Problems []Problem

func (ps Problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Field + " " + p.Message()
	}
	return strings.Join(parts, "; ")
}

// Err returns nil when there are no problems, else an *Error of KindInvalid carrying them.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Message: "invalid input", Problems: ps}
}

// add appends a problem; the helpers below keep Validate methods short.
func (ps *Problems) add(field, code, detail string) {
	*ps = append(*ps, Problem{Field: field, Code: code, Detail: detail})
}

func (ps *Problems) required(field, value string) {
	if strings.TrimSpace(value) == "" {
		ps.add(field, CodeRequired, "")
	}
}

// Nest appends the problems of err, an invalid error from a Validate method, with their fields
// prefixed (e.g. "days[3]."), so that a list of items is validated with each item's position.
func (ps *Problems) Nest(prefix string, err error) {
	var e *Error
	if errors.As(err, &e) && len(e.Problems) > 0 {
		ps.nest(prefix, e.Problems)
	} else if err != nil {
		ps.add(strings.TrimSuffix(prefix, "."), CodeInvalid, err.Error())
	}
}

// nest prefixes the fields of inner problems with prefix (e.g. "goals[2].").
func (ps *Problems) nest(prefix string, inner Problems) {
	for _, p := range inner {
		p.Field = prefix + p.Field
		*ps = append(*ps, p)
	}
}

// ConflictError says that a section was changed by someone else since the caller read it. It
// carries both texts so that nothing typed is lost: the caller's and the current one.
type ConflictError struct {
	Section         SectionKind
	YourRevision    int    // the revision the caller started from
	CurrentRevision int    // the revision now stored
	Yours           []byte // the content the caller tried to save (JSON)
	Current         []byte // the content now stored (JSON)
	CurrentBy       string // who saved the current revision (staff or guardian id)
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("section %s was changed by someone else (your revision %d, current %d)",
		e.Section, e.YourRevision, e.CurrentRevision)
}

// Is makes errors.Is(err, ErrConflict) true for a *ConflictError.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }
