package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/openiep/openiep/internal/iep"
)

// This file holds a district's goal bank and accommodation bank (migration 0017_banks.sql):
// items that case managers copy into a plan and adapt to the child. An item holds no student
// data. Changes carry a revision, so that two administrators editing the same item do not
// overwrite each other; a retired item is hidden from searches and kept for history. Every
// change appends its audit entry in the same transaction.

// BankKind is what a bank holds.
type BankKind string

// The kinds of bank item.
const (
	BankGoal          BankKind = "goal"
	BankAccommodation BankKind = "accommodation"
)

// BankKinds lists every kind of bank item.
var BankKinds = []BankKind{BankGoal, BankAccommodation}

// BankAreas are the areas a goal item is written for, in the order they are listed.
var BankAreas = []string{"reading", "written_expression", "mathematics", "communication", "social_emotional",
	"behavior", "executive_function", "adaptive", "motor", "transition", "vocational"}

// GradeBands are the grade bands an item is written for, youngest first: preschool,
// kindergarten to grade 2, grades 3–5, 6–8, 9–12, and the students of 18 to 22.
var GradeBands = []string{"pk", "k_2", "3_5", "6_8", "9_12", "18_22"}

// BankContexts are where an accommodation applies (iep.AccommodationContext), in listing order.
var BankContexts = []iep.AccommodationContext{iep.ContextClassroom, iep.ContextTesting, iep.ContextBoth}

// bankAccommodationKinds are the kinds of an accommodation item, in listing order.
var bankAccommodationKinds = []iep.AccommodationKind{iep.Accommodation, iep.Modification}

// The limits of a bank item's short fields (its texts have none).
const (
	MaxBankTags   = 12
	MaxBankTagLen = 40
)

// BankItem is one item of a district's bank: a goal (Area, GradeBand, Text as the goal
// statement's template, MeasurementMethod, Schedule, Unit, Objectives) or an accommodation
// (AccommodationKind, Context, Text as its description, Subjects, and an optional GradeBand: ""
// fits every grade). The fields of the other kind are empty. Text may hold blanks the case
// manager fills in, such as [student], [date], [baseline] and [target].
type BankItem struct {
	DistrictID string
	ID         string // set by CreateBankItem when empty (UUIDv7)
	Kind       BankKind

	Area              string // goals: one of BankAreas
	GradeBand         string // one of GradeBands; goals must have one
	Text              string
	MeasurementMethod string   // goals
	Schedule          string   // goals: how often progress is measured
	Unit              string   // goals, optional: "words correct per minute", "% of opportunities"
	Objectives        []string // goals, optional: short-term objectives or benchmarks

	AccommodationKind iep.AccommodationKind    // accommodations
	Context           iep.AccommodationContext // accommodations
	Subjects          string                   // accommodations, optional: "all", "math, science"

	Tags []string // lower case, without repeats

	Revision  int       // 1 when created, one more at each change
	RetiredAt time.Time // zero while the item is in use
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string // the staff member who changed it last; "" for the system (a starter bank)
	// UpdatedByName is that staff member's name, read with the item ("" for the system).
	UpdatedByName string
}

// Retired reports whether the item is retired.
func (it *BankItem) Retired() bool { return !it.RetiredAt.IsZero() }

