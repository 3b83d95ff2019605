package app

import (
	"context"
	"strings"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/demo"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// This file holds the district's goal bank and accommodation bank (store/banks.go). Searching
// the bank and fetching one item are the policy's ViewDirectory on the district: any staff
// member of the district with an account (a case manager writing a plan, a teacher, a
// provider); not the state viewer, not families. A bank item holds no student data, so reads
// are not audited. Adding, editing, retiring and restoring items, and loading the starter bank,
// are ManageDistrict: the district's administrators and representatives (there is no separate
// special-education coordinator role in iep.StaffRoles: a coordinator is given the
// district_representative or administrator role); each change is audited with the policy's
// reason in the same transaction.

// BankPageSize is how many items a page of a bank lists unless the caller asks for another size.
const BankPageSize = 50

// BankQuery is a search of one kind of a district's bank.
type BankQuery struct {
	Kind    store.BankKind
	Text    string                   // every word must be in the item (text, objectives, tags, subjects)
	Area    string                   // goals: one of store.BankAreas; "" every area
	Grade   string                   // one of store.GradeBands; "" every band
	Context iep.AccommodationContext // accommodations: where they apply; "" everywhere
	Retired bool                     // the retired items instead (administrators only)
	After   string                   // the id of the last item of the previous page
	Limit   int                      // items per page; 0 is BankPageSize
}

// Bank is a page of a bank search.
type Bank struct {
	District iep.District
	Query    BankQuery
	Items    []store.BankItem
	Total    int    // items matching the query, over all pages
	Next     string // the After of the next page; "" on the last
	// CanManage says the actor may add, edit, retire and restore items (the administration).
	CanManage bool
	// Empty says the bank of this kind has never had an item (retired ones count), so that the
	// administration offers the starter bank (StarterSize items). Known only to CanManage.
	Empty       bool
	StarterSize int
}

// SearchBank returns a page of the district's bank items of one kind matching q, for any staff
// member of the district. Errors: unauthenticated, not found (families, another district),
// forbidden (the state viewer; the retired items to anyone but an administrator), invalid (an
// unknown kind, area, grade band or context; a bad After).
func (s *Service) SearchBank(ctx context.Context, a Actor, districtID string, q BankQuery) (*Bank, error) {
	if _, err := s.authorize(ctx, a, access.ViewDirectory, districtID, ""); err != nil {
		return nil, err
	}
	_, merr := s.authorize(ctx, a, access.ManageDistrict, districtID, "")
	out := &Bank{Query: q, CanManage: merr == nil}
	if q.Retired && !out.CanManage {
		return nil, merr
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	out.District = *d
	limit := q.Limit
	if limit <= 0 {
		limit = BankPageSize
	}
	page, err := s.db.SearchBank(ctx, districtID, store.BankFilter{Kind: q.Kind, Query: q.Text, Area: q.Area, Grade: q.Grade,
		Context: q.Context, Retired: q.Retired, After: q.After, Limit: limit})
	if err != nil {
		return nil, err
	}
	out.Items, out.Total = page.Items, page.Total
	if page.More {
		out.Next = page.Items[len(page.Items)-1].ID
	}
	if out.CanManage {
		n, err := s.db.CountBankItems(ctx, districtID, q.Kind)
		if err != nil {
			return nil, err
		}
		out.Empty, out.StarterSize = n == 0, len(demo.StarterBank(q.Kind))
	}
	return out, nil
}

// BankItem returns one item of the district's bank, for any staff member of the district: what
// the plan editor inserts into a plan (see GoalFromBank, AccommodationFromBank). A retired item
// is still returned, with RetiredAt set. Errors: unauthenticated, not found (no such item;
// families, another district), forbidden (the state viewer).
func (s *Service) BankItem(ctx context.Context, a Actor, districtID, id string) (*store.BankItem, error) {
	if _, err := s.authorize(ctx, a, access.ViewDirectory, districtID, ""); err != nil {
		return nil, err
	}
	return s.db.GetBankItem(ctx, districtID, id)
}

// MayManageBank reports (nil) whether the actor may add, edit and retire items of the district's
// banks. Errors: unauthenticated, not found (families, another district), forbidden.
func (s *Service) MayManageBank(ctx context.Context, a Actor, districtID string) error {
	_, err := s.manage(ctx, a, districtID, "")
	return err
}

// ManagedBankItem returns one item of the district's bank of kind, for the administration's
// edit form. Errors: as BankItem, forbidden for anyone but administrators, not found for an
// item of another kind.
func (s *Service) ManagedBankItem(ctx context.Context, a Actor, districtID string, kind store.BankKind, id string) (*store.BankItem, error) {
	if _, err := s.manage(ctx, a, districtID, ""); err != nil {
		return nil, err
	}
	it, err := s.db.GetBankItem(ctx, districtID, id)
	if err != nil {
		return nil, err
	}
	if it.Kind != kind {
		return nil, iep.Errorf(iep.KindNotFound, "bank item %s not found", id)
	}
	return it, nil
}

// BankInput is what an administrator types about a bank item; the fields of the other kind
// are ignored.
type BankInput struct {
	Area, GradeBand, Text             string
	MeasurementMethod, Schedule, Unit string
	Objectives                        []string
	AccommodationKind                 iep.AccommodationKind
	Context                           iep.AccommodationContext
	Subjects                          string
	Tags                              []string
}

func (in BankInput) item(districtID string, kind store.BankKind, id string) store.BankItem {
	it := store.BankItem{DistrictID: districtID, ID: id, Kind: kind, Area: in.Area, GradeBand: in.GradeBand, Text: in.Text,
		MeasurementMethod: in.MeasurementMethod, Schedule: in.Schedule, Unit: in.Unit, Objectives: in.Objectives,
		AccommodationKind: in.AccommodationKind, Context: in.Context, Subjects: in.Subjects, Tags: in.Tags}
	it.Normalize()
	return it
}

// CreateBankItem adds an item to the district's bank of kind and returns its id. Errors:
// invalid (the fields, named as the form names them), forbidden, not found.
func (s *Service) CreateBankItem(ctx context.Context, a Actor, districtID string, kind store.BankKind, in BankInput) (string, error) {
	d, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return "", err
	}
	it := in.item(districtID, kind, "")
	if err := it.Validate(); err != nil {
		return "", err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error { return tx.CreateBankItem(ctx, &it, byActor(a, d)) })
	return it.ID, err
}

// UpdateBankItem stores the changed item if nobody changed it since revision base (the one the
// form was opened at). Errors: invalid, forbidden, not found, conflict (someone else saved it
// first: read it again with ManagedBankItem to show both versions).
func (s *Service) UpdateBankItem(ctx context.Context, a Actor, districtID string, kind store.BankKind, id string, base int, in BankInput) error {
	d, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return err
	}
	it := in.item(districtID, kind, id)
	if err := it.Validate(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error { return tx.UpdateBankItem(ctx, &it, base, byActor(a, d)) })
}

