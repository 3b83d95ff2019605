package ical

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var (
	monday = time.Date(2031, 3, 3, 14, 30, 0, 0, time.FixedZone("EST", -5*3600))
	stamp  = time.Date(2031, 2, 20, 9, 15, 0, 0, time.UTC)
)

// meeting is a valid invitation to an annual review.
func meeting() Invitation {
	return Invitation{
		UID:         "0190b3c2-7d4e-7000-8000-000000000001@openiep",
		Sequence:    2,
		Start:       monday,
		End:         monday.Add(time.Hour),
		Summary:     "Annual IEP review",
		Description: "Agenda: progress, services, placement.",
		Location:    "Room 12, Riverside Elementary",
		URL:         "https://iep.riverside.example/meetings/42",
		Organizer:   Person{Name: "Dana Ortiz", Email: "dana.ortiz@riverside.example"},
		Attendees: []Person{
			{Name: "Ana Pérez", Email: "ana.perez@example.org"},
			{Name: "Sam Lee, OT", Email: "sam.lee@riverside.example", Role: RoleOptional},
		},
		Stamp: stamp,
	}
}

// property is one content line, parsed back.
type property struct {
	name   string
	params map[string]string // values unquoted, RFC 6868 escapes kept
	value  string            // as written (TEXT still escaped)
}

// unfold undoes the folding of raw, and fails the test unless every line ends in CRLF and is at
// most 75 octets.
func unfold(t *testing.T, raw []byte) []string {
	t.Helper()
	s := string(raw)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("the object does not end in CRLF: %q", s)
	}
	for i, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i, l)
		}
		if len(l) > maxLine {
			t.Errorf("line %d is %d octets: %q", i, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i, l)
		}
	}
	return strings.Split(strings.TrimSuffix(strings.ReplaceAll(s, "\r\n ", ""), "\r\n"), "\r\n")
}

// parse splits unfolded lines into properties: the name, then ;-separated parameters (a quoted
// value may hold ; : ,), then the value after the first colon outside quotes.
func parse(t *testing.T, lines []string) []property {
	t.Helper()
	var out []property
	for _, l := range lines {
		p := property{params: map[string]string{}}
		var parts []string
		inQuote, begin, colon := false, 0, -1
		for i := 0; i < len(l) && colon < 0; i++ {
			switch c := l[i]; {
			case c == '"':
				inQuote = !inQuote
			case !inQuote && (c == ';' || c == ':'):
				parts = append(parts, l[begin:i])
				begin = i + 1
				if c == ':' {
					colon = i
				}
			}
		}
		if colon < 0 {
			t.Fatalf("no value in %q", l)
		}
		p.name, p.value = parts[0], l[colon+1:]
		for _, kv := range parts[1:] {
			k, v, _ := strings.Cut(kv, "=")
			p.params[k] = strings.Trim(v, `"`)
		}
		out = append(out, p)
	}
	return out
}