// Normalize trims the item's fields, drops blank objectives, folds tags to lower case without
// repeats, and empties the fields of the other kind.
func (it *BankItem) Normalize() {
	trim := strings.TrimSpace
	it.Area, it.GradeBand, it.Text = trim(it.Area), trim(it.GradeBand), trim(it.Text)
	it.MeasurementMethod, it.Schedule, it.Unit, it.Subjects = trim(it.MeasurementMethod), trim(it.Schedule), trim(it.Unit), trim(it.Subjects)
	var obj []string
	for _, o := range it.Objectives {
		if o = trim(o); o != "" {
			obj = append(obj, o)
		}
	}
	it.Objectives = obj
	var tags []string
	for _, t := range it.Tags {
		t = strings.Join(strings.Fields(strings.ToLower(t)), " ")
		if t != "" && !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	it.Tags = tags
	switch it.Kind {
	case BankGoal:
		it.AccommodationKind, it.Context, it.Subjects = "", "", ""
	case BankAccommodation:
		it.Area, it.MeasurementMethod, it.Schedule, it.Unit, it.Objectives = "", "", "", "", nil
	}
}

// Validate reports what is wrong with the item, field by field (form names: area, grade_band,
// text, measurement_method, schedule, accommodation_kind, context, tags).
func (it *BankItem) Validate() error {
	var ps iep.Problems
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	choice := func(field, v string, allowed []string, required bool) {
		switch {
		case v == "" && required:
			ps = append(ps, iep.Problem{Field: field, Code: iep.CodeRequired})
		case v != "" && !slices.Contains(allowed, v):
			ps = append(ps, iep.Problem{Field: field, Code: iep.CodeChoice, Detail: strings.Join(allowed, ", ")})
		}
	}
	if blank(it.DistrictID) {
		ps = append(ps, iep.Problem{Field: "district_id", Code: iep.CodeRequired})
	}
	switch it.Kind {
	case BankGoal:
		choice("area", it.Area, BankAreas, true)
		choice("grade_band", it.GradeBand, GradeBands, true)
		if blank(it.Text) {
			ps = append(ps, iep.Problem{Field: "text", Code: iep.CodeRequired})
		}
		if blank(it.MeasurementMethod) {
			ps = append(ps, iep.Problem{Field: "measurement_method", Code: iep.CodeRequired})
		}
		if blank(it.Schedule) {
			ps = append(ps, iep.Problem{Field: "schedule", Code: iep.CodeRequired})
		}
	case BankAccommodation:
		choice("accommodation_kind", string(it.AccommodationKind), enumStrings(bankAccommodationKinds), true)
		choice("context", string(it.Context), enumStrings(BankContexts), true)
		choice("grade_band", it.GradeBand, GradeBands, false)
		if blank(it.Text) {
			ps = append(ps, iep.Problem{Field: "text", Code: iep.CodeRequired})
		}
	default:
		ps = append(ps, iep.Problem{Field: "kind", Code: iep.CodeChoice, Detail: "goal, accommodation"})
	}
	if len(it.Tags) > MaxBankTags {
		ps = append(ps, iep.Problem{Field: "tags", Code: iep.CodeRange, Detail: "0.." + strconv.Itoa(MaxBankTags)})
	}
	for _, t := range it.Tags {
		if utf8.RuneCountInString(t) > MaxBankTagLen {
			ps = append(ps, iep.Problem{Field: "tags", Code: iep.CodeTooLong, Detail: strconv.Itoa(MaxBankTagLen)})
			break
		}
	}
	return ps.Err()
}

func enumStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// FoldSearch is the form in which a bank item's words are kept for searching and a search's
// words are compared: lower case, accents removed (é → e), runs of spaces made one.
func FoldSearch(s string) string {
	var b strings.Builder
	space := true
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteRune(unicode.ToLower(r))
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// searchText is what a search reads of the item: its text, objectives, tags and subjects.
func (it *BankItem) searchText() string {
	parts := append([]string{it.Text}, it.Objectives...)
	parts = append(parts, it.Tags...)
	parts = append(parts, it.Subjects)
	return FoldSearch(strings.Join(parts, "\n"))
}

// rank is v's place in list as two digits ("99" when absent), for sort keys.
func rank[T comparable](list []T, v T) string {
	i := slices.Index(list, v)
	if i < 0 {
		i = 99
	}
	return fmt.Sprintf("%02d", i)
}

// sortKey orders a kind's items: goals by area, grade band and text; accommodations by where
// they apply, accommodation before modification, then text.
func (it *BankItem) sortKey() string {
	text := FoldSearch(it.Text)
	if r := []rune(text); len(r) > 80 {
		text = string(r[:80])
	}
	if it.Kind == BankGoal {
		return rank(BankAreas, it.Area) + rank(GradeBands, it.GradeBand) + text
	}
	return rank(BankContexts, it.Context) + rank(bankAccommodationKinds, it.AccommodationKind) + text
}

// updatedBy is the staff id a change by by is recorded under: NULL for anyone but staff.
func (by AuditActor) staffID() any {
	if by.Kind == "staff" {
		return opt(by.ID)
	}
	return nil
}

// CreateBankItem stores a new item at revision 1 and audits "create" of the bank item. The
// item should be Normalized first. Errors: invalid (Validate; a district that does not exist),
// conflict (an id already used).
func (tx *Tx) CreateBankItem(ctx context.Context, it *BankItem, by AuditActor) error {
	if err := checked(it.Validate(), it.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&it.ID); err != nil {
		return err
	}
	var j jsonArgs
	obj, tags := j.of(nonNil(it.Objectives)), j.of(nonNil(it.Tags))
	if j.err != nil {
		return j.err
	}
	it.Revision, it.CreatedAt, it.UpdatedAt, it.RetiredAt = 1, tx.now, tx.now, time.Time{}
	if by.Kind == "staff" {
		it.UpdatedBy = by.ID
	} else {
		it.UpdatedBy = ""
	}
	_, err := tx.exec(ctx, `INSERT INTO bank_items (district_id, id, kind, area, grade_band, body, measurement_method,
		schedule, unit, objectives, accommodation_kind, context, subjects, tags, search_text, sort_key, revision,
		created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $17, $18)`,
		it.DistrictID, it.ID, string(it.Kind), it.Area, it.GradeBand, it.Text, it.MeasurementMethod, it.Schedule, it.Unit,
		obj, string(it.AccommodationKind), string(it.Context), it.Subjects, tags, it.searchText(), it.sortKey(),
		tx.db.d.instant(tx.now), by.staffID())
	if err != nil {
		return wrap(err, "create bank item in district %s", it.DistrictID)
	}
	return tx.auditBy(ctx, it.DistrictID, "create", "bank_item", it.ID, "", by)
}

// UpdateBankItem stores the changed item it.ID if it is still at revision base (what the editor
// started from), moves it to the next revision (it.Revision) and audits "update". Its kind
// cannot change and retiring is RetireBankItem's. Errors: invalid (Validate), not found (no such
// item of that kind in the district), conflict (someone else changed it since revision base).
func (tx *Tx) UpdateBankItem(ctx context.Context, it *BankItem, base int, by AuditActor) error {
	if err := checked(it.Validate(), it.DistrictID); err != nil {
		return err
	}
	var j jsonArgs
	obj, tags := j.of(nonNil(it.Objectives)), j.of(nonNil(it.Tags))
	if j.err != nil {
		return j.err
	}
	done, err := tx.execOne(ctx, `UPDATE bank_items SET area = $5, grade_band = $6, body = $7, measurement_method = $8,
		schedule = $9, unit = $10, objectives = $11, accommodation_kind = $12, context = $13, subjects = $14, tags = $15,
		search_text = $16, sort_key = $17, revision = revision + 1, updated_at = $18, updated_by = $19
		WHERE district_id = $1 AND id = $2 AND kind = $3 AND revision = $4`,
		it.DistrictID, it.ID, string(it.Kind), base, it.Area, it.GradeBand, it.Text, it.MeasurementMethod, it.Schedule,
		it.Unit, obj, string(it.AccommodationKind), string(it.Context), it.Subjects, tags, it.searchText(), it.sortKey(),
		tx.db.d.instant(tx.now), by.staffID())
	if err != nil {
		return wrap(err, "update bank item %s", it.ID)
	}
	if !done {
		return tx.bankMiss(ctx, it.DistrictID, it.ID, it.Kind, base)
	}
	it.Revision, it.UpdatedAt = base+1, tx.now
	it.UpdatedBy, it.UpdatedByName = "", ""
	if by.Kind == "staff" {
		it.UpdatedBy = by.ID
	}
	return tx.auditBy(ctx, it.DistrictID, "update", "bank_item", it.ID, "", by)
}

// bankMiss says why a conditional change of a bank item changed nothing: not found (no such
// item of that kind), or conflict (it is at another revision than base).
func (tx *Tx) bankMiss(ctx context.Context, districtID, id string, kind BankKind, base int) error {
	var rev int
	var k string
	err := tx.queryRow(ctx, `SELECT kind, revision FROM bank_items WHERE district_id = $1 AND id = $2`, districtID, id).Scan(&k, &rev)
	if err := one(err, "bank item", id); err != nil {
		return err
	}
	if k != string(kind) {
		return notFound("bank item", id)
	}
	return iep.Errorf(iep.KindConflict, "bank item %s was changed by someone else (your revision %d, current %d)", id, base, rev)
}

// RetireBankItem retires the item (hidden from searches, kept for history) or, with retired
// false, puts it back in use; either moves it to the next revision and audits "retire" or
// "restore". Retiring a retired item (or restoring one in use) changes nothing and is no error.
// Errors: not found (no such item of that kind in the district).
func (tx *Tx) RetireBankItem(ctx context.Context, districtID string, kind BankKind, id string, retired bool, by AuditActor) error {
	cond, set, action := "retired_at IS NULL", "$4", "retire"
	if !retired {
		cond, set, action = "retired_at IS NOT NULL", "NULL", "restore"
	}
	done, err := tx.execOne(ctx, `UPDATE bank_items SET retired_at = `+set+`, revision = revision + 1, updated_at = $4,
		updated_by = $5 WHERE district_id = $1 AND id = $2 AND kind = $3 AND `+cond,
		districtID, id, string(kind), tx.db.d.instant(tx.now), by.staffID())
	if err != nil {
		return wrap(err, "%s bank item %s", action, id)
	}
	if !done {
		var n int
		err := tx.queryRow(ctx, `SELECT COUNT(*) FROM bank_items WHERE district_id = $1 AND id = $2 AND kind = $3`,
			districtID, id, string(kind)).Scan(&n)
		if err != nil {
			return wrap(err, "read bank item %s", id)
		}
		if n == 0 {
			return notFound("bank item", id)
		}
		return nil
	}
	return tx.auditBy(ctx, districtID, action, "bank_item", id, "", by)
}

// LoadBankItems stores items (all of kind) as the first items of the district's bank of that
// kind, each created and audited as CreateBankItem does, and returns how many it stored. It
// refuses, with a conflict error, a bank of that kind that already holds an item (retired ones
// count). The district's row is locked first, so that two administrators loading at once load
// once. Errors: invalid (an item fails Validate, or is of another kind), conflict.
func (tx *Tx) LoadBankItems(ctx context.Context, districtID string, kind BankKind, items []BankItem, by AuditActor) (int, error) {
	var id string
	err := tx.queryRow(ctx, `SELECT id FROM districts WHERE id = $1`+tx.db.d.forUpdate, districtID).Scan(&id)
	if err := one(err, "district", districtID); err != nil {
		return 0, err
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM bank_items WHERE district_id = $1 AND kind = $2`, districtID, string(kind)).Scan(&n); err != nil {
		return 0, wrap(err, "count the bank items of district %s", districtID)
	}
	if n > 0 {
		return 0, iep.Errorf(iep.KindConflict, "the %s bank of district %s already has %d items", kind, districtID, n)
	}
	for i := range items {
		it := items[i]
		if it.Kind != kind {
			return 0, iep.Problems{{Field: "kind", Code: iep.CodeChoice, Detail: string(kind)}}.Err()
		}
		it.DistrictID = districtID
		it.Normalize()
		if err := tx.CreateBankItem(ctx, &it, by); err != nil {
			return 0, fmt.Errorf("bank item %d: %w", i, err)
		}
	}
	return len(items), nil
}

const bankCols = `b.district_id, b.id, b.kind, b.area, b.grade_band, b.body, b.measurement_method, b.schedule, b.unit,
	b.objectives, b.accommodation_kind, b.context, b.subjects, b.tags, b.revision, b.retired_at, b.created_at,
	b.updated_at, COALESCE(b.updated_by, ''), COALESCE(s.first_name, ''), COALESCE(s.last_name, '')`

const bankFrom = ` FROM bank_items b LEFT JOIN staff s ON s.district_id = b.district_id AND s.id = b.updated_by`

func scanBankItem(r row, it *BankItem) error {
	var kind, akind, ctxt, first, last string
	err := r.Scan(&it.DistrictID, &it.ID, &kind, &it.Area, &it.GradeBand, &it.Text, &it.MeasurementMethod,
		&it.Schedule, &it.Unit, jsonCol{&it.Objectives}, &akind, &ctxt, &it.Subjects, jsonCol{&it.Tags},
		&it.Revision, instant{&it.RetiredAt}, instant{&it.CreatedAt}, instant{&it.UpdatedAt}, &it.UpdatedBy, &first, &last)
	if err != nil {
		return err
	}
	it.Kind, it.AccommodationKind, it.Context = BankKind(kind), iep.AccommodationKind(akind), iep.AccommodationContext(ctxt)
	it.UpdatedByName = strings.TrimSpace(first + " " + last)
	if len(it.Objectives) == 0 {
		it.Objectives = nil
	}
	if len(it.Tags) == 0 {
		it.Tags = nil
	}
	return nil
}

// GetBankItem returns one item of the district's bank, retired or not. Errors: not found.
func (db *DB) GetBankItem(ctx context.Context, districtID, id string) (*BankItem, error) {
	var it BankItem
	err := scanBankItem(db.queryRow(ctx, `SELECT `+bankCols+bankFrom+` WHERE b.district_id = $1 AND b.id = $2`, districtID, id), &it)
	if err := one(err, "bank item", id); err != nil {
		return nil, err
	}
	return &it, nil
}

// BankFilter selects items of one kind of a district's bank.
type BankFilter struct {
	Kind BankKind
	// Query keeps the items that hold every word of it (in their text, objectives, tags or
	// subjects), whatever the case and accents.
	Query string
	Area  string // goals of this area; "" every area
	Grade string // items of this grade band, and accommodations for every grade; "" every band
	// Context keeps accommodations that apply there (and those that apply in both places).
	Context iep.AccommodationContext
	Retired bool   // the retired items instead of those in use
	After   string // the id of the last item of the previous page; "" for the first page
	Limit   int    // items per page: default 50, at most 500
}

// BankPage is a page of a bank search: the items, and how many match in all.
type BankPage struct {
	Items []BankItem
	Total int  // every item the filter matches, over all pages
	More  bool // more items follow this page
}

// maxBankWords is the most words of a query a search compares; the rest are ignored.
const maxBankWords = 8

// SearchBank returns a page of the district's bank items of one kind that match f, in sort
// order (see the migration), keyset-paginated on (sort key, id). It reads the range of one index
// (district, kind, sort key, id) and compares the words on the folded search text. Errors:
// invalid (an unknown kind, area, grade band or context; an After that names no item of the
// kind).
func (db *DB) SearchBank(ctx context.Context, districtID string, f BankFilter) (*BankPage, error) {
	var ps iep.Problems
	if !slices.Contains(BankKinds, f.Kind) {
		ps = append(ps, iep.Problem{Field: "kind", Code: iep.CodeChoice, Detail: "goal, accommodation"})
	}
	if f.Area != "" && !slices.Contains(BankAreas, f.Area) {
		ps = append(ps, iep.Problem{Field: "area", Code: iep.CodeChoice, Detail: strings.Join(BankAreas, ", ")})
	}
	if f.Grade != "" && !slices.Contains(GradeBands, f.Grade) {
		ps = append(ps, iep.Problem{Field: "grade", Code: iep.CodeChoice, Detail: strings.Join(GradeBands, ", ")})
	}
	if f.Context != "" && !slices.Contains(BankContexts, f.Context) {
		ps = append(ps, iep.Problem{Field: "context", Code: iep.CodeChoice, Detail: "classroom, testing, both"})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	limit = min(limit, maxPageSize)
	args := []any{districtID, string(f.Kind)}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := ` WHERE b.district_id = $1 AND b.kind = $2 AND b.retired_at IS NULL`
	if f.Retired {
		where = ` WHERE b.district_id = $1 AND b.kind = $2 AND b.retired_at IS NOT NULL`
	}
	if f.Area != "" {
		where += ` AND b.area = ` + arg(f.Area)
	}
	if f.Grade != "" {
		where += ` AND (b.grade_band = ` + arg(f.Grade) + ` OR b.grade_band = '')`
	}
	if f.Context != "" {
		where += ` AND b.context IN (` + arg(string(f.Context)) + `, 'both')`
	}
	words := strings.Fields(FoldSearch(f.Query))
	for _, w := range words[:min(len(words), maxBankWords)] {
		where += ` AND b.search_text LIKE ` + arg("%"+escapeLike(w)+"%") + ` ESCAPE '\'`
	}
	page := &BankPage{}
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM bank_items b`+where, args...).Scan(&page.Total); err != nil {
		return nil, wrap(err, "count the bank of district %s", districtID)
	}
	if f.After != "" {
		var key string
		err := db.queryRow(ctx, `SELECT sort_key FROM bank_items WHERE district_id = $1 AND id = $2 AND kind = $3`,
			districtID, f.After, string(f.Kind)).Scan(&key)
		if err := one(err, "bank item", f.After); err != nil {
			return nil, iep.Problems{{Field: "after", Code: iep.CodeInvalid}}.Err()
		}
		where += ` AND (b.sort_key, b.id) > (` + arg(key) + `, ` + arg(f.After) + `)`
	}
	lim := arg(limit + 1)
	items, err := list(ctx, db, scanBankItem, `SELECT `+bankCols+bankFrom+where+` ORDER BY b.sort_key, b.id LIMIT `+lim, args...)
	if err != nil {
		return nil, wrap(err, "search the bank of district %s", districtID)
	}
	if len(items) > limit {
		items, page.More = items[:limit], true
	}
	page.Items = items
	return page, nil
}

// CountBankItems counts the items of one kind of the district's bank, retired ones included:
// zero means the bank was never started.
func (db *DB) CountBankItems(ctx context.Context, districtID string, kind BankKind) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM bank_items WHERE district_id = $1 AND kind = $2`, districtID, string(kind)).Scan(&n)
	return n, wrap(err, "count the bank of district %s", districtID)
}
