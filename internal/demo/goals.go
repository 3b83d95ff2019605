package demo

import "github.com/openiep/openiep/internal/iep"

// area is an area of need: how it is described in present levels, the goals written for it,
// the services that address it and the evaluation that measures it.
type area struct {
	name      string
	evalArea  string        // the assessment that measures it
	evaluator iep.StaffRole // who assesses it
	strength  string
	need      string
	perf      string
	impact    string
	goals     []goalTemplate
}

// goalTemplate is a measurable annual goal with a numeric baseline and target; %s is the
// student's first name.
type goalTemplate struct {
	statement, baseline, target, unit, method, schedule string
	base, goal                                          float64
	role                                                iep.StaffRole
}

var areas = map[string]*area{
	"reading": {name: "Reading", evalArea: "academic_achievement", evaluator: iep.RoleSpecialEducationTeacher,
		strength: "Enjoys being read to and follows the plot of grade-level stories when they are read aloud; strong listening comprehension.",
		need:     "Decoding multisyllabic words and reading connected text fluently enough to keep up with class reading.",
		perf:     "WIAT-4 Word Reading standard score 78 (7th percentile); oral reading fluency 62 words correct per minute on grade-level passages (benchmark 100).",
		impact:   "Slow, effortful decoding limits access to grade-level texts in all content areas; needs text read aloud and direct, systematic reading instruction.",
		goals: []goalTemplate{
			{"Given a grade-level passage, %s will read aloud at %v words correct per minute with at least 95%% accuracy.", "62 words correct per minute", "95 words correct per minute", "words correct per minute", "Curriculum-based measurement: oral reading fluency probes", "Every two weeks", 62, 95, iep.RoleSpecialEducationTeacher},
			{"After reading an instructional-level text, %s will answer literal and inferential questions with %v%% accuracy.", "45% of questions answered correctly", "80% of questions answered correctly", "% correct", "Teacher-made comprehension checks", "Monthly", 45, 80, iep.RoleReadingSpecialist},
			{"%s will decode unfamiliar multisyllabic words using syllable types with %v%% accuracy.", "40% accuracy on a multisyllabic word list", "85% accuracy", "% accuracy", "Phonics inventory (multisyllabic word list)", "Every two weeks", 40, 85, iep.RoleSpecialEducationTeacher},
		}},
	"writing": {name: "Written expression", evalArea: "academic_achievement", evaluator: iep.RoleSpecialEducationTeacher,
		strength: "Has creative ideas and tells detailed stories orally.",
		need:     "Organizing ideas into paragraphs, spelling and using punctuation consistently.",
		perf:     "Writes 2–3 loosely connected sentences in 20 minutes; scores 2 of 5 on the district writing rubric.",
		impact:   "Written assignments in every class are shorter and less organized than peers'; needs graphic organizers and explicit writing instruction.",
		goals: []goalTemplate{
			{"Given a prompt and a graphic organizer, %s will write a paragraph with a topic sentence, three details and a conclusion, scoring %v of 5 on the district rubric.", "2 of 5 on the district writing rubric", "4 of 5", "rubric points (of 5)", "District writing rubric on monthly writing samples", "Monthly", 2, 4, iep.RoleSpecialEducationTeacher},
			{"%s will edit a draft for capitals, end punctuation and spelling of high-frequency words with %v%% accuracy.", "50% of errors corrected", "85% of errors corrected", "% of errors corrected", "Editing checklist on writing samples", "Every two weeks", 50, 85, iep.RoleSpecialEducationTeacher},
		}},
	"math": {name: "Mathematics", evalArea: "academic_achievement", evaluator: iep.RoleSpecialEducationTeacher,
		strength: "Understands place value and uses manipulatives well to solve problems.",
		need:     "Fluency with math facts and multi-step word problems.",
		perf:     "KeyMath-3 total standard score 81; 18 correct digits in two minutes on computation probes (grade benchmark 40).",
		impact:   "Slow computation and difficulty choosing operations limit independent work in grade-level mathematics.",
		goals: []goalTemplate{
			{"%s will solve grade-level computation problems with %v correct digits in two minutes.", "18 correct digits in two minutes", "40 correct digits in two minutes", "correct digits per 2 minutes", "Curriculum-based measurement: math computation probes", "Every two weeks", 18, 40, iep.RoleSpecialEducationTeacher},
			{"Given a two-step word problem read aloud, %s will identify the operations and solve it correctly in %v%% of problems.", "30% of problems solved correctly", "75% of problems", "% correct", "Work samples and teacher-made probes", "Monthly", 30, 75, iep.RoleSpecialEducationTeacher},
		}},
	"articulation": {name: "Speech (articulation)", evalArea: "speech_language", evaluator: iep.RoleSpeechLanguage,
		strength: "Stimulable for most sounds; motivated in speech sessions.",
		need:     "Producing /r/ and /s/ blends correctly in conversation.",
		perf:     "GFTA-3 standard score 76; /r/ correct in 30% of opportunities in structured conversation.",
		impact:   "Speech is hard to understand for unfamiliar listeners, which limits participation in class discussion.",
		goals: []goalTemplate{
			{"%s will produce /r/ in all word positions in structured conversation with %v%% accuracy.", "30% accuracy in structured conversation", "80% accuracy", "% accuracy", "Speech-language pathologist's data on 20 trials", "Weekly", 30, 80, iep.RoleSpeechLanguage},
		}},
	"language": {name: "Expressive and receptive language", evalArea: "speech_language", evaluator: iep.RoleSpeechLanguage,
		strength: "Follows familiar routines and uses gestures and pictures to communicate.",
		need:     "Following multi-step directions, using complete sentences and vocabulary for academic content.",
		perf:     "CELF-5 Core Language standard score 74; follows 2-step directions in 50% of opportunities.",
		impact:   "Difficulty understanding and using academic language affects comprehension of instruction and written work.",
		goals: []goalTemplate{
			{"%s will follow classroom directions with two or more steps in %v%% of opportunities without repetition.", "50% of opportunities", "85% of opportunities", "% of opportunities", "Speech-language pathologist and teacher observation data", "Weekly", 50, 85, iep.RoleSpeechLanguage},
			{"%s will use complete sentences of six or more words to describe a picture or event in %v of 5 opportunities.", "2 of 5 opportunities", "4 of 5 opportunities", "opportunities (of 5)", "Language samples", "Every two weeks", 2, 4, iep.RoleSpeechLanguage},
		}},
	"social": {name: "Social communication", evalArea: "speech_language", evaluator: iep.RoleSpeechLanguage,
		strength: "Knows a great deal about favorite topics and enjoys sharing them with adults.",
		need:     "Starting and keeping up conversations with peers and reading others' perspectives.",
		perf:     "Initiates interaction with a peer about once per 30-minute structured activity; ADOS-2 results consistent with autism.",
		impact:   "Limited peer interaction affects group work, recess and unstructured times.",
		goals: []goalTemplate{
			{"During structured group activities, %s will initiate an interaction with a peer at least %v times per 30-minute session.", "1 initiation per session", "4 initiations per session", "initiations per session", "Frequency count during group sessions", "Weekly", 1, 4, iep.RoleSpeechLanguage},
		}},
	"behavior": {name: "Social-emotional and behavior", evalArea: "psychological", evaluator: iep.RoleSchoolPsychologist,
		strength: "Kind to younger students and responds well to positive adult relationships.",
		need:     "Using coping strategies when frustrated and staying with non-preferred tasks.",
		perf:     "On task in 55% of 10-second intervals; 3–4 incidents a week of leaving the classroom without permission (functional behavior assessment).",
		impact:   "Time out of class and work avoidance reduce access to instruction.",
		goals: []goalTemplate{
			{"When frustrated, %s will use a chosen coping strategy (break card, breathing, asking for help) in %v%% of observed opportunities.", "20% of observed opportunities", "80% of observed opportunities", "% of opportunities", "Behavior data sheets and counselor observation", "Weekly", 20, 80, iep.RoleSchoolCounselor},
			{"%s will remain on task during independent work in %v%% of sampled intervals.", "55% of intervals", "85% of intervals", "% of intervals", "Momentary time sampling", "Weekly", 55, 85, iep.RoleBehaviorAnalyst},
		}},
	"executive": {name: "Executive functioning and attention", evalArea: "psychological", evaluator: iep.RoleSchoolPsychologist,
		strength: "Bright and curious; does well with hands-on work and clear routines.",
		need:     "Planning, starting and finishing multi-step assignments; keeping track of materials.",
		perf:     "BRIEF-2 Global Executive Composite T-score 72 (parent) and 70 (teacher); turns in 50% of homework.",
		impact:   "Missing and incomplete work lowers grades despite understanding the content.",
		goals: []goalTemplate{
			{"Using a planner checked daily, %s will record and turn in assignments on time in %v%% of school days.", "50% of assignments on time", "90% of assignments on time", "% of assignments on time", "Planner and gradebook review", "Weekly", 50, 90, iep.RoleSpecialEducationTeacher},
		}},
	"fine_motor": {name: "Fine motor and handwriting", evalArea: "occupational_therapy", evaluator: iep.RoleOccupationalTherapist,
		strength: "Good gross motor skills; enjoys building and art.",
		need:     "Legible handwriting, spacing and tool use; tolerating sensory input in class.",
		perf:     "BOT-2 fine motor composite below average; 55% of letters legible in a copied sentence.",
		impact:   "Writing is slow and hard to read, and sensory needs affect attention in busy settings.",
		goals: []goalTemplate{
			{"%s will copy a sentence from the board with correct letter formation and spacing, %v%% legible.", "55% legible", "90% legible", "% legible", "Occupational therapist's handwriting samples", "Every two weeks", 55, 90, iep.RoleOccupationalTherapist},
		}},
	"motor": {name: "Gross motor and mobility", evalArea: "physical_therapy", evaluator: iep.RolePhysicalTherapist,
		strength: "Determined and eager to move with peers.",
		need:     "Moving safely through the school, stairs and playground; endurance.",
		perf:     "Walks the hallway with stand-by assistance; climbs a flight of stairs with a rail in 90 seconds.",
		impact:   "Mobility limits independent transitions between classes and participation in physical education.",
		goals: []goalTemplate{
			{"%s will navigate the school building between classes independently in %v%% of transitions.", "40% of transitions independently", "90% of transitions", "% of transitions", "Physical therapist's observation log", "Monthly", 40, 90, iep.RolePhysicalTherapist},
		}},
	"adaptive": {name: "Adaptive and daily living skills", evalArea: "adaptive_behavior", evaluator: iep.RoleSchoolPsychologist,
		strength: "Cheerful, likes routines and helping adults.",
		need:     "Completing self-care and classroom routines independently; functional communication.",
		perf:     "Vineland-3 Adaptive Behavior Composite 62; completes 4 of 10 steps of the arrival routine independently.",
		impact:   "Needs adult support for most routines; learns best with visual supports and repeated practice.",
		goals: []goalTemplate{
			{"Using a visual schedule, %s will complete the steps of the arrival and dismissal routines independently, %v of 10 steps.", "4 of 10 steps", "9 of 10 steps", "steps (of 10)", "Task analysis data", "Weekly", 4, 9, iep.RoleSpecialEducationTeacher},
		}},
	"preschool": {name: "Early learning and play", evalArea: "developmental", evaluator: iep.RoleSpecialEducationTeacher,
		strength: "Affectionate, loves music and movement, imitates adults.",
		need:     "Joining play with peers, following group routines and using words to make requests.",
		perf:     "Battelle Developmental Inventory-3: communication and adaptive domains 1.5 standard deviations below the mean.",
		impact:   "Delays affect participation in circle time, play and routines of the preschool classroom.",
		goals: []goalTemplate{
			{"During center time, %s will take turns with a peer in a play activity for %v minutes with adult prompting faded.", "1 minute with hand-over-hand prompting", "5 minutes with a verbal prompt", "minutes", "Teacher observation data", "Weekly", 1, 5, iep.RoleSpecialEducationTeacher},
			{"%s will use two-word phrases to request objects and activities in %v%% of opportunities.", "25% of opportunities", "75% of opportunities", "% of opportunities", "Speech-language pathologist's data", "Weekly", 25, 75, iep.RoleSpeechLanguage},
		}},
	"hearing": {name: "Hearing and listening", evalArea: "audiological", evaluator: iep.RoleAudiologist,
		strength: "Reads lips well and advocates when reminded.",
		need:     "Access to instruction in noisy settings; using and checking the FM system.",
		perf:     "Moderate bilateral sensorineural hearing loss; speech recognition in noise 60%.",
		impact:   "Misses parts of instruction and discussion without amplification and seating supports.",
		goals: []goalTemplate{
			{"%s will check the FM system at the start of each class and tell an adult when it is not working in %v%% of opportunities.", "30% of opportunities", "90% of opportunities", "% of opportunities", "Teacher of the deaf and hard of hearing / audiologist checklist", "Monthly", 30, 90, iep.RoleAudiologist},
		}},
	"vision": {name: "Vision", evalArea: "functional_vision", evaluator: iep.RoleVisionSpecialist,
		strength: "Uses residual vision well and is an excellent listener.",
		need:     "Access to print through enlarged materials and technology; orientation in new places.",
		perf:     "Visual acuity 20/200 corrected; reads 18-point print at 40 words per minute.",
		impact:   "Needs enlarged print, magnification and extra time to access grade-level materials.",
		goals: []goalTemplate{
			{"Using a magnifier and screen enlargement, %s will read enlarged grade-level text at %v words per minute.", "40 words per minute", "70 words per minute", "words per minute", "Teacher of the visually impaired timed readings", "Monthly", 40, 70, iep.RoleVisionSpecialist},
		}},
	"transition": {name: "Transition and vocational skills", evalArea: "vocational", evaluator: iep.RoleTransitionSpecialist,
		strength: "Reliable, friendly, and interested in work with animals or computers.",
		need:     "Self-advocacy, work habits and planning for life after high school.",
		perf:     "Completes 3 of 8 steps of a job task independently; can name one accommodation that helps.",
		impact:   "Needs explicit instruction and community experience to reach post-secondary goals.",
		goals: []goalTemplate{
			{"At a community work site, %s will complete the steps of an assigned job task independently, %v of 8 steps.", "3 of 8 steps", "7 of 8 steps", "steps (of 8)", "Job coach task analysis", "Every two weeks", 3, 7, iep.RoleTransitionSpecialist},
			{"%s will explain their disability and request an accommodation from a teacher in %v of 4 opportunities per term.", "1 of 4 opportunities", "4 of 4 opportunities", "opportunities (of 4)", "Self-advocacy checklist", "Monthly", 1, 4, iep.RoleTransitionSpecialist},
		}},
}

