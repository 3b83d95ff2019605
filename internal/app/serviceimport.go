package app

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// Importing past service logs (issue 9). A district moving to openiep brings the sessions its
// old system logged as one CSV file (the layout: docs/service-log-import.md). Each row is
// matched to the service line of the student's plan in effect on its date; every problem of
// every row is reported by line and column; nothing is written from a file with a problem
// unless the administrator asks for the rows without one. A file is written in one
// transaction, and a row identical to a stored log is skipped, so that importing a file twice
// stores it once. Past sessions record no ledger event; the audit trail gets one entry of counts.

// Limits of one file.
const (
	MaxImportBytes = 20 << 20
	MaxImportRows  = 100_000
	// MaxListedProblems is how many problems, and how many skipped lines, an import lists; the
	// rest are counted.
	MaxListedProblems = 1000
)

// The columns of the layout.
const (
	colStudentLocal = "student_local_id"
	colStudent      = "student_id"
	colDate         = "date"
	colType         = "service_type"
	colLine         = "service_line_id"
	colMinutes      = "minutes"
	colStatus       = "status"
	colReason       = "missed_reason"
	colMakeUpOf     = "make_up_of_date"
	colProvider     = "provider_email"
	colSubstitute   = "substitute_email"
	colGroupSize    = "group_size"
	colNote         = "note"
	colBillable     = "medicaid_billable"
	colSupervisor   = "medicaid_supervisor_email"
	colOmitReason   = "medicaid_omit_reason"
)

// ServiceLogColumns are the columns a file may have, in the layout's order.
var ServiceLogColumns = []string{colStudentLocal, colStudent, colDate, colType, colLine, colMinutes, colStatus,
	colReason, colMakeUpOf, colProvider, colSubstitute, colGroupSize, colNote, colBillable, colSupervisor, colOmitReason}

// RowProblem is one problem of one line of the file: its line number (the header is line 1),
// and in Problem the column (Field; "" for the line as a whole), a code and a detail.
type RowProblem struct {
	Line int
	iep.Problem
}

// ServiceLogImport is what an import found and did.
type ServiceLogImport struct {
	Rows     int // rows read (blank rows are not counted)
	Valid    int // rows without a problem
	Invalid  int // rows with at least one problem
	Present  int // rows without a problem identical to a stored log: skipped
	Imported int // rows stored (0 unless Written)
	// Problems are the rows' problems by line and column, at most MaxListedProblems;
	// Unlisted counts the others.
	Problems []RowProblem
	Unlisted int
	// Written says that the rows without a problem were stored (the file had none, or the
	// administrator asked for the good rows); Skipped then lists the lines left out (at most
	// MaxListedProblems).
	Written bool
	Skipped []int
}

// ServiceLogImportForm authorizes the import page (the policy's ManageDistrict) and returns
// the district. Errors: unauthenticated, forbidden, not found.
func (s *Service) ServiceLogImportForm(ctx context.Context, a Actor, districtID string) (*iep.District, error) {
	if _, err := s.manage(ctx, a, districtID, ""); err != nil {
		return nil, err
	}
	return s.db.GetDistrict(ctx, districtID)
}

