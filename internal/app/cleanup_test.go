package app

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// TestCleanup: housekeeping deletes what has outlived its use, and only that: a live session,
// recent sign-in failures and mail still waiting stay; the audit trail is untouched.
func TestCleanup(t *testing.T) {
	ctx := context.Background()
	var clock atomic.Int64
	clock.Store(testNow.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	advance := func(d time.Duration) { clock.Add(int64(d)) }
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "cleanup.db"), store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := New(db, now)
	sys := store.AuditActor{Kind: "system", ID: "test"}

	var district string
	err = db.Write(ctx, func(tx *store.Tx) error {
		d := &iep.District{Name: "D", StateCode: "MA", RulePack: "MA", Timezone: "America/New_York"}
		if err := tx.CreateDistrict(ctx, d); err != nil {
			return err
		}
		district = d.ID
		st := &iep.Staff{DistrictID: d.ID, FirstName: "A", LastName: "B", Roles: []iep.StaffRole{iep.RoleAdministrator}, Active: true}
		if err := tx.CreateStaff(ctx, st); err != nil {
			return err
		}
		acc := &store.Account{DistrictID: d.ID, Kind: store.AccountStaff, SubjectID: st.ID, Email: "a@b.example"}
		if err := tx.CreateAccount(ctx, acc, sys); err != nil {
			return err
		}
		for _, idle := range []time.Duration{30 * time.Minute, 12 * time.Hour} {
			_, hash := auth.NewToken()
			if err := tx.CreateSession(ctx, &store.Session{TokenHash: hash, DistrictID: d.ID, AccountID: acc.ID,
				IdleTimeout: idle, AbsoluteExpiresAt: now().Add(12 * time.Hour)}); err != nil {
				return err
			}
		}
		if err := tx.RecordSignInFailure(ctx, "a@b.example", "192.0.2.9"); err != nil {
			return err
		}
		if err := tx.RecordResetRequest(ctx, "a@b.example", "192.0.2.9"); err != nil {
			return err
		}
		p := &store.SSOProvider{DistrictID: d.ID, Name: "Google", Issuer: "https://accounts.example", ClientID: "c",
			ClientSecret: "sealed", Scopes: []string{"openid"}, EmailDomains: []string{"b.example"}, Enabled: true}
		if err := tx.CreateSSOProvider(ctx, p); err != nil {
			return err
		}
		if err := tx.CreateSSOFlow(ctx, &store.SSOFlow{StateHash: "h", DistrictID: d.ID, ProviderID: p.ID, Nonce: "n",
			PKCEVerifier: "v", ExpiresAt: now().Add(10 * time.Minute)}); err != nil {
			return err
		}
		sent := &store.OutboxMail{DistrictID: d.ID, Kind: "invite", To: "a@b.example", Subject: "s", BodyText: "b"}
		waiting := &store.OutboxMail{DistrictID: d.ID, Kind: "invite", To: "c@b.example", Subject: "s", BodyText: "b",
			SendAfter: now().Add(60 * 24 * time.Hour)}
		for _, m := range []*store.OutboxMail{sent, waiting} {
			if err := tx.EnqueueMail(ctx, m); err != nil {
				return err
			}
		}
		return tx.MarkMailSent(ctx, d.ID, sent.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	audit := func() int {
		es, err := db.ListAudit(ctx, district, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	trail := audit()

	advance(2 * time.Hour) // the 30-minute session, the sign-on attempt and the reset request are over
	got, err := svc.Cleanup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Cleaned{Sessions: 1, ResetRequests: 1, SSOFlows: 1}); got != want {
		t.Errorf("after 2 hours: %+v, want %+v", got, want)
	}
	advance(31 * 24 * time.Hour) // the 12-hour session, the failure and the sent mail are old
	got, err = svc.Cleanup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Cleaned{Sessions: 1, SignInFailures: 1, Mail: 1}); got != want {
		t.Errorf("after a month: %+v, want %+v", got, want)
	}
	if left, err := db.ListOutbox(ctx, district, 0); err != nil || len(left) != 1 || left[0].To != "c@b.example" {
		t.Errorf("the waiting mail: %v %+v", err, left)
	}
	if got, _ := svc.Cleanup(ctx); got != (Cleaned{}) {
		t.Errorf("a second run deleted %+v", got)
	}
	if audit() != trail {
		t.Error("housekeeping changed the audit trail")
	}
}
