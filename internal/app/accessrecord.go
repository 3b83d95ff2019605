package app

import (
	"context"
	"strconv"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// AccessRecordPageSize is how many entries one page of a record of access shows.
const AccessRecordPageSize = 50

// auditAccessRecord is the record kind of a reading of the record of access itself.
const auditAccessRecord = "access_record"

// AccessFilter chooses which entries a record of access lists.
type AccessFilter string

const (
	// AccessOthers (the default; "" means it too) lists what 34 CFR 300.614 asks for: the
	// accesses by parties other than the family and the staff who work with the student
	// (store.RoutineAuditReasons): school staff who saw the directory entry, administrators,
	// temporary grants, state viewers, the system.
	AccessOthers AccessFilter = "others"
	// AccessAll lists every entry about the student, the family's and the team's too.
	AccessAll AccessFilter = "all"
)

// AccessRecord is one page of the record of access of one student (34 CFR 300.614, FERPA
// 99.32): who saw or changed the record, when, what and why, newest first.
type AccessRecord struct {
	District iep.District
	Student  iep.Student // the directory view: names, grade, school
	Filter   AccessFilter
	Entries  []AccessEntry
	After    string // the cursor this page starts after; "" on the first page
	Next     string // the cursor of the next, older page; "" on the last page
	// ShowAddress is set for a district administrator, who sees from where each access came;
	// nobody else does.
	ShowAddress bool
	// Location is the district's time zone, which every At is in.
	Location *time.Location
}

// AccessEntry is one line of a record of access.
type AccessEntry struct {
	At         time.Time // in the district's time zone
	Who        Party
	Action     string        // the audit entry's action: "read", "read_directory", "update"…
	RecordKind string        // what was acted on: "student", "plan", "access_record"…
	Reason     access.Reason // why it was allowed; "" when the entry does not say
	// GrantUntil is, for an access under a temporary grant, when the grant in force then was
	// to end; zero when unknown.
	GrantUntil time.Time
	// FromAddress is the network address the access came from, for administrators only.
	FromAddress string
	// Routine is set for the family's and the team's own accesses, which the default view
	// leaves out.
	Routine bool
}

// PartyKind says what kind of party an entry's actor was.
type PartyKind string

const (
	PartyStaff       PartyKind = "staff"
	PartyGuardian    PartyKind = "guardian" // a parent or guardian: never named
	PartyStudent     PartyKind = "student"
	PartySystem      PartyKind = "system"
	PartyStateViewer PartyKind = "state_viewer"
	PartyOther       PartyKind = "other"
)

// Party is who an entry's actor was, as the reader may see it.
type Party struct {
	Kind PartyKind
	// Name and Roles are a staff member's (a state viewer's too) from the staff list; Name is ""
	// when the person is no longer on it.
	Name  string
	Roles []iep.StaffRole
	// Substitute is set when the access came from a temporary grant.
	Substitute bool
	// You is set when the actor is the reader.
	You bool
}

// AccessRecord returns one page (AccessRecordPageSize) of a student's record of access, starting
// after cursor ("" for the newest), with the entries filter chooses (AccessOthers by default),
// and records the reading in the audit trail (action "read", record "access_record", the
// student's id). Only one page is read, however long the trail.
//
// Who may: whom the policy allows access.ViewAudit — the parent holding the educational rights,
// the student once the rights are theirs, the district's administrators and representatives.
// Actors are resolved to a staff member's name and roles, "a parent or guardian", the student,
// the system; addresses are shown to administrators only.
//
// Errors: KindNotFound for an unknown student or district, or one the actor may not know
// exists (as for the record itself); KindForbidden for others the policy refuses; KindInvalid
// for an unknown filter or a malformed cursor (Problems "show", "after").
func (s *Service) AccessRecord(ctx context.Context, a Actor, districtID, studentID string, filter AccessFilter, cursor string) (*AccessRecord, error) {
	dec, err := s.authorize(ctx, a, access.ViewAudit, districtID, studentID)
	if err != nil {
		return nil, err
	}
	before, err := checkAccessQuery(&filter, cursor)
	if err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return nil, err
	}
	r := &AccessRecord{District: *d, Student: directoryView(*st), Filter: filter, After: cursor,
		ShowAddress: dec.Reason == access.ReasonDistrictAdmin, Location: now.Location()}
	entries, err := s.db.ListStudentAudit(ctx, districtID, store.AuditPage{StudentID: studentID, Before: before,
		Limit: AccessRecordPageSize + 1, Disclosures: filter == AccessOthers})
	if err != nil {
		return nil, err
	}
	if len(entries) > AccessRecordPageSize {
		entries = entries[:AccessRecordPageSize]
		r.Next = strconv.FormatInt(entries[len(entries)-1].Seq, 10)
	}
	if r.Entries, err = s.accessEntries(ctx, a, r, entries); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, dec, auditRead, auditAccessRecord, studentID, districtID, studentID); err != nil {
		return nil, err
	}
	return r, nil
}

