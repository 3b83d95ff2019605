package access

import (
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// GrantScope is what a grant allows.
type GrantScope string

const (
	GrantRead  GrantScope = "read"  // view the directory entry and the record
	GrantWrite GrantScope = "write" // also edit the plan and log services
)

// GrantScopes lists every grant scope.
var GrantScopes = []GrantScope{GrantRead, GrantWrite}

// Grant is time-limited access of one staff member to one student's record: a substitute
// covering a provider's caseload, an evaluator from another school. A grant is active from
// StartsAt (inclusive) to Until (exclusive), unless revoked before; after that it gives nothing.
// Granting is a disclosure to a school official with a legitimate educational interest (FERPA
// 34 CFR 99.31(a)(1)); the record of access notes it (300.614).
type Grant struct {
	ID         string     `json:"id"`
	DistrictID string     `json:"district_id"`
	StaffID    string     `json:"staff_id"`
	StudentID  string     `json:"student_id"`
	Scope      GrantScope `json:"scope"`
	GrantedBy  string     `json:"granted_by"` // the staff member who granted it
	Reason     string     `json:"reason"`     // "covering for J. Ortiz, on leave"
	StartsAt   time.Time  `json:"starts_at"`
	Until      time.Time  `json:"until"`
	RevokedAt  time.Time  `json:"revoked_at,omitzero"`
}

// ActiveAt reports whether g gives access at instant t.
func (g *Grant) ActiveAt(t time.Time) bool {
	if !g.RevokedAt.IsZero() && !t.Before(g.RevokedAt) {
		return false
	}
	return !t.Before(g.StartsAt) && t.Before(g.Until)
}

// Validate reports what is wrong with g (the store fills StartsAt when it is zero, before
// validating).
func (g *Grant) Validate() error {
	var ps iep.Problems
	req := func(field, v string) {
		if v == "" {
			ps = append(ps, iep.Problem{Field: field, Code: iep.CodeRequired})
		}
	}
	req("district_id", g.DistrictID)
	req("staff_id", g.StaffID)
	req("student_id", g.StudentID)
	req("granted_by", g.GrantedBy)
	req("reason", g.Reason)
	if g.Scope != GrantRead && g.Scope != GrantWrite {
		ps = append(ps, iep.Problem{Field: "scope", Code: iep.CodeChoice, Detail: "read, write"})
	}
	switch {
	case g.Until.IsZero():
		ps = append(ps, iep.Problem{Field: "until", Code: iep.CodeRequired})
	case !g.Until.After(g.StartsAt):
		ps = append(ps, iep.Problem{Field: "until", Code: iep.CodeDateOrder, Detail: "starts_at"})
	}
	return ps.Err()
}
