package demo

import (
	"fmt"
	"strconv"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// batch is everything written in one transaction: a run of whole families and their records.
type batch struct {
	index       int
	students    []iep.Student
	guardians   []iep.Guardian
	links       []iep.StudentGuardian
	referrals   []iep.Referral
	consents    []iep.Consent
	evals       []iep.Evaluation
	eligs       []iep.Eligibility
	plans       []*planJob
	members     []iep.TeamMember
	meetings    []iep.Meeting
	notices     []iep.Notice
	logs        []iep.ServiceLog
	assignments []iep.Assignment
	points      []iep.ProgressPoint
	reports     []iep.ProgressReport
	requests    []iep.RecordsRequest
	events      []iep.Event
	withPlans   int
	guardian    *SignIn // a parent whose child's plan awaits their response
	parentIn    *SignIn // a parent whose child has a plan in effect (services, progress)
	parentDr    *SignIn // a parent whose child's draft was shared before the meeting
	adult       *SignIn // an adult student with a plan in effect
}

// rows counts the records of the batch (plans count once per section).
func (b *batch) rows() int {
	n := len(b.students) + len(b.guardians) + len(b.links) + len(b.referrals) + len(b.consents) +
		len(b.evals) + len(b.eligs) + len(b.members) + len(b.meetings) + len(b.notices) + len(b.logs) + len(b.assignments) +
		len(b.points) + len(b.reports) + len(b.requests) + len(b.events)
	for _, p := range b.plans {
		n += 1 + len(iep.Sections) + len(p.responses)
	}
	return n
}

// guardianRef is what the records of a case need to know of a guardian.
type guardianRef struct {
	id, first, last, email, lang string
	interp                       bool
	holds                        bool
}

func (g guardianRef) name() string { return g.first + " " + g.last }

// adult is a guardian of a household with the link fields they have to each child.
type adult struct {
	ref       guardianRef
	rel       iep.Relationship
	lives     bool
	emergency bool
}

// caseGen builds one batch. Everything it draws comes from the batch's own seeded source, so
// batches can be built in any order (and concurrently with writing) with identical results.
type caseGen struct {
	g      *gen
	r      rng
	ids    *idGen
	b      *batch
	groups map[groupKey]string // group sessions of the batch by provider, day and service
}

func (g *gen) buildBatch(index int, fr [2]int) *batch {
	r := newRNG(g.cfg.Seed, uint64(index)+1)
	cb := &caseGen{g: g, r: r, ids: newIDGen(r.Rand, g.today, index+1), b: &batch{index: index}}
	for fi := fr[0]; fi < fr[1]; fi++ {
		cb.family(fi)
	}
	seen := map[string]bool{}
	for _, p := range cb.b.plans {
		if !seen[p.plan.StudentID] {
			seen[p.plan.StudentID] = true
			cb.b.withPlans++
		}
	}
	return cb.b
}

var mailDomains = []string{"example.com", "example.net", "mail.example.org"}

var nicknames = map[string]string{"Alejandro": "Alex", "Benjamin": "Ben", "Nicholas": "Nick", "Theodore": "Teddy",
	"Abigail": "Abby", "Elizabeth": "Liz", "Guilherme": "Gui", "Abdirahman": "Abdi", "Alexander": "Xander",
	"Francesca": "Frankie", "Jiahao": "Jay", "Valentina": "Vale", "Sebastián": "Sebas", "Christopher": "Chris"}

func (cb *caseGen) address() string {
	r := cb.r
	a := fmt.Sprintf("%d %s %s", r.between(1, 420), pick(r, streets), pick(r, streetKinds))
	if r.chance(0.3) {
		a += " Apt " + strconv.Itoa(r.between(1, 12))
	}
	return a + ", " + districtTown
}

// newGuardian adds a guardian record and returns its reference.
func (cb *caseGen) newGuardian(first, last, lang, addr string) guardianRef {
	r := cb.r
	g := iep.Guardian{ID: cb.ids.next(), DistrictID: cb.g.district.ID, FirstName: first, LastName: last,
		PreferredLanguage: lang, Address: addr}
	g.NeedsInterpreter = lang != "en" && r.chance(0.65)
	ref := guardianRef{id: g.ID, first: first, last: last, lang: lang, interp: g.NeedsInterpreter}
	phone := fmt.Sprintf("%s-555-01%02d", pick(r, []string{"978", "781", "617", "508", "339", "857"}), r.IntN(100))
	emailPreferred := r.chance(0.65)
	if r.chance(0.95) {
		// unique across the district: the batch and the guardian's place in it
		ref.email = emailLocal(first, last) + strconv.Itoa(cb.b.index*10000+len(cb.b.guardians)) + "@" + pick(r, mailDomains)
		g.ContactMethods = append(g.ContactMethods, iep.ContactMethod{Kind: iep.ContactEmail, Value: ref.email, Preferred: emailPreferred})
	} else {
		emailPreferred = false
	}
	g.ContactMethods = append(g.ContactMethods, iep.ContactMethod{Kind: iep.ContactPhone, Value: phone, Preferred: !emailPreferred})
	if r.chance(0.4) {
		g.ContactMethods = append(g.ContactMethods, iep.ContactMethod{Kind: iep.ContactText, Value: phone})
	}
	cb.b.guardians = append(cb.b.guardians, g)
	return ref
}

// household draws the adults of a family: two parents, a single parent, two households, a
// grandparent, foster parents (with a birth parent who keeps contact but not rights), a legal
// guardian or adoptive parents.
func (cb *caseGen) household(o *origin, surname, lang string) []adult {
	r := cb.r
	home := cb.address()
	pref := func() string {
		if lang != "en" && r.chance(0.15) {
			return "en"
		}
		return lang
	}
	parent := func(rel iep.Relationship, addr string, lives bool) adult {
		first := pick(r, o.women)
		last := surname
		if rel == iep.RelFather {
			first = pick(r, o.men)
		} else if r.chance(0.2) {
			last = pick(r, o.surnames)
		}
		return adult{ref: cb.newGuardian(first, last, pref(), addr), rel: rel, lives: lives, emergency: true}
	}
	withRights := func(a adult, holds bool) adult { a.ref.holds = holds; return a }
	switch r.weighted([]float64{0.55, 0.25, 0.12, 0.03, 0.02, 0.02, 0.01}) {
	case 0:
		m, f := parent(iep.RelMother, home, true), parent(iep.RelFather, home, true)
		if r.chance(0.5) {
			m, f = f, m
		}
		return []adult{withRights(m, true), withRights(f, true)}
	case 1:
		rel := iep.RelMother
		if r.chance(0.2) {
			rel = iep.RelFather
		}
		return []adult{withRights(parent(rel, home, true), true)}
	case 2:
		m, f := parent(iep.RelMother, home, true), parent(iep.RelFather, cb.address(), false)
		out := []adult{withRights(m, true), withRights(f, !r.chance(0.12))}
		if r.chance(0.15) {
			step := adult{ref: cb.newGuardian(pick(r, o.men), pick(r, origins[0].surnames), "en", home), rel: iep.RelStepparent, lives: true}
			out = append(out, withRights(step, false))
		}
		return out
	case 3:
		gp := adult{ref: cb.newGuardian(pick(r, o.women), surname, lang, home), rel: iep.RelGrandparent, lives: true, emergency: true}
		return []adult{withRights(gp, true)}
	case 4:
		fo := origins[r.weighted(originShares)]
		fp := adult{ref: cb.newGuardian(pick(r, fo.women), pick(r, fo.surnames), "en", home), rel: iep.RelFosterParent, lives: true, emergency: true}
		birth := parent(iep.RelMother, cb.address(), false)
		birth.emergency = false
		return []adult{withRights(fp, true), withRights(birth, r.chance(0.4))}
	case 5:
		g := adult{ref: cb.newGuardian(pick(r, o.women), pick(r, o.surnames), pref(), home), rel: iep.RelGuardian, lives: true, emergency: true}
		return []adult{withRights(g, true)}
	}
	a, b := parent(iep.RelAdoptiveParent, home, true), parent(iep.RelAdoptiveParent, home, true)
	return []adult{withRights(a, true), withRights(b, true)}
}

// family writes one household: its guardians, its children and their links, and the special
// education record of each child who has one.
func (cb *caseGen) family(fi int) {
	g, r := cb.g, cb.r
	f := g.families[fi]
	o := origins[f.origin]
	lang := "en"
	if f.nonEnglish {
		lang = o.language
	}
	surname := pick(r, o.surnames)
	adults := cb.household(o, surname, lang)
	for pi := f.first; pi < f.first+int32(f.n); pi++ {
		k := cb.student(int(pi), o, surname, lang)
		for i, a := range adults {
			cb.b.links = append(cb.b.links, iep.StudentGuardian{DistrictID: g.district.ID, StudentID: k.st.ID, GuardianID: a.ref.id,
				Relationship: a.rel, HoldsEducationalRights: a.ref.holds, LivesWithStudent: a.lives, EmergencyContact: a.emergency, ContactOrder: i + 1})
			k.guardians = append(k.guardians, a.ref)
		}
		if k.p.stage != stageNone {
			cb.record(k)
			if k.p.stage.eligible() && k.adultOn(g.today) && !k.shared {
				// the rights moved to the student at 18; the parents stay contacts only
				links := cb.b.links[len(cb.b.links)-len(adults):]
				for i := range links {
					links[i].HoldsEducationalRights = false
				}
			}
		}
		cb.b.students = append(cb.b.students, *k.st)
	}
}

// birthRange returns the birth dates of a student in grade gi of the school year starting in y.
func birthRange(gi, y int, today date.Date) (date.Date, date.Date) {
	switch {
	case gi == 0:
		return date.New(y-5, time.September, 2), minDate(date.New(y-3, time.September, 1), today.AddYears(-3))
	case gi == len(iep.Grades)-1:
		return maxDate(date.New(y-22, time.September, 2), today.AddYears(-22).AddDays(1)), date.New(y-18, time.September, 1)
	}
	g := gi - 1
	return date.New(y-6-g, time.September, 2), date.New(y-5-g, time.September, 1)
}

func (cb *caseGen) between(a, b date.Date) date.Date {
	if !b.After(a) {
		return a
	}
	return a.AddDays(cb.r.IntN(a.DaysUntil(b) + 1))
}

// student builds a child's record (appended by the caller once their case is written).
func (cb *caseGen) student(pi int, o *origin, surname, lang string) *kid {
	g, r := cb.g, cb.r
	p := &g.pupils[pi]
	gi := int(p.grade)
	y := schoolYearStart(g.today)
	st := &iep.Student{ID: cb.ids.next(), DistrictID: g.district.ID, SchoolID: g.schools[p.school].ID,
		LocalID: strconv.Itoa(1000000 + pi), StateID: fmt.Sprintf("10%08d", (pi*7919+104729)%100000000),
		LastName: surname, Grade: iep.Grades[gi], HomeLanguage: lang}
	first := pick(r, o.girls)
	st.Pronouns = "she/her"
	if r.chance(0.5) {
		first, st.Pronouns = pick(r, o.boys), "he/him"
	}
	if r.chance(0.02) {
		st.Pronouns = "they/them"
	} else if r.chance(0.8) {
		st.Pronouns = ""
	}
	st.FirstName = first
	if r.chance(0.35) {
		st.MiddleName = pick(r, middleNames)
	}
	if nick, ok := nicknames[first]; ok && r.chance(0.5) {
		st.PreferredName = nick
	}
	if o.name == "hispanic" && r.chance(0.25) {
		st.LastName = surname + " " + pick(r, o.surnames)
	}
	lo, hi := birthRange(gi, y, g.today)
	st.BirthDate = cb.between(lo, hi)
	if gi > 1 && gi < len(iep.Grades)-1 && r.chance(0.04) {
		st.BirthDate = st.BirthDate.AddYears(-1) // repeated a grade
	}
	switch {
	case gi == 0:
		st.EnrolledOn = maxDate(st.BirthDate.AddYears(3), firstDayOfSchool(y-1))
	default:
		grade := min(gi-1, 12)
		entry := 0
		if r.chance(0.3) {
			entry = r.between(0, grade)
		}
		st.EnrolledOn = firstDayOfSchool(y - (grade - entry))
		if entry > 0 && r.chance(0.4) {
			st.EnrolledOn = cb.g.cal.addSchoolDays(st.EnrolledOn.AddDays(r.IntN(150)), 0)
		}
		st.EnrolledOn = minDate(st.EnrolledOn, g.today)
	}
	k := &kid{st: st, p: p, sc: g.schools[p.school], first: st.FirstName, birth: st.BirthDate, gradeIdx: gi,
		famLang: lang, primary: p.primary}
	if st.PreferredName != "" {
		k.first = st.PreferredName
	}
	k.ell = lang != "en" && r.chance(0.6)
	return k
}
