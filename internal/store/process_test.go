package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

func testTeamAndMeetings(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Te", "Am")
	p := f.addPlan(t, db, s.ID, nil)
	d := f.district.ID
	g := iep.Guardian{DistrictID: d, FirstName: "Mom", LastName: "Am", PreferredLanguage: "es"}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateGuardian(ctx, &g) })
	team := []iep.TeamMember{
		{DistrictID: d, PlanID: p.ID, Role: iep.TeamParent, GuardianID: g.ID},
		{DistrictID: d, PlanID: p.ID, Role: iep.TeamSpecialEducationTeacher, Also: []iep.TeamRole{iep.TeamEvaluationInterpreter}, StaffID: f.teacher.ID},
		{DistrictID: d, PlanID: p.ID, Role: iep.TeamRelatedServiceProvider, StaffID: f.provider.ID,
			Excusal: &iep.Excusal{AreaDiscussed: true, ParentAgreedOn: date.MustParse("2026-09-10"), WrittenInputOn: date.MustParse("2026-09-11")}},
		{DistrictID: d, PlanID: p.ID, Role: iep.TeamGuest, GuestName: "Pat Advocate", GuestTitle: "advocate", InvitedBy: iep.InvitedByFamily, AnnouncedOn: date.MustParse("2026-09-01")},
		{DistrictID: d, PlanID: p.ID, Role: iep.TeamStudent, StudentID: s.ID},
	}
	mustWrite(t, db, func(tx *Tx) error {
		for i := range team {
			if err := tx.AddTeamMember(ctx, &team[i]); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := db.ListTeam(ctx, d, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListTeam", got, team)

	m := iep.Meeting{DistrictID: d, StudentID: s.ID, PlanID: p.ID, Purposes: []iep.MeetingPurpose{iep.PurposeInitialIEP},
		Status: iep.MeetingScheduled, StartsAt: time.Date(2026, 9, 20, 14, 30, 0, 0, time.FixedZone("EDT", -4*3600)),
		DurationMinutes: 60, Location: "Room 4", InterpreterLanguage: "es", NoticeSentOn: date.MustParse("2026-09-08"),
		ContactAttempts: []iep.ContactAttempt{{At: time.Date(2026, 9, 8, 15, 0, 0, 0, time.UTC), Method: iep.ContactPhone, Outcome: "left message", ByStaff: f.teacher.ID}}}
	early := iep.Meeting{DistrictID: d, StudentID: s.ID, Purposes: []iep.MeetingPurpose{iep.PurposeEligibility},
		Status: iep.MeetingHeld, StartsAt: time.Date(2026, 9, 1, 13, 0, 0, 0, time.UTC), DurationMinutes: 45, VideoLink: "https://meet.example/x"}
	mustWrite(t, db, func(tx *Tx) error {
		if err := tx.CreateMeeting(ctx, &m); err != nil {
			return err
		}
		return tx.CreateMeeting(ctx, &early)
	})
	if m.StartsAt.Location() != time.UTC || m.StartsAt.Hour() != 18 {
		t.Errorf("CreateMeeting left StartsAt = %v, want it in UTC", m.StartsAt)
	}
	m.Status, m.FamilyReply, m.Finalizes, m.Notes = iep.MeetingHeld, iep.ReplyAccepted, true, "All attended."
	m.Attendance = []iep.Attendance{{MemberID: team[0].ID, Present: true, Mode: "in_person", Signed: true}}
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdateMeeting(ctx, &m) })
	meetings, err := db.ListMeetings(ctx, d, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListMeetings", meetings, []iep.Meeting{early, m})

	ghost := m
	ghost.ID = "no-such-meeting"
	err = db.Write(ctx, func(tx *Tx) error { return tx.UpdateMeeting(ctx, &ghost) })
	wantKind(t, err, iep.KindNotFound, "UpdateMeeting(unknown)")
}

func testProcessRoundTrip(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Pro", "Cess")
	p := f.addPlan(t, db, s.ID, nil)
	d := f.district.ID
	g := iep.Guardian{DistrictID: d, FirstName: "Dad", LastName: "Cess", PreferredLanguage: "en"}
	ref := iep.Referral{DistrictID: d, StudentID: s.ID, ReferredOn: date.MustParse("2026-09-03"), Source: iep.ReferredByParent,
		Reason: "reading", Areas: []string{"reading", "speech"}, FromPartC: true}
	consent := iep.Consent{DistrictID: d, StudentID: s.ID, Kind: iep.ConsentInitialEvaluation,
		RequestedOn: date.MustParse("2026-09-05"), Decision: iep.ConsentPending}
	eval := iep.Evaluation{DistrictID: d, StudentID: s.ID, Kind: iep.EvaluationInitial,
		Assessments: []iep.Assessment{{Area: "academic", EvaluatorID: f.teacher.ID, DueOn: date.MustParse("2026-10-15")}}}
	mustWrite(t, db, func(tx *Tx) error {
		if err := tx.CreateGuardian(ctx, &g); err != nil {
			return err
		}
		if err := tx.CreateReferral(ctx, &ref); err != nil {
			return err
		}
		consent.GuardianID = g.ID
		if err := tx.CreateConsent(ctx, &consent); err != nil {
			return err
		}
		eval.ReferralID, eval.ConsentID = ref.ID, consent.ID
		return tx.CreateEvaluation(ctx, &eval)
	})
	consent.Decision, consent.DecidedOn, consent.Method = iep.ConsentGranted, date.MustParse("2026-09-07"), "electronic"
	eval.ConsentOn, eval.CompletedOn = consent.DecidedOn, date.MustParse("2026-10-20")
	eval.Assessments[0].CompletedOn, eval.Assessments[0].Summary = date.MustParse("2026-10-14"), "Below grade level"
	elig := iep.Eligibility{DistrictID: d, StudentID: s.ID, DeterminedOn: date.MustParse("2026-10-25"), Eligible: true,
		Disabilities: []iep.Disability{{Category: iep.SpecificLearningDisability, Order: 1, Primary: true}}, Basis: "data"}
	notice := iep.Notice{DistrictID: d, StudentID: s.ID, PlanID: p.ID, Kind: iep.NoticePriorWritten, Language: "en",
		SentOn: date.MustParse("2026-10-26"), Action: "propose", Reasons: "r", BasedOn: "b", OptionsConsidered: "o",
		Safeguards: "s", HelpSources: "h"}
	meetingNotice := iep.Notice{DistrictID: d, StudentID: s.ID, Kind: iep.NoticeMeeting, Language: "es"}
	rr := iep.RecordsRequest{DistrictID: d, StudentID: s.ID, GuardianID: g.ID, RequestedOn: date.MustParse("2026-11-01"), Note: "all records"}
	mustWrite(t, db, func(tx *Tx) error {
		for _, err := range []error{
			tx.UpdateConsent(ctx, &consent), tx.UpdateEvaluation(ctx, &eval),
		} {
			if err != nil {
				return err
			}
		}
		elig.EvaluationID = eval.ID
		for _, err := range []error{
			tx.CreateEligibility(ctx, &elig), tx.CreateNotice(ctx, &notice),
			tx.CreateNotice(ctx, &meetingNotice), tx.CreateRecordsRequest(ctx, &rr),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	check := func(what string, got any, err error, want any) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		diff(t, what, got, want)
	}
	refs, err := db.ListReferrals(ctx, d, s.ID)
	check("ListReferrals", refs, err, []iep.Referral{ref})
	evals, err := db.ListEvaluations(ctx, d, s.ID)
	check("ListEvaluations", evals, err, []iep.Evaluation{eval})
	eligs, err := db.ListEligibility(ctx, d, s.ID)
	check("ListEligibility", eligs, err, []iep.Eligibility{elig})
	consents, err := db.ListConsents(ctx, d, s.ID)
	check("ListConsents", consents, err, []iep.Consent{consent})
	notices, err := db.ListNotices(ctx, d, s.ID)
	check("ListNotices", notices, err, []iep.Notice{notice, meetingNotice})
	rr.FulfilledOn = date.MustParse("2026-11-10")
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdateRecordsRequest(ctx, &rr) })
	rrs, err := db.ListRecordsRequests(ctx, d, s.ID)
	check("ListRecordsRequests", rrs, err, []iep.RecordsRequest{rr})

	bad := iep.RecordsRequest{DistrictID: d, StudentID: s.ID}
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreateRecordsRequest(ctx, &bad) })
	wantKind(t, err, iep.KindInvalid, "CreateRecordsRequest(no guardian, no date)")
	diff(t, "problem fields", problemFields(err), []string{"guardian_id", "requested_on"})
	ghost := consent
	ghost.ID = "nope"
	err = db.Write(ctx, func(tx *Tx) error { return tx.UpdateConsent(ctx, &ghost) })
	wantKind(t, err, iep.KindNotFound, "UpdateConsent(unknown)")
}

