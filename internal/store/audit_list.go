package store

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/iep"
)

// RoutineAuditReasons are the reasons (access.Reason) of the accesses that 34 CFR 300.614 leaves
// out of the record of access: those of the parents (and of the student once the rights are
// theirs) and of the staff who work with the student — the case manager, the plan's team, the
// providers of its services. Everything else about a student — school staff seeing the
// directory entry, administrators, temporary grants, state viewers, the system, an entry with
// no reason — is a disclosure the family must be able to see first.
//
// Migration 0011 indexes the other entries with exactly this list (disclosureSQL); a test
// compares the two, so a change here needs a new migration.
var RoutineAuditReasons = []access.Reason{
	access.ReasonGuardianWithRights, access.ReasonSharedByStudent, access.ReasonAdultStudent,
	access.ReasonCaseManager, access.ReasonTeamMember, access.ReasonProvider,
}

// IsRoutineAudit reports whether an entry's reason is one of RoutineAuditReasons.
func IsRoutineAudit(reason string) bool {
	return slices.Contains(RoutineAuditReasons, access.Reason(reason))
}

// disclosureSQL is the condition that keeps the entries that are not routine. It is the very
// text of the predicate of the partial index audit_entries_disclosures (migration 0011), which
// both engines use only when the query repeats it.
var disclosureSQL = func() string {
	quoted := make([]string, len(RoutineAuditReasons))
	for i, r := range RoutineAuditReasons {
		quoted[i] = "'" + string(r) + "'" // constants of package access: letters and underscores
	}
	return "reason NOT IN (" + strings.Join(quoted, ", ") + ")"
}()

// MaxAuditPage is the most entries ListStudentAudit returns at once.
const MaxAuditPage = 1000

// AuditPage chooses one page of a student's record of access, newest first.
type AuditPage struct {
	StudentID string
	// Before is the Seq of the last entry of the previous page: the page holds older entries
	// only. 0 starts at the newest entry.
	Before int64
	// Limit is how many entries at most, 1 to MaxAuditPage.
	Limit int
	// Disclosures keeps only the entries that are not routine (IsRoutineAudit is false).
	Disclosures bool
}

// ListStudentAudit returns one page of the entries about one student of the district, newest
// (highest Seq) first. It reads one index range from Before down and stops after Limit entries,
// however long the trail: keyset pagination, never OFFSET. Errors: invalid (no student, a
// negative Before, a Limit out of range).
func (db *DB) ListStudentAudit(ctx context.Context, districtID string, p AuditPage) ([]AuditEntry, error) {
	var ps iep.Problems
	if strings.TrimSpace(p.StudentID) == "" {
		ps = append(ps, iep.Problem{Field: "student_id", Code: iep.CodeRequired})
	}
	if p.Before < 0 {
		ps = append(ps, iep.Problem{Field: "before", Code: iep.CodeRange, Detail: "0.."})
	}
	if p.Limit < 1 || p.Limit > MaxAuditPage {
		ps = append(ps, iep.Problem{Field: "limit", Code: iep.CodeRange, Detail: fmt.Sprintf("1..%d", MaxAuditPage)})
	}
	if len(ps) > 0 {
		return nil, ps.Err()
	}
	before := p.Before
	if before == 0 {
		before = math.MaxInt64
	}
	q := `SELECT ` + auditCols + ` FROM audit_entries
		WHERE district_id = $1 AND student_id = $2 AND seq < $3`
	if p.Disclosures {
		q += ` AND student_id IS NOT NULL AND ` + disclosureSQL
	}
	q += ` ORDER BY seq DESC LIMIT $4`
	out, err := list(ctx, db, scanAudit, q, districtID, p.StudentID, before, int64(p.Limit))
	if err != nil {
		return nil, fmt.Errorf("store: list the record of access of student %s: %w", p.StudentID, err)
	}
	return out, nil
}
