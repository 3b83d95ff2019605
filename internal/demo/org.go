package demo

import (
	"fmt"
	"math"
	"strconv"

	"github.com/openiep/openiep/internal/iep"
)

// level is the kind of school a student attends.
type level int8

const (
	levelPre level = iota
	levelElem
	levelMiddle
	levelHigh
	levelSeparate
	levelOutOfDistrict
)

// school is a school of the demo district and what the generator needs to staff it.
type school struct {
	iep.School
	level    level
	students int
	sped     int
	staff    map[iep.StaffRole][]int // indexes into gen.staff of the staff working there
	nextCM   int
}

const (
	districtName   = "Pinebrook Public Schools"
	districtDomain = "pinebrookps.example.org"
	districtTown   = "Pinebrook, MA 01890"
	leaCode        = "02590000"
)

// newDistrict returns the demo district (Massachusetts rules).
func newDistrict() iep.District {
	return iep.District{
		Name: districtName, StateCode: "MA", LEACode: leaCode, RulePack: "MA",
		Timezone:  "America/New_York",
		Languages: []string{"en", "es", "pt-BR", "ht", "vi", "zh", "ar", "so", "km"},
	}
}

// planSchools decides how many schools of each level a district of n students has: roughly one
// per 400 students (elementary schools of ~350, middle of ~650, high of ~1,200), never fewer
// than a preschool, two elementary schools, a middle school, a high school and a separate day
// program.
func planSchools(n int) map[level]int {
	at := func(share float64, size float64, min int) int {
		return max(min, int(math.Round(float64(n)*share/size)))
	}
	m := map[level]int{
		levelPre:      at(0.032, 180, 1),
		levelElem:     at(0.438, 350, 2),
		levelMiddle:   at(0.219, 650, 1),
		levelHigh:     at(0.29, 1200, 1),
		levelSeparate: 1 + n/40000,
	}
	if n >= 5000 {
		m[levelOutOfDistrict] = 1 + n/50000
	}
	return m
}

// buildSchools names and codes the schools, in a fixed order: preschools, elementary, middle,
// high, separate day, out of district.
func buildSchools(r rng, n int) []*school {
	counts := planSchools(n)
	var out []*school
	used := map[string]bool{}
	namesake := func() string {
		for {
			name := pick(r, schoolPrefixes) + pick(r, schoolNamesakes)
			if !used[name] {
				used[name] = true
				return name
			}
		}
	}
	add := func(lv level, name string, lo, hi iep.Grade, kind iep.SchoolKind) {
		sc := &school{level: lv, staff: map[iep.StaffRole][]int{}}
		sc.Name, sc.LowGrade, sc.HighGrade, sc.Kind = name, lo, hi, kind
		sc.Code = leaCode[:4] + fmt.Sprintf("%04d", 5*(len(out)+1))
		sc.Address = fmt.Sprintf("%d %s %s, %s", r.between(10, 990), pick(r, streets), pick(r, streetKinds), districtTown)
		out = append(out, sc)
	}
	for range counts[levelPre] {
		add(levelPre, namesake()+" Early Childhood Center", "PK", "PK", iep.SchoolPreschool)
	}
	for range counts[levelElem] {
		add(levelElem, namesake()+" Elementary School", "K", "05", iep.SchoolPublic)
	}
	for range counts[levelMiddle] {
		add(levelMiddle, namesake()+" Middle School", "06", "08", iep.SchoolPublic)
	}
	for i := range counts[levelHigh] {
		hi := iep.Grade("12")
		if i == 0 {
			hi = "PG" // the district's 18–22 transition program is based at the first high school
		}
		name := "Pinebrook High School"
		if i > 0 {
			name = namesake() + " High School"
		}
		add(levelHigh, name, "09", hi, iep.SchoolPublic)
	}
	for range counts[levelSeparate] {
		add(levelSeparate, namesake()+" Collaborative Day School", "K", "12", iep.SchoolSeparateDay)
	}
	for range counts[levelOutOfDistrict] {
		add(levelOutOfDistrict, namesake()+" Academy (out of district)", "K", "12", iep.SchoolOutOfDistrict)
	}
	return out
}

