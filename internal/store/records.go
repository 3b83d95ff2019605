package store

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// A family's request to see the education records (34 CFR 300.613), with what the family asked
// for and how, and how the school provided them (migration 0023). The ledger holds the clock's
// events (records_requested, records_provided); these rows hold the request itself.

// Parts of the record a family may ask to see.
const (
	RecordsAll         = "all"         // everything
	RecordsPlans       = "plans"       // the IEPs, with their notices and answers
	RecordsEvaluations = "evaluations" // evaluations and assessment reports
	RecordsProgress    = "progress"    // progress reports and measurements
	RecordsServices    = "services"    // service logs: sessions delivered and missed
	RecordsMeetings    = "meetings"    // meeting notices and notes
	RecordsOther       = "other"       // something else, said in the note
)

// RecordsParts lists every part, in the order a form offers them.
var RecordsParts = []string{RecordsAll, RecordsPlans, RecordsEvaluations, RecordsProgress, RecordsServices, RecordsMeetings, RecordsOther}

// How the family wants to see the records, and how the school provided them.
const (
	RecordsInspect = "inspect" // look at them at school, with someone to explain them
	RecordsCopies  = "copies"  // receive copies

	ProvidedInspected = "inspected"     // the family looked at them at school
	ProvidedGiven     = "copies_given"  // copies handed over
	ProvidedSent      = "copies_sent"   // copies sent by mail or e-mail
	ProvidedPortal    = "portal_export" // the family downloaded the whole record
)

// RecordsDeliveries and RecordsProvisions list the choices.
var (
	RecordsDeliveries = []string{RecordsInspect, RecordsCopies}
	RecordsProvisions = []string{ProvidedInspected, ProvidedGiven, ProvidedSent, ProvidedPortal}
)

// RecordsRequestDetail is a records request with what the family asked to see (Parts), how
// (Delivery), and once provided, how (ProvidedHow) and by which staff member (ProvidedBy). A
// request without a guardian is the adult student's own (the rights transferred, 300.520).
type RecordsRequestDetail struct {
	iep.RecordsRequest
	Parts       []string `json:"parts"`
	Delivery    string   `json:"delivery"`
	ProvidedHow string   `json:"provided_how,omitempty"`
	ProvidedBy  string   `json:"provided_by,omitempty"`
}

// Validate reports what is wrong with r: the request's own problems (but a guardian, which an
// adult student's request has none of), at least one known part, a known delivery, and once
// provided, how.
func (r *RecordsRequestDetail) Validate() error {
	var ps iep.Problems
	var e *iep.Error
	if err := r.RecordsRequest.Validate(); err != nil {
		if !errors.As(err, &e) {
			return err
		}
		for _, p := range e.Problems {
			if p.Field != "guardian_id" {
				ps = append(ps, p)
			}
		}
	}
	if len(r.Parts) == 0 {
		ps = append(ps, iep.Problem{Field: "parts", Code: iep.CodeRequired})
	}
	for _, p := range r.Parts {
		if !slices.Contains(RecordsParts, p) {
			ps = append(ps, iep.Problem{Field: "parts", Code: iep.CodeChoice, Detail: strings.Join(RecordsParts, ", ")})
			break
		}
	}
	if !slices.Contains(RecordsDeliveries, r.Delivery) {
		code := iep.CodeChoice
		if r.Delivery == "" {
			code = iep.CodeRequired
		}
		ps = append(ps, iep.Problem{Field: "delivery", Code: code, Detail: strings.Join(RecordsDeliveries, ", ")})
	}
	if !r.FulfilledOn.IsZero() && !slices.Contains(RecordsProvisions, r.ProvidedHow) {
		ps = append(ps, iep.Problem{Field: "provided_how", Code: iep.CodeChoice, Detail: strings.Join(RecordsProvisions, ", ")})
	}
	return ps.Err()
}

