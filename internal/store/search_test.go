package store

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

// searchKeySQL is the SQL of a search key column: the nested replace() of searchFolds, outermost
// last, then ASCII lower(): the expression of migration 0019's generated columns.
func searchKeySQL(col string) string {
	var pairs []string
	for _, g := range searchFolds {
		for _, r := range g.from {
			pairs = append(pairs, "'"+strings.ReplaceAll(string(r), "'", "''")+"', '"+g.to+"')")
		}
	}
	var b strings.Builder
	b.WriteString("lower(" + strings.Repeat("replace(", len(pairs)) + col)
	for i, p := range pairs {
		if i%8 == 0 {
			b.WriteString("\n\t")
		} else {
			b.WriteString(" ")
		}
		b.WriteString(", " + p)
	}
	b.WriteString(")")
	return b.String()
}

// TestSearchKeyMigrationMatchesCode: the generated columns of migration 0019 are the folding of
// SearchKey, on both engines (the contract test SearchStudents checks the results agree too).
// OPENIEP_PRINT_SEARCH_SQL=1 prints the expressions.
func TestSearchKeyMigrationMatchesCode(t *testing.T) {
	cols := map[string]string{"search_last": "last_name", "search_first": "first_name",
		"search_preferred": "preferred_name", "search_local": "local_id"}
	if os.Getenv("OPENIEP_PRINT_SEARCH_SQL") != "" {
		for key, col := range cols {
			t.Logf("%s:\n%s", key, searchKeySQL(col))
		}
	}
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, engine := range []string{"sqlite", "postgres"} {
		b, err := os.ReadFile(filepath.Join("migrations", engine, "0019_caseload.sql"))
		if err != nil {
			t.Fatal(err)
		}
		text := norm(string(b))
		for key, col := range cols {
			if !strings.Contains(text, key+" ") || !strings.Contains(text, norm(searchKeySQL(col))) {
				t.Errorf("%s: the column %s is not the folding of SearchKey over %s", engine, key, col)
			}
		}
		// SQLite's parser before 3.45 (the sqlite3 shell of Debian 12) refuses an expression
		// nested 30 deep, and then cannot read the database at all: keep a margin.
		if depth := strings.Count(searchKeySQL("x"), "("); depth > 26 {
			t.Errorf("the search key nests %d calls; at most 26", depth)
		}
	}
}