// staffPlan is how many people of one kind a school or the district employs.
type staffPlan struct {
	roles []iep.StaffRole
	n     int
	lang  string // the language an interpreter serves
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// schoolStaffPlan sizes a school's staff from its enrolment and its students with IEPs.
func schoolStaffPlan(sc *school) []staffPlan {
	n, sped := sc.students, sc.sped
	var p []staffPlan
	add := func(k int, roles ...iep.StaffRole) {
		if k > 0 {
			p = append(p, staffPlan{roles: roles, n: k})
		}
	}
	add(1+n/600, iep.RoleDistrictRepresentative) // principal, and team chairs in big schools
	switch sc.level {
	case levelPre, levelElem, levelMiddle, levelHigh:
		add(ceilDiv(n, 22), iep.RoleGeneralEducationTeacher)
	}
	if sc.level == levelOutOfDistrict {
		return p // its staff are not the district's: district-wide staff serve its students
	}
	add(ceilDiv(sped, 12), iep.RoleCaseManager, iep.RoleSpecialEducationTeacher)
	add(ceilDiv(sped*45, 3500), iep.RoleSpeechLanguage)
	add(ceilDiv(sped*20, 4000), iep.RoleOccupationalTherapist)
	add(ceilDiv(n, 700), iep.RoleSchoolPsychologist)
	add(ceilDiv(n, 350), iep.RoleSchoolCounselor)
	add(1+n/1000, iep.RoleSchoolNurse)
	add(ceilDiv(sped, 10), iep.RoleParaprofessional)
	switch sc.level {
	case levelElem:
		add(ceilDiv(n, 350), iep.RoleReadingSpecialist)
		add(n/800, iep.RoleSocialWorker)
	case levelMiddle:
		add(ceilDiv(n, 800), iep.RoleSocialWorker)
	case levelHigh:
		add(ceilDiv(n, 800), iep.RoleSocialWorker)
		add(ceilDiv(sped, 150), iep.RoleTransitionSpecialist)
	case levelSeparate:
		add(1+sped/40, iep.RoleBehaviorAnalyst)
		add(1, iep.RoleSocialWorker)
	}
	return p
}

// districtStaffPlan sizes the district-wide staff: the special education office, itinerant
// specialists, interpreters for each language of the families, and a state viewer.
func districtStaffPlan(n, sped int, families map[string]int) []staffPlan {
	p := []staffPlan{
		{roles: []iep.StaffRole{iep.RoleAdministrator, iep.RoleDistrictRepresentative}, n: 1 + n/40000},
		{roles: []iep.StaffRole{iep.RoleDistrictRepresentative}, n: ceilDiv(sped, 500)},
		{roles: []iep.StaffRole{iep.RoleCaseManager, iep.RoleSpecialEducationTeacher}, n: 1 + sped/400}, // out-of-district and preschool evaluation team
		{roles: []iep.StaffRole{iep.RoleSpeechLanguage}, n: 1 + sped/1500},
		{roles: []iep.StaffRole{iep.RoleOccupationalTherapist}, n: 1 + sped/2000},
		{roles: []iep.StaffRole{iep.RoleSchoolPsychologist}, n: 1 + sped/2000},
		{roles: []iep.StaffRole{iep.RolePhysicalTherapist}, n: ceilDiv(sped, 250)},
		{roles: []iep.StaffRole{iep.RoleBehaviorAnalyst}, n: ceilDiv(sped, 200)},
		{roles: []iep.StaffRole{iep.RoleAudiologist}, n: 1 + sped/5000},
		{roles: []iep.StaffRole{iep.RoleVisionSpecialist}, n: 1 + sped/4000},
		{roles: []iep.StaffRole{iep.RoleOrientationMobility}, n: 1 + sped/8000},
		{roles: []iep.StaffRole{iep.RoleTransitionSpecialist}, n: 1 + sped/3000},
		{roles: []iep.StaffRole{iep.RoleSocialWorker}, n: 1 + sped/3000},
		{roles: []iep.StaffRole{iep.RoleReadingSpecialist}, n: 1},
		{roles: []iep.StaffRole{iep.RoleSchoolCounselor}, n: 1},
		{roles: []iep.StaffRole{iep.RoleSchoolNurse}, n: 1},
		{roles: []iep.StaffRole{iep.RoleParaprofessional}, n: 1 + sped/1000},
		{roles: []iep.StaffRole{iep.RoleGeneralEducationTeacher}, n: 1},
		{roles: []iep.StaffRole{iep.RoleStateViewer}, n: 1},
	}
	for _, o := range origins[1:] {
		p = append(p, staffPlan{roles: []iep.StaffRole{iep.RoleInterpreter}, n: 1 + families[o.language]/2000, lang: o.language})
	}
	return p
}

// staffMaker draws staff names and unique e-mail addresses.
type staffMaker struct {
	r      rng
	ids    *idGen
	emails map[string]bool
	n      int
}

// make returns a staff member of the given roles; lang, when not "", is a language they serve
// families in (an interpreter's language decides their name's origin).
func (m *staffMaker) make(roles []iep.StaffRole, schoolIDs []string, lang string) iep.Staff {
	o := origins[m.r.weighted(staffNameOrigins)]
	if lang != "" {
		for _, x := range origins {
			if x.language == lang {
				o = x
			}
		}
	}
	first := pick(m.r, o.women)
	if m.r.chance(0.3) {
		first = pick(m.r, o.men)
	}
	last := pick(m.r, o.surnames)
	for last == first {
		last = pick(m.r, o.surnames)
	}
	domain := districtDomain
	if roles[0] == iep.RoleStateViewer {
		domain = "dese.example.gov"
	}
	local := emailLocal(first[:1] + last)
	for k := 2; m.emails[local]; k++ {
		local = emailLocal(first[:1]+last) + strconv.Itoa(k)
	}
	m.emails[local] = true
	m.n++
	st := iep.Staff{
		ID: m.ids.next(), SchoolIDs: schoolIDs, FirstName: first, LastName: last,
		Email: local + "@" + domain, Phone: fmt.Sprintf("978-555-0100 x%d", 2000+m.n),
		Roles: roles, Languages: []string{"en"}, Active: true,
	}
	if lang != "" && lang != "en" {
		st.Languages = append(st.Languages, lang)
	} else if o.language != "en" && m.r.chance(0.5) {
		st.Languages = append(st.Languages, o.language)
	}
	return st
}