// CreateRecordsRequestDetail stores a records request with its parts and delivery (ID set when
// empty). Errors: invalid (Validate's problems; a student or guardian not in the district),
// conflict.
func (tx *Tx) CreateRecordsRequestDetail(ctx context.Context, r *RecordsRequestDetail) error {
	if err := checked(r.Validate(), r.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&r.ID); err != nil {
		return err
	}
	var j jsonArgs
	parts := j.of(r.Parts)
	if j.err != nil {
		return j.err
	}
	_, err := tx.exec(ctx, `INSERT INTO records_requests (district_id, id, student_id, guardian_id, requested_on,
		fulfilled_on, note, parts, delivery, provided_how, provided_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.DistrictID, r.ID, r.StudentID, opt(r.GuardianID), r.RequestedOn, r.FulfilledOn, r.Note, parts, r.Delivery,
		r.ProvidedHow, r.ProvidedBy)
	return wrap(err, "create records request %s", r.ID)
}

const recordsRequestCols = `district_id, id, student_id, COALESCE(guardian_id, ''), requested_on, fulfilled_on, note,
	parts, delivery, provided_how, provided_by`

func scanRecordsRequest(r row, x *RecordsRequestDetail) error {
	return r.Scan(&x.DistrictID, &x.ID, &x.StudentID, &x.GuardianID, &x.RequestedOn, &x.FulfilledOn, &x.Note,
		jsonCol{&x.Parts}, &x.Delivery, &x.ProvidedHow, &x.ProvidedBy)
}

// ListRecordsRequestDetails returns the student's records requests with their details, oldest
// first (one range of records_requests_student).
func (db *DB) ListRecordsRequestDetails(ctx context.Context, districtID, studentID string) ([]RecordsRequestDetail, error) {
	return list(ctx, db, scanRecordsRequest, `SELECT `+recordsRequestCols+` FROM records_requests
		WHERE district_id = $1 AND student_id = $2 ORDER BY requested_on, id`, districtID, studentID)
}

// GetRecordsRequestDetail returns the student's records request id. Errors: not found (also for
// a request of another student).
func (db *DB) GetRecordsRequestDetail(ctx context.Context, districtID, studentID, id string) (*RecordsRequestDetail, error) {
	var x RecordsRequestDetail
	err := scanRecordsRequest(db.queryRow(ctx, `SELECT `+recordsRequestCols+` FROM records_requests
		WHERE district_id = $1 AND id = $2 AND student_id = $3`, districtID, id, studentID), &x)
	if err := one(err, "records request", id); err != nil {
		return nil, err
	}
	return &x, nil
}

// ProvideRecords records that the student's request id was answered on day on, how (one of
// RecordsProvisions) and by staff member by. Only an open request is changed, so of two staff
// members answering at once one wins. Errors: invalid (a day before the request, an unknown
// how, no staff member), not found (no such request of the student), conflict (already
// provided).
func (tx *Tx) ProvideRecords(ctx context.Context, districtID, studentID, id string, on date.Date, how, by string) error {
	var ps iep.Problems
	if on.IsZero() {
		ps = append(ps, iep.Problem{Field: "provided_on", Code: iep.CodeRequired})
	}
	if !slices.Contains(RecordsProvisions, how) {
		ps = append(ps, iep.Problem{Field: "provided_how", Code: iep.CodeChoice, Detail: strings.Join(RecordsProvisions, ", ")})
	}
	if strings.TrimSpace(by) == "" {
		ps = append(ps, iep.Problem{Field: "provided_by", Code: iep.CodeRequired})
	}
	if err := ps.Err(); err != nil {
		return err
	}
	var requested date.Date
	var fulfilled date.Date
	err := tx.queryRow(ctx, `SELECT requested_on, fulfilled_on FROM records_requests
		WHERE district_id = $1 AND id = $2 AND student_id = $3`, districtID, id, studentID).Scan(&requested, &fulfilled)
	if err := one(err, "records request", id); err != nil {
		return err
	}
	if on.Before(requested) {
		return iep.Problems{{Field: "provided_on", Code: iep.CodeDateOrder, Detail: "requested_on"}}.Err()
	}
	ok, err := tx.execOne(ctx, `UPDATE records_requests SET fulfilled_on = $4, provided_how = $5, provided_by = $6
		WHERE district_id = $1 AND id = $2 AND student_id = $3 AND fulfilled_on IS NULL`,
		districtID, id, studentID, on, how, by)
	if err != nil {
		return wrap(err, "provide records request %s", id)
	}
	if !ok || !fulfilled.IsZero() {
		return iep.Errorf(iep.KindConflict, "records request %s was already provided", id)
	}
	return nil
}
