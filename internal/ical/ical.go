// Package ical writes the iCalendar object (RFC 5545) of a meeting invitation, to attach to an
// e-mail (iTIP, RFC 5546: METHOD REQUEST to invite or update, CANCEL to call the meeting off), so
// that a team member's calendar program offers to add the IEP meeting, and moves or removes it
// when a later mail with the same UID and a higher SEQUENCE says so.
//
// The object is built from values people typed (a summary, a location, names): every value is
// escaped, so that none can end its line and add a property (an attendee, an organizer) of its
// own. Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 sequence.
package ical

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The methods of an invitation (RFC 5546).
const (
	MethodRequest = "REQUEST" // invite, or update a meeting already sent (a higher Sequence)
	MethodCancel  = "CANCEL"  // call the meeting off
)

// The roles of an attendee (RFC 5545 ROLE).
const (
	RoleRequired = "REQ-PARTICIPANT"
	RoleOptional = "OPT-PARTICIPANT"
)

// ProdID names the program that wrote the object.
const ProdID = "-//openiep//openiep//EN"

// utcLayout is the form of a date-time in UTC (RFC 5545 FORM #2).
const utcLayout = "20060102T150405Z"

// maxLine is the most octets of a content line, without its CRLF (RFC 5545 3.1).
const maxLine = 75

// Invitation is one meeting, to send to its attendees. UID identifies the meeting across its
// updates: keep it, and raise Sequence, when the meeting moves or is cancelled. Method is
// MethodRequest (the default when empty) or MethodCancel. Stamp is when the object was written
// (DTSTAMP): pass the clock's instant; zero means now. Description, Location and URL may be
// empty.
type Invitation struct {
	UID         string
	Sequence    int
	Method      string
	Start       time.Time
	End         time.Time
	Summary     string
	Description string
	Location    string
	URL         string
	Organizer   Person
	Attendees   []Person
	Stamp       time.Time
}

// Person is the organizer or an attendee. Email is a bare address (name@district.org); Name,
// optional, is shown beside it. Role applies to attendees: RoleRequired (the default when empty)
// or RoleOptional.
type Person struct {
	Name  string
	Email string
	Role  string
}

// ErrInvalid is the error, wrapped, for an invitation that cannot be written. Its message names
// the field, never the value, which may be personal data.
var ErrInvalid = errors.New("ical: invalid invitation")

// invalid returns an ErrInvalid naming the field.
func invalid(field, why string) error {
	return fmt.Errorf("%w: %s %s", ErrInvalid, field, why)
}

// Bytes returns the invitation as an iCalendar object: a VCALENDAR with its METHOD and one
// VEVENT, STATUS CONFIRMED (or CANCELLED for MethodCancel), times in UTC. Errors wrap ErrInvalid:
// a missing UID, Summary, Start or organizer's address, an End not after Start, a negative
// Sequence, an unknown Method or Role, an address or URL that does not parse, text that is not
// UTF-8.
func (inv Invitation) Bytes() ([]byte, error) {
	method, status, err := inv.check()
	if err != nil {
		return nil, err
	}
	stamp := inv.Stamp
	if stamp.IsZero() {
		stamp = time.Now()
	}
	var w writer
	w.line("BEGIN:VCALENDAR")
	w.line("PRODID:" + ProdID)
	w.line("VERSION:2.0")
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:" + method)
	w.line("BEGIN:VEVENT")
	w.line("UID:" + escapeText(inv.UID))
	w.line("SEQUENCE:" + strconv.Itoa(inv.Sequence))
	w.line("DTSTAMP:" + utc(stamp))
	w.line("DTSTART:" + utc(inv.Start))
	w.line("DTEND:" + utc(inv.End))
	w.line("SUMMARY:" + escapeText(inv.Summary))
	w.optional("DESCRIPTION", escapeText(inv.Description))
	w.optional("LOCATION", escapeText(inv.Location))
	w.optional("URL", inv.URL)
	w.line("ORGANIZER" + cn(inv.Organizer.Name) + ":mailto:" + inv.Organizer.Email)
	for _, a := range inv.Attendees {
		w.line("ATTENDEE" + cn(a.Name) + ";ROLE=" + role(a.Role) + ";PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:" + a.Email)
	}
	w.line("STATUS:" + status)
	w.line("END:VEVENT")
	w.line("END:VCALENDAR")
	return []byte(w.b.String()), nil
}