// ImportServiceLogs reads a CSV file of past service logs and, when no row has a problem (or
// skipInvalid is set: then the rows without one), stores its new rows in one transaction with
// one audit entry. A row identical to a stored log (same student, line, date, status, minutes
// and provider) is counted as present and not stored again. Errors: unauthenticated, forbidden,
// not found; invalid with a problem at "file" when the file as a whole cannot be read (too
// large, too many rows, not CSV, columns missing or unknown). The rows' own problems are in
// the result, not the error.
func (s *Service) ImportServiceLogs(ctx context.Context, a Actor, districtID string, file io.Reader, skipInvalid bool) (*ServiceLogImport, error) {
	d, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return nil, err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return nil, err
	}
	rows, err := readServiceLogs(file, date.Of(now))
	if err != nil {
		return nil, err
	}
	im := &importer{s: s, district: districtID, books: map[string]*studentBook{}}
	if err := im.resolve(ctx, rows); err != nil {
		return nil, err
	}
	out := summarize(rows)
	if out.Invalid > 0 && !skipInvalid {
		return out, nil
	}
	var fresh []*iep.ServiceLog
	for _, r := range rows {
		if len(r.problems) == 0 && !r.present {
			fresh = append(fresh, &r.log)
		}
	}
	// A make-up refers to the missed log it makes up: those go first.
	slices.SortStableFunc(fresh, func(x, y *iep.ServiceLog) int {
		return cmp.Compare(boolInt(x.Status == iep.SessionMakeUp), boolInt(y.Status == iep.SessionMakeUp))
	})
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateServiceLogs(ctx, fresh); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &store.AuditEntry{DistrictID: districtID, ActorKind: string(a.Kind), ActorID: a.ID,
			Action: "import", RecordKind: "service_log", FromAddress: a.Address, Reason: string(d.Reason),
			RecordID: fmt.Sprintf("imported=%d present=%d skipped=%d", len(fresh), out.Present, out.Invalid)})
	})
	if err != nil {
		return nil, fmt.Errorf("import service logs: %w", err)
	}
	out.Written, out.Imported = true, len(fresh)
	for _, r := range rows {
		if len(r.problems) > 0 && len(out.Skipped) < MaxListedProblems {
			out.Skipped = append(out.Skipped, r.line)
		}
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// summarize counts the rows and lists their problems in line and column order.
func summarize(rows []*importRow) *ServiceLogImport {
	out := &ServiceLogImport{Rows: len(rows)}
	for _, r := range rows {
		if len(r.problems) == 0 {
			out.Valid++
			if r.present {
				out.Present++
			}
			continue
		}
		out.Invalid++
		slices.SortStableFunc(r.problems, func(x, y iep.Problem) int { return cmp.Compare(columnOrder(x.Field), columnOrder(y.Field)) })
		for _, p := range r.problems {
			if len(out.Problems) == MaxListedProblems {
				out.Unlisted++
				continue
			}
			out.Problems = append(out.Problems, RowProblem{Line: r.line, Problem: p})
		}
	}
	return out
}

// columnOrder is a column's place in the layout ("" first: the line as a whole).
func columnOrder(col string) int { return slices.Index(ServiceLogColumns, col) }

// importRow is one row of the file as read, then resolved against the district's records.
type importRow struct {
	line     int
	problems []iep.Problem
	localID  string // as written
	givenID  string // student_id as written
	service  iep.ServiceType
	lineID   string // service_line_id as written
	makeUpOf date.Date
	provider string // e-mail addresses, normalized
	sub      string
	super    string
	log      iep.ServiceLog // what is stored; ids filled as the row is resolved
	present  bool           // identical to a stored log, whose id log.ID then is
}

// bad records a problem at col, unless col already has one (one message per cell).
func (r *importRow) bad(col, code, detail string) {
	if r.hasProblem(col) {
		return
	}
	r.problems = append(r.problems, iep.Problem{Field: col, Code: code, Detail: detail})
}

func (r *importRow) hasProblem(col string) bool {
	return slices.ContainsFunc(r.problems, func(p iep.Problem) bool { return p.Field == col })
}

// fileProblem is the error of a file that cannot be read as a whole.
func fileProblem(code, detail string) error {
	return iep.Problems{{Field: "file", Code: code, Detail: detail}}.Err()
}

var errTooLarge = errors.New("file too large")

// capped fails with errTooLarge once more than MaxImportBytes have been read.
type capped struct {
	r io.Reader
	n int64
}

func (c *capped) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n += int64(n); c.n > MaxImportBytes {
		return n, errTooLarge
	}
	return n, err
}