func testDeliveryRoundTrip(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "De", "Livery")
	p := f.addPlan(t, db, s.ID, nil)
	d := f.district.ID
	logs := []iep.ServiceLog{
		{DistrictID: d, StudentID: s.ID, PlanID: p.ID, ServiceLineID: "l1", Date: date.MustParse("2026-10-06"), Minutes: 30,
			Status: iep.SessionDelivered, GroupSize: 3, GroupSessionID: "gs1", ProviderID: f.teacher.ID,
			Medicaid: iep.Medicaid{Billable: true, SupervisorID: f.provider.ID}},
		{DistrictID: d, StudentID: s.ID, PlanID: p.ID, ServiceLineID: "l2", Date: date.MustParse("2026-10-05"),
			Status: iep.SessionMissed, MissedReason: iep.MissedProviderAbsent, GroupSize: 1, ProviderID: f.provider.ID,
			Medicaid: iep.Medicaid{OmitFromBilling: true, OmitReason: "missed"}},
	}
	mustWrite(t, db, func(tx *Tx) error {
		for i := range logs {
			if err := tx.CreateServiceLog(ctx, &logs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	makeUp := iep.ServiceLog{DistrictID: d, StudentID: s.ID, PlanID: p.ID, ServiceLineID: "l2", Date: date.MustParse("2026-10-09"),
		Minutes: 30, Status: iep.SessionMakeUp, MakeUpOf: logs[1].ID, GroupSize: 1, ProviderID: f.provider.ID,
		ActualProviderID: f.teacher.ID, Note: "sub", LoggedAt: time.Date(2026, 10, 9, 15, 0, 0, 0, time.UTC)}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateServiceLog(ctx, &makeUp) })
	all, err := db.ListServiceLogs(ctx, d, s.ID, date.Date{}, date.Date{})
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListServiceLogs (all)", all, []iep.ServiceLog{logs[1], logs[0], makeUp})
	some, err := db.ListServiceLogs(ctx, d, s.ID, date.MustParse("2026-10-06"), date.MustParse("2026-10-08"))
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListServiceLogs (Oct 6-8)", some, []iep.ServiceLog{logs[0]})

	// A log for a plan that is not the student's is refused by the composite foreign key.
	other := f.addStudent(t, db, "Not", "Mine")
	wrong := logs[0]
	wrong.ID, wrong.StudentID = "", other.ID
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreateServiceLog(ctx, &wrong) })
	wantKind(t, err, iep.KindInvalid, "CreateServiceLog(plan of another student)")

	pts := []iep.ProgressPoint{
		{DistrictID: d, PlanID: p.ID, GoalID: "g1", Date: date.MustParse("2026-10-15"), Value: 48, Unit: "wcpm", RecordedBy: f.teacher.ID},
		{DistrictID: d, StudentID: s.ID, PlanID: p.ID, GoalID: "g1", Date: date.MustParse("2026-10-01"), Value: 44.5, Unit: "wcpm", Note: "cold read"},
	}
	report := iep.ProgressReport{DistrictID: d, PlanID: p.ID, Period: "Term 1", PeriodEnd: date.MustParse("2026-11-15"),
		Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingSufficient, Narrative: "Up 6 wcpm"}}}
	mustWrite(t, db, func(tx *Tx) error {
		for i := range pts {
			if err := tx.CreateProgressPoint(ctx, &pts[i]); err != nil {
				return err
			}
		}
		return tx.CreateProgressReport(ctx, &report)
	})
	if pts[0].StudentID != s.ID || report.StudentID != s.ID {
		t.Errorf("StudentID not filled from the plan: %q, %q", pts[0].StudentID, report.StudentID)
	}
	gotPts, err := db.ListProgressPoints(ctx, d, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListProgressPoints", gotPts, []iep.ProgressPoint{pts[1], pts[0]})
	reports, err := db.ListProgressReports(ctx, d, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListProgressReports", reports, []iep.ProgressReport{report})
	lost := iep.ProgressPoint{DistrictID: d, PlanID: "no-plan", GoalID: "g1", Date: date.MustParse("2026-10-01"), Unit: "x"}
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreateProgressPoint(ctx, &lost) })
	wantKind(t, err, iep.KindInvalid, "CreateProgressPoint(unknown plan)")
}