// unescape undoes TEXT escaping.
func unescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\;`, `;`, `\,`, `,`, `\n`, "\n", `\N`, "\n").Replace(s)
}

func get(ps []property, name string) []property {
	var out []property
	for _, p := range ps {
		if p.name == name {
			out = append(out, p)
		}
	}
	return out
}

func bytesOf(t *testing.T, inv Invitation) []byte {
	t.Helper()
	b, err := inv.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	return b
}

func TestRequestStructure(t *testing.T) {
	ps := parse(t, unfold(t, bytesOf(t, meeting())))
	var names []string
	for _, p := range ps {
		names = append(names, p.name)
	}
	want := []string{"BEGIN", "PRODID", "VERSION", "CALSCALE", "METHOD", "BEGIN", "UID", "SEQUENCE", "DTSTAMP",
		"DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION", "URL", "ORGANIZER", "ATTENDEE", "ATTENDEE",
		"STATUS", "END", "END"}
	if !slices.Equal(names, want) {
		t.Fatalf("properties %v\nwant %v", names, want)
	}
	values := map[string]string{}
	for _, p := range ps {
		values[p.name] = p.value
	}
	for name, v := range map[string]string{
		"PRODID": "-//openiep//openiep//EN", "VERSION": "2.0", "CALSCALE": "GREGORIAN", "METHOD": "REQUEST",
		"UID": "0190b3c2-7d4e-7000-8000-000000000001@openiep", "SEQUENCE": "2",
		"DTSTAMP": "20310220T091500Z", "DTSTART": "20310303T193000Z", "DTEND": "20310303T203000Z",
		"SUMMARY": "Annual IEP review", "DESCRIPTION": `Agenda: progress\, services\, placement.`,
		"LOCATION": `Room 12\, Riverside Elementary`, "URL": "https://iep.riverside.example/meetings/42",
		"STATUS": "CONFIRMED",
	} {
		if values[name] != v {
			t.Errorf("%s = %q, want %q", name, values[name], v)
		}
	}
	if got := ps[0].value + "/" + ps[5].value + "/" + ps[len(ps)-2].value + "/" + ps[len(ps)-1].value; got != "VCALENDAR/VEVENT/VEVENT/VCALENDAR" {
		t.Errorf("BEGIN/END values %s", got)
	}
	org := get(ps, "ORGANIZER")[0]
	if org.value != "mailto:dana.ortiz@riverside.example" || org.params["CN"] != "Dana Ortiz" {
		t.Errorf("ORGANIZER %+v", org)
	}
	att := get(ps, "ATTENDEE")
	wantAtt := []struct{ email, cn, role string }{
		{"ana.perez@example.org", "Ana Pérez", RoleRequired},
		{"sam.lee@riverside.example", "Sam Lee, OT", RoleOptional},
	}
	for i, w := range wantAtt {
		a := att[i]
		if a.value != "mailto:"+w.email || a.params["CN"] != w.cn || a.params["ROLE"] != w.role ||
			a.params["PARTSTAT"] != "NEEDS-ACTION" || a.params["RSVP"] != "TRUE" {
			t.Errorf("ATTENDEE %d = %+v, want %+v", i, a, w)
		}
	}
	// A name with a comma is quoted, one without is not.
	raw := strings.ReplaceAll(string(bytesOf(t, meeting())), "\r\n ", "")
	if !strings.Contains(raw, `CN="Sam Lee, OT";ROLE=`) || !strings.Contains(raw, "ORGANIZER;CN=Dana Ortiz:mailto:") {
		t.Errorf("parameter quoting:\n%s", raw)
	}
}

func TestOptionalPropertiesAndDefaults(t *testing.T) {
	inv := meeting()
	inv.Description, inv.Location, inv.URL, inv.Organizer.Name = "", "", "", ""
	inv.Attendees = []Person{{Email: "ana.perez@example.org"}}
	ps := parse(t, unfold(t, bytesOf(t, inv)))
	for _, name := range []string{"DESCRIPTION", "LOCATION", "URL"} {
		if len(get(ps, name)) != 0 {
			t.Errorf("an empty %s is written", name)
		}
	}
	if org := get(ps, "ORGANIZER")[0]; len(org.params) != 0 {
		t.Errorf("ORGANIZER without a name has parameters %v", org.params)
	}
	if a := get(ps, "ATTENDEE")[0]; a.params["ROLE"] != RoleRequired {
		t.Errorf("default role %q", a.params["ROLE"])
	}
	inv.Stamp = time.Time{}
	before := time.Now().UTC().Truncate(time.Second)
	st, err := time.Parse(utcLayout, get(parse(t, unfold(t, bytesOf(t, inv))), "DTSTAMP")[0].value)
	if err != nil || st.Before(before) || st.After(time.Now().Add(time.Second)) {
		t.Errorf("DTSTAMP of a zero Stamp = %v, %v; want now", st, err)
	}
}

func TestCancel(t *testing.T) {
	inv := meeting()
	inv.Method, inv.Sequence = MethodCancel, 3
	ps := parse(t, unfold(t, bytesOf(t, inv)))
	m, s, q := get(ps, "METHOD")[0].value, get(ps, "STATUS")[0].value, get(ps, "SEQUENCE")[0].value
	if m != "CANCEL" || s != "CANCELLED" || q != "3" {
		t.Errorf("cancel: METHOD %s, STATUS %s, SEQUENCE %s", m, s, q)
	}
	if len(get(ps, "ATTENDEE")) != 2 || get(ps, "UID")[0].value != unescape(meeting().UID) {
		t.Error("a cancellation must name the same meeting and its attendees")
	}
}

func TestEscaping(t *testing.T) {
	inv := meeting()
	inv.Summary = `Review; plan, goals \ services`
	inv.Description = "Line one\r\nLine two\rLine three\nEND:VEVENT\nATTENDEE:mailto:evil@example.org\x00\x1b"
	inv.Location = "Room 3\r\nORGANIZER:mailto:evil@example.org"
	inv.Organizer.Name = "Dana\r\nATTENDEE:mailto:evil@example.org"
	inv.Attendees[0].Name = `Ana "Annie" ^ Pérez`
	raw := bytesOf(t, inv)
	lines := unfold(t, raw)
	ps := parse(t, lines)
	if n := len(get(ps, "ATTENDEE")); n != 2 {
		t.Fatalf("%d attendees, want 2: a value added a property\n%s", n, raw)
	}
	if len(get(ps, "ORGANIZER")) != 1 || len(get(ps, "END")) != 2 {
		t.Fatalf("a value added a property:\n%s", raw)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "ATTENDEE:") || strings.HasPrefix(l, "ORGANIZER:") || strings.ContainsAny(l, "\x00\x1b") {
			t.Errorf("injected line %q", l)
		}
	}
	if got := get(ps, "SUMMARY")[0].value; got != `Review\; plan\, goals \\ services` {
		t.Errorf("SUMMARY = %q", got)
	}
	desc := get(ps, "DESCRIPTION")[0].value
	if want := "Line one\nLine two\nLine three\nEND:VEVENT\nATTENDEE:mailto:evil@example.org"; unescape(desc) != want {
		t.Errorf("DESCRIPTION unescapes to %q, want %q", unescape(desc), want)
	}
	org := get(ps, "ORGANIZER")[0]
	if org.params["CN"] != "Dana^nATTENDEE:mailto:evil@example.org" || org.value != "mailto:dana.ortiz@riverside.example" {
		t.Errorf("ORGANIZER %+v", org)
	}
	if cn := get(ps, "ATTENDEE")[0].params["CN"]; cn != `Ana ^'Annie^' ^^ Pérez` {
		t.Errorf("CN with quotes and a caret = %q", cn)
	}
}

func TestFoldingUTF8(t *testing.T) {
	inv := meeting()
	inv.Description = strings.Repeat("Évaluation des besoins — 評価会議 ✓ ", 20)
	inv.Attendees[0].Name = strings.Repeat("Ñandú ", 20)
	raw := bytesOf(t, inv)
	if !strings.Contains(string(raw), "\r\n ") {
		t.Fatal("a long description was not folded")
	}
	ps := parse(t, unfold(t, raw)) // every physical line ≤ 75 octets, whole UTF-8 sequences
	if got := unescape(get(ps, "DESCRIPTION")[0].value); got != inv.Description {
		t.Errorf("unfolded description = %q, want %q", got, inv.Description)
	}
	if got := get(ps, "ATTENDEE")[0].params["CN"]; got != inv.Attendees[0].Name {
		t.Errorf("unfolded CN = %q", got)
	}
	// A line of exactly 75 octets is not folded; one of 76 is.
	var w writer
	w.line(strings.Repeat("a", 75))
	w.line(strings.Repeat("b", 76))
	if want := strings.Repeat("a", 75) + "\r\n" + strings.Repeat("b", 75) + "\r\n b\r\n"; w.b.String() != want {
		t.Errorf("folding at the limit: %q", w.b.String())
	}
}

func TestValidation(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*Invitation)
	}{
		{"UID", func(i *Invitation) { i.UID = " " }},
		{"Start", func(i *Invitation) { i.Start = time.Time{} }},
		{"End", func(i *Invitation) { i.End = i.Start }},
		{"End", func(i *Invitation) { i.End = i.Start.Add(-time.Minute) }},
		{"Summary", func(i *Invitation) { i.Summary = "" }},
		{"Sequence", func(i *Invitation) { i.Sequence = -1 }},
		{"Method", func(i *Invitation) { i.Method = "PUBLISH" }},
		{"Organizer", func(i *Invitation) { i.Organizer.Email = "" }},
		{"Organizer", func(i *Invitation) { i.Organizer.Email = "dana@riverside.example\r\nATTENDEE:x" }},
		{"Organizer", func(i *Invitation) { i.Organizer.Email = "Dana <dana@riverside.example>" }},
		{"Attendee 2", func(i *Invitation) { i.Attendees[1].Email = "" }},
		{"Attendee 2", func(i *Invitation) { i.Attendees[1].Email = "sam@x.example;ROLE=CHAIR" }},
		{"Attendee 1", func(i *Invitation) { i.Attendees[0].Role = "CHAIR" }},
		{"Attendee 1", func(i *Invitation) { i.Attendees[0].Name = "\xff" }},
		{"URL", func(i *Invitation) { i.URL = "javascript:alert(1)" }},
		{"URL", func(i *Invitation) { i.URL = "https://x.example/\r\nATTENDEE:mailto:evil@example.org" }},
		{"Description", func(i *Invitation) { i.Description = "bad \xc3" }},
	}
	for _, c := range cases {
		inv := meeting()
		c.edit(&inv)
		b, err := inv.Bytes()
		if !errors.Is(err, ErrInvalid) || b != nil {
			t.Errorf("bad %s: %v, %d bytes; want ErrInvalid", c.field, err, len(b))
			continue
		}
		if !strings.Contains(err.Error(), c.field) {
			t.Errorf("bad %s: error %q does not name the field", c.field, err)
		}
		if strings.Contains(err.Error(), "evil") || strings.Contains(err.Error(), "dana@") {
			t.Errorf("bad %s: error %q holds the value", c.field, err)
		}
	}
	// No attendees is allowed: the organizer's own copy.
	inv := meeting()
	inv.Attendees = nil
	if _, err := inv.Bytes(); err != nil {
		t.Errorf("no attendees: %v", err)
	}
}