// readServiceLogs streams the CSV file into rows, each with the problems its cells have on
// their own (today: dates after it are refused).
func readServiceLogs(file io.Reader, today date.Date) ([]*importRow, error) {
	br := bufio.NewReader(&capped{r: file})
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	h, err := readHeader(cr)
	if err != nil {
		return nil, err
	}
	var rows []*importRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		switch {
		case errors.Is(err, errTooLarge):
			return nil, fileProblem("too_large", "")
		case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
			rows = append(rows, &importRow{line: pe.StartLine, problems: []iep.Problem{{Code: "field_count", Detail: strconv.Itoa(len(h.cols))}}})
		case errors.As(err, &pe):
			return nil, fileProblem("csv", strconv.Itoa(pe.Line))
		case err != nil:
			return nil, err
		case blank(rec):
			continue
		default:
			line, _ := cr.FieldPos(0)
			rows = append(rows, h.parse(rec, line, today))
		}
		if len(rows) > MaxImportRows {
			return nil, fileProblem("too_many_rows", strconv.Itoa(MaxImportRows))
		}
	}
	if len(rows) == 0 {
		return nil, fileProblem("no_rows", "")
	}
	return rows, nil
}

func blank(rec []string) bool {
	return !slices.ContainsFunc(rec, func(f string) bool { return strings.TrimSpace(f) != "" })
}

// header is the file's first line: where each column is.
type header struct {
	at   map[string]int
	cols []string
}

// readHeader reads the first line: known column names (any case, any order), each once, with
// the required ones present.
func readHeader(cr *csv.Reader) (*header, error) {
	rec, err := cr.Read()
	var pe *csv.ParseError
	switch {
	case err == io.EOF:
		return nil, fileProblem("empty", "")
	case errors.Is(err, errTooLarge):
		return nil, fileProblem("too_large", "")
	case errors.As(err, &pe):
		return nil, fileProblem("csv", strconv.Itoa(pe.Line))
	case err != nil:
		return nil, err
	}
	h := &header{at: map[string]int{}}
	var ps iep.Problems
	for i, name := range rec {
		name = strings.ToLower(strings.TrimSpace(name))
		h.cols = append(h.cols, name)
		switch _, dup := h.at[name]; {
		case !utf8.ValidString(name):
			ps = append(ps, iep.Problem{Field: "file", Code: "encoding"})
		case !slices.Contains(ServiceLogColumns, name):
			ps = append(ps, iep.Problem{Field: "file", Code: "unknown_column", Detail: name})
		case dup:
			ps = append(ps, iep.Problem{Field: "file", Code: "duplicate_column", Detail: name})
		default:
			h.at[name] = i
		}
	}
	if !h.has(colStudentLocal) && !h.has(colStudent) {
		ps = append(ps, iep.Problem{Field: "file", Code: "missing_student_column"})
	}
	if !h.has(colType) && !h.has(colLine) {
		ps = append(ps, iep.Problem{Field: "file", Code: "missing_service_column"})
	}
	for _, c := range []string{colDate, colMinutes, colStatus, colProvider} {
		if !h.has(c) {
			ps = append(ps, iep.Problem{Field: "file", Code: "missing_column", Detail: c})
		}
	}
	return h, ps.Err()
}

func (h *header) has(col string) bool { _, ok := h.at[col]; return ok }

// get is the cell of col, trimmed ("" when the file has no such column).
func (h *header) get(rec []string, col string) string {
	if i, ok := h.at[col]; ok {
		return strings.TrimSpace(rec[i])
	}
	return ""
}

// either is the first of two alternative columns the file has.
func (h *header) either(a, b string) string {
	if h.has(a) {
		return a
	}
	return b
}

