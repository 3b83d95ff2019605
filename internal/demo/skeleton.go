package demo

import (
	"github.com/openiep/openiep/internal/iep"
)

// stage is where a student with a special education record is in the process.
type stage int8

const (
	stageNone           stage = iota
	stageReferred             // referred, the family asked for consent to evaluate
	stageEvaluating           // consent received, assessments under way
	stageNotEligible          // evaluated and found not eligible
	stageDrafting             // eligible, initial IEP being drafted by the team
	stageDraftShared          // draft shared with the family, meeting scheduled
	stageProposed             // proposed, awaiting the family's response
	stageInEffect             // accepted in full and in effect
	stageAcceptedInPart       // accepted in part: a service line rejected
	stageRejected             // rejected in full (or no response)
	stageReviewDue            // in effect, annual review coming due
	stageReevalDue            // in effect, three-year reevaluation due
	stageExited               // left special education
	numStages
)

var stageNames = [numStages]string{"none", "referred", "evaluating", "not_eligible", "drafting", "draft_shared",
	"proposed", "in_effect", "accepted_in_part", "rejected", "review_due", "reeval_due", "exited"}

func (s stage) String() string { return stageNames[s] }

// stageWeights is the share of students with a special education record in each stage.
var stageWeights = [numStages]float64{0, 2.5, 3, 3, 2, 2, 3, 61, 3, 2, 8, 7, 3.5}

// inEffect reports whether a stage has a plan in effect.
func (s stage) inEffect() bool {
	return s == stageInEffect || s == stageAcceptedInPart || s == stageReviewDue || s == stageReevalDue
}

// eligible reports whether a student in this stage has been found eligible (disabilities known).
func (s stage) eligible() bool { return s >= stageDrafting }

// pupil is the skeleton of one student, decided before anything is written so that schools can
// be staffed for the students they will have.
type pupil struct {
	family  int32
	school  int32
	caseMgr int32 // index into gen.staff, -1 without a record
	rank    int32 // the how-manieth student of its stage in the district (0 = first)
	grade   int8  // index into iep.Grades
	stage   stage
	primary iep.DisabilityCategory
}

// family is the skeleton of a household.
type family struct {
	origin     int8
	nonEnglish bool
	first      int32 // its first pupil
	n          int8  // how many children it has in the district
}

// gradeWeights is the share of students in each grade: PK, K–12, PG.
var gradeWeights = func() []float64 {
	w := make([]float64, len(iep.Grades))
	w[0], w[len(w)-1] = 0.032, 0.003
	for i := 1; i < len(w)-1; i++ {
		w[i] = (1 - 0.035) / 13
	}
	return w
}()

// spedRate is the share of students of a grade with a special education record.
func spedRate(gi int) float64 {
	switch {
	case gi == 0:
		return 0.40
	case gi == 1:
		return 0.12
	case gi <= 3:
		return 0.15
	case gi <= 9:
		return 0.18
	case gi <= 13:
		return 0.16
	}
	return 1
}

// disability weights by age band: preschool and kindergarten, grades 1–3, grade 4 and up.
var (
	disabilityCats = []iep.DisabilityCategory{iep.SpecificLearningDisability, iep.SpeechLanguageImpairment,
		iep.OtherHealthImpairment, iep.Autism, iep.DevelopmentalDelay, iep.EmotionalDisturbance,
		iep.IntellectualDisability, iep.MultipleDisabilities, iep.HearingImpairment, iep.VisualImpairment,
		iep.OrthopedicImpairment, iep.TraumaticBrainInjury, iep.Neurological, iep.Deafness, iep.DeafBlindness,
		iep.DisabilityCommunicationOther}
	disabilityYoung  = []float64{0, 28, 2, 17, 45, 0, 0, 2, 1.5, 0.5, 1.5, 0.2, 0.5, 0.3, 0, 1}
	disabilityMiddle = []float64{18, 26, 13, 13, 12, 3, 4, 2, 1.2, 0.4, 0.8, 0.2, 1, 0.2, 0.05, 0.5}
	disabilityOlder  = []float64{42, 10, 18, 12, 0, 7, 5, 2, 1.2, 0.4, 0.6, 0.4, 1.2, 0.2, 0.05, 0}
)

func pickDisability(r rng, gi int) iep.DisabilityCategory {
	w := disabilityOlder
	switch {
	case gi <= 1:
		w = disabilityYoung
	case gi <= 4:
		w = disabilityMiddle
	}
	return disabilityCats[r.weighted(w)]
}

