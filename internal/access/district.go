package access

import "github.com/openiep/openiep/internal/iep"

// Scope is the part of a district a district-level decision covers; the caller applies it (a
// roster query restricted to SchoolIDs). The zero Scope covers nothing.
type Scope struct {
	All       bool     // every school of the district
	SchoolIDs []string // when not All: only these schools
	// OwnCaseload limits a ViewCaseload decision to the principal's own caseload (the plans
	// they manage), within All or SchoolIDs.
	OwnCaseload bool
}

// None reports whether s covers nothing.
func (s Scope) None() bool { return !s.All && len(s.SchoolIDs) == 0 }

// DecideDistrict says whether p may do a across the district districtID, without naming a
// student: list the roster (ViewDirectory), see aggregates, manage the district, read the
// district's record of access. The actions about one record (ViewRecord, EditPlan, LogService,
// RespondToPlan) are decided per student with Decide; here only administrators get them, as a
// district-wide right (reports with names, bulk edits), and nobody responds for a family.
//
//   - district administrator, district representative: everything but RespondToPlan, Scope All;
//   - other staff: ViewDirectory of their schools (Scope SchoolIDs; district-wide staff, who have
//     no school, Scope All); a case manager also ViewCaseload of their own caseload (Scope
//     OwnCaseload); nothing else;
//   - state viewer: ViewAggregates only (Scope All), never the directory;
//   - guardians and students: nothing, hidden (they reach their own child through Decide);
//   - anonymous, anyone of another district: nothing, hidden.
func DecideDistrict(p Principal, a Action, districtID string) Decision {
	switch {
	case p.Kind == Anonymous || (p.Kind != StateViewer && p.ID == ""):
		return hidden(ReasonAnonymous)
	case p.Kind == StateViewer:
		if p.DistrictID != "" && p.DistrictID != districtID {
			return hidden(ReasonOtherDistrict)
		}
		if a == ViewAggregates {
			return all(ReasonStateViewer)
		}
		return deny(ReasonStateViewer)
	case p.DistrictID != districtID:
		return hidden(ReasonOtherDistrict)
	case p.Kind == Guardian || p.Kind == Student:
		return hidden(ReasonFamily)
	case p.Kind != Staff:
		return hidden(ReasonNoRelationship)
	}
	for _, r := range []struct {
		role   iep.StaffRole
		reason Reason
	}{{iep.RoleAdministrator, ReasonDistrictAdmin}, {iep.RoleDistrictRepresentative, ReasonDistrictRep}} {
		if p.has(r.role) {
			if adminActs[a] {
				return all(r.reason)
			}
			return deny(r.reason)
		}
	}
	reason := ReasonSchoolStaff
	switch {
	case a == ViewCaseload && p.has(iep.RoleCaseManager):
		reason = ReasonCaseManager
	case a != ViewDirectory:
		return deny(ReasonDistrictStaff)
	}
	var d Decision
	if len(p.SchoolIDs) == 0 {
		d = all(ReasonDistrictStaff)
	} else {
		d = allow(reason)
		d.Scope.SchoolIDs = append([]string(nil), p.SchoolIDs...)
	}
	if a == ViewCaseload {
		d.Reason, d.Scope.OwnCaseload = ReasonCaseManager, true
	}
	return d
}

func all(r Reason) Decision {
	d := allow(r)
	d.Scope.All = true
	return d
}
