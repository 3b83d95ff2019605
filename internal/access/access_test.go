package access

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// tested is the list of actions the tables below were written for. TestEveryActionTested fails
// when Actions gains one: add it here and to every row.
var tested = []Action{ViewDirectory, ViewRecord, EditPlan, LogService, RespondToPlan, ViewAudit, ManageDistrict, ViewAggregates, ViewCaseload, Participate, WriteEvaluation}

func TestEveryActionTested(t *testing.T) {
	for _, a := range Actions {
		if !slices.Contains(tested, a) {
			t.Errorf("action %q has no expectations: add it to tested and to every row of the tables", a)
		}
	}
	if len(tested) != len(Actions) {
		t.Errorf("tested lists %d actions, Actions %d", len(tested), len(Actions))
	}
}

// expect is an expected decision: "allow", "deny" or "hide", and the reason.
type expect struct {
	verdict string
	reason  Reason
}

func (e expect) String() string { return e.verdict + " " + string(e.reason) }

func verdictOf(d Decision) string {
	switch {
	case d.Allowed && d.Hide:
		return "allowed AND hidden (bug)"
	case d.Allowed:
		return "allow"
	case d.Hide:
		return "hide"
	}
	return "deny"
}

// row returns the expectations of one actor: every tested action gets base, then the listed
// actions get over (allowed with the reason of base unless given).
func row(base expect, over map[Action]expect) map[Action]expect {
	m := map[Action]expect{}
	for _, a := range tested {
		m[a] = base
	}
	for a, e := range over {
		m[a] = e
	}
	return m
}

// allowing returns the expectations of an actor refused everything with reason r except acts.
func allowing(r Reason, acts ...Action) map[Action]expect {
	over := map[Action]expect{}
	for _, a := range acts {
		over[a] = expect{"allow", r}
	}
	return row(expect{"deny", r}, over)
}

func every(verdict string, r Reason) map[Action]expect { return row(expect{verdict, r}, nil) }

const (
	dist, otherDist   = "d1", "d2"
	school, school2   = "s1", "s2"
	studentID         = "st1"
	gRights, gNoRight = "g-rights", "g-norights"
	teamID, cmID      = "staff-team", "staff-cm"
	provID, subID     = "staff-prov", "staff-sub"
	sub2ID            = "staff-sub2"
)

var (
	nyc, _  = time.LoadLocation("America/New_York")
	now     = time.Date(2026, 9, 15, 10, 0, 0, 0, nyc)
	minorBD = date.MustParse("2016-05-02")
	adultBD = date.MustParse("2007-05-02")
)

func baseFacts() Facts {
	return Facts{
		DistrictID: dist, SchoolID: school, StudentID: studentID, BirthDate: minorBD,
		Guardians:        []GuardianLink{{gRights, true}, {gNoRight, false}},
		TeamStaffIDs:     []string{teamID, cmID},
		ProviderStaffIDs: []string{provID},
		CaseManagerID:    cmID,
		Grants: []Grant{
			{DistrictID: dist, StaffID: subID, StudentID: studentID, Scope: GrantRead, StartsAt: now.Add(-24 * time.Hour), Until: now.Add(24 * time.Hour)},
			{DistrictID: dist, StaffID: sub2ID, StudentID: studentID, Scope: GrantWrite, StartsAt: now.Add(-72 * time.Hour), Until: now.Add(-time.Second)},
		},
		Now: now,
	}
}

func adult(f *Facts)       { f.BirthDate = adultBD }
func adultShared(f *Facts) { f.BirthDate = adultBD; f.SharedWith = []string{gRights} }
func staff(id string, schools []string, roles ...iep.StaffRole) Principal {
	return Principal{Kind: Staff, ID: id, DistrictID: dist, Roles: roles, SchoolIDs: schools}
}

var s1, s2 = []string{school}, []string{school2}

type actor struct {
	name  string
	p     Principal
	facts func(*Facts) // changes to baseFacts, or nil
	want  map[Action]expect
}