// parse reads one row's cells into an importRow with the problems each cell has on its own.
func (h *header) parse(rec []string, line int, today date.Date) *importRow {
	r := &importRow{line: line}
	for col, i := range h.at {
		if !utf8.ValidString(rec[i]) {
			r.bad(col, "encoding", "")
			rec[i] = ""
		}
	}
	get := func(col string) string { return h.get(rec, col) }
	r.localID, r.givenID = get(colStudentLocal), get(colStudent)
	if r.localID == "" && r.givenID == "" {
		r.bad(h.either(colStudentLocal, colStudent), iep.CodeRequired, "")
	}
	r.log.Date = r.date(colDate, get(colDate), today)
	r.log.Status = iep.SessionStatus(strings.ToLower(get(colStatus)))
	r.lineID = get(colLine)
	if t := strings.ToLower(get(colType)); t != "" {
		r.service = iep.ServiceType(t)
		if !slices.Contains(iep.ServiceTypes, r.service) {
			r.bad(colType, iep.CodeChoice, joinCodes(iep.ServiceTypes))
		}
	} else if r.lineID == "" {
		r.bad(h.either(colType, colLine), iep.CodeRequired, "")
	}
	r.log.Minutes = r.number(colMinutes, get(colMinutes), 0)
	if get(colMinutes) == "" && (r.log.Status == iep.SessionDelivered || r.log.Status == iep.SessionMakeUp) {
		r.bad(colMinutes, iep.CodeRequired, "")
	}
	if v := strings.ToLower(get(colReason)); v != "" {
		r.log.MissedReason = iep.MissedReason(v)
		if r.log.Status != iep.SessionMissed {
			r.bad(colReason, "only_missed", "")
		}
	}
	if v := get(colMakeUpOf); v != "" {
		if r.log.Status != iep.SessionMakeUp {
			r.bad(colMakeUpOf, "only_make_up", "")
		}
		r.makeUpOf = r.date(colMakeUpOf, v, today)
	}
	r.provider, r.sub, r.super = store.NormalizeEmail(get(colProvider)), store.NormalizeEmail(get(colSubstitute)), store.NormalizeEmail(get(colSupervisor))
	if r.provider == "" {
		r.bad(colProvider, iep.CodeRequired, "")
	}
	if r.log.GroupSize = r.number(colGroupSize, get(colGroupSize), 1); r.log.GroupSize > 30 {
		r.bad(colGroupSize, iep.CodeRange, "1..30")
	}
	r.log.Note = get(colNote)
	r.log.Medicaid.Billable = r.yesNo(colBillable, get(colBillable))
	r.log.Medicaid.OmitReason = get(colOmitReason)
	r.log.Medicaid.OmitFromBilling = r.log.Medicaid.OmitReason != ""
	return r
}

func joinCodes[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// date reads a date cell (required by Validate when it is the session's own); dates after today
// are refused.
func (r *importRow) date(col, v string, today date.Date) date.Date {
	if v == "" {
		return date.Date{}
	}
	d, err := date.Parse(v)
	switch {
	case err != nil:
		r.bad(col, "date", "")
		return date.Date{}
	case d.After(today):
		r.bad(col, "future", "")
	}
	return d
}

// number reads a whole number; an empty cell is def.
func (r *importRow) number(col, v string, def int) int {
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.bad(col, "whole_number", "")
		return def
	}
	return n
}

// yesNo reads yes or no (also y/n, true/false, 1/0, any case); an empty cell is no.
func (r *importRow) yesNo(col, v string) bool {
	switch strings.ToLower(v) {
	case "yes", "y", "true", "1":
		return true
	case "", "no", "n", "false", "0":
		return false
	}
	r.bad(col, "yes_no", "")
	return false
}

// importer resolves rows against the district's records, reading each student's plans, plan
// versions and stored logs once.
type importer struct {
	s        *Service
	district string
	staff    map[string]string // staff ids by e-mail
	books    map[string]*studentBook
}

// studentBook is what the import reads of one student.
type studentBook struct {
	plans   []iep.Plan           // headers, newest first
	info    map[string]*planInfo // by plan id, computed on first use
	logs    []iep.ServiceLog     // stored
	present map[logKey][]string  // ids of stored logs not yet matched by a row, by key
	madeUp  map[string]bool      // missed logs already made up (stored or by a row)
}

// planInfo is whether a plan was ever in effect and the lines it put in force.
type planInfo struct {
	inEffect bool
	lines    []iep.EffectiveLine
}

// logKey is what makes a row the same session as a stored log.
type logKey struct {
	student, line string
	day           date.Date
	status        iep.SessionStatus
	minutes       int
	provider      string
}

func keyOf(l *iep.ServiceLog) logKey {
	return logKey{l.StudentID, l.ServiceLineID, l.Date, l.Status, l.Minutes, l.ProviderID}
}