// checkAccessQuery validates the filter (setting the default) and parses the cursor: the seq of
// the last entry of the previous page, 0 for the first page.
func checkAccessQuery(filter *AccessFilter, cursor string) (int64, error) {
	var ps iep.Problems
	switch *filter {
	case "":
		*filter = AccessOthers
	case AccessOthers, AccessAll:
	default:
		ps = append(ps, iep.Problem{Field: "show", Code: iep.CodeChoice, Detail: string(AccessOthers) + ", " + string(AccessAll)})
	}
	var before int64
	if cursor != "" {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || n <= 0 {
			ps = append(ps, iep.Problem{Field: "after", Code: iep.CodeInvalid})
		}
		before = n
	}
	if len(ps) > 0 {
		return 0, ps.Err()
	}
	return before, nil
}

// accessEntries resolves a page of audit entries into lines a reader understands. Staff are
// looked up once each; the student's grants only when a line needs one.
func (s *Service) accessEntries(ctx context.Context, a Actor, r *AccessRecord, entries []store.AuditEntry) ([]AccessEntry, error) {
	staff := map[string]*iep.Staff{}
	var grants []access.Grant
	grantsRead := false
	out := make([]AccessEntry, len(entries))
	for i, e := range entries {
		reason := access.Reason(e.Reason)
		line := AccessEntry{At: e.At.In(r.Location), Action: e.Action, RecordKind: e.RecordKind, Reason: reason,
			Routine: store.IsRoutineAudit(e.Reason)}
		if r.ShowAddress {
			line.FromAddress = e.FromAddress
		}
		who, err := s.party(ctx, r.District.ID, e, staff)
		if err != nil {
			return nil, err
		}
		who.You = e.ActorKind == string(a.Kind) && e.ActorID != "" && e.ActorID == a.ID
		if reason == access.ReasonGrantRead || reason == access.ReasonGrantWrite {
			who.Substitute = true
			if !grantsRead {
				if grants, err = s.db.ListGrants(ctx, r.District.ID, r.Student.ID); err != nil {
					return nil, err
				}
				grantsRead = true
			}
			line.GrantUntil = grantUntil(grants, e)
		}
		line.Who = who
		out[i] = line
	}
	return out, nil
}

// party says who an entry's actor was. Staff (and state viewers, who are staff) are named with
// their roles when the district's staff list still has them; parents and guardians are never
// named.
func (s *Service) party(ctx context.Context, districtID string, e store.AuditEntry, cache map[string]*iep.Staff) (Party, error) {
	var p Party
	switch ActorKind(e.ActorKind) {
	case ActorStaff:
		p.Kind = PartyStaff
	case ActorStateViewer:
		p.Kind = PartyStateViewer
	case ActorGuardian:
		return Party{Kind: PartyGuardian}, nil
	case ActorStudent:
		return Party{Kind: PartyStudent}, nil
	case "system":
		return Party{Kind: PartySystem}, nil
	default:
		return Party{Kind: PartyOther}, nil
	}
	if e.ActorID == "" {
		return p, nil
	}
	st, ok := cache[e.ActorID]
	if !ok {
		var err error
		st, err = s.db.GetStaff(ctx, districtID, e.ActorID)
		if iep.KindOf(err) == iep.KindNotFound {
			st, err = nil, nil
		}
		if err != nil {
			return p, err
		}
		cache[e.ActorID] = st
	}
	if st != nil {
		p.Name, p.Roles = st.Name(), st.Roles
	}
	return p, nil
}

// grantUntil is the end of the grant that let the entry's actor in at the entry's instant: the
// latest-ending grant to them on this student that was active then; zero when none was.
func grantUntil(grants []access.Grant, e store.AuditEntry) time.Time {
	var until time.Time
	for _, g := range grants {
		if g.StaffID == e.ActorID && g.ActiveAt(e.At) && g.Until.After(until) {
			until = g.Until
		}
	}
	return until
}

// MayViewAccessRecord reports whether the reader of r may open the student's record of access
// (access.ViewAudit), from the relationship that let them read the record: the family holding
// the rights and the district's administrators and representatives may; the team, school staff,
// a substitute and a parent the adult student shares the record with may not.
func (r *Record) MayViewAccessRecord() bool {
	switch r.Reason {
	case access.ReasonGuardianWithRights, access.ReasonAdultStudent, access.ReasonDistrictAdmin, access.ReasonDistrictRep:
		return true
	}
	return false
}