// actors is the table of Decide: every kind of actor against every action.
var actors = []actor{
	{"anonymous", Principal{Kind: Anonymous}, nil, every("hide", ReasonAnonymous)},
	{"guardian of this child with rights", Principal{Kind: Guardian, ID: gRights, DistrictID: dist}, nil,
		allowing(ReasonGuardianWithRights, ViewDirectory, ViewRecord, RespondToPlan, ViewAudit, Participate)},
	{"guardian of another child", Principal{Kind: Guardian, ID: "g-other", DistrictID: dist}, nil, every("hide", ReasonNoRelationship)},
	{"guardian without educational rights", Principal{Kind: Guardian, ID: gNoRight, DistrictID: dist}, nil, every("hide", ReasonNoEducationRights)},
	{"guardian without rights, adult student shared", Principal{Kind: Guardian, ID: gNoRight, DistrictID: dist},
		func(f *Facts) { f.BirthDate = adultBD; f.SharedWith = []string{gNoRight} }, every("hide", ReasonNoEducationRights)},
	{"parent after transfer, not shared", Principal{Kind: Guardian, ID: gRights, DistrictID: dist}, adult, every("deny", ReasonRightsTransferred)},
	{"parent after transfer, shared", Principal{Kind: Guardian, ID: gRights, DistrictID: dist}, adultShared,
		allowing(ReasonSharedByStudent, ViewDirectory, ViewRecord)},
	{"adult student", Principal{Kind: Student, ID: studentID, DistrictID: dist}, adult,
		allowing(ReasonAdultStudent, ViewDirectory, ViewRecord, RespondToPlan, ViewAudit, Participate)},
	{"minor student", Principal{Kind: Student, ID: studentID, DistrictID: dist}, nil, every("deny", ReasonStudentMinor)},
	{"minor student, a parent with rights shared the record", Principal{Kind: Student, ID: studentID, DistrictID: dist},
		func(f *Facts) { f.ViewSharedBy = gRights }, allowing(ReasonSharedWithStudent, ViewDirectory, ViewRecord)},
	{"minor student, shared by a parent who lost the rights", Principal{Kind: Student, ID: studentID, DistrictID: dist},
		func(f *Facts) { f.ViewSharedBy = gNoRight }, every("deny", ReasonStudentMinor)},
	{"minor student, shared by someone not a guardian", Principal{Kind: Student, ID: studentID, DistrictID: dist},
		func(f *Facts) { f.ViewSharedBy = "g-other" }, every("deny", ReasonStudentMinor)},
	{"another minor student, record shared with its student", Principal{Kind: Student, ID: "st-other", DistrictID: dist},
		func(f *Facts) { f.ViewSharedBy = gRights }, every("hide", ReasonNoRelationship)},
	{"adult student, shared before majority", Principal{Kind: Student, ID: studentID, DistrictID: dist},
		func(f *Facts) { f.BirthDate = adultBD; f.ViewSharedBy = gRights },
		allowing(ReasonAdultStudent, ViewDirectory, ViewRecord, RespondToPlan, ViewAudit, Participate)},
	{"another student", Principal{Kind: Student, ID: "st-other", DistrictID: dist}, adult, every("hide", ReasonNoRelationship)},
	{"unassigned provider, same school", staff("staff-x", s1, iep.RoleSpeechLanguage), nil, allowing(ReasonSchoolStaff, ViewDirectory)},
	{"district-wide staff, no school", staff("staff-psych", nil, iep.RoleSchoolPsychologist), nil, allowing(ReasonSchoolStaff, ViewDirectory)},
	{"provider assigned to a service", staff(provID, s1, iep.RoleSpeechLanguage), nil,
		allowing(ReasonProvider, ViewDirectory, ViewRecord, LogService)},
	{"team member", staff(teamID, s1, iep.RoleGeneralEducationTeacher), nil, allowing(ReasonTeamMember, ViewDirectory, ViewRecord, EditPlan, Participate, WriteEvaluation)},
	{"team member after transfer", staff(teamID, s1, iep.RoleGeneralEducationTeacher), adult, allowing(ReasonTeamMember, ViewDirectory, ViewRecord, EditPlan, Participate, WriteEvaluation)},
	{"case manager", staff(cmID, s1, iep.RoleCaseManager, iep.RoleSpecialEducationTeacher), nil,
		allowing(ReasonCaseManager, ViewDirectory, ViewRecord, EditPlan, Participate, WriteEvaluation)},
	{"staff of another school", staff("staff-y", s2, iep.RoleSpecialEducationTeacher), nil, every("deny", ReasonNoRelationship)},
	{"evaluator assigned an assessment", staff("staff-eval", s2, iep.RoleSchoolPsychologist),
		func(f *Facts) { f.EvaluatorStaffIDs = []string{"staff-eval"} },
		allowing(ReasonEvaluator, ViewDirectory, ViewRecord, WriteEvaluation, Participate)},
	{"staff of another district", Principal{Kind: Staff, ID: teamID, DistrictID: otherDist, Roles: []iep.StaffRole{iep.RoleAdministrator}, SchoolIDs: s1},
		nil, every("hide", ReasonOtherDistrict)},
	{"guardian of another district", Principal{Kind: Guardian, ID: gRights, DistrictID: otherDist}, nil, every("hide", ReasonOtherDistrict)},
	{"district admin", staff("staff-admin", nil, iep.RoleAdministrator), nil,
		row(expect{"allow", ReasonDistrictAdmin}, map[Action]expect{RespondToPlan: {"deny", ReasonDistrictAdmin}})},
	{"district representative", staff("staff-rep", s2, iep.RoleDistrictRepresentative), nil,
		row(expect{"allow", ReasonDistrictRep}, map[Action]expect{RespondToPlan: {"deny", ReasonDistrictRep}})},
	{"state viewer", Principal{Kind: StateViewer, ID: "state-1"}, nil,
		row(expect{"hide", ReasonStateViewer}, map[Action]expect{ViewAggregates: {"allow", ReasonStateViewer}})},
	{"state viewer of another district", Principal{Kind: StateViewer, ID: "state-2", DistrictID: otherDist}, nil, every("hide", ReasonOtherDistrict)},
	{"substitute with an active read grant", staff(subID, s2, iep.RoleSpeechLanguage), nil, allowing(ReasonGrantRead, ViewDirectory, ViewRecord)},
	{"substitute with an active write grant", staff(subID, s2, iep.RoleSpeechLanguage),
		func(f *Facts) { f.Grants[0].Scope = GrantWrite }, allowing(ReasonGrantWrite, ViewDirectory, ViewRecord, EditPlan, LogService, Participate, WriteEvaluation)},
	{"substitute with an expired grant", staff(sub2ID, s2, iep.RoleSpeechLanguage), nil, every("deny", ReasonGrantExpired)},
	{"substitute with an expired grant, same school", staff(sub2ID, s1, iep.RoleSpeechLanguage), nil,
		row(expect{"deny", ReasonGrantExpired}, map[Action]expect{ViewDirectory: {"allow", ReasonSchoolStaff}})},
	{"substitute with a revoked grant", staff(subID, s2, iep.RoleSpeechLanguage),
		func(f *Facts) { f.Grants[0].RevokedAt = now.Add(-time.Minute) }, every("deny", ReasonGrantExpired)},
	{"substitute with a grant not yet begun", staff(subID, s2, iep.RoleSpeechLanguage),
		func(f *Facts) { f.Grants[0].StartsAt = now.Add(time.Hour) }, every("deny", ReasonGrantExpired)},
	{"substitute with a grant for another student", staff(subID, s2, iep.RoleSpeechLanguage),
		func(f *Facts) { f.Grants[0].StudentID = "st-other" }, every("deny", ReasonNoRelationship)},
}