func TestSearchKeyAndParse(t *testing.T) {
	for in, want := range map[string]string{
		"José":           "jose",
		"MUÑOZ":          "munoz",
		"Gonçalves":      "goncalves",
		"MÜLLER":         "muller",
		"O'Brien":        "obrien",
		"O’Brien":        "obrien",
		"De la Cruz":     "delacruz",
		"Jean-Luc":       "jeanluc",
		"Jose\u0301":     "jose",  // decomposed é
		"Nun\u0303ez":    "nunez", // decomposed ñ
		"Łukasz":         "Łukasz",
		"Straße":         "straße",
		"Nguyễn":         "nguyễn",
		"Дмитрий":        "Дмитрий",
		"R-1001":         "r1001",
		"  St. John  ":   "stjohn",
		"invalid\xffutf": "invalidutf",
	} {
		if got := SearchKey(in); got != want {
			t.Errorf("SearchKey(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		in    string
		want  SearchQuery
		empty bool
	}{
		{"Ortiz", SearchQuery{Term: "ortiz"}, false},
		{"Ortiz, Mi", SearchQuery{Last: "ortiz", First: "mi"}, false},
		{"ortiz,", SearchQuery{Last: "ortiz"}, false},
		{", Mia", SearchQuery{Term: "mia"}, false},
		{" - ' ", SearchQuery{}, true},
		{",", SearchQuery{}, true},
		{strings.Repeat("a", 300), SearchQuery{Term: strings.Repeat("a", maxSearchRunes)}, false},
	} {
		got, empty := ParseSearch(c.in)
		if got != c.want || empty != c.empty {
			t.Errorf("ParseSearch(%q) = %+v, %v; want %+v, %v", c.in, got, empty, c.want, c.empty)
		}
	}
}

// testSearchStudents (contract): the stored keys are SearchKey's on the engine; the places and
// their order; a student listed once; the scope; keyset pages across places; a bad cursor.
func testSearchStudents(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	add := func(first, last, preferred, local, school string) iep.Student {
		s := f.student(first, last)
		s.PreferredName, s.LocalID, s.SchoolID = preferred, local, school
		mustWrite(t, db, func(tx *Tx) error { return tx.CreateStudent(ctx, &s) })
		return s
	}
	jose := add("José", "Muñoz", "", "S-100", f.school.ID)
	mar := add("Marisol", "MUÑOZ-Pérez", "", "S-101", f.school.ID)
	obrien := add("Seán", "O'Brien", "", "S-102", f.school2.ID)
	add("Amelia", "Munro", "Mia", "S-103", f.school2.ID)
	add("Munira", "Ahmed", "", "S-104", f.school.ID)
	add("Mia", "Zhou", "", "MU-7", f.school.ID)
	cyr := add("Дмитрий", "Иванов", "", "S-105", f.school.ID)
	add("Other", "Person", "", "S-106", f.school.ID)

	// The keys the engine stored are SearchKey's.
	for _, s := range []iep.Student{jose, mar, obrien, cyr} {
		var last, first, local string
		err := db.queryRow(ctx, `SELECT search_last, search_first, search_local FROM students WHERE district_id = $1 AND id = $2`,
			d, s.ID).Scan(&last, &first, &local)
		if err != nil {
			t.Fatal(err)
		}
		if last != SearchKey(s.LastName) || first != SearchKey(s.FirstName) || local != SearchKey(s.LocalID) {
			t.Errorf("%s: stored keys %q %q %q, SearchKey gives %q %q %q", db.Engine(), last, first, local,
				SearchKey(s.LastName), SearchKey(s.FirstName), SearchKey(s.LocalID))
		}
	}

	search := func(q string, schools []string, after string, limit int) []StudentSummary {
		t.Helper()
		sq, _ := ParseSearch(q)
		rows, err := db.SearchStudents(ctx, d, SearchFilter{Query: sq, SchoolIDs: schools, After: after, Limit: limit})
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		return rows
	}
	names := func(rows []StudentSummary) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.FirstName+" "+r.LastName)
		}
		return out
	}
	// "mu": last names first (Muñoz, MUÑOZ-Pérez, Munro by folded key), then first names
	// (Munira), then local ids (MU-7); nobody twice.
	want := []string{"José Muñoz", "Marisol MUÑOZ-Pérez", "Amelia Munro", "Munira Ahmed", "Mia Zhou"}
	diff(t, "mu", names(search("mu", nil, "", 0)), want)
	diff(t, "MUÑO (accents and case ignored)", names(search("MUÑO", nil, "", 0)), want[:2])
	diff(t, "munoz-p", names(search("munoz-p", nil, "", 0)), []string{"Marisol MUÑOZ-Pérez"})
	diff(t, "obri (apostrophe ignored)", names(search("obri", nil, "", 0)), []string{"Seán O'Brien"})
	diff(t, "sean", names(search("sean", nil, "", 0)), []string{"Seán O'Brien"})
	diff(t, "preferred name", names(search("mia", nil, "", 0)), []string{"Mia Zhou", "Amelia Munro"})
	diff(t, "Last, First", names(search("Munoz, Jo", nil, "", 0)), []string{"José Muñoz"})
	diff(t, "Last, Preferred", names(search("mun, mi", nil, "", 0)), []string{"Amelia Munro"})
	diff(t, "local id", names(search("s-10", nil, "", 0))[:2], []string{"José Muñoz", "Marisol MUÑOZ-Pérez"})
	diff(t, "local id without the hyphen", names(search("s102", nil, "", 0)), []string{"Seán O'Brien"})
	diff(t, "Cyrillic as typed", names(search("Ива", nil, "", 0)), []string{"Дмитрий Иванов"})
	diff(t, "nothing", names(search("xyz", nil, "", 0)), []string(nil))
	diff(t, "one school", names(search("mu", []string{f.school2.ID}, "", 0)), []string{"Amelia Munro"})
	diff(t, "no school", names(search("mu", []string{}, "", 0)), []string(nil))

	// Pages of two walk every place in order, each student once.
	var walked []string
	after := ""
	for page := 0; page < 5; page++ {
		rows := search("mu", nil, after, 2)
		walked = append(walked, names(rows)...)
		if len(rows) < 2 {
			break
		}
		after = rows[len(rows)-1].Cursor
	}
	diff(t, "pages of two", walked, want)
	if slices.ContainsFunc(search("mu", nil, "", 0), func(r StudentSummary) bool { return strings.Contains(r.Cursor, "Mu") }) {
		t.Error("a cursor holds a name")
	}

	for _, bad := range []string{"x", "9~" + jose.ID, "1~no-such-student", "2~"} {
		sq, _ := ParseSearch("mu")
		_, err := db.SearchStudents(ctx, d, SearchFilter{Query: sq, After: bad})
		if iep.KindOf(err) != iep.KindInvalid {
			t.Errorf("cursor %q: %v, want invalid", bad, err)
		}
	}
	// Another district's students are not found.
	g := newFixture(t, db)
	diff(t, "other district", names(func() []StudentSummary {
		sq, _ := ParseSearch("mu")
		rows, err := db.SearchStudents(ctx, g.district.ID, SearchFilter{Query: sq})
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}()), []string(nil))
}

