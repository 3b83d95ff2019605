package schoolday

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// This file reads the syntax of iCalendar (RFC 5545): unfolding, content lines, parameters,
// components. What the events mean is in ics_import.go.

// icsProp is one content line: NAME;PARAM=VALUE,VALUE:value.
type icsProp struct {
	name   string // upper case
	params map[string][]string
	value  string // raw: still escaped for TEXT values
	line   int    // the physical line it begins on
}

func (p icsProp) param(name string) string {
	if v := p.params[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// icsEvent is one VEVENT's own properties (those of components inside it, such as VALARM, are
// left out).
type icsEvent struct {
	line  int
	props []icsProp
}

func (e icsEvent) get(name string) (icsProp, bool) {
	for _, p := range e.props {
		if p.name == name {
			return p, true
		}
	}
	return icsProp{}, false
}

func (e icsEvent) all(name string) []icsProp {
	var out []icsProp
	for _, p := range e.props {
		if p.name == name {
			out = append(out, p)
		}
	}
	return out
}

// readICS unfolds r and returns its VEVENTs. It checks that the feed is one VCALENDAR whose
// components are properly nested.
func readICS(r io.Reader) ([]icsEvent, error) {
	lines, err := unfold(r)
	if err != nil {
		return nil, err
	}
	var (
		events  []icsEvent
		stack   []string
		ev      *icsEvent
		seenCal bool
	)
	for _, l := range lines {
		if l.text == "" {
			continue
		}
		if len(stack) == 0 {
			if seenCal {
				return nil, fmt.Errorf("line %d: a second VCALENDAR or text after END:VCALENDAR: a feed holds one calendar", l.n)
			}
			if !strings.EqualFold(strings.TrimSpace(l.text), "BEGIN:VCALENDAR") {
				return nil, fmt.Errorf("line %d: not an iCalendar feed: want BEGIN:VCALENDAR, got %q", l.n, clip(l.text))
			}
		}
		p, err := parseContentLine(l.text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", l.n, err)
		}
		p.line = l.n
		isCal := strings.EqualFold(p.value, "VCALENDAR")
		seenCal = true
		switch p.name {
		case "BEGIN":
			if isCal && len(stack) > 0 {
				return nil, fmt.Errorf("line %d: BEGIN:VCALENDAR inside %s", l.n, stack[len(stack)-1])
			}
			stack = append(stack, strings.ToUpper(p.value))
			if len(stack) == 2 && stack[1] == "VEVENT" {
				ev = &icsEvent{line: l.n}
			}
		case "END":
			comp := strings.ToUpper(p.value)
			if top := stack[len(stack)-1]; top != comp {
				return nil, fmt.Errorf("line %d: END:%s closes BEGIN:%s", l.n, comp, top)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 1 && comp == "VEVENT" {
				events = append(events, *ev)
				ev = nil
			}
		default:
			if ev != nil && len(stack) == 2 {
				ev.props = append(ev.props, p)
			}
		}
	}
	if !seenCal {
		return nil, fmt.Errorf("line 1: not an iCalendar feed: the file is empty")
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("line %d: the feed ends inside %s (no END:%s)", lines[len(lines)-1].n, stack[len(stack)-1], stack[len(stack)-1])
	}
	return events, nil
}

type icsLine struct {
	n    int // the physical line the logical line begins on
	text string
}

// unfold joins folded lines (RFC 5545 §3.1: a line break followed by one space or tab is
// removed). Line breaks may be CRLF or LF alone. Folding may split a UTF-8 sequence, so the
// text is checked only once joined.
func unfold(r io.Reader) ([]icsLine, error) {
	br := bufio.NewReader(r)
	var out []icsLine
	for n := 1; ; n++ {
		s, err := br.ReadString('\n')
		if s == "" && err != nil {
			if err == io.EOF {
				break
			}
			return nil, err
		}
		s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r")
		if n == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		if len(s) > 0 && (s[0] == ' ' || s[0] == '\t') && len(out) > 0 {
			out[len(out)-1].text += s[1:]
		} else {
			out = append(out, icsLine{n: n, text: s})
		}
		if err == io.EOF {
			break
		}
	}
	for _, l := range out {
		if !utf8.ValidString(l.text) {
			return nil, fmt.Errorf("line %d: not valid UTF-8", l.n)
		}
	}
	return out, nil
}

// parseContentLine splits NAME *(;PARAM=VALUE[,VALUE]) : VALUE. Parameter values may be
// quoted, and quoted values may hold ; , and :.
func parseContentLine(s string) (icsProp, error) {
	p := icsProp{params: map[string][]string{}}
	i := strings.IndexAny(s, ";:")
	if i <= 0 {
		return p, fmt.Errorf("not a content line (NAME:value): %q", clip(s))
	}
	p.name = strings.ToUpper(s[:i])
	for s[i] == ';' {
		j := i + 1
		eq := strings.IndexByte(s[j:], '=')
		if eq <= 0 {
			return p, fmt.Errorf("%s: a parameter without a value", p.name)
		}
		pname := strings.ToUpper(s[j : j+eq])
		j += eq + 1
		for {
			var v string
			if j < len(s) && s[j] == '"' {
				end := strings.IndexByte(s[j+1:], '"')
				if end < 0 {
					return p, fmt.Errorf("%s: unterminated quoted parameter %s", p.name, pname)
				}
				v, j = s[j+1:j+1+end], j+end+2
			} else {
				end := strings.IndexAny(s[j:], ",;:")
				if end < 0 {
					return p, fmt.Errorf("%s: no ':' before the value", p.name)
				}
				v, j = s[j:j+end], j+end
			}
			p.params[pname] = append(p.params[pname], v)
			if j >= len(s) {
				return p, fmt.Errorf("%s: no ':' before the value", p.name)
			}
			if s[j] != ',' {
				break
			}
			j++
		}
		i = j
		if s[i] != ';' && s[i] != ':' {
			return p, fmt.Errorf("%s: unexpected %q after parameter %s", p.name, s[i], pname)
		}
	}
	p.value = s[i+1:]
	return p, nil
}

// unescapeText undoes TEXT escaping: \\ \; \, \n \N.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		default: // \\ \; \, and, leniently, any other escaped character as itself
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// splitText splits a TEXT list (CATEGORIES) on the commas that are not escaped, and unescapes
// each item.
func splitText(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ',':
			out = append(out, unescapeText(s[start:i]))
			start = i + 1
		}
	}
	return append(out, unescapeText(s[start:]))
}

// escapeText escapes a TEXT value for writing.
func escapeText(s string) string {
	return strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