// resolve finds each row's student, plan, line and staff, validates it as a service log, marks
// the rows already stored and links each make-up to the missed session it makes up.
func (im *importer) resolve(ctx context.Context, rows []*importRow) error {
	staff, err := im.s.db.ListStaff(ctx, im.district)
	if err != nil {
		return err
	}
	im.staff = make(map[string]string, len(staff))
	for _, st := range staff {
		if e := store.NormalizeEmail(st.Email); e != "" {
			im.staff[e] = st.ID
		}
	}
	if err := im.students(ctx, rows); err != nil {
		return err
	}
	for _, r := range rows {
		if err := im.resolveRow(ctx, r); err != nil {
			return err
		}
	}
	missed := map[missKey][]*importRow{}
	for _, r := range rows {
		if r.log.Status == iep.SessionMissed && r.log.StudentID != "" {
			k := missKey{r.log.StudentID, r.log.Date}
			missed[k] = append(missed[k], r)
		}
	}
	for _, r := range rows {
		if r.log.Status == iep.SessionMakeUp && len(r.problems) == 0 && !r.present {
			im.linkMakeUp(r, missed)
		}
	}
	return nil
}

// students sets each row's student id from its local id or id, in two queries for the file.
func (im *importer) students(ctx context.Context, rows []*importRow) error {
	var locals, ids []string
	for _, r := range rows {
		if r.localID != "" {
			locals = append(locals, r.localID)
		}
		if r.givenID != "" {
			ids = append(ids, r.givenID)
		}
	}
	byLocal, err := im.s.db.StudentIDsByLocalID(ctx, im.district, uniq(locals))
	if err != nil {
		return err
	}
	byID, err := im.s.db.KnownStudentIDs(ctx, im.district, uniq(ids))
	if err != nil {
		return err
	}
	for _, r := range rows {
		a, okA := byLocal[r.localID]
		b, okB := byID[r.givenID]
		switch {
		case r.localID != "" && !okA:
			r.bad(colStudentLocal, "unknown_student", "")
		case r.givenID != "" && !okB:
			r.bad(colStudent, "unknown_student", "")
		case okA && okB && a != b:
			r.bad(colStudent, "student_mismatch", "")
		case okA:
			r.log.StudentID = a
		case okB:
			r.log.StudentID = b
		}
	}
	return nil
}