// check validates inv and returns its method and the event's status.
func (inv Invitation) check() (method, status string, err error) {
	switch inv.Method {
	case "", MethodRequest:
		method, status = MethodRequest, "CONFIRMED"
	case MethodCancel:
		method, status = MethodCancel, "CANCELLED"
	default:
		return "", "", invalid("Method", "is not REQUEST or CANCEL")
	}
	switch {
	case strings.TrimSpace(inv.UID) == "":
		return "", "", invalid("UID", "is empty")
	case inv.Sequence < 0:
		return "", "", invalid("Sequence", "is negative")
	case inv.Start.IsZero():
		return "", "", invalid("Start", "is missing")
	case !inv.End.After(inv.Start):
		return "", "", invalid("End", "is not after Start")
	case strings.TrimSpace(inv.Summary) == "":
		return "", "", invalid("Summary", "is empty")
	case inv.Organizer.Email == "":
		return "", "", invalid("Organizer", "has no e-mail address")
	}
	for _, f := range []struct{ name, v string }{{"UID", inv.UID}, {"Summary", inv.Summary},
		{"Description", inv.Description}, {"Location", inv.Location}, {"Organizer's name", inv.Organizer.Name}} {
		if !utf8.ValidString(f.v) {
			return "", "", invalid(f.name, "is not UTF-8")
		}
	}
	if inv.URL != "" && !validURL(inv.URL) {
		return "", "", invalid("URL", "is not an http or https URL")
	}
	if !validEmail(inv.Organizer.Email) {
		return "", "", invalid("Organizer", "has an e-mail address that does not parse")
	}
	for i, a := range inv.Attendees {
		if err := a.checkAttendee(i); err != nil {
			return "", "", err
		}
	}
	return method, status, nil
}

// checkAttendee validates the i-th attendee.
func (p Person) checkAttendee(i int) error {
	field := fmt.Sprintf("Attendee %d", i+1)
	switch {
	case !validEmail(p.Email):
		return invalid(field, "has no e-mail address, or one that does not parse")
	case !utf8.ValidString(p.Name):
		return invalid(field, "has a name that is not UTF-8")
	case p.Role != "" && p.Role != RoleRequired && p.Role != RoleOptional:
		return invalid(field, "has a role that is not REQ-PARTICIPANT or OPT-PARTICIPANT")
	}
	return nil
}

// validEmail reports whether s is a bare address (no display name, no angle brackets) that
// can follow "mailto:" as it is: nothing in it may end the line or a property value.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	for _, c := range s {
		if c <= ' ' || c == 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// validURL reports whether s is an absolute http or https URL with nothing in it (a space, a
// control character) that could end the line.
func validURL(s string) bool {
	for _, c := range s {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// role returns r, or RoleRequired when it is empty.
func role(r string) string {
	if r == "" {
		return RoleRequired
	}
	return r
}

// utc formats t as a UTC date-time.
func utc(t time.Time) string { return t.UTC().Format(utcLayout) }

// cn returns the ";CN=" parameter for a display name, or "" when there is none.
func cn(name string) string {
	if name == "" {
		return ""
	}
	return ";CN=" + paramValue(name)
}

// lineEnds turns CRLF and lone CR into LF, so that each line end is escaped once.
var lineEnds = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma with a
// backslash, a line end as \n. Other control characters, which TEXT may not hold, are dropped:
// nothing in the value can end its line.
func escapeText(s string) string {
	s = lineEnds.Replace(s)
	var b strings.Builder
	for _, c := range s {
		switch {
		case c == '\\' || c == ';' || c == ',':
			b.WriteByte('\\')
			b.WriteRune(c)
		case c == '\n':
			b.WriteString(`\n`)
		case control(c):
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// paramValue writes a parameter value (RFC 5545 3.2), quoted when it holds a colon, semicolon or
// comma. A parameter cannot hold a line end or a double quote: they are written with RFC 6868's
// caret escapes (^n, ^', and ^^ for a caret), and other control characters are dropped.
func paramValue(s string) string {
	s = lineEnds.Replace(s)
	var b strings.Builder
	quote := false
	for _, c := range s {
		switch {
		case c == '^':
			b.WriteString("^^")
		case c == '\n':
			b.WriteString("^n")
		case c == '"':
			b.WriteString("^'")
		case control(c):
		default:
			quote = quote || c == ':' || c == ';' || c == ','
			b.WriteRune(c)
		}
	}
	if quote {
		return `"` + b.String() + `"`
	}
	return b.String()
}

// control reports whether c is a control character other than the tab, which iCalendar values
// may hold.
func control(c rune) bool {
	return c != '\t' && (c < 0x20 || c == 0x7f)
}

// writer collects content lines.
type writer struct{ b strings.Builder }

// optional writes the property name:value when the value is not empty.
func (w *writer) optional(name, value string) {
	if value != "" {
		w.line(name + ":" + value)
	}
}

// line writes one content line and its CRLF, folded so that no line is longer than 75 octets
// (the continuation's leading space counts) and no UTF-8 sequence is split.
func (w *writer) line(s string) {
	limit := maxLine
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.b.WriteString(s[:cut])
		w.b.WriteString("\r\n ")
		s = s[cut:]
		limit = maxLine - 1
	}
	w.b.WriteString(s)
	w.b.WriteString("\r\n")
}
