package app

import (
	"context"
	"strings"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// Finding a student: by the start of a last name, a first or preferred name, "Last, First", or
// a local student id, case and accents aside (store/search.go says exactly how), within what
// the reader may see of the district's roster.

// StudentSearch is one page (PageSize) of the students a search found.
type StudentSearch struct {
	District iep.District
	Query    string // what was typed, trimmed
	// Empty is set when nothing searchable was typed (no letter or digit): no search was made.
	Empty bool
	Rows  []StudentRow
	After string // the cursor this page starts after; "" on the first page
	Next  string // the cursor of the next page; "" on the last page
	// DirectoryOnly is set for a reader who sees the directory-level view of the roster only
	// (staff who are not administrators): the rows carry names, grades and schools, no plan or
	// disability.
	DirectoryOnly bool
}

// FindStudents returns one page of the district's students matching q, after the cursor after
// ("" for the first page). What the actor sees is exactly what the district overview's roster
// shows them (access.DecideDistrict, ViewDirectory): administrators and district-wide staff the
// whole district, other staff their schools, the directory-level columns unless they may view
// records district-wide; a state viewer is refused (names are never shown to them) and a
// family finds nothing (they reach their child through Family). A search that shows students is
// recorded in the district's audit trail (action "search_students", record "district"; what
// was typed is not recorded: it may be a name).
//
// Errors: KindNotFound for an unknown district; KindInvalid for a malformed cursor; the
// policy's kinds.
func (s *Service) FindStudents(ctx context.Context, a Actor, districtID, q, after string) (*StudentSearch, error) {
	dec, err := s.authorize(ctx, a, access.ViewDirectory, districtID, "")
	if err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	out := &StudentSearch{District: *d, Query: strings.TrimSpace(q), After: after,
		DirectoryOnly: !access.DecideDistrict(a.principal(), access.ViewRecord, districtID).Allowed}
	sq, empty := store.ParseSearch(out.Query)
	if empty {
		out.Empty, out.After = true, ""
		return out, nil
	}
	f := store.SearchFilter{Query: sq, After: after, Limit: PageSize + 1}
	if !dec.Scope.All {
		f.SchoolIDs = append([]string{}, dec.Scope.SchoolIDs...)
	}
	rows, err := s.db.SearchStudents(ctx, districtID, f)
	if err != nil {
		return nil, err
	}
	if len(rows) > PageSize {
		rows = rows[:PageSize]
		out.Next = rows[PageSize-1].Cursor
	}
	schools, err := s.db.ListSchools(ctx, districtID)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(schools))
	for _, sc := range schools {
		names[sc.ID] = sc.Name
	}
	out.Rows = make([]StudentRow, len(rows))
	for i, r := range rows {
		if out.DirectoryOnly {
			r = store.StudentSummary{Student: directoryView(r.Student), Cursor: r.Cursor}
		}
		out.Rows[i] = StudentRow{StudentSummary: r, SchoolName: names[r.SchoolID]}
	}
	return out, s.audit(ctx, a, dec, "search_students", auditDistrict, districtID, districtID, "")
}