// areasFor lists the areas of need for a primary disability, the most central first.
func areasFor(c iep.DisabilityCategory, pre bool) []string {
	if pre {
		switch c {
		case iep.Autism:
			return []string{"preschool", "social", "language"}
		case iep.OrthopedicImpairment:
			return []string{"preschool", "motor", "fine_motor"}
		}
		return []string{"preschool", "language", "fine_motor"}
	}
	switch c {
	case iep.SpecificLearningDisability:
		return []string{"reading", "writing", "math"}
	case iep.SpeechLanguageImpairment, iep.DisabilityCommunicationOther:
		return []string{"language", "articulation"}
	case iep.OtherHealthImpairment:
		return []string{"executive", "writing", "math"}
	case iep.Autism:
		return []string{"social", "behavior", "language", "fine_motor"}
	case iep.DevelopmentalDelay:
		return []string{"language", "reading", "fine_motor"}
	case iep.EmotionalDisturbance:
		return []string{"behavior", "executive", "writing"}
	case iep.IntellectualDisability:
		return []string{"adaptive", "reading", "math", "language"}
	case iep.MultipleDisabilities:
		return []string{"adaptive", "language", "motor", "fine_motor"}
	case iep.HearingImpairment, iep.Deafness, iep.DeafBlindness:
		return []string{"hearing", "language", "reading"}
	case iep.VisualImpairment:
		return []string{"vision", "reading", "motor"}
	case iep.OrthopedicImpairment:
		return []string{"motor", "fine_motor", "writing"}
	case iep.TraumaticBrainInjury, iep.Neurological:
		return []string{"executive", "reading", "math"}
	}
	return []string{"reading", "math"}
}
