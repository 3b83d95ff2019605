package web

import (
	"context"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// seedRecord gives Mia what the student page shows beside her plan: the 2025-2026 school year
// (Presidents' Day closed), sessions of her reading line (delivered, missed, made up) and of her
// speech line, two measurements of her reading goal and a progress report, and a document.
func (w *world) seedRecord(t testing.TB) (planID, docID string) {
	t.Helper()
	ctx := context.Background()
	p, err := w.db.CurrentPlan(ctx, w.district, w.mia)
	if err != nil {
		t.Fatal(err)
	}
	err = w.db.Write(ctx, func(tx *store.Tx) error {
		y := &iep.SchoolYear{DistrictID: w.district, Name: "2025-2026", FirstDay: date.MustParse("2025-09-02"), LastDay: date.MustParse("2026-06-19")}
		if err := tx.CreateSchoolYear(ctx, y); err != nil {
			return err
		}
		if err := tx.PutCalendarDays(ctx, w.district, []iep.CalendarDay{{DistrictID: w.district, SchoolYearID: y.ID,
			Date: date.MustParse("2026-02-16"), Kind: iep.DayClosed, Note: "Presidents' Day"}}); err != nil {
			return err
		}
		log := func(line, day string, status iep.SessionStatus, minutes int, makeUpOf string) (string, error) {
			l := &iep.ServiceLog{DistrictID: w.district, StudentID: w.mia, PlanID: p.ID, ServiceLineID: line, Date: date.MustParse(day),
				Minutes: minutes, Status: status, MakeUpOf: makeUpOf, GroupSize: 1, ProviderID: w.cm}
			if status == iep.SessionMissed {
				l.MissedReason = iep.MissedStudentAbsent
			}
			return l.ID, tx.CreateServiceLog(ctx, l)
		}
		if _, err := log("s1", "2026-02-02", iep.SessionDelivered, 45, ""); err != nil {
			return err
		}
		missed, err := log("s1", "2026-02-04", iep.SessionMissed, 0, "")
		if err != nil {
			return err
		}
		if _, err := log("s1", "2026-02-06", iep.SessionMakeUp, 45, missed); err != nil {
			return err
		}
		if _, err := log("s2", "2026-02-03", iep.SessionDelivered, 30, ""); err != nil {
			return err
		}
		for _, x := range []struct {
			day string
			v   float64
		}{{"2026-01-10", 95}, {"2026-02-10", 102.5}} {
			if err := tx.CreateProgressPoint(ctx, &iep.ProgressPoint{DistrictID: w.district, PlanID: p.ID, GoalID: "g1",
				Date: date.MustParse(x.day), Value: x.v, Unit: "wcpm", RecordedBy: w.cm}); err != nil {
				return err
			}
		}
		if err := tx.CreateProgressReport(ctx, &iep.ProgressReport{DistrictID: w.district, PlanID: p.ID, Period: "Term 2 2025-2026",
			PeriodEnd: date.MustParse("2026-01-30"), SentOn: date.MustParse("2026-02-03"),
			Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingSufficient, Narrative: "Steady gains."}}}); err != nil {
			return err
		}
		doc := &iep.Document{DistrictID: w.district, StudentID: w.mia, Name: "reevaluation-2025.pdf", MediaType: "application/pdf", UploadedBy: w.cm}
		if err := tx.CreateDocument(ctx, doc, []byte("%PDF-1.4 test")); err != nil {
			return err
		}
		docID = doc.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID, docID
}

func TestStudentPageRecord(t *testing.T) {
	w := newWorld(t, 0)
	w.seedDeadlines()
	planID, docID := w.seedRecord(t)
	_, body := w.getAs(t, asTeamMember, "/districts/"+w.district+"/students/"+w.mia+"?lang=en")
	d := "/districts/" + w.district
	mustContain(t, "Mia's page", body,
		// Deadlines, in words, with the rule; one met recently.
		"Deadlines</h2>", "Proposed IEP sent after the meeting", "Overdue by 2 days", "Due in 6 days", "603 CMR 28.05(3)",
		"Met on time", "(met on January 17, 2026)",
		// Services delivered this school year (the lines ended on February 28: not this month).
		"Services delivered</h2>", "School year 2025-2026: counted from September 2, 2025 to March 16, 2026.",
		"Reading intervention", "Delivered 90 of 3,456 minutes", "Sessions missed: 1; made up: 1", "3,366 minutes short",
		"3,366 minutes owed as compensatory services",
		"Speech and language therapy", "Delivered 30 of 1,280 minutes", "Not in effect in this period",
		// Progress: the latest measurement and report of the goal.
		"Progress toward the goals</h2>", "102.5 wcpm on February 10, 2026", "Measurements: 2", "target: 120 words correct per minute",
		"Making sufficient progress to meet the goal", "Term 2 2025-2026, sent on February 3, 2026",
		// Documents, downloaded through the API.
		`<a href="/api/v1/documents/`+docID+`" download>reevaluation-2025.pdf</a>`, "PDF document", "1 KB",
		// Actions: the plan, its team, the meetings; a new draft (a plan is in effect, none open).
		`<a href="`+d+`/plans/`+planID+`">Open the plan</a>`, `<a href="`+d+`/plans/`+planID+`/team">Team</a>`,
		`<form class="filter" method="post" action="`+d+`/students/`+w.mia+`/plans">`,
		`<option value="annual">Annual review</option>`, `<option value="amendment">Amendment</option>`,
		`<option value="reevaluation">IEP after a reevaluation</option>`, "Start a new draft",
		`href="`+d+`/meetings/`,
		// The earlier plan, linked.
		`<th scope="row"><a href="`+d+`/plans/`,
	)
	if strings.Contains(body, `<option value="initial">`) {
		t.Error("an initial IEP is offered while a plan is in effect")
	}
	// The audit trail has one entry for the page, whatever it read.
	entries, _ := w.db.ListAudit(context.Background(), w.district, w.mia, 0)
	if len(entries) != 1 || entries[0].Action != "read" {
		t.Errorf("audit of one view: %+v", entries)
	}

	_, body = w.getAs(t, asTeamMember, "/districts/"+w.district+"/students/"+w.mia+"?lang=es")
	mustContain(t, "in Spanish", body, "Servicios prestados", "Se prestaron 90 de 3.456 minutos", "102,5 wcpm el 10 de febrero de 2026",
		"Progresa lo suficiente para alcanzar la meta", "Empezar un borrador nuevo", "documento PDF")

	// The family sees the same record, without the staff's actions.
	_, body = w.getAs(t, asGuardian, "/districts/"+w.district+"/students/"+w.mia+"?lang=en")
	mustContain(t, "Rosa's view", body, "Overdue by 2 days", "Delivered 90 of 3,456 minutes", "reevaluation-2025.pdf",
		"Making sufficient progress to meet the goal")
	for _, staffOnly := range []string{"Open the plan", "Start a new draft", `/meetings/`, "What you can do"} {
		if strings.Contains(body, staffOnly) {
			t.Errorf("the family is offered %q", staffOnly)
		}
	}
}

// TestStudentPageDraftActions: with a draft open, "Open the plan" is its editor and no new draft
// is offered; the family does not see a draft that was not shared with them.
func TestStudentPageDraftActions(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	draft, err := w.db.CurrentPlan(ctx, w.district, w.noah)
	if err != nil {
		t.Fatal(err)
	}
	_, body := w.getAs(t, asTeamMember, "/districts/"+w.district+"/students/"+w.noah+"?lang=en")
	mustContain(t, "Noah's draft", body, `<a href="/districts/`+w.district+`/plans/`+draft.ID+`">Open the plan</a>`,
		"No IEP is in effect, so no services are owed yet.", "No deadline is open or was met recently.", "No document has been added.")
	if strings.Contains(body, "Start a new draft") {
		t.Error("a new draft is offered while one is open")
	}
	_, body = w.getAs(t, asOtherGuardian, "/districts/"+w.district+"/students/"+w.noah+"?lang=en")
	for _, secret := range []string{"Noah finds loud rooms hard.", "Draft: this IEP is still being written."} {
		if strings.Contains(body, secret) {
			t.Errorf("the family sees the unshared draft: %q", secret)
		}
	}
	if err := w.db.Write(ctx, func(tx *store.Tx) error { _, err := tx.MarkShared(ctx, w.district, draft.ID); return err }); err != nil {
		t.Fatal(err)
	}
	_, body = w.getAs(t, asOtherGuardian, "/districts/"+w.district+"/students/"+w.noah+"?lang=en")
	mustContain(t, "the shared draft", body, "Noah finds loud rooms hard.", "Draft: this IEP is still being written.")

	// Ava has no plan: once found eligible, the first IEP may be started.
	_, body = w.get(t, "/districts/"+w.district+"/students/"+w.ava+"?lang=en")
	if strings.Contains(body, "Start a new draft") {
		t.Error("a draft is offered for a student never found eligible")
	}
	err = w.db.Write(ctx, func(tx *store.Tx) error {
		e := &iep.Evaluation{DistrictID: w.district, StudentID: w.ava, Kind: iep.EvaluationInitial, Stage: iep.StageEvaluated,
			ConsentOn: date.MustParse("2026-01-05"), CompletedOn: date.MustParse("2026-02-20"), Assessments: []iep.Assessment{{Area: "academic"}}}
		if err := tx.CreateEvaluation(ctx, e); err != nil {
			return err
		}
		return tx.CreateEligibility(ctx, &iep.Eligibility{DistrictID: w.district, StudentID: w.ava, EvaluationID: e.ID,
			DeterminedOn: date.MustParse("2026-03-02"), Eligible: true, Basis: "Reading disability",
			Disabilities: []iep.Disability{{Category: iep.SpecificLearningDisability, Order: 1, Primary: true}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body = w.get(t, "/districts/"+w.district+"/students/"+w.ava+"?lang=en")
	mustContain(t, "Ava eligible", body, `<option value="initial">Initial IEP</option>`, "Start a new draft")
	if strings.Contains(body, `<option value="annual">`) {
		t.Error("an annual review is offered without a plan in effect")
	}
}

// TestDirectoryOnlyShowsNoRecord extends TestDirectoryOnlyForSchoolStaff to the page's new
// parts: staff of the school who are not on the team see the name, grade and school, and no
// deadline, service, progress, document, action, plan or family.
func TestDirectoryOnlyShowsNoRecord(t *testing.T) {
	w := newWorld(t, 0)
	w.seedDeadlines()
	w.seedRecord(t)
	_, body := w.getAs(t, asUnassigned, "/districts/"+w.district+"/students/"+w.mia+"?lang=en")
	mustContain(t, "directory view", body, "<h1>Mia Ortiz</h1>", "<dd>10</dd>", "Riverside High", "directory information only")
	for _, secret := range []string{
		"Deadlines", "Overdue", "603 CMR", "Services delivered", "Delivered", "Reading intervention", "Progress toward", "wcpm",
		"Documents", "reevaluation-2025.pdf", "/api/v1/documents/", "Open the plan", "Start a new draft", "/plans/", "/meetings/",
		"Rosa", "Guardians", "This student has no IEP yet", "No disability", "Spanish", "R-1001", "Timeline", "Earlier IEPs",
	} {
		if strings.Contains(body, secret) {
			t.Errorf("the directory-level view shows %q", secret)
		}
	}
}