func TestDecideTable(t *testing.T) {
	for _, ac := range actors {
		for _, a := range Actions {
			want, ok := ac.want[a]
			if !ok {
				t.Errorf("%s: no expectation for %s", ac.name, a)
				continue
			}
			f := baseFacts()
			if ac.facts != nil {
				ac.facts(&f)
			}
			d := Decide(ac.p, a, f)
			got := expect{verdictOf(d), d.Reason}
			if got != want {
				t.Errorf("%s / %s: got %s, want %s", ac.name, a, got, want)
			}
		}
	}
}

// TestDecideErr checks the error kinds callers turn into HTTP statuses.
func TestDecideErr(t *testing.T) {
	f := baseFacts()
	cases := []struct {
		p    Principal
		want error
	}{
		{Principal{Kind: Guardian, ID: gRights, DistrictID: dist}, nil},
		{Principal{Kind: Guardian, ID: "g-other", DistrictID: dist}, iep.ErrNotFound},
		{Principal{Kind: Anonymous}, iep.ErrNotFound},
		{staff("staff-y", s2), iep.ErrForbidden},
	}
	for _, c := range cases {
		err := Decide(c.p, ViewRecord, f).Err()
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%+v: Err() = %v, want %v", c.p, err, c.want)
		}
	}
}