// TestSearchUsesIndexesSQLite: every query of a search is a range of a key's index, whatever
// the place, the scope and the cursor: never a walk of the district, never a sort.
func TestSearchUsesIndexesSQLite(t *testing.T) {
	db := openSQLite(t)
	f := newFixture(t, db)
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateStudents(ctx, benchStudents(f, 200, 0)) })
	s := f.addStudent(t, db, "Ana", "Last")
	for _, q := range []string{"last", "Last, Ana"} {
		sq, _ := ParseSearch(q)
		for place := 1; place < len(searchPlaces); place++ {
			if sq.Last != "" && place > 1 {
				break
			}
			for _, scope := range [][]string{nil, {f.school.ID}, {f.school.ID, f.school2.ID}} {
				for _, after := range []string{"", s.ID} {
					text, args, err := db.searchSQL(ctx, f.district.ID, SearchFilter{Query: sq, SchoolIDs: scope}, place, after, 51)
					if err != nil {
						t.Fatal(err)
					}
					plan := explain(t, db, text, args)
					index := "students_" + searchPlaces[place].key
					if !strings.Contains(plan, "SEARCH students USING INDEX "+index+" (district_id=? AND "+searchPlaces[place].key+">? AND "+searchPlaces[place].key+"<?)") ||
						strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "SCAN") {
						t.Errorf("place %d, scope %v, after %q: plan %s\n%s", place, scope, after, plan, text)
					}
				}
			}
		}
	}
}

// BenchmarkSearch100k searches a district of 100,000 students: a common two-letter prefix
// (thousands of matches: one page), a rare one, and the second page. The setup takes a while.
func BenchmarkSearch100k(b *testing.B) {
	db := openSQLite(b)
	f := newFixture(b, db)
	for done := 0; done < 100000; done += 5000 {
		mustWrite(b, db, func(tx *Tx) error { return tx.CreateStudents(ctx, benchStudents(f, 5000, done)) })
	}
	for _, q := range []string{"last01", "last0999", "first7", "l00000"} {
		b.Run(q, func(b *testing.B) {
			sq, _ := ParseSearch(q)
			for b.Loop() {
				rows, err := db.SearchStudents(ctx, f.district.ID, SearchFilter{Query: sq, Limit: 51})
				if err != nil || len(rows) == 0 {
					b.Fatalf("%d rows, %v", len(rows), err)
				}
				if _, err := db.SearchStudents(ctx, f.district.ID, SearchFilter{Query: sq, Limit: 51, After: rows[len(rows)-1].Cursor,
					SchoolIDs: []string{f.school.ID}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