func uniq(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// resolveRow matches a row to its line and staff, validates it, and marks it present when a
// stored log is the same session.
func (im *importer) resolveRow(ctx context.Context, r *importRow) error {
	if r.hasProblem("") {
		return nil // the line as a whole is wrong: its cells are not read
	}
	r.log.DistrictID = im.district
	r.log.ProviderID = im.staffID(r, colProvider, r.provider)
	r.log.ActualProviderID = im.staffID(r, colSubstitute, r.sub)
	r.log.Medicaid.SupervisorID = im.staffID(r, colSupervisor, r.super)
	if r.log.StudentID != "" && !r.log.Date.IsZero() {
		b, err := im.book(ctx, r.log.StudentID)
		if err != nil {
			return err
		}
		if err := im.matchLine(ctx, b, r); err != nil {
			return err
		}
	}
	if r.log.Status == iep.SessionMakeUp && !r.makeUpOf.IsZero() {
		r.log.MakeUpOf = "pending" // linked once every row is read (linkMakeUp)
	}
	var e *iep.Error
	if errors.As(r.log.Validate(), &e) {
		for _, p := range e.Problems {
			if col := columnOf(p.Field); col != "" {
				r.bad(col, p.Code, p.Detail)
			}
		}
	}
	if len(r.problems) > 0 {
		return nil
	}
	b := im.books[r.log.StudentID]
	if ids := b.present[keyOf(&r.log)]; len(ids) > 0 {
		r.log.ID, r.present = ids[0], true
		b.present[keyOf(&r.log)] = ids[1:]
		return nil
	}
	return store.NewID(&r.log.ID)
}

// staffID is the id of the staff member of the district with e-mail email ("" when email is).
func (im *importer) staffID(r *importRow, col, email string) string {
	if email == "" {
		return ""
	}
	id, ok := im.staff[email]
	if !ok {
		r.bad(col, "unknown_staff", "")
	}
	return id
}

// columnOf is the column of a service log's field, for Validate's problems; "" for the ids the
// import finds itself (the student, plan, line and provider: a row whose cells name none has a
// problem of its own there already).
func columnOf(field string) string {
	switch field {
	case "student_id", "plan_id", "service_line_id", "provider_id":
		return ""
	case "make_up_of":
		return colMakeUpOf
	case "medicaid.omit_reason":
		return colOmitReason
	}
	return field // date, status, missed_reason, minutes, group_size
}

// book reads a student's plans and stored logs, once.
func (im *importer) book(ctx context.Context, studentID string) (*studentBook, error) {
	if b := im.books[studentID]; b != nil {
		return b, nil
	}
	plans, err := im.s.db.ListPlans(ctx, im.district, studentID)
	if err != nil {
		return nil, err
	}
	logs, err := im.s.db.ListServiceLogs(ctx, im.district, studentID, date.Date{}, date.Date{})
	if err != nil {
		return nil, err
	}
	b := &studentBook{plans: plans, info: map[string]*planInfo{}, logs: logs, present: map[logKey][]string{}, madeUp: map[string]bool{}}
	for i := range logs {
		k := keyOf(&logs[i])
		b.present[k] = append(b.present[k], logs[i].ID)
		if logs[i].MakeUpOf != "" {
			b.madeUp[logs[i].MakeUpOf] = true
		}
	}
	im.books[studentID] = b
	return b, nil
}

// matchLine finds the line the row logs: among the lines in force on its date of the plan in
// effect then, the one with its service_line_id, else the only one of its service type.
func (im *importer) matchLine(ctx context.Context, b *studentBook, r *importRow) error {
	lines, found, err := im.linesOn(ctx, b, r.log.Date)
	if err != nil {
		return err
	}
	if !found {
		r.bad(colDate, "no_plan", "")
		return nil
	}
	var match []iep.EffectiveLine
	for _, l := range lines {
		if (r.lineID != "" && l.ID == r.lineID) || (r.lineID == "" && l.Type == r.service) {
			match = append(match, l)
		}
	}
	switch {
	case len(match) == 0 && r.lineID != "":
		r.bad(colLine, "unknown_line", "")
	case len(match) == 0:
		r.bad(colType, "no_line", "")
	case r.lineID != "" && r.service != "" && match[0].Type != r.service:
		r.bad(colType, "line_type", match[0].ID)
	case len(match) > 1:
		ids := make([]string, len(match))
		for i, l := range match {
			ids[i] = l.ID
		}
		r.bad(colType, "ambiguous_line", strings.Join(ids, ", "))
	default:
		r.log.PlanID, r.log.ServiceLineID = match[0].PlanID, match[0].ID
	}
	return nil
}

// linesOn returns the lines in force on day of the plan in effect then (found false when no
// plan was): of the plans ever in effect whose dates hold day, the one that started last (an
// amendment takes over from the plan it amends), its lines whose own dates hold day.
func (im *importer) linesOn(ctx context.Context, b *studentBook, day date.Date) ([]iep.EffectiveLine, bool, error) {
	var best *iep.Plan
	var bestInfo *planInfo
	for i := range b.plans {
		p := &b.plans[i]
		if !holds(p.StartDate, p.EndDate, day) || (best != nil && !best.StartDate.Before(p.StartDate)) {
			continue
		}
		info, err := im.planInfo(ctx, b, p)
		if err != nil {
			return nil, false, err
		}
		if info.inEffect {
			best, bestInfo = p, info
		}
	}
	if best == nil {
		return nil, false, nil
	}
	var out []iep.EffectiveLine
	for _, l := range bestInfo.lines {
		if holds(l.StartDate, l.EndDate, day) {
			out = append(out, l)
		}
	}
	return out, true, nil
}

// holds reports whether day is within from and to (a zero end is open; a zero start never holds).
func holds(from, to, day date.Date) bool {
	return !from.IsZero() && !day.Before(from) && (to.IsZero() || !day.After(to))
}

// onceInEffect reports whether a plan with this status may have been in effect (an ended plan
// only if its family accepted it: planInfo reads the responses).
func onceInEffect(s iep.PlanStatus) bool {
	return s.InEffect() || s == iep.StatusSuperseded || s == iep.StatusEnded
}

// planInfo reads whether plan p was ever in effect and the lines it put in force, as
// planServices does for the plan in effect now: its frozen version minus what the family
// rejected, with the previous plan's lines for that (summer lines included). A plan now
// superseded or ended is read from the responses to its version.
func (im *importer) planInfo(ctx context.Context, b *studentBook, p *iep.Plan) (*planInfo, error) {
	if info := b.info[p.ID]; info != nil {
		return info, nil
	}
	info := &planInfo{}
	b.info[p.ID] = info
	if p.CurrentVersion == 0 || !onceInEffect(p.Status) {
		return info, nil
	}
	frozen, err := im.s.frozen(ctx, im.district, p.ID, p.CurrentVersion)
	if err != nil {
		return nil, err
	}
	rs, err := im.s.db.ListResponses(ctx, im.district, p.ID)
	if err != nil {
		return nil, err
	}
	rs = slices.DeleteFunc(rs, func(r iep.Response) bool { return r.VersionSHA256 != frozen.sha })
	answer, sections, rejected := iep.CombineResponses(rs)
	info.inEffect = p.Status != iep.StatusEnded || answer.InEffect()
	if p.Status == iep.StatusAccepted || answer != iep.StatusAcceptedInPart {
		sections, rejected = nil, nil
	}
	var prev *iep.Content
	var prevID string
	if i := slices.IndexFunc(b.plans, func(x iep.Plan) bool { return x.ID == p.PreviousPlanID }); i >= 0 && len(sections)+len(rejected) > 0 {
		if pp := &b.plans[i]; pp.CurrentVersion > 0 && onceInEffect(pp.Status) {
			f, err := im.s.frozen(ctx, im.district, pp.ID, pp.CurrentVersion)
			if err != nil {
				return nil, err
			}
			prev, prevID = &f.plan.Content, pp.ID
		}
	}
	info.lines = iep.EffectiveServices(p.ID, &frozen.plan.Content, sections, rejected, prevID, prev)
	return info, nil
}

// missKey finds the missed sessions of a student on a day.
type missKey struct {
	student string
	day     date.Date
}

// linkMakeUp sets a make-up's MakeUpOf to the missed session of the same student and line on
// its make_up_of_date: a stored one or a row of the file, the first not yet made up (else the
// first). A missed row with problems of its own makes the make-up a problem too.
func (im *importer) linkMakeUp(r *importRow, missed map[missKey][]*importRow) {
	b := im.books[r.log.StudentID]
	var ids []string
	for _, l := range b.logs {
		if l.Status == iep.SessionMissed && l.ServiceLineID == r.log.ServiceLineID && l.Date == r.makeUpOf {
			ids = append(ids, l.ID)
		}
	}
	broken := 0
	for _, m := range missed[missKey{r.log.StudentID, r.makeUpOf}] {
		switch {
		case m.log.ServiceLineID != r.log.ServiceLineID && (m.log.ServiceLineID != "" || m.service != r.service):
		case len(m.problems) > 0:
			broken = cmp.Or(broken, m.line)
		case !slices.Contains(ids, m.log.ID):
			ids = append(ids, m.log.ID)
		}
	}
	if len(ids) == 0 {
		if broken > 0 {
			r.bad(colMakeUpOf, "missed_has_errors", strconv.Itoa(broken))
		} else {
			r.bad(colMakeUpOf, "no_missed", "")
		}
		r.log.MakeUpOf = ""
		return
	}
	r.log.MakeUpOf = ids[0]
	for _, id := range ids {
		if !b.madeUp[id] {
			r.log.MakeUpOf = id
			break
		}
	}
	b.madeUp[r.log.MakeUpOf] = true
}
