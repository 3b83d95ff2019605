package store

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// testProcessRecords covers the records of migration 0014 on each engine: documents (bytes
// back as stored), the student a record belongs to, comment threads, suggestions decided once,
// a draft shared, evaluation stages and the staff an evaluation lets in, and a member's excusal.
func testProcessRecords(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Rec", "Ords")
	p := f.addPlan(t, db, s.ID, nil)
	d := f.district.ID

	// Documents.
	data := append([]byte("%PDF-1.7\n"), 0, 1, 2, 255)
	doc := iep.Document{DistrictID: d, StudentID: s.ID, Name: "report.pdf", MediaType: "application/pdf", UploadedBy: f.teacher.ID}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateDocument(ctx, &doc, data) })
	got, b, err := db.GetDocument(ctx, d, doc.ID)
	if err != nil || !bytes.Equal(b, data) || got.Size != int64(len(data)) || got.SHA256 != doc.SHA256 || got.Name != "report.pdf" {
		t.Fatalf("GetDocument = %+v, %v bytes, %v", got, len(b), err)
	}
	if list, err := db.ListDocuments(ctx, d, s.ID); err != nil || len(list) != 1 || list[0].ID != doc.ID {
		t.Errorf("ListDocuments = %+v, %v", list, err)
	}
	mustWrite(t, db, func(tx *Tx) error {
		if ok, err := tx.DocumentExists(ctx, d, s.ID, doc.ID); !ok || err != nil {
			t.Errorf("DocumentExists(own) = %v, %v", ok, err)
		}
		if ok, err := tx.DocumentExists(ctx, d, "another-student", doc.ID); ok || err != nil {
			t.Errorf("DocumentExists(another student) = %v, %v", ok, err)
		}
		return nil
	})
	if _, _, err := db.GetDocument(ctx, "another-district", doc.ID); !errors.Is(err, iep.ErrNotFound) {
		t.Errorf("another district's document: %v", err)
	}

	// Evaluations: stage, case manager, source; the staff they let in.
	e := iep.Evaluation{DistrictID: d, StudentID: s.ID, Kind: iep.EvaluationInitial, Stage: iep.StageEvaluating,
		CaseManagerID: f.teacher.ID, ConsentOn: date.MustParse("2026-09-01"), Assessments: []iep.Assessment{{Area: "academic"}}}
	out := iep.Evaluation{DistrictID: d, StudentID: s.ID, Kind: iep.EvaluationOutside, Source: "Clinic", CompletedOn: date.MustParse("2026-08-01")}
	mustWrite(t, db, func(tx *Tx) error {
		for _, x := range []*iep.Evaluation{&e, &out} {
			if err := tx.CreateEvaluation(ctx, x); err != nil {
				return err
			}
		}
		if err := tx.AddEvaluationStaff(ctx, d, e.ID, s.ID, f.teacher.ID, EvaluationCaseManager); err != nil {
			return err
		}
		if err := tx.AddEvaluationStaff(ctx, d, e.ID, s.ID, f.provider.ID, EvaluationEvaluator); err != nil {
			return err
		}
		return tx.AddEvaluationStaff(ctx, d, e.ID, s.ID, f.provider.ID, EvaluationEvaluator) // twice is not an error
	})
	evs, err := db.ListEvaluations(ctx, d, s.ID)
	if err != nil || len(evs) != 2 {
		t.Fatalf("ListEvaluations = %v, %v", evs, err)
	}
	for _, x := range evs {
		want := map[string]iep.EvaluationStage{e.ID: iep.StageEvaluating, out.ID: iep.StageEvaluated}[x.ID]
		if x.Stage != want {
			t.Errorf("evaluation %s stage %s, want %s", x.Kind, x.Stage, want)
		}
	}
	if i := slices.IndexFunc(evs, func(x iep.Evaluation) bool { return x.ID == e.ID }); evs[i].CaseManagerID != f.teacher.ID {
		t.Errorf("case manager not kept: %+v", evs[i])
	}
	facts, err := db.AccessFacts(ctx, d, s.ID, accessNow)
	if err != nil || !slices.Contains(facts.EvaluatorStaffIDs, f.provider.ID) || !slices.Contains(facts.TeamStaffIDs, f.teacher.ID) {
		t.Errorf("facts with an active evaluation: %+v, %v", facts, err)
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.CloseEvaluationStaff(ctx, d, s.ID) })
	if facts, err := db.AccessFacts(ctx, d, s.ID, accessNow); err != nil || len(facts.EvaluatorStaffIDs) != 0 {
		t.Errorf("facts after the evaluation closed: %+v, %v", facts.EvaluatorStaffIDs, err)
	}

	// Comments and suggestions.
	c1 := iep.Comment{DistrictID: d, PlanID: p.ID, Section: iep.SectionGoals, AuthorKind: iep.AuthorStaff, AuthorID: f.teacher.ID, Body: "Is 120 realistic?"}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateComment(ctx, &c1) })
	c2 := iep.Comment{DistrictID: d, PlanID: p.ID, Section: iep.SectionGoals, ReplyTo: "no-such-comment", AuthorKind: iep.AuthorGuardian, AuthorID: "g", Body: "Yes."}
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreateComment(ctx, &c2) })
	if iep.KindOf(err) != iep.KindInvalid {
		t.Errorf("a reply to no comment: %v", err)
	}
	c2.ReplyTo, c2.ID = c1.ID, ""
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateComment(ctx, &c2) })
	if cs, err := db.ListComments(ctx, d, p.ID); err != nil || len(cs) != 2 || cs[1].ReplyTo != c1.ID || cs[1].Body != "Yes." {
		t.Errorf("ListComments = %+v, %v", cs, err)
	}
	sg := iep.Suggestion{DistrictID: d, PlanID: p.ID, Section: iep.SectionESY, BaseRevision: 1, Content: []byte(`{"decision":"eligible"}`),
		AuthorKind: iep.AuthorGuardian, AuthorID: "g", Status: iep.SuggestionOpen}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateSuggestion(ctx, &sg) })
	sg.Status, sg.Answer, sg.DecidedBy = iep.SuggestionAnswered, "Data first.", f.teacher.ID
	mustWrite(t, db, func(tx *Tx) error { return tx.DecideSuggestion(ctx, &sg) })
	if err := db.Write(ctx, func(tx *Tx) error { return tx.DecideSuggestion(ctx, &sg) }); !errors.Is(err, iep.ErrConflict) {
		t.Errorf("deciding twice: %v", err)
	}
	if back, err := db.GetSuggestion(ctx, d, sg.ID); err != nil || back.Status != iep.SuggestionAnswered || back.Answer != "Data first." ||
		string(back.Content) != `{"decision":"eligible"}` || back.DecidedAt.IsZero() {
		t.Errorf("GetSuggestion = %+v, %v", back, err)
	}
	if list, err := db.ListSuggestions(ctx, d, p.ID); err != nil || len(list) != 1 {
		t.Errorf("ListSuggestions = %v, %v", list, err)
	}

	// Sharing, the student of each record, an excusal.
	var at = mustShare(t, db, d, p.ID)
	if back, err := db.GetPlan(ctx, d, p.ID); err != nil || !back.SharedAt.Equal(at) {
		t.Errorf("shared_at = %v, want %v (%v)", back.SharedAt, at, err)
	}
	for kind, id := range map[string]string{"plan": p.ID, "evaluation": e.ID, "document": doc.ID, "suggestion": sg.ID} {
		if got, err := db.StudentOf(ctx, d, kind, id); err != nil || got != s.ID {
			t.Errorf("StudentOf(%s) = %q, %v", kind, got, err)
		}
		if _, err := db.StudentOf(ctx, "another-district", kind, id); !errors.Is(err, iep.ErrNotFound) {
			t.Errorf("StudentOf(%s) in another district: %v", kind, err)
		}
	}
	m := iep.TeamMember{DistrictID: d, PlanID: p.ID, Role: iep.TeamRegularEducationTeacher, StaffID: f.teacher.ID}
	mustWrite(t, db, func(tx *Tx) error { return tx.AddTeamMember(ctx, &m) })
	m.Excusal = &iep.Excusal{ParentAgreedOn: date.MustParse("2026-09-20")}
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdateTeamMember(ctx, &m) })
	if team, err := db.ListTeam(ctx, d, p.ID); err != nil || len(team) != 1 || team[0].Excusal == nil ||
		team[0].Excusal.ParentAgreedOn != date.MustParse("2026-09-20") {
		t.Errorf("team after the excusal: %+v, %v", team, err)
	}
}

func mustShare(t *testing.T, db *DB, districtID, planID string) (at time.Time) {
	t.Helper()
	mustWrite(t, db, func(tx *Tx) error {
		var err error
		at, err = tx.MarkShared(ctx, districtID, planID)
		return err
	})
	return at
}
