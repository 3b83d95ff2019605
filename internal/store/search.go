package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/iep"
)

// Finding a student by name or local id (GET /districts/{district}/students?q=).
//
// Matching. What the person types and the stored names are both folded into a search key
// (SearchKey): ASCII letters are lower-cased; the accented letters of Spanish (á é í ó ú ü ñ,
// either case, precomposed or with a combining accent) and ç lose their accents ("José" →
// "jose", "MUÑOZ" → "munoz", "Gonçalves" → "goncalves"); spaces, hyphens, apostrophes and
// periods are dropped ("O'Brien" and "obrien", "De la Cruz" and "delacruz", "R-1001" and "r1001"
// are the same key). A query matches a key that starts with it. Other letters are kept as they
// are, case included, on both engines alike: "Nguyễn" is found by "nguy" or "nguyễn", not by
// "nguyen"; "Дмитрий" by "Дми", not by "дми". The set is small on purpose: the key is a nested
// replace() in the schema, and SQLite's parser before 3.45 (the sqlite3 shell of current
// distributions) refuses nesting deeper than about 29, which would make the database unreadable
// to it (TestSearchKeyMigrationMatchesCode keeps the depth at 25).
//
// The keys are generated columns of students (migration 0019: search_last, search_first,
// search_preferred, search_local), each the same nested replace() and ASCII lower() on both
// engines, so that SQLite and PostgreSQL fold exactly as SearchKey does (a contract test checks
// it on both), and each is the second column of an index (district, key, …, id, school), so that
// a page of results is one index range however large the district.
//
// Ranking and paging. A query without a comma is looked for, in this order, as the start of a
// last name (by last name, first name), of a first name, of a preferred name (each by that name,
// then last name), then of a local student id (by id); a student is listed once, at the first
// place they match. "Last, First" matches the start of the last name and of the first or
// preferred name (by last name, first name). Pages are keyset: the cursor is the place and the
// last student's id ("2~<id>"), never a name.

// searchFolds are the characters SearchKey (and the generated key columns) replace, by what
// replaces them; "" drops them. The order is the order of the nested replace() calls in
// migration 0019 (outermost last), which searchKeySQL writes and a test compares.
var searchFolds = []struct{ to, from string }{
	{"a", "áÁ"},
	{"c", "çÇ"},
	{"e", "éÉ"},
	{"i", "íÍ"},
	{"n", "ñÑ"},
	{"o", "óÓ"},
	{"u", "úÚüÜ"},
	// Combining accents (a name stored decomposed: "e" + U+0301), and the marks names are
	// written with or without.
	{"", "\u0301\u0303\u0308\u0327"},
	{"", " -'.\u2019"},
}

var searchFold = func() map[rune]string {
	m := map[rune]string{}
	for _, g := range searchFolds {
		for _, r := range g.from {
			m[r] = g.to
		}
	}
	return m
}()