// pickStage draws a stage fitting the grade: graduates are seniors, post-graduates are in
// 18–22 programs and so have plans in effect.
func pickStage(r rng, gi int) stage {
	if gi == len(iep.Grades)-1 {
		return []stage{stageInEffect, stageInEffect, stageInEffect, stageReviewDue, stageReevalDue, stageAcceptedInPart}[r.IntN(6)]
	}
	return stage(r.weighted(stageWeights[:]))
}

// severeCategory reports whether a disability usually calls for intensive services.
func severeCategory(c iep.DisabilityCategory) bool {
	switch c {
	case iep.IntellectualDisability, iep.MultipleDisabilities, iep.DeafBlindness:
		return true
	}
	return false
}

// buildSkeleton draws the families and their children: grade, school, stage and primary
// disability of every student.
func (g *gen) buildSkeleton(r rng) {
	n := g.cfg.Students
	g.pupils = make([]pupil, 0, n)
	byLevel := map[level][]int32{}
	for i, sc := range g.schools {
		byLevel[sc.level] = append(byLevel[sc.level], int32(i))
	}
	for len(g.pupils) < n {
		f := family{origin: int8(r.weighted(originShares)), first: int32(len(g.pupils))}
		f.nonEnglish = r.chance(origins[f.origin].nonEng)
		kids := min(1+r.weighted([]float64{0.58, 0.3, 0.1, 0.02}), n-len(g.pupils))
		f.n = int8(kids)
		for range kids {
			g.pupils = append(g.pupils, g.newPupil(r, int32(len(g.families)), byLevel))
		}
		g.families = append(g.families, f)
	}
	g.coverStages()
	for _, p := range g.pupils {
		sc := g.schools[p.school]
		sc.students++
		if p.stage != stageNone {
			sc.sped++
		}
	}
}

func (g *gen) newPupil(r rng, fam int32, byLevel map[level][]int32) pupil {
	gi := r.weighted(gradeWeights)
	p := pupil{family: fam, grade: int8(gi), caseMgr: -1}
	if r.chance(spedRate(gi)) {
		p.stage = pickStage(r, gi)
		p.primary = pickDisability(r, gi)
	}
	lv := levelHigh
	switch {
	case gi == 0:
		lv = levelPre
	case gi <= 6:
		lv = levelElem
	case gi <= 9:
		lv = levelMiddle
	}
	list := byLevel[lv]
	p.school = list[r.IntN(len(list))]
	if gi == len(iep.Grades)-1 {
		p.school = byLevel[levelHigh][0] // the 18–22 program
	}
	intensive := severeCategory(p.primary) || p.primary == iep.Autism || p.primary == iep.EmotionalDisturbance
	if p.stage.inEffect() && intensive && gi > 0 && gi < len(iep.Grades)-1 && r.chance(0.2) {
		p.school = byLevel[levelSeparate][r.IntN(len(byLevel[levelSeparate]))]
		if ood := byLevel[levelOutOfDistrict]; len(ood) > 0 && r.chance(0.35) {
			p.school = ood[r.IntN(len(ood))]
		}
	}
	return p
}

// coverStages makes sure every stage is present whenever there are enough students with
// records (moving students from the most common stage), and numbers the students of each
// stage so that the first few of each take the rarer paths (amendment, transfer, cancelled
// draft…) and a small district still shows all of them.
func (g *gen) coverStages() {
	var count [numStages]int
	for _, p := range g.pupils {
		count[p.stage]++
	}
	// the first few of these stages take distinct paths (see the stage functions)
	want := func(s stage) int {
		switch s {
		case stageExited:
			return 4
		case stageRejected, stageProposed:
			return 2
		}
		return 1
	}
	for s := stageReferred; s < numStages; s++ {
		for i := len(g.pupils) - 1; count[s] < want(s) && i >= 0; i-- {
			p := &g.pupils[i]
			if p.stage == stageInEffect && count[stageInEffect] > 4 && g.schools[p.school].level != levelSeparate &&
				g.schools[p.school].level != levelOutOfDistrict && p.grade >= 5 && int(p.grade) < len(iep.Grades)-1 {
				p.stage = s
				count[stageInEffect]--
				count[s]++
			}
		}
	}
	var rank [numStages]int32
	for i := range g.pupils {
		p := &g.pupils[i]
		p.rank = rank[p.stage]
		rank[p.stage]++
	}
}
