package app

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// pwClock is a clock the password tests move by hand; the store and the service share it.
type pwClock struct{ ns atomic.Int64 }

func (c *pwClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *pwClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// pwStart is a Monday morning in New York (EDT).
var pwStart = time.Date(2026, 3, 16, 14, 0, 0, 0, time.UTC)

// pwFixture is a district with an administrator, a teacher and a Spanish-speaking guardian,
// each with an account: the admin's and the teacher's with a password, the guardian's invited.
type pwFixture struct {
	svc      *Service
	db       *store.DB
	clock    *pwClock
	district string
	admin    Actor
	teacher  Actor // staff without the administrator role
	adminAcc store.Account
	teachAcc store.Account
	guardAcc store.Account
	otherAdm Actor // an administrator of another district
}

const pwOld = "the old password of the teacher"

var cheap = auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newPWFixture(t *testing.T) *pwFixture {
	t.Helper()
	ctx := context.Background()
	c := &pwClock{}
	c.ns.Store(pwStart.UnixNano())
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "pw.db"), store.Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &pwFixture{db: db, clock: c,
		svc: New(db, c.now, WithPasswordParams(cheap), WithPublicURL("https://iep.example.org/"))}
	old := resetAnswerTime
	resetAnswerTime = 0 // the timing test sets it back
	t.Cleanup(func() { resetAnswerTime = old })
	sys := store.AuditActor{Kind: "system", ID: "test"}
	err = db.Write(ctx, func(tx *store.Tx) error {
		d := &iep.District{Name: "Riverton Public Schools", StateCode: "MA", RulePack: "MA", Timezone: "America/New_York"}
		o := &iep.District{Name: "Other Valley", StateCode: "MA", RulePack: "MA", Timezone: "America/New_York"}
		for _, x := range []*iep.District{d, o} {
			if err := tx.CreateDistrict(ctx, x); err != nil {
				return err
			}
		}
		f.district = d.ID
		adm := &iep.Staff{DistrictID: d.ID, FirstName: "Ada", LastName: "Admin", Roles: []iep.StaffRole{iep.RoleAdministrator}, Active: true}
		tch := &iep.Staff{DistrictID: d.ID, FirstName: "Tess", LastName: "Teacher", Roles: []iep.StaffRole{iep.RoleGeneralEducationTeacher}, Active: true}
		oad := &iep.Staff{DistrictID: o.ID, FirstName: "Otto", LastName: "Other", Roles: []iep.StaffRole{iep.RoleAdministrator}, Active: true}
		for _, s := range []*iep.Staff{adm, tch, oad} {
			if err := tx.CreateStaff(ctx, s); err != nil {
				return err
			}
		}
		g := &iep.Guardian{DistrictID: d.ID, FirstName: "Rosa", LastName: "Ortiz", PreferredLanguage: "es-MX"}
		if err := tx.CreateGuardian(ctx, g); err != nil {
			return err
		}
		hash := auth.HashPassword(pwOld, cheap)
		f.adminAcc = store.Account{DistrictID: d.ID, Kind: store.AccountStaff, SubjectID: adm.ID, Email: "ada@riverton.example", PasswordHash: hash}
		f.teachAcc = store.Account{DistrictID: d.ID, Kind: store.AccountStaff, SubjectID: tch.ID, Email: "tess@riverton.example", PasswordHash: hash}
		f.guardAcc = store.Account{DistrictID: d.ID, Kind: store.AccountGuardian, SubjectID: g.ID, Email: "rosa@example.org"}
		other := store.Account{DistrictID: o.ID, Kind: store.AccountStaff, SubjectID: oad.ID, Email: "otto@other.example", PasswordHash: hash}
		for _, a := range []*store.Account{&f.adminAcc, &f.teachAcc, &f.guardAcc, &other} {
			if err := tx.CreateAccount(ctx, a, sys); err != nil {
				return err
			}
		}
		f.admin = Actor{Kind: ActorStaff, ID: adm.ID, DistrictID: d.ID, AccountID: f.adminAcc.ID, Roles: adm.Roles, Address: "192.0.2.1"}
		f.teacher = Actor{Kind: ActorStaff, ID: tch.ID, DistrictID: d.ID, AccountID: f.teachAcc.ID, Roles: tch.Roles, Address: "192.0.2.2"}
		f.otherAdm = Actor{Kind: ActorStaff, ID: oad.ID, DistrictID: o.ID, AccountID: other.ID, Roles: oad.Roles, Address: "192.0.2.3"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// outboxMail is one queued mail with its body, read from the database.
type outboxMail struct{ kind, to, subject, body string }

func (f *pwFixture) outbox(t *testing.T) []outboxMail {
	t.Helper()
	rows, err := f.db.Writer().QueryContext(context.Background(),
		`SELECT kind, to_address, subject, body_text FROM mail_outbox ORDER BY created_at, id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []outboxMail
	for rows.Next() {
		var m outboxMail
		if err := rows.Scan(&m.kind, &m.to, &m.subject, &m.body); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

var linkRE = regexp.MustCompile(`https://iep\.example\.org/(welcome|reset)\?\S+`)

// tokenOf returns the token of the link in a mail's body.
func tokenOf(t *testing.T, body string) string {
	t.Helper()
	link := linkRE.FindString(body)
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("no link with a token in %q", body)
	}
	return u.Query().Get("token")
}

// auditActions returns the actions of the district's audit entries about an account, oldest
// first, with their actor kinds.
func (f *pwFixture) auditActions(t *testing.T, accountID string) []string {
	t.Helper()
	entries, err := f.db.ListAudit(context.Background(), f.district, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; e.RecordKind == "account" && e.RecordID == accountID {
			out = append(out, e.Action+" by "+e.ActorKind)
		}
	}
	return out
}

func wantProblem(t *testing.T, what string, err error, field, codeOrDetail string) {
	t.Helper()
	var e *iep.Error
	if !errors.As(err, &e) || e.Kind != iep.KindInvalid {
		t.Fatalf("%s = %v, want invalid input", what, err)
	}
	for _, p := range e.Problems {
		if p.Field == field && (p.Code == codeOrDetail || p.Detail == codeOrDetail) {
			return
		}
	}
	t.Errorf("%s: problems %v, want %s %s", what, e.Problems, field, codeOrDetail)
}

func TestSendInvitation(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	if err := f.svc.SendInvitation(ctx, f.admin, f.district, f.guardAcc.ID); err != nil {
		t.Fatal(err)
	}
	mails := f.outbox(t)
	if len(mails) != 1 {
		t.Fatalf("outbox holds %d mails, want 1", len(mails))
	}
	m := mails[0]
	// Rosa prefers es-MX: the mail is in Spanish, names the district, the address she signs in
	// with, the link (at the public URL, in her language) and when it expires, in New York time.
	if m.kind != "invite" || m.to != "rosa@example.org" || m.subject != "Su cuenta de openiep en Riverton Public Schools" {
		t.Errorf("mail %q to %q: %q", m.kind, m.to, m.subject)
	}
	for _, want := range []string{"Hola, Rosa Ortiz:", "Riverton Public Schools le creó una cuenta", "rosa@example.org",
		"https://iep.example.org/welcome?lang=es&token=", "hasta el 23 de marzo de 2026 a las 10:00 (EDT)", "Si no esperaba este correo"} {
		if !strings.Contains(m.body, want) {
			t.Errorf("the invitation lacks %q:\n%s", want, m.body)
		}
	}
	first := tokenOf(t, m.body)
	l, err := f.svc.PasswordLinkInfo(ctx, first)
	if err != nil || l.Err != nil || l.Purpose != LinkInvite || l.Email != "rosa@example.org" || l.Name != "Rosa Ortiz" ||
		l.District != "Riverton Public Schools" || !l.ExpiresAt.Equal(pwStart.Add(InvitationValid)) {
		t.Fatalf("PasswordLinkInfo = %+v, %v", l, err)
	}
	if got := f.auditActions(t, f.guardAcc.ID); len(got) != 2 || got[1] != "invite by staff" {
		t.Errorf("audit of the account = %v, want create, then invite by staff", got)
	}

	// Sending again: a new link; the first stops working.
	f.clock.advance(time.Minute)
	if err := f.svc.SendInvitation(ctx, f.admin, f.district, f.guardAcc.ID); err != nil {
		t.Fatal(err)
	}
	mails = f.outbox(t)
	second := tokenOf(t, mails[len(mails)-1].body)
	if l, _ := f.svc.PasswordLinkInfo(ctx, first); !errors.Is(l.Err, ErrLinkUnknown) {
		t.Errorf("the first invitation after a second was sent: %v, want unknown", l.Err)
	}
	if l, _ := f.svc.PasswordLinkInfo(ctx, second); l.Err != nil {
		t.Errorf("the second invitation: %v", l.Err)
	}

	// Refusals write nothing.
	before := len(f.outbox(t))
	for _, c := range []struct {
		what     string
		a        Actor
		district string
		account  string
		kind     iep.Kind
	}{
		{"anonymous", Anonymous, f.district, f.guardAcc.ID, iep.KindUnauthenticated},
		{"a teacher", f.teacher, f.district, f.guardAcc.ID, iep.KindForbidden},
		{"another district's admin", f.otherAdm, f.district, f.guardAcc.ID, iep.KindNotFound},
		{"an unknown account", f.admin, f.district, "nobody", iep.KindNotFound},
		{"an account with a password", f.admin, f.district, f.teachAcc.ID, iep.KindInvalid},
	} {
		if err := f.svc.SendInvitation(ctx, c.a, c.district, c.account); iep.KindOf(err) != c.kind {
			t.Errorf("SendInvitation(%s) = %v, want kind %v", c.what, err, c.kind)
		}
	}
	err = f.svc.SendInvitation(ctx, f.admin, f.district, f.teachAcc.ID)
	wantProblem(t, "SendInvitation(has a password)", err, "account", "has_password")
	if err := f.db.Write(ctx, func(tx *store.Tx) error {
		return tx.DisableAccount(ctx, f.district, f.guardAcc.ID, store.AuditActor{Kind: "system"})
	}); err != nil {
		t.Fatal(err)
	}
	err = f.svc.SendInvitation(ctx, f.admin, f.district, f.guardAcc.ID)
	wantProblem(t, "SendInvitation(disabled)", err, "account", "disabled")
	if l, _ := f.svc.PasswordLinkInfo(ctx, second); !errors.Is(l.Err, ErrLinkUnknown) {
		t.Errorf("an invitation of a disabled account: %v, want unknown", l.Err)
	}
	if after := len(f.outbox(t)); after != before {
		t.Errorf("refused invitations queued %d mails", after-before)
	}
}

func TestInvitationInEnglishForStaff(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	var acc store.Account
	err := f.db.Write(ctx, func(tx *store.Tx) error {
		st := &iep.Staff{DistrictID: f.district, FirstName: "Nia", LastName: "New", Roles: []iep.StaffRole{iep.RoleSpeechLanguage}, Active: true}
		if err := tx.CreateStaff(ctx, st); err != nil {
			return err
		}
		acc = store.Account{DistrictID: f.district, Kind: store.AccountStaff, SubjectID: st.ID, Email: "nia@riverton.example"}
		return tx.CreateAccount(ctx, &acc, store.AuditActor{Kind: "system"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SendInvitation(ctx, f.admin, f.district, acc.ID); err != nil {
		t.Fatal(err)
	}
	m := f.outbox(t)[0]
	for _, want := range []string{"Hello Nia New,", "Riverton Public Schools has made you an account", "nia@riverton.example",
		"https://iep.example.org/welcome?lang=en&token=", "until March 23, 2026 at 10:00 AM (EDT)", "If you did not expect this e-mail"} {
		if !strings.Contains(m.body, want) {
			t.Errorf("the invitation lacks %q:\n%s", want, m.body)
		}
	}
	if m.subject != "Your openiep account at Riverton Public Schools" {
		t.Errorf("subject %q", m.subject)
	}
}

func TestRequestPasswordReset(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	if err := f.svc.RequestPasswordReset(ctx, "  TESS@riverton.example ", "198.51.100.1"); err != nil {
		t.Fatal(err)
	}
	mails := f.outbox(t)
	if len(mails) != 1 || mails[0].kind != "reset" || mails[0].to != "tess@riverton.example" {
		t.Fatalf("outbox = %+v, want one reset mail to Tess", mails)
	}
	for _, want := range []string{"Hello Tess Teacher,", "tess@riverton.example at Riverton Public Schools",
		"https://iep.example.org/reset?lang=en&token=", "until March 16, 2026 at 11:00 AM (EDT)", "If you did not ask for this"} {
		if !strings.Contains(mails[0].body, want) {
			t.Errorf("the reset mail lacks %q:\n%s", want, mails[0].body)
		}
	}
	first := tokenOf(t, mails[0].body)
	if l, _ := f.svc.PasswordLinkInfo(ctx, first); l.Err != nil || l.Purpose != LinkReset || !l.ExpiresAt.Equal(pwStart.Add(ResetValid)) {
		t.Errorf("the reset link: %+v", l)
	}
	if got := f.auditActions(t, f.teachAcc.ID); got[len(got)-1] != "request_reset by anonymous" {
		t.Errorf("audit = %v, want request_reset by anonymous last", got)
	}

	// Unknown and disabled addresses: the same answer, nothing sent.
	if err := f.db.Write(ctx, func(tx *store.Tx) error {
		return tx.DisableAccount(ctx, f.district, f.adminAcc.ID, store.AuditActor{Kind: "system"})
	}); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"nobody@riverton.example", "ada@riverton.example"} {
		if err := f.svc.RequestPasswordReset(ctx, email, "198.51.100.1"); err != nil {
			t.Errorf("RequestPasswordReset(%s) = %v, want nil like any other", email, err)
		}
	}
	// Bad input says which field.
	wantProblem(t, "RequestPasswordReset(empty)", f.svc.RequestPasswordReset(ctx, " ", "198.51.100.1"), "email", iep.CodeRequired)
	wantProblem(t, "RequestPasswordReset(no @)", f.svc.RequestPasswordReset(ctx, "tess", "198.51.100.1"), "email", iep.CodeInvalid)

	// Per e-mail: three links an hour, the later requests answered alike; the newest link is the
	// one that works.
	for range 3 {
		f.clock.advance(time.Minute)
		if err := f.svc.RequestPasswordReset(ctx, "tess@riverton.example", "198.51.100.2"); err != nil {
			t.Fatal(err)
		}
	}
	mails = f.outbox(t)
	if len(mails) != MaxResetLinksPerEmail {
		t.Errorf("%d mails after 4 requests within the hour, want %d", len(mails), MaxResetLinksPerEmail)
	}
	if l, _ := f.svc.PasswordLinkInfo(ctx, first); !errors.Is(l.Err, ErrLinkUnknown) {
		t.Errorf("an older reset link still works after a newer one: %v", l.Err)
	}
	if l, _ := f.svc.PasswordLinkInfo(ctx, tokenOf(t, mails[len(mails)-1].body)); l.Err != nil {
		t.Errorf("the newest reset link: %v", l.Err)
	}
	f.clock.advance(ResetWindow)
	if err := f.svc.RequestPasswordReset(ctx, "tess@riverton.example", "198.51.100.2"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.outbox(t)); n != MaxResetLinksPerEmail+1 {
		t.Errorf("%d mails an hour later, want one more", n)
	}

	// Per address: MaxResetRequestsPerAddress an hour, then refused until the oldest is an hour old.
	for i := range MaxResetRequestsPerAddress {
		if err := f.svc.RequestPasswordReset(ctx, "someone"+string(rune('a'+i))+"@x.example", "203.0.113.9"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		f.clock.advance(time.Second)
	}
	var th *ThrottledError
	err := f.svc.RequestPasswordReset(ctx, "tess@riverton.example", "203.0.113.9")
	if !errors.As(err, &th) || th.Wait <= ResetWindow-time.Minute || th.Wait > ResetWindow+time.Second {
		t.Fatalf("request past the address's allowance = %v, want to wait about an hour", err)
	}
	if err := f.svc.RequestPasswordReset(ctx, "tess@riverton.example", "203.0.113.10"); err != nil {
		t.Errorf("another address is refused too: %v", err)
	}
	f.clock.advance(th.Wait)
	if err := f.svc.RequestPasswordReset(ctx, "someone@x.example", "203.0.113.9"); err != nil {
		t.Errorf("after the wait: %v", err)
	}
}

// TestResetTakesAsLong: the answer takes at least resetAnswerTime whether or not the address has
// an account, so that its time does not tell.
func TestResetTakesAsLong(t *testing.T) {
	f := newPWFixture(t)
	resetAnswerTime = 150 * time.Millisecond
	ctx := context.Background()
	for _, email := range []string{"tess@riverton.example", "nobody@riverton.example"} {
		start := time.Now()
		if err := f.svc.RequestPasswordReset(ctx, email, "198.51.100.1"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < resetAnswerTime {
			t.Errorf("RequestPasswordReset(%s) answered in %v, under %v", email, d, resetAnswerTime)
		}
	}
}

// openSessions opens n sessions of the account as sign-in would, and returns them.
func (f *pwFixture) openSessions(t *testing.T, acc store.Account, n int) []*SignedIn {
	t.Helper()
	var out []*SignedIn
	for range n {
		si, err := f.svc.SignIn(context.Background(), Credentials{Email: acc.Email, Password: pwOld, Address: "192.0.2.50"})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, si)
	}
	return out
}

func (f *pwFixture) alive(si *SignedIn) bool {
	_, err := f.svc.Session(context.Background(), si.Token, false)
	return err == nil
}

func TestSetPasswordWithInvitation(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	if err := f.svc.SendInvitation(ctx, f.admin, f.district, f.guardAcc.ID); err != nil {
		t.Fatal(err)
	}
	token := tokenOf(t, f.outbox(t)[0].body)
	// A password the rules refuse leaves the link usable.
	for _, c := range []struct{ pw, detail string }{
		{"short", "12..256"}, {"password1234", "common"}, {"Rosa@Example.org", "email"}, {strings.Repeat("x", 257), "12..256"},
	} {
		_, err := f.svc.SetPasswordWithToken(ctx, token, c.pw, "192.0.2.9", "ua")
		wantProblem(t, "SetPasswordWithToken("+c.detail+")", err, "password", c.detail)
	}
	si, err := f.svc.SetPasswordWithToken(ctx, token, "a horse of a different colour", "192.0.2.9", "ua")
	if err != nil {
		t.Fatal(err)
	}
	if si.Pending != PendingNone || si.Actor.Kind != ActorGuardian || si.Account.ID != f.guardAcc.ID || !f.alive(si) {
		t.Errorf("session after accepting: pending %q, actor %v", si.Pending, si.Actor.Kind)
	}
	acc, _ := f.db.GetAccount(ctx, f.district, f.guardAcc.ID)
	if ok, _, _ := auth.Verify(acc.PasswordHash, "a horse of a different colour"); !ok || acc.MustChangePassword {
		t.Errorf("account after accepting: password set %v, must change %v", ok, acc.MustChangePassword)
	}
	if _, err := f.svc.SetPasswordWithToken(ctx, token, "another long enough password", "192.0.2.9", "ua"); !errors.Is(err, ErrLinkUsed) {
		t.Errorf("a second use = %v, want ErrLinkUsed", err)
	}
	if l, _ := f.svc.PasswordLinkInfo(ctx, token); !errors.Is(l.Err, ErrLinkUsed) || l.Email != "" || l.District != "Riverton Public Schools" {
		t.Errorf("the used link reads %+v", l)
	}
	if _, err := f.svc.SetPasswordWithToken(ctx, "not a token", "another long enough password", "", ""); !errors.Is(err, ErrLinkUnknown) {
		t.Errorf("an unknown token = %v, want ErrLinkUnknown", err)
	}
	if _, err := f.svc.SignIn(ctx, Credentials{Email: "rosa@example.org", Password: "a horse of a different colour"}); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
	got := f.auditActions(t, f.guardAcc.ID)
	if !strings.Contains(strings.Join(got, ","), "set_password by guardian") {
		t.Errorf("audit = %v, want set_password by the guardian", got)
	}
}

func TestSetPasswordWithExpiredLink(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	if err := f.svc.SendInvitation(ctx, f.admin, f.district, f.guardAcc.ID); err != nil {
		t.Fatal(err)
	}
	token := tokenOf(t, f.outbox(t)[0].body)
	f.clock.advance(InvitationValid)
	if l, _ := f.svc.PasswordLinkInfo(ctx, token); !errors.Is(l.Err, ErrLinkExpired) {
		t.Errorf("PasswordLinkInfo after 7 days: %v, want expired", l.Err)
	}
	if _, err := f.svc.SetPasswordWithToken(ctx, token, "a horse of a different colour", "", ""); !errors.Is(err, ErrLinkExpired) {
		t.Errorf("SetPasswordWithToken after 7 days = %v, want ErrLinkExpired", err)
	}
}

func TestResetSignsOutEverywhere(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	old := f.openSessions(t, f.teachAcc, 2)
	// Failed sign-ins of the account are forgotten by a reset.
	for range 6 {
		_, _ = f.svc.SignIn(ctx, Credentials{Email: f.teachAcc.Email, Password: "guess guess guess", Address: "203.0.113.66"})
	}
	if err := f.svc.RequestPasswordReset(ctx, f.teachAcc.Email, "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	token := tokenOf(t, f.outbox(t)[0].body)
	si, err := f.svc.SetPasswordWithToken(ctx, token, "correct horse battery staple", "192.0.2.7", "ua")
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range old {
		if f.alive(o) {
			t.Errorf("session %d lives on after the reset", i)
		}
	}
	if !f.alive(si) {
		t.Error("the new session is not alive")
	}
	if _, err := f.svc.SignIn(ctx, Credentials{Email: f.teachAcc.Email, Password: pwOld, Address: "192.0.2.8"}); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("sign in with the old password = %v, want refused", err)
	}
	if _, err := f.svc.SignIn(ctx, Credentials{Email: f.teachAcc.Email, Password: "correct horse battery staple", Address: "192.0.2.8"}); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}
}

func TestResetStillAsksForTheSecondFactor(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	sealed, err := f.svc.sealer.Seal(auth.NewTOTPSecret(), totpAAD(f.teachAcc.ID))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.Write(ctx, func(tx *store.Tx) error {
		return tx.SetTOTP(ctx, f.district, f.teachAcc.ID, sealed, store.AuditActor{Kind: "system"})
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestPasswordReset(ctx, f.teachAcc.Email, "192.0.2.7"); err != nil {
		t.Fatal(err)
	}
	si, err := f.svc.SetPasswordWithToken(ctx, tokenOf(t, f.outbox(t)[0].body), "correct horse battery staple", "192.0.2.7", "ua")
	if err != nil {
		t.Fatal(err)
	}
	if si.Pending != PendingTOTP {
		t.Errorf("after a reset the session is pending %q, want the TOTP code", si.Pending)
	}
	if err := f.svc.ChangePassword(ctx, si, "correct horse battery staple", "yet another good password"); iep.KindOf(err) != iep.KindUnauthenticated {
		t.Errorf("ChangePassword before the second factor = %v, want unauthenticated", err)
	}
}

// TestLinkRace: of concurrent uses of one link exactly one sets the password.
func TestLinkRace(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	if err := f.svc.SendInvitation(ctx, f.admin, f.district, f.guardAcc.ID); err != nil {
		t.Fatal(err)
	}
	token := tokenOf(t, f.outbox(t)[0].body)
	var wins, used atomic.Int32
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			_, err := f.svc.SetPasswordWithToken(ctx, token, "racing password number "+string(rune('0'+i)), "", "")
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, ErrLinkUsed):
				used.Add(1)
			default:
				t.Errorf("SetPasswordWithToken = %v", err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || used.Load() != 3 {
		t.Errorf("%d uses won and %d were told the link was used; want 1 and 3", wins.Load(), used.Load())
	}
}

func TestChangePassword(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	ss := f.openSessions(t, f.teachAcc, 2)
	si, other := ss[0], ss[1]
	wantProblem(t, "ChangePassword(no current)", f.svc.ChangePassword(ctx, si, "", "a brand new passphrase"), "current_password", iep.CodeRequired)
	wantProblem(t, "ChangePassword(wrong current)", f.svc.ChangePassword(ctx, si, "not it at all", "a brand new passphrase"), "current_password", DetailWrongPassword)
	wantProblem(t, "ChangePassword(same)", f.svc.ChangePassword(ctx, si, pwOld, pwOld), "password", DetailSamePassword)
	err := f.svc.ChangePassword(ctx, si, "not it at all", "short")
	wantProblem(t, "ChangePassword(wrong and short)", err, "current_password", DetailWrongPassword)
	wantProblem(t, "ChangePassword(wrong and short)", err, "password", "12..256")
	if n, _, _, _ := f.db.RecentSignInFailures(ctx, f.teachAcc.Email, "", pwStart.Add(-time.Hour)); n != 2 {
		t.Errorf("%d failed sign-ins recorded for the wrong current passwords, want 2", n)
	}
	if err := f.svc.ChangePassword(ctx, si, pwOld, "a brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	if !f.alive(si) || f.alive(other) {
		t.Errorf("after the change: this session alive %v (want true), the other %v (want false)", f.alive(si), f.alive(other))
	}
	got := strings.Join(f.auditActions(t, f.teachAcc.ID), ",")
	if !strings.Contains(got, "set_password by staff,sign_out_others by staff") {
		t.Errorf("audit = %s, want set_password then sign_out_others by the teacher", got)
	}
	if _, err := f.svc.SignIn(ctx, Credentials{Email: f.teachAcc.Email, Password: "a brand new passphrase"}); err != nil {
		t.Errorf("sign in with the new password: %v", err)
	}

	// Wrong current passwords count toward the throttle, which then refuses without checking.
	for range auth.FreeAccountFailures + 1 {
		_ = f.svc.ChangePassword(ctx, si, "wrong wrong wrong", "whatever it is now")
	}
	var th *ThrottledError
	if err := f.svc.ChangePassword(ctx, si, "a brand new passphrase", "whatever it is now"); !errors.As(err, &th) {
		t.Errorf("ChangePassword after many wrong passwords = %v, want throttled", err)
	}
}

// TestChangePasswordHandedOut: an account whose password an administrator handed out signs in
// to a session pending the change, which sets the new one without the current password.
func TestChangePasswordHandedOut(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	if err := f.db.Write(ctx, func(tx *store.Tx) error {
		return tx.SetPassword(ctx, f.district, f.teachAcc.ID, auth.HashPassword(pwOld, cheap), true, store.AuditActor{Kind: "system"})
	}); err != nil {
		t.Fatal(err)
	}
	si := f.openSessions(t, f.teachAcc, 1)[0]
	if si.Pending != PendingReset {
		t.Fatalf("pending %q, want %q", si.Pending, PendingReset)
	}
	if err := f.svc.ChangePassword(ctx, si, "", "my very own password"); err != nil {
		t.Fatal(err)
	}
	if si.Pending != PendingNone || si.Account.MustChangePassword {
		t.Errorf("after the change: pending %q, must change %v", si.Pending, si.Account.MustChangePassword)
	}
	again, err := f.svc.Session(ctx, si.Token, false)
	if err != nil || again.Pending != PendingNone {
		t.Errorf("the session read again: %+v, %v; want nothing pending", again, err)
	}
	// Once changed, the current password is asked for again.
	wantProblem(t, "ChangePassword(after)", f.svc.ChangePassword(ctx, again, "", "a second new password"), "current_password", iep.CodeRequired)
}

// TestChangePasswordWithoutOne: a session of an account without a password (single sign-on) is
// told to use a reset link, not allowed to set one without proof.
func TestChangePasswordWithoutOne(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	si := f.openSessions(t, f.teachAcc, 1)[0]
	if _, err := f.db.Writer().ExecContext(ctx, `UPDATE accounts SET password_hash = NULL WHERE id = $1`, f.teachAcc.ID); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, "ChangePassword(no password)", f.svc.ChangePassword(ctx, si, "", "my very own password"), "current_password", DetailNoPassword)
}

// TestMailFollowsTheChosenLanguage: Rosa prefers Spanish, but once she chose English with the
// switch her mail is in English too.
func TestMailFollowsTheChosenLanguage(t *testing.T) {
	f := newPWFixture(t)
	ctx := context.Background()
	err := f.db.Write(ctx, func(tx *store.Tx) error {
		return tx.SetAccountLanguage(ctx, f.district, f.guardAcc.ID, "en", store.AuditActor{Kind: "system"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SendInvitation(ctx, f.admin, f.district, f.guardAcc.ID); err != nil {
		t.Fatal(err)
	}
	m := f.outbox(t)[0]
	if !strings.Contains(m.body, "Hello Rosa Ortiz,") || !strings.Contains(m.body, "/welcome?lang=en&token=") {
		t.Errorf("the invitation after choosing English is not in English:\n%s", m.body)
	}
}
