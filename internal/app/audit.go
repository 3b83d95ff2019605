package app

import (
	"context"
	"fmt"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/store"
)

// Audit actions and record kinds the use cases record.
const (
	auditRead          = "read"
	auditReadDirectory = "read_directory"

	auditStudent  = "student"
	auditDistrict = "district"
)

// audit appends one entry to the district's audit trail (34 CFR 300.614, FERPA 99.32) in its own
// transaction: who (the actor and their address), on which ground (the policy's decision, whose
// reason names the relationship that allowed it: guardian, team member, administrator…) did action to which record, about which
// student (empty when about none). Only ids go in, never names. A use case that shows records
// calls it after authorize and after its reads succeed, and fails when it fails: a disclosure
// that cannot be recorded is not made.
func (s *Service) audit(ctx context.Context, a Actor, d access.Decision, action, recordKind, recordID, districtID, studentID string) error {
	e := store.AuditEntry{DistrictID: districtID, ActorKind: string(a.Kind), ActorID: a.ID, Action: action,
		RecordKind: recordKind, RecordID: recordID, StudentID: studentID, FromAddress: a.Address, Reason: string(d.Reason)}
	if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.AppendAudit(ctx, &e) }); err != nil {
		return fmt.Errorf("record the %s of %s %s in the audit trail: %w", action, recordKind, recordID, err)
	}
	return nil
}
