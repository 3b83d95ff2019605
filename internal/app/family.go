package app

import (
	"context"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/iep"
)

// Child is one student a family member may open: a guardian's child whose record they may see,
// or an adult student themself.
type Child struct {
	StudentID string
	Name      string
	Grade     iep.Grade
	Reason    access.Reason // why they may see it: guardian_with_rights, shared_by_student, adult_student
}

// Family returns the students whose records a guardian or an adult student may open, by name.
// A guardian's child is listed only when the policy lets them view the record: a guardian
// without educational rights, or whose rights passed to the adult student (who did not share
// the record), does not see the child listed. Errors: the policy's kinds (staff get Forbidden).
func (s *Service) Family(ctx context.Context, a Actor) ([]Child, error) {
	if !a.SignedIn() {
		return nil, iep.ErrUnauthenticated
	}
	switch a.Kind {
	case ActorStudent:
		st, err := s.db.GetStudent(ctx, a.DistrictID, a.ID)
		if err != nil {
			return nil, err
		}
		dec, err := s.authorize(ctx, a, access.ViewRecord, a.DistrictID, a.ID)
		if err != nil {
			if iep.KindOf(err) == iep.KindForbidden {
				return nil, nil // a student whose rights have not transferred sees nothing yet
			}
			return nil, err
		}
		return []Child{{StudentID: st.ID, Name: st.DisplayName(), Grade: st.Grade, Reason: dec.Reason}}, nil
	case ActorGuardian:
	default:
		return nil, iep.ErrForbidden
	}
	kids, err := s.db.ListGuardianChildren(ctx, a.DistrictID, a.ID)
	if err != nil {
		return nil, err
	}
	var out []Child
	for _, k := range kids {
		dec, err := s.authorize(ctx, a, access.ViewRecord, a.DistrictID, k.StudentID)
		if iep.KindOf(err) == iep.KindForbidden || iep.KindOf(err) == iep.KindNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		name := (&iep.Student{FirstName: k.FirstName, LastName: k.LastName}).DisplayName()
		out = append(out, Child{StudentID: k.StudentID, Name: name, Grade: iep.Grade(k.Grade), Reason: dec.Reason})
	}
	return out, nil
}