// TestMajorityEdges checks the day before and the day of the birthday of majority, Feb 29
// birthdays, the district's time zone, another majority age and rights retained (300.520(b)).
func TestMajorityEdges(t *testing.T) {
	at := func(d string, hour int, loc *time.Location) time.Time {
		x := date.MustParse(d)
		return time.Date(x.Year, x.Month, x.Day, hour, 0, 0, 0, loc)
	}
	cases := []struct {
		name     string
		born     string
		now      time.Time
		age      int
		retained bool
		adult    bool
	}{
		{"day before 18th birthday", "2008-09-15", at("2026-09-14", 12, nyc), 0, false, false},
		{"day of 18th birthday", "2008-09-15", at("2026-09-15", 0, nyc), 0, false, true},
		{"late evening before, in the district's zone", "2008-09-15", at("2026-09-14", 23, nyc), 0, false, false},
		{"Feb 29 birthday, Feb 27 of a common year", "2008-02-29", at("2026-02-27", 12, nyc), 0, false, false},
		{"Feb 29 birthday, Feb 28 of a common year", "2008-02-29", at("2026-02-28", 12, nyc), 0, false, true},
		{"Feb 29 birthday, Mar 1 of a common year", "2008-02-29", at("2026-03-01", 12, nyc), 0, false, true},
		{"Feb 29 birthday, majority at 20, Feb 28 of a leap year", "2008-02-29", at("2028-02-28", 12, nyc), 20, false, false},
		{"Feb 29 birthday, majority at 20, Feb 29 of a leap year", "2008-02-29", at("2028-02-29", 12, nyc), 20, false, true},
		{"majority at 21, age 20", "2005-09-15", at("2026-09-14", 12, nyc), 21, false, false},
		{"majority at 21, age 21", "2005-09-15", at("2026-09-15", 12, nyc), 21, false, true},
		{"rights retained by the parent", "2000-01-01", at("2026-09-15", 12, nyc), 0, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := baseFacts()
			f.BirthDate, f.Now, f.MajorityAge, f.RightsRetained = date.MustParse(c.born), c.now, c.age, c.retained
			if got := f.RightsTransferred(); got != c.adult {
				t.Fatalf("RightsTransferred() = %v, want %v (age %d)", got, c.adult, f.BirthDate.AgeOn(date.Of(c.now)))
			}
			stu := Decide(Principal{Kind: Student, ID: studentID, DistrictID: dist}, RespondToPlan, f)
			par := Decide(Principal{Kind: Guardian, ID: gRights, DistrictID: dist}, RespondToPlan, f)
			if stu.Allowed != c.adult || par.Allowed == c.adult {
				t.Errorf("student allowed %v (%s), parent allowed %v (%s); adult = %v", stu.Allowed, stu.Reason, par.Allowed, par.Reason, c.adult)
			}
		})
	}
}