// SearchKey folds s as the students' search keys are folded (see the comment at the top of
// this file): ASCII lower-cased, the accents of Spanish letters and ç removed, spaces, hyphens,
// apostrophes and periods dropped.
func SearchKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "") {
		if to, ok := searchFold[r]; ok {
			b.WriteString(to)
			continue
		}
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SearchQuery is what someone typed to find a student, parsed: Last (and First) for
// "Last, First", else Term for any of the names or the local id. All are search keys.
type SearchQuery struct {
	Term        string
	Last, First string
}

// maxSearchRunes is the longest query read; the rest is ignored.
const maxSearchRunes = 100

// ParseSearch reads what someone typed: "Last, First" (either side may be empty) or one term.
// Empty reports that nothing searchable was typed (only spaces or punctuation).
func ParseSearch(q string) (s SearchQuery, empty bool) {
	q = strings.ToValidUTF8(q, "")
	if utf8.RuneCountInString(q) > maxSearchRunes {
		q = string([]rune(q)[:maxSearchRunes])
	}
	if last, first, ok := strings.Cut(q, ","); ok {
		s = SearchQuery{Last: SearchKey(last), First: SearchKey(first)}
		if s.Last == "" { // ", Ann": a first name
			s = SearchQuery{Term: s.First}
		}
	} else {
		s = SearchQuery{Term: SearchKey(q)}
	}
	return s, s.Term == "" && s.Last == ""
}

// SearchFilter is one page of a search.
type SearchFilter struct {
	Query SearchQuery
	// SchoolIDs, when not nil, limits the results to these schools (the scope of a staff member
	// who is not district-wide); an empty non-nil slice finds nothing.
	SchoolIDs []string
	After     string // the Cursor of the last row of the previous page; "" for the first
	Limit     int    // default 50, at most 500
}

// searchPlace is one of the places a query is looked for, in ranking order.
type searchPlace struct {
	key   string   // the key column matched
	order []string // the order of the index, after the district (ending with id)
}

var searchPlaces = []searchPlace{
	1: {"search_last", []string{"search_last", "search_first", "id"}},
	2: {"search_first", []string{"search_first", "search_last", "id"}},
	3: {"search_preferred", []string{"search_preferred", "search_last", "id"}},
	4: {"search_local", []string{"search_local", "id"}},
}

// prefixEnd is the exclusive upper bound of the keys starting with key, bytewise on both
// engines (no stored key holds U+10FFFF, the last code point).
func prefixEnd(key string) string { return key + "\U0010FFFF" }

// SearchStudents returns a page of the district's students whose names or local id start with
// f.Query (see the comment at the top of this file for the matching and the order), as
// roster rows with their current plan. Each place is read as one range of its index, never the
// whole district. Errors: invalid (a cursor that names no student of the district).
func (db *DB) SearchStudents(ctx context.Context, districtID string, f SearchFilter) ([]StudentSummary, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	limit = min(limit, maxPageSize)
	if f.SchoolIDs != nil && len(f.SchoolIDs) == 0 {
		return nil, nil
	}
	places := []int{1, 2, 3, 4}
	if f.Query.Last != "" {
		places = []int{1}
	} else if f.Query.Term == "" {
		return nil, nil
	}
	from, afterID := 0, ""
	if f.After != "" {
		p, id, ok := strings.Cut(f.After, "~")
		n, err := strconv.Atoi(p)
		if !ok || err != nil || id == "" || n < 1 || n >= len(searchPlaces) {
			return nil, badCursor()
		}
		from, afterID = n, id
	}
	var out []StudentSummary
	for _, place := range places {
		if place < from {
			continue
		}
		after := ""
		if place == from {
			after = afterID
		}
		rows, err := db.searchPlace(ctx, districtID, f, place, after, limit-len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
		if len(out) >= limit {
			break
		}
	}
	return out, db.addDisabilities(ctx, districtID, out)
}

func badCursor() error {
	return iep.Problems{{Field: "after", Code: iep.CodeInvalid, Detail: "not a cursor of this list"}}.Err()
}

// searchPlace reads up to limit students matching at one place, after the student afterID.
func (db *DB) searchPlace(ctx context.Context, districtID string, f SearchFilter, place int, afterID string, limit int) ([]StudentSummary, error) {
	q, args, err := db.searchSQL(ctx, districtID, f, place, afterID, limit)
	if err != nil {
		return nil, err
	}
	return list(ctx, db, func(r row, s *StudentSummary) error {
		dest := append(studentDest(&s.Student), &s.PlanID, &s.PlanStatus, &s.NextReviewDate)
		if err := r.Scan(dest...); err != nil {
			return err
		}
		s.Cursor = strconv.Itoa(place) + "~" + s.ID
		return nil
	}, q, args...)
}

// searchSQL builds the query of one place: the range of its key, the places before it excluded
// (a student is listed once), the scope, the keyset condition and the limit.
func (db *DB) searchSQL(ctx context.Context, districtID string, f SearchFilter, place int, afterID string, limit int) (string, []any, error) {
	args := []any{districtID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	prefix := func(col, key string) string {
		return "(" + col + " >= " + arg(key) + " AND " + col + " < " + arg(prefixEnd(key)) + ")"
	}
	p := searchPlaces[place]
	var b strings.Builder
	b.WriteString(`SELECT ` + studentCols + `, COALESCE(current_plan_id, ''), COALESCE(plan_status, ''),
		next_review_date FROM students WHERE district_id = $1`)
	if f.Query.Last != "" {
		b.WriteString(" AND " + prefix("search_last", f.Query.Last))
		if f.Query.First != "" {
			b.WriteString(" AND (" + prefix("search_first", f.Query.First) + " OR " + prefix("search_preferred", f.Query.First) + ")")
		}
	} else {
		b.WriteString(" AND " + prefix(p.key, f.Query.Term))
		for _, earlier := range searchPlaces[1:place] {
			b.WriteString(" AND NOT " + prefix(earlier.key, f.Query.Term))
		}
	}
	if f.SchoolIDs != nil {
		// school_id || '' keeps SQLite's planner on the key's index (which holds school_id)
		// instead of a school index and a sort.
		b.WriteString(" AND (school_id || '') IN (")
		for i, id := range f.SchoolIDs {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(arg(id))
		}
		b.WriteString(")")
	}
	if afterID != "" {
		keys := make([]any, len(p.order)-1)
		dest := make([]any, len(keys))
		for i := range keys {
			dest[i] = &keys[i]
		}
		cols := strings.Join(p.order[:len(p.order)-1], ", ")
		err := db.queryRow(ctx, `SELECT `+cols+` FROM students WHERE district_id = $1 AND id = $2`, districtID, afterID).Scan(dest...)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil, badCursor()
		}
		if err != nil {
			return "", nil, wrap(err, "search students")
		}
		var ph []string
		for _, k := range keys {
			ph = append(ph, arg(keyString(k)))
		}
		ph = append(ph, arg(afterID))
		fmt.Fprintf(&b, " AND (%s) > (%s)", strings.Join(p.order, ", "), strings.Join(ph, ", "))
	}
	fmt.Fprintf(&b, " ORDER BY %s LIMIT %s", strings.Join(p.order, ", "), arg(limit))
	return b.String(), args, nil
}

// keyString is a scanned key column as a string (drivers give text as string or []byte).
func keyString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
