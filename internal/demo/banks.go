package demo

import (
	"context"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The starter goal bank and accommodation bank: what a district gets when an administrator
// loads it into an empty bank (app.LoadStarterBank), and what the demo district starts with.
//
// Each goal is measurable as a team would write it: a timeframe ("By [date]"), a condition
// (given what, where, with which support), an observable behaviour, and a criterion with how
// many times it must be shown, plus how it is measured and how often. The blanks are filled in
// for the child: [student] (their name), [date] (the end of the plan's year), [baseline] (from
// the present levels) and [target]. Accommodations say what changes and where it applies;
// read-aloud never covers what assesses reading itself. Modifications (what is expected
// changes) are marked as such, since they change what a grade means.

// goal is a goal item of the starter bank.
func starterGoal(area, band, text, method, schedule, unit string, tags []string, objectives ...string) store.BankItem {
	return store.BankItem{Kind: store.BankGoal, Area: area, GradeBand: band, Text: text, MeasurementMethod: method,
		Schedule: schedule, Unit: unit, Tags: tags, Objectives: objectives}
}

// acc is an accommodation item of the starter bank; band "" fits every grade.
func starterAcc(kind iep.AccommodationKind, where iep.AccommodationContext, band, text, subjects string, tags ...string) store.BankItem {
	return store.BankItem{Kind: store.BankAccommodation, AccommodationKind: kind, Context: where, GradeBand: band,
		Text: text, Subjects: subjects, Tags: tags}
}

func bankTags(t ...string) []string { return t }

const (
	everyTwoWeeks = "Every two weeks"
	everyWeek     = "Weekly"
	everyMonth    = "Monthly"
)

var starterGoals = []store.BankItem{
	// Reading.
	starterGoal("reading", "pk", "By [date], during shared reading and play, [student] will point to [target] of 10 taught letters when an adult names them, on 3 consecutive sessions (baseline: [baseline] of 10).",
		"Letter identification probe with the 10 taught letters, in random order", everyTwoWeeks, "letters of 10", bankTags("letters", "emergent literacy")),
	starterGoal("reading", "k_2", "By [date], given a spoken word of up to four sounds, [student] will say each sound in order (segment it) with [target]% accuracy on 3 consecutive probes (baseline: [baseline]%).",
		"Phoneme segmentation probes (for example Acadience PSF), 10 words a probe", everyWeek, "% of words segmented correctly", bankTags("phonemic awareness", "phonics"),
		"By the end of the first reporting period, [student] will blend three spoken sounds into a word with 80% accuracy.",
		"By the end of the second reporting period, [student] will segment three-sound words with 80% accuracy."),
	starterGoal("reading", "k_2", "By [date], given a list of 20 decodable consonant-vowel-consonant and consonant-blend words, [student] will read them aloud with [target]% accuracy on 3 consecutive probes (baseline: [baseline]%).",
		"Teacher-made decodable word lists, words read correctly recorded", everyTwoWeeks, "% of words read correctly", bankTags("decoding", "phonics"),
		"By the end of the first reporting period, [student] will say the most common sound of all 26 letters with 95% accuracy.",
		"By the end of the second reporting period, [student] will read CVC words with 80% accuracy."),
	starterGoal("reading", "3_5", "By [date], given an unpracticed passage at grade level, [student] will read aloud at [target] words correct per minute with at least 95% accuracy on 3 of 4 consecutive probes, up from a baseline of [baseline] words correct per minute.",
		"Curriculum-based measurement: oral reading fluency probes", everyTwoWeeks, "words correct per minute", bankTags("fluency", "orf", "cbm"),
		"By the end of the first reporting period, [student] will read grade-level passages at the baseline rate plus one third of the expected growth.",
		"By the end of the second reporting period, [student] will read grade-level passages at the baseline rate plus two thirds of the expected growth."),
	starterGoal("reading", "3_5", "By [date], given a list of 20 unfamiliar multisyllabic words, [student] will divide them into syllables and read them with [target]% accuracy on 3 consecutive probes (baseline: [baseline]%).",
		"Multisyllabic word lists from the phonics inventory", everyTwoWeeks, "% of words read correctly", bankTags("decoding", "syllables", "phonics")),
	starterGoal("reading", "3_5", "By [date], after reading an instructional-level fiction or informational text, [student] will answer literal and inferential questions with [target]% accuracy on 4 consecutive probes (baseline: [baseline]%).",
		"Teacher-made comprehension checks scored with an answer key", everyTwoWeeks, "% of questions answered correctly", bankTags("comprehension", "inference"),
		"By the end of the first reporting period, [student] will answer literal who, what, where and when questions with 80% accuracy."),
	starterGoal("reading", "6_8", "By [date], after reading a grade-level informational text (with text-to-speech as needed), [student] will write the central idea and two supporting details, scoring [target] of 4 on the comprehension rubric on 4 of 5 texts (baseline: [baseline] of 4).",
		"Comprehension rubric (4 points) on written responses", everyTwoWeeks, "rubric points of 4", bankTags("comprehension", "main idea", "informational text")),
	starterGoal("reading", "6_8", "By [date], when [student] meets an unfamiliar word in a grade-level text, [student] will work out its meaning from context clues or word parts with [target]% accuracy on 3 consecutive probes (baseline: [baseline]%).",
		"Vocabulary-in-context probes, 10 items a probe", everyTwoWeeks, "% correct", bankTags("vocabulary", "morphology")),
	starterGoal("reading", "9_12", "By [date], given a content-area text at grade level, [student] will annotate it and write a summary stating the author's claim and two pieces of supporting evidence, scoring [target] of 4 on the district reading rubric on 3 consecutive assignments (baseline: [baseline] of 4).",
		"District reading rubric on content-area summaries", everyMonth, "rubric points of 4", bankTags("comprehension", "summarizing", "evidence")),

	// Written expression.
	starterGoal("written_expression", "k_2", "By [date], given a picture prompt, [student] will write a complete sentence that starts with a capital letter, ends with punctuation and has spaces between words, in [target] of 5 writing samples (baseline: [baseline] of 5).",
		"Writing samples scored with a sentence checklist", everyTwoWeeks, "samples of 5", bankTags("sentences", "conventions")),
	starterGoal("written_expression", "3_5", "By [date], given a prompt and a graphic organizer, [student] will write a paragraph with a topic sentence, at least three supporting details and a concluding sentence, scoring [target] of 5 on the district writing rubric on 3 consecutive monthly samples (baseline: [baseline] of 5).",
		"District writing rubric on monthly writing samples", everyMonth, "rubric points of 5", bankTags("paragraph", "organization", "graphic organizer"),
		"By the end of the first reporting period, [student] will complete a graphic organizer with a topic and three details for 4 of 5 prompts.",
		"By the end of the second reporting period, [student] will write a topic sentence and three detail sentences from the organizer in 4 of 5 samples."),
	starterGoal("written_expression", "3_5", "By [date], [student] will spell [target]% of words with taught spelling patterns correctly in dictated sentences on 3 consecutive weekly probes (baseline: [baseline]%).",
		"Dictated-sentence spelling probes scored by correct letter sequences and whole words", everyWeek, "% of words spelled correctly", bankTags("spelling", "encoding")),
	starterGoal("written_expression", "6_8", "By [date], given a prompt, [student] will plan with a graphic organizer and write a multi-paragraph essay with an introduction, body paragraphs supported by evidence and a conclusion, scoring [target] of 4 on the grade-level rubric on 2 consecutive assignments (baseline: [baseline] of 4).",
		"Grade-level writing rubric (4 points) on essays", everyMonth, "rubric points of 4", bankTags("essay", "organization")),
	starterGoal("written_expression", "6_8", "By [date], using an editing checklist, [student] will find and correct [target]% of the capitalization, punctuation and spelling errors in their own drafts on 4 consecutive samples (baseline: [baseline]%).",
		"Editing checklist on writing samples: errors corrected out of errors present", everyTwoWeeks, "% of errors corrected", bankTags("editing", "conventions", "self-monitoring")),
	starterGoal("written_expression", "9_12", "By [date], [student] will write an argument that states a claim, supports it with at least two cited pieces of evidence and answers a counterclaim, scoring [target] of 4 on the district argument rubric on 2 consecutive assignments (baseline: [baseline] of 4).",
		"District argument-writing rubric", everyMonth, "rubric points of 4", bankTags("argument", "evidence", "citation")),

	// Mathematics.
	starterGoal("mathematics", "pk", "By [date], during play and small-group activities, [student] will count a set of up to [target] objects, touching each once, and say how many there are, in 4 of 5 opportunities (baseline: sets of up to [baseline]).",
		"Teacher observation checklist during centers", everyTwoWeeks, "objects counted correctly", bankTags("counting", "number sense", "one-to-one")),
	starterGoal("mathematics", "k_2", "By [date], [student] will answer addition and subtraction facts within 20 at [target] correct facts per minute on 3 consecutive one-minute probes (baseline: [baseline]).",
		"Curriculum-based measurement: math fact fluency probes", everyWeek, "facts correct per minute", bankTags("math facts", "fluency", "cbm")),
	starterGoal("mathematics", "k_2", "By [date], given a two-digit number, [student] will show it with base-ten blocks and write it in expanded form with [target]% accuracy on 3 consecutive probes (baseline: [baseline]%).",
		"Teacher-made place-value probes, 10 items", everyTwoWeeks, "% correct", bankTags("place value", "number sense")),
	starterGoal("mathematics", "3_5", "By [date], on grade-level computation probes, [student] will score [target] correct digits in 2 minutes on 3 consecutive probes, up from a baseline of [baseline] correct digits.",
		"Curriculum-based measurement: math computation probes", everyTwoWeeks, "correct digits per 2 minutes", bankTags("computation", "cbm"),
		"By the end of the first reporting period, [student] will answer multiplication facts through 5 × 10 with 90% accuracy."),
	starterGoal("mathematics", "3_5", "By [date], given a two-step word problem (read aloud if needed), [student] will name the operations, solve it and label the answer with [target]% accuracy on 4 consecutive probes (baseline: [baseline]%).",
		"Teacher-made word-problem probes, 5 problems a probe", everyTwoWeeks, "% of problems solved correctly", bankTags("word problems", "problem solving")),
	starterGoal("mathematics", "6_8", "By [date], [student] will solve grade-level problems with fractions, decimals and percents, showing each step, with [target]% accuracy on 3 consecutive unit checks (baseline: [baseline]%).",
		"Unit checks and work samples scored for correct answers and steps", everyMonth, "% correct", bankTags("fractions", "decimals", "percent")),
	starterGoal("mathematics", "6_8", "By [date], [student] will solve one- and two-step linear equations, writing each step, with [target]% accuracy on 3 consecutive probes (baseline: [baseline]%).",
		"Teacher-made equation probes, 10 items", everyTwoWeeks, "% correct", bankTags("equations", "algebra")),
	starterGoal("mathematics", "9_12", "By [date], using a calculator and a formula sheet, [student] will solve multi-step problems about linear functions in real situations with [target]% accuracy on 3 consecutive assessments (baseline: [baseline]%).",
		"Classroom assessments scored for correct setup and answer", everyMonth, "% correct", bankTags("algebra", "functions", "problem solving")),
	starterGoal("mathematics", "18_22", "By [date], given a monthly income and a list of expenses, [student] will use a calculator to make a budget, total the bills and work out what is left, completing [target]% of the steps correctly on 3 consecutive tasks (baseline: [baseline]%).",
		"Task analysis of the budgeting steps", everyTwoWeeks, "% of steps correct", bankTags("money", "budget", "functional math")),

	// Communication.
	starterGoal("communication", "pk", "By [date], [student] will use words, signs or a speech-generating device to ask for a wanted item or activity in [target] of 10 opportunities across two settings (baseline: [baseline] of 10).",
		"Speech-language pathologist's and teacher's data on 10 planned opportunities", everyWeek, "opportunities of 10", bankTags("aac", "requesting", "early language")),
	starterGoal("communication", "k_2", "By [date], [student] will produce the target speech sounds named in the present levels correctly in sentences in [target]% of opportunities during structured activities (baseline: [baseline]%).",
		"Speech-language pathologist's data on 20 trials a session", everyWeek, "% of sounds produced correctly", bankTags("articulation", "speech sounds"),
		"By the end of the first reporting period, [student] will produce the target sounds in words with 80% accuracy."),
	starterGoal("communication", "3_5", "By [date], [student] will follow classroom directions of two or more steps without repetition in [target]% of opportunities, measured in class and in therapy (baseline: [baseline]%).",
		"Speech-language pathologist and teacher observation data", everyWeek, "% of opportunities", bankTags("receptive language", "directions")),
	starterGoal("communication", "6_8", "By [date], [student] will retell a story or explain an event in order, including who, where, the problem and how it ended, in [target] of 5 opportunities (baseline: [baseline] of 5).",
		"Narrative retell rubric on language samples", everyTwoWeeks, "opportunities of 5", bankTags("expressive language", "narrative", "retell")),
	starterGoal("communication", "9_12", "By [date], when [student] does not understand a direction or an assignment, [student] will ask the teacher for clarification using a taught script in [target] of 5 observed opportunities a week, for 4 consecutive weeks (baseline: [baseline] of 5).",
		"Teacher and speech-language pathologist observation log", everyWeek, "opportunities of 5", bankTags("self-advocacy", "pragmatics", "asking for help")),

	// Social-emotional.
	starterGoal("social_emotional", "k_2", "By [date], when upset or frustrated, [student] will use a taught calming strategy (deep breaths, a break card, counting) within 2 minutes and return to the activity in [target]% of observed incidents (baseline: [baseline]%).",
		"Teacher incident log with antecedent, behaviour and consequence", everyWeek, "% of incidents", bankTags("coping", "self-regulation", "zones")),
	starterGoal("social_emotional", "3_5", "By [date], during structured group activities, [student] will start an interaction with a peer at least [target] times in a 30-minute session, on 4 of 5 sessions (baseline: [baseline] times).",
		"Frequency count during group sessions", everyWeek, "initiations per session", bankTags("peers", "social skills", "initiation")),
	starterGoal("social_emotional", "6_8", "By [date], during a conversation with a peer, [student] will keep to the topic for at least [target] back-and-forth exchanges in 4 of 5 observed opportunities (baseline: [baseline] exchanges).",
		"Counselor's or speech-language pathologist's observation data", everyWeek, "exchanges", bankTags("conversation", "social skills")),
	starterGoal("social_emotional", "9_12", "By [date], at scheduled check-ins, [student] will rate their stress on a 1–5 scale and choose a coping strategy from their personal plan in [target]% of check-ins (baseline: [baseline]%).",
		"Check-in sheet kept with the school counselor", everyWeek, "% of check-ins", bankTags("anxiety", "coping", "self-monitoring")),

	// Behavior.
	starterGoal("behavior", "k_2", "By [date], [student] will stay in the assigned area and take part in whole-group instruction for [target] minutes with no more than one adult prompt, on 4 of 5 consecutive days (baseline: [baseline] minutes).",
		"Duration recording during whole-group lessons", "Daily data, summarized weekly", "minutes", bankTags("engagement", "on task")),
	starterGoal("behavior", "3_5", "By [date], [student] will follow an adult's direction within 30 seconds of the first request in [target]% of opportunities across the school day (baseline: [baseline]%).",
		"Point sheet of the behavior intervention plan", "Daily data, summarized weekly", "% of directions followed", bankTags("compliance", "directions", "bip")),
	starterGoal("behavior", "6_8", "By [date], using the replacement behaviour taught in the behavior intervention plan, [student] will reduce physical aggression from [baseline] incidents a week to [target] or fewer a week, for 6 consecutive weeks.",
		"Frequency count from the behavior intervention plan's data sheet", "Daily data, summarized weekly", "incidents per week", bankTags("aggression", "replacement behavior", "bip")),

	// Executive function.
	starterGoal("executive_function", "3_5", "By [date], using a visual checklist, [student] will start an independent task within 2 minutes of the direction in [target]% of observed opportunities (baseline: [baseline]%).",
		"Teacher observation data, 5 opportunities a day", everyWeek, "% of opportunities", bankTags("task initiation", "checklist")),
	starterGoal("executive_function", "6_8", "By [date], [student] will write each class's assignments and due dates in a planner or digital calendar and review them with an adult at the end of the day on [target]% of school days (baseline: [baseline]%).",
		"Planner checks signed by the adult", everyWeek, "% of school days", bankTags("organization", "planner", "homework")),
	starterGoal("executive_function", "9_12", "By [date], given a long-term assignment, [student] will break it into steps with their own due dates and finish [target]% of the steps on time (baseline: [baseline]%).",
		"Project plans checked against the steps' due dates", everyMonth, "% of steps finished on time", bankTags("planning", "time management", "long-term assignments")),

	// Adaptive and daily living.
	starterGoal("adaptive", "pk", "By [date], [student] will complete the arrival routine (hang up coat and backpack, wash hands, choose a center) with no more than one visual prompt on [target] of 5 consecutive days (baseline: [baseline] of 5).",
		"Task analysis of the arrival routine", everyWeek, "days of 5", bankTags("routines", "independence", "visual supports")),
	starterGoal("adaptive", "18_22", "By [date], following a picture or written recipe, [student] will prepare a simple meal, doing [target]% of the steps on the task analysis independently (baseline: [baseline]%).",
		"Task analysis of the recipe's steps, prompt level recorded for each", everyWeek, "% of steps done independently", bankTags("cooking", "daily living", "independence")),

	// Motor.
	starterGoal("motor", "pk", "By [date], [student] will cut along a 6-inch straight line with scissors, staying within 1/4 inch of the line, in [target] of 5 trials (baseline: [baseline] of 5).",
		"Occupational therapist's work samples", everyTwoWeeks, "trials of 5", bankTags("fine motor", "scissors")),
	starterGoal("motor", "k_2", "By [date], when copying a sentence, [student] will form upper- and lowercase letters legibly, sized and spaced on the lines, for [target]% of the letters (baseline: [baseline]%).",
		"Occupational therapist's handwriting rubric on copied sentences", everyTwoWeeks, "% of letters legible", bankTags("handwriting", "fine motor")),
	starterGoal("motor", "3_5", "By [date], [student] will type [target] words per minute with at least 90% accuracy on a 3-minute keyboarding probe (baseline: [baseline] words per minute).",
		"Keyboarding probes", everyMonth, "words per minute", bankTags("keyboarding", "assistive technology")),
	starterGoal("motor", "6_8", "By [date], [student] will move between classes, including stairs with a handrail, within the passing time, on [target] of 5 consecutive school days (baseline: [baseline] of 5).",
		"Physical therapist's and staff's observation log", everyWeek, "days of 5", bankTags("mobility", "gross motor", "stairs")),

	// Transition and post-secondary.
	starterGoal("transition", "9_12", "By [date], [student] will research two post-secondary education or training programs that fit their career interest and record the admission requirements, cost and disability services of each, completing [target] of 6 items of the research checklist (baseline: [baseline] of 6).",
		"Transition research checklist", everyMonth, "checklist items of 6", bankTags("post-secondary", "college", "career")),
	starterGoal("transition", "9_12", "By [date], at their IEP meeting, [student] will explain their strengths, needs and accommodations in their own words, scoring [target] of 4 on the self-advocacy rubric (baseline: [baseline] of 4 in a practice meeting).",
		"Self-advocacy rubric scored in practice sessions and at the meeting", everyMonth, "rubric points of 4", bankTags("self-advocacy", "student-led iep")),
	starterGoal("transition", "18_22", "By [date], [student] will ride public transportation from school to a community job site, doing [target]% of the steps on the travel task analysis independently on 3 consecutive trips (baseline: [baseline]%).",
		"Travel training task analysis", everyWeek, "% of steps done independently", bankTags("travel training", "community", "independent living")),

	// Vocational.
	starterGoal("vocational", "9_12", "By [date], at a work-based learning placement, [student] will arrive on time, follow the task schedule and finish assigned tasks to the employer's standard, scoring [target] of 5 on the supervisor's weekly evaluation for 4 consecutive weeks (baseline: [baseline] of 5).",
		"Supervisor's weekly work-skills evaluation", everyWeek, "rating of 5", bankTags("work-based learning", "employability")),
	starterGoal("vocational", "18_22", "By [date], [student] will complete a job application with a resume and two references, filling in [target]% of the fields accurately without help (baseline: [baseline]%).",
		"Job application checklist", everyMonth, "% of fields accurate", bankTags("job application", "resume", "employment")),
}

const (
	isAcc, isMod             = iep.Accommodation, iep.Modification
	inClass, onTests, inBoth = iep.ContextClassroom, iep.ContextTesting, iep.ContextBoth
)

var starterAccommodations = []store.BankItem{
	// Time and scheduling.
	starterAcc(isAcc, onTests, "", "Extended time on tests and quizzes: up to time and a half (1.5×), finished the same school day.", "All", "extended time", "time"),
	starterAcc(isAcc, inClass, "", "Extended time on classroom assignments and projects, with a new due date agreed with the teacher when needed.", "All", "extended time", "time"),
	starterAcc(isAcc, onTests, "", "Frequent breaks during tests: the test may be paused for a short break and resumed, without the break counting against the time allowed.", "All", "breaks", "time"),
	starterAcc(isAcc, inClass, "", "Frequent breaks: a short movement break after 15–20 minutes of sustained work, asked for with a break card.", "All", "breaks", "movement", "self-regulation"),
	starterAcc(isAcc, onTests, "", "Tests given in several shorter sessions, over more than one day where the test allows it.", "All", "time", "sessions"),
	starterAcc(isAcc, inClass, "", "Long assignments broken into smaller parts, each with its own due date and a check-in with the teacher.", "All", "chunking", "executive function"),
	starterAcc(isAcc, inClass, "", "Advance notice of tests, long-term assignments and changes to the daily schedule.", "All", "predictability", "schedule"),
	starterAcc(isAcc, inClass, "pk", "Warnings 5 and 2 minutes before a transition, with a visual timer.", "All", "transitions", "visual supports"),

	// Setting.
	starterAcc(isAcc, onTests, "", "Tests taken in a small-group or separate setting with few distractions.", "All", "separate setting", "small group"),
	starterAcc(isAcc, inClass, "", "Preferential seating near the point of instruction and away from doors, windows and other distractions.", "All", "seating", "attention"),
	starterAcc(isAcc, onTests, "", "Noise-reducing headphones or earplugs during tests (not connected to any device).", "All", "noise", "sensory"),
	starterAcc(isAcc, inClass, "", "A pass to go to a designated adult (the counselor or the nurse) when overwhelmed, with an agreed plan for returning to class.", "All", "anxiety", "self-regulation"),

	// Presentation.
	starterAcc(isAcc, onTests, "", "Test items and answer choices read aloud (by an adult or by text-to-speech), except passages and items that assess reading comprehension or decoding.", "Mathematics, science, social studies", "read aloud", "text-to-speech"),
	starterAcc(isAcc, inBoth, "", "Directions read aloud, repeated and clarified as needed, without explaining the content being assessed.", "All", "directions", "read aloud"),
	starterAcc(isAcc, inClass, "3_5", "Audiobooks or text-to-speech for grade-level texts in content-area classes, so that reading difficulty does not block access to the content.", "English language arts, science, social studies", "text-to-speech", "audiobooks"),
	starterAcc(isAcc, inBoth, "", "Large print (at least 18-point) for tests, handouts and other printed materials.", "All", "large print", "vision"),
	starterAcc(isAcc, inBoth, "", "Braille and tactile graphics for all printed materials and tests, provided at the same time as peers receive them.", "All", "braille", "vision"),
	starterAcc(isAcc, inBoth, "", "A magnifier or screen magnification for printed and on-screen materials.", "All", "magnification", "vision"),
	starterAcc(isAcc, inBoth, "", "Key words in directions highlighted or in bold.", "All", "directions", "attention"),
	starterAcc(isAcc, inClass, "", "A copy of class notes or a guided-notes outline, given before or right after the lesson.", "All", "notes", "writing"),
	starterAcc(isAcc, inClass, "", "A visual schedule of the day, reviewed on arrival and after each transition.", "All", "visual schedule", "routines"),
	starterAcc(isAcc, inBoth, "", "Sign language interpreter for instruction, assemblies and tests (for tests: directions and items, except those that assess reading).", "All", "interpreter", "deaf and hard of hearing"),
	starterAcc(isAcc, inClass, "", "Personal FM or sound-field amplification system, with the teacher wearing the microphone.", "All", "hearing", "amplification"),

	// Response.
	starterAcc(isAcc, inBoth, "", "Speech-to-text (dictation) for written responses, scored for content rather than spelling or mechanics unless those are what is assessed.", "Writing, all written work", "speech-to-text", "assistive technology", "dictation"),
	starterAcc(isAcc, onTests, "", "Responses dictated to a scribe, who writes them word for word.", "All", "scribe", "writing"),
	starterAcc(isAcc, inBoth, "", "A word processor with spelling and grammar check for written work and constructed responses.", "All", "word processor", "assistive technology"),
	starterAcc(isAcc, onTests, "", "Answers marked in the test booklet or on screen instead of on a separate answer sheet.", "All", "answer sheet", "response"),
	starterAcc(isAcc, onTests, "", "Tests given orally, with oral answers, in a separate setting.", "All", "oral testing", "response"),
	starterAcc(isAcc, inBoth, "", "The speech-generating device or communication board is available at all times, including during tests.", "All", "aac", "communication"),
	starterAcc(isAcc, inClass, "", "Show learning in another form (an oral presentation, a poster, a recorded explanation) instead of a written product, for the same standards.", "All", "alternative format", "response"),
	starterAcc(isAcc, inClass, "", "Spelling not counted against the student on assignments other than spelling tests.", "All", "spelling", "grading"),

	// Materials and tools.
	starterAcc(isAcc, inBoth, "", "Calculator on tests and assignments, except on sections that assess computation without one.", "Mathematics, science", "calculator", "math"),
	starterAcc(isAcc, inBoth, "", "A formula and reference sheet on math and science tests, except where recall of the formulas is assessed.", "Mathematics, science", "reference sheet", "math"),
	starterAcc(isAcc, inClass, "", "Graphic organizers for planning writing and organizing notes.", "English language arts, writing, social studies", "graphic organizers", "writing", "organization"),
	starterAcc(isAcc, inClass, "", "Sensory tools (a fidget, a wiggle cushion, noise-reducing headphones) as listed in the sensory plan.", "All", "sensory", "self-regulation"),
	starterAcc(isAcc, inClass, "", "An extra set of textbooks to keep at home.", "All", "materials", "organization"),
	starterAcc(isAcc, inClass, "", "The teacher checks for understanding after giving directions, and the student repeats or paraphrases them.", "All", "directions", "comprehension"),
	starterAcc(isAcc, inClass, "", "Specific praise and reinforcement at least every 10 minutes, as set out in the behavior intervention plan.", "All", "behavior", "reinforcement", "bip"),
	starterAcc(isAcc, inClass, "", "Shortened assignments: fewer practice items of the same skill once mastery is shown, with the same standard expected.", "All", "shortened assignments", "reduced items"),

	// Modifications.
	starterAcc(isMod, inBoth, "", "Reduced number of items on assignments and tests, with fewer answer choices (3 instead of 4); grades reflect the reduced work.", "All", "reduced items", "answer choices"),
	starterAcc(isMod, inClass, "", "Texts rewritten at the student's instructional reading level, covering the same content.", "English language arts, science, social studies", "reading level", "adapted text"),
	starterAcc(isMod, inClass, "", "Instruction and assignments at a reduced level of complexity, aligned to the state's alternate standards.", "All", "alternate standards", "curriculum"),
	starterAcc(isMod, inClass, "", "Grades based on the goals and modified curriculum of this IEP rather than on grade-level standards.", "All", "grading", "modified curriculum"),
	starterAcc(isMod, inClass, "", "Homework limited to about 30 minutes a night, covering the essential practice only.", "All", "homework", "reduced work"),
}

// StarterBank returns the starter items of one kind (goals, or accommodations and
// modifications), in a new slice each call, without district or ids.
func StarterBank(kind store.BankKind) []store.BankItem {
	var src []store.BankItem
	switch kind {
	case store.BankGoal:
		src = starterGoals
	case store.BankAccommodation:
		src = starterAccommodations
	}
	out := make([]store.BankItem, len(src))
	for i, it := range src {
		it.Tags = append([]string(nil), it.Tags...)
		it.Objectives = append([]string(nil), it.Objectives...)
		out[i] = it
	}
	return out
}

// bankStream is the id stream of the starter banks (far from the batches' streams).
const bankStream = 1 << 12

// writeBanks gives the demo district the starter goal and accommodation banks, with ids from the
// seed (the same seed, the same ids), recorded as changed by the system.
func (g *gen) writeBanks(ctx context.Context, tx *store.Tx) error {
	ids := newIDGen(newRNG(g.cfg.Seed, bankStream).Rand, g.today, bankStream)
	for _, kind := range store.BankKinds {
		items := StarterBank(kind)
		for i := range items {
			items[i].ID = ids.next()
		}
		if _, err := tx.LoadBankItems(ctx, g.district.ID, kind, items, store.AuditActor{Kind: "system", Reason: "demo"}); err != nil {
			return err
		}
	}
	return nil
}