func testEventsOrder(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Ev", "Ents")
	p := f.addPlan(t, db, s.ID, nil)
	d := f.district.ID
	ev := func(k iep.EventKind, on string, data string) iep.Event {
		e := iep.Event{DistrictID: d, StudentID: s.ID, Kind: k, OccurredOn: date.MustParse(on), ActorID: f.teacher.ID}
		if data != "" {
			e.Data, e.PlanID = json.RawMessage(data), p.ID
		}
		return e
	}
	events := []iep.Event{
		ev(iep.EventMeetingHeld, "2026-10-01", `{"meeting_id": "m1",  "b": 2, "a": 1}`),
		ev(iep.EventPlanProposed, "2026-10-02", `{"version":1}`),
		ev(iep.EventReferralReceived, "2026-09-01", ""),
		ev(iep.EventPlanFinalized, "2026-10-01", `{}`), // same day as the meeting, appended after it
	}
	mustWrite(t, db, func(tx *Tx) error {
		for i := range events {
			// Ids from outside, in an order unrelated to the appending order.
			events[i].ID = []string{"e-d", "e-c", "e-b", "e-a"}[i]
			if err := tx.AppendEvent(ctx, &events[i]); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := db.ListEvents(ctx, d, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListEvents", got, []iep.Event{events[2], events[0], events[3], events[1]})

	bad := ev("made_up", "2026-10-01", "")
	err = db.Write(ctx, func(tx *Tx) error { return tx.AppendEvent(ctx, &bad) })
	wantKind(t, err, iep.KindInvalid, "AppendEvent(unknown kind)")
}

func testRollback(t *testing.T, db *DB) {
	f := newFixture(t, db)
	boom := errors.New("boom")
	err := db.Write(ctx, func(tx *Tx) error {
		s := f.student("Roll", "Back")
		if err := tx.CreateStudent(ctx, &s); err != nil {
			return err
		}
		p := f.plan(s.ID)
		if err := tx.CreatePlan(ctx, &p, ""); err != nil {
			return err
		}
		if _, err := tx.GetStudent(ctx, f.district.ID, s.ID); err != nil {
			return err // the transaction sees its own writes
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want the function's error", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("Write swallowed a panic")
			}
		}()
		db.Write(ctx, func(tx *Tx) error {
			s := f.student("Pan", "Ic")
			tx.CreateStudent(ctx, &s)
			panic("boom")
		})
	}()
	for _, table := range []string{"students", "student_disabilities", "plans", "plan_sections"} {
		if n := countRows(t, db, table, f.district.ID); n != 0 {
			t.Errorf("%d rows in %s after rolled back writes", n, table)
		}
	}
	// The store still writes after a panic.
	f.addStudent(t, db, "After", "Panic")
}