// districtActors is the table of DecideDistrict. Scope is checked for allowed decisions:
// "all", "none" or the comma-joined school ids.
var districtActors = []struct {
	name  string
	p     Principal
	want  map[Action]expect
	scope string
}{
	{"anonymous", Principal{Kind: Anonymous}, every("hide", ReasonAnonymous), ""},
	{"guardian", Principal{Kind: Guardian, ID: gRights, DistrictID: dist}, every("hide", ReasonFamily), ""},
	{"adult student", Principal{Kind: Student, ID: studentID, DistrictID: dist}, every("hide", ReasonFamily), ""},
	{"school staff", staff("staff-x", []string{school, school2}, iep.RoleSpeechLanguage),
		row(expect{"deny", ReasonDistrictStaff}, map[Action]expect{ViewDirectory: {"allow", ReasonSchoolStaff}}), "s1,s2"},
	{"district-wide staff", staff("staff-psych", nil, iep.RoleSchoolPsychologist), allowing(ReasonDistrictStaff, ViewDirectory), "all"},
	{"case manager", staff(cmID, s1, iep.RoleCaseManager),
		row(expect{"deny", ReasonDistrictStaff}, map[Action]expect{ViewDirectory: {"allow", ReasonSchoolStaff},
			ViewCaseload: {"allow", ReasonCaseManager}}), "s1"},
	{"staff of another district", Principal{Kind: Staff, ID: "x", DistrictID: otherDist, Roles: []iep.StaffRole{iep.RoleAdministrator}}, every("hide", ReasonOtherDistrict), ""},
	{"district admin", staff("staff-admin", nil, iep.RoleAdministrator),
		row(expect{"allow", ReasonDistrictAdmin}, map[Action]expect{RespondToPlan: {"deny", ReasonDistrictAdmin}}), "all"},
	{"district representative", staff("staff-rep", s1, iep.RoleDistrictRepresentative),
		row(expect{"allow", ReasonDistrictRep}, map[Action]expect{RespondToPlan: {"deny", ReasonDistrictRep}}), "all"},
	{"state viewer", Principal{Kind: StateViewer, ID: "state-1"}, allowing(ReasonStateViewer, ViewAggregates), "all"},
	{"state viewer of this district", Principal{Kind: StateViewer, ID: "state-1", DistrictID: dist}, allowing(ReasonStateViewer, ViewAggregates), "all"},
	{"state viewer of another district", Principal{Kind: StateViewer, ID: "state-2", DistrictID: otherDist}, every("hide", ReasonOtherDistrict), ""},
}

func TestDecideDistrictTable(t *testing.T) {
	for _, ac := range districtActors {
		for _, a := range Actions {
			want, ok := ac.want[a]
			if !ok {
				t.Errorf("%s: no expectation for %s", ac.name, a)
				continue
			}
			d := DecideDistrict(ac.p, a, dist)
			if got := (expect{verdictOf(d), d.Reason}); got != want {
				t.Errorf("%s / %s: got %s, want %s", ac.name, a, got, want)
			}
			scope := "none"
			if d.Scope.All {
				scope = "all"
			} else if !d.Scope.None() {
				scope = fmt.Sprint(d.Scope.SchoolIDs)
				scope = scope[1 : len(scope)-1]
				scope = replaceSpaces(scope)
			}
			wantScope := "none"
			if d.Allowed {
				wantScope = ac.scope
			}
			if scope != wantScope {
				t.Errorf("%s / %s: scope %s, want %s", ac.name, a, scope, wantScope)
			}
		}
	}
}

func replaceSpaces(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == ' ' {
			b[i] = ','
		}
	}
	return string(b)
}

func TestGrant(t *testing.T) {
	g := Grant{DistrictID: dist, StaffID: subID, StudentID: studentID, Scope: GrantRead, GrantedBy: "staff-admin",
		Reason: "covering", StartsAt: now, Until: now.Add(time.Hour)}
	if err := g.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{now.Add(-time.Nanosecond), false}, {now, true}, {now.Add(time.Hour - time.Nanosecond), true}, {now.Add(time.Hour), false}} {
		if got := g.ActiveAt(c.at); got != c.want {
			t.Errorf("ActiveAt(%v) = %v, want %v", c.at, got, c.want)
		}
	}
	bad := Grant{Scope: "admin", StartsAt: now, Until: now}
	err := bad.Validate()
	if iep.KindOf(err) != iep.KindInvalid {
		t.Fatalf("Validate(bad) = %v, want invalid", err)
	}
	var e *iep.Error
	errors.As(err, &e)
	var fields []string
	for _, p := range e.Problems {
		fields = append(fields, p.Field)
	}
	want := []string{"district_id", "staff_id", "student_id", "granted_by", "reason", "scope", "until"}
	if !slices.Equal(fields, want) {
		t.Errorf("problem fields = %v, want %v", fields, want)
	}
}
