package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/mail"
	"github.com/openiep/openiep/internal/mail/smtptest"
	"github.com/openiep/openiep/internal/store"
)

// TestDueDigest: once a day each case manager with something overdue or due soon gets one
// e-mail (counts and a link, no student's name), delivered over SMTP by the mail worker; a
// second run the same day, as from another instance, sends nothing; a case manager with
// nothing pressing, or without an account, gets nothing.
func TestDueDigest(t *testing.T) {
	ctx := context.Background()
	now := testNow
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "digest.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := New(db, func() time.Time { return now }, WithPublicURL("https://iep.example.org"))
	today := date.Of(now.In(mustLoad(t, "America/New_York")))
	var district string
	err = db.Write(ctx, func(tx *store.Tx) error {
		d := &iep.District{Name: "Riverton", StateCode: "MA", RulePack: "MA", Timezone: "America/New_York"}
		if err := tx.CreateDistrict(ctx, d); err != nil {
			return err
		}
		district = d.ID
		sc := &iep.School{DistrictID: d.ID, Name: "S", Code: "1", LowGrade: "K", HighGrade: "12", Kind: iep.SchoolPublic}
		if err := tx.CreateSchool(ctx, sc); err != nil {
			return err
		}
		busy := &iep.Staff{DistrictID: d.ID, FirstName: "Dana", LastName: "Reyes", Roles: []iep.StaffRole{iep.RoleCaseManager}, Active: true}
		calm := &iep.Staff{DistrictID: d.ID, FirstName: "Cal", LastName: "M", Roles: []iep.StaffRole{iep.RoleCaseManager}, Active: true}
		noAccount := &iep.Staff{DistrictID: d.ID, FirstName: "No", LastName: "Account", Roles: []iep.StaffRole{iep.RoleCaseManager}, Active: true}
		for _, s := range []*iep.Staff{busy, calm, noAccount} {
			if err := tx.CreateStaff(ctx, s); err != nil {
				return err
			}
		}
		for _, a := range []*store.Account{
			{DistrictID: d.ID, Kind: store.AccountStaff, SubjectID: busy.ID, Email: "dana@riverton.example"},
			{DistrictID: d.ID, Kind: store.AccountStaff, SubjectID: calm.ID, Email: "cal@riverton.example"},
		} {
			if err := tx.CreateAccount(ctx, a, store.AuditActor{Kind: "system"}); err != nil {
				return err
			}
		}
		for i, cm := range []string{busy.ID, busy.ID, calm.ID, noAccount.ID} {
			st := &iep.Student{DistrictID: d.ID, SchoolID: sc.ID, FirstName: "Zelda", LastName: "Secretname" + string(rune('A'+i)),
				BirthDate: date.MustParse("2015-01-01"), Grade: "05", HomeLanguage: "en", EnrolledOn: date.MustParse("2020-09-01")}
			if err := tx.CreateStudent(ctx, st); err != nil {
				return err
			}
			due := today.AddDays(-3) // overdue
			if cm == calm.ID {
				due = today.AddDays(60) // nothing pressing
			}
			if err := tx.ReplaceDeadlines(ctx, d.ID, st.ID, []store.Deadline{{Clock: "services_start", Citation: "c",
				CaseManagerID: cm, SchoolID: sc.ID, Start: today.AddDays(-20), Due: due, Soon: due.AddDays(-7)}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := svc.SendDueDigests(ctx, district)
	if err != nil || n != 1 {
		t.Fatalf("SendDueDigests = %d, %v; want 1", n, err)
	}
	if n, err := svc.SendDueDigests(ctx, district); err != nil || n != 0 {
		t.Errorf("a second run the same day queued %d (%v)", n, err)
	}
	mbox := smtptest.New(t, smtptest.Options{})
	sender, err := mail.NewSMTP(mail.Config{Addr: mbox.Addr(), TLS: mail.TLSNone, From: "openiep <no-reply@riverton.example>"})
	if err != nil {
		t.Fatal(err)
	}
	if sent, failed, err := (&mail.Worker{DB: db, Sender: sender}).RunOnce(ctx); err != nil || sent != 1 || failed != 0 {
		t.Fatalf("worker: sent %d, failed %d, %v", sent, failed, err)
	}
	msgs := mbox.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "dana@riverton.example" {
		t.Fatalf("delivered %+v", msgs)
	}
	text, err := msgs[0].Text()
	if err != nil {
		t.Fatal(err)
	}
	if subject := msgs[0].Header.Get("Subject"); !strings.Contains(subject, "2 overdue") {
		t.Errorf("subject %q", subject)
	}
	if !strings.Contains(text, "https://iep.example.org/districts/"+district+"/due") || strings.Contains(text, "Secretname") {
		t.Errorf("the digest lacks the link or names a student:\n%s", text)
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