// RetireBankItem retires an item (hidden from searches, kept for history) or, with retired
// false, restores it. Errors: forbidden, not found.
func (s *Service) RetireBankItem(ctx context.Context, a Actor, districtID string, kind store.BankKind, id string, retired bool) error {
	d, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error { return tx.RetireBankItem(ctx, districtID, kind, id, retired, byActor(a, d)) })
}

// LoadStarterBank loads the starter bank of kind (demo.StarterBank) into the district's bank of
// that kind, which must never have had an item, and returns how many items it added; each is
// audited as a creation by the administrator. Errors: forbidden, not found, conflict (the bank
// already has items).
func (s *Service) LoadStarterBank(ctx context.Context, a Actor, districtID string, kind store.BankKind) (int, error) {
	d, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.LoadBankItems(ctx, districtID, kind, demo.StarterBank(kind), byActor(a, d))
		return err
	})
	return n, err
}

// The blanks a bank item's text may hold, filled in for one student by FillBankBlanks.
const (
	BlankStudent  = "[student]"
	BlankDate     = "[date]"
	BlankBaseline = "[baseline]"
	BlankTarget   = "[target]"
)

// FillBankBlanks replaces the blanks of text with values (keyed by the blank, e.g.
// BlankStudent: "Mia"); a blank without a value, or with an empty one, stays for the case
// manager to fill in.
func FillBankBlanks(text string, values map[string]string) string {
	var pairs []string
	for blank, v := range values {
		if strings.TrimSpace(v) != "" {
			pairs = append(pairs, blank, v)
		}
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// GoalFromBank is a plan's goal started from a goal item of the bank, its blanks filled with
// values (FillBankBlanks): area, statement, measurement method, schedule, unit and objectives.
// The caller gives it an id, a baseline and a target.
func GoalFromBank(it *store.BankItem, values map[string]string) iep.Goal {
	g := iep.Goal{Area: it.Area, Statement: FillBankBlanks(it.Text, values), MeasurementMethod: it.MeasurementMethod,
		Schedule: it.Schedule, Unit: it.Unit}
	for _, o := range it.Objectives {
		g.Objectives = append(g.Objectives, iep.Objective{Statement: FillBankBlanks(o, values)})
	}
	return g
}

// AccommodationFromBank is a plan's accommodation started from an accommodation item of the
// bank, its blanks filled with values. The caller gives it an id.
func AccommodationFromBank(it *store.BankItem, values map[string]string) iep.AccommodationItem {
	return iep.AccommodationItem{Kind: it.AccommodationKind, Context: it.Context,
		Description: FillBankBlanks(it.Text, values), Subjects: it.Subjects}
}
