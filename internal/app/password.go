package app

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// This file holds invitations, password resets and password changes. A one-time link (store
// account_tokens, only its hash kept) and the e-mail that carries it (store mail_outbox) are
// written in one transaction; mail.Worker sends the mail later and blanks its body.
//
//   - An invitation (SendInvitation, by a district administrator) lets a new person choose
//     their first password; it is valid InvitationValid. Sending another drops the account's
//     earlier unused invitations, so only the newest link works.
//   - A reset (RequestPasswordReset, by anyone who types an e-mail address) is valid ResetValid.
//     The answer is the same, and takes about as long, whether or not the address has an account;
//     requests are throttled per e-mail and per address (ResetWindow).
//   - SetPasswordWithToken spends either kind of link once, sets the password, drops the
//     account's other unused links and opens a session; after a reset every other session of the
//     account is signed out first.
//   - ChangePassword is for a signed-in person. It asks for the current password, except when
//     the account must change its password (an administrator handed out a one-time password,
//     which the person typed moments ago to open this very session, and which is the only way
//     into this pending session); it signs out the account's other sessions.
//
// Password rules are auth.CheckPassword's (NIST SP 800-63B). Problems name the fields "password",
// "current_password" and "password_confirm" (the last is the web form's).

// How long links stay valid, and the reset throttle.
const (
	InvitationValid = 7 * 24 * time.Hour
	ResetValid      = time.Hour

	// ResetWindow is the window reset requests are counted over.
	ResetWindow = time.Hour
	// MaxResetLinksPerEmail is how many reset links one e-mail address is sent per ResetWindow;
	// further requests are answered alike but send nothing, so that nobody's inbox can be flooded.
	MaxResetLinksPerEmail = 3
	// MaxResetRequestsPerAddress is how many reset requests one network address may make per
	// ResetWindow (a school's users share an address); beyond it the request is refused with a
	// *ThrottledError until the oldest leaves the window.
	MaxResetRequestsPerAddress = 20
)

// resetAnswerTime is the least time RequestPasswordReset takes, so that the time of the answer
// does not tell whether a link was written and a mail queued (an account exists) or not. A
// variable, so that the package's tests need not wait.
var resetAnswerTime = 300 * time.Millisecond

// Errors of a one-time link that cannot be used. They are of kind NotFound.
var (
	ErrLinkUnknown = iep.Errorf(iep.KindNotFound, "this link is not valid")
	ErrLinkUsed    = iep.Errorf(iep.KindNotFound, "this link has been used already")
	ErrLinkExpired = iep.Errorf(iep.KindNotFound, "this link has expired")
)

// Problems of passwords beyond auth.CheckPassword's, by detail (code iep.CodeInvalid).
const (
	DetailWrongPassword = "wrong"    // current_password: not the account's password
	DetailNoPassword    = "none"     // current_password: the account has none yet (use a reset link)
	DetailSamePassword  = "same"     // password: the new password is the current one
	DetailMismatch      = "mismatch" // password_confirm: not the same as password
)

// LinkPurpose is what a one-time link is for: LinkInvite or LinkReset.
type LinkPurpose = store.TokenPurpose

// The purposes of one-time links.
const (
	LinkInvite = store.TokenInvite
	LinkReset  = store.TokenReset
)

// PasswordLink is what the page of a one-time link shows before the person chooses a password.
type PasswordLink struct {
	Purpose   LinkPurpose
	Err       error // nil when the link can be used; else ErrLinkUnknown, ErrLinkUsed or ErrLinkExpired
	District  string
	Email     string // empty unless the link can be used
	Name      string // the person's name; empty unless the link can be used (or unknown)
	ExpiresAt time.Time
	Zone      *time.Location // the district's time zone; UTC when unknown
}

// PasswordLinkInfo reads the one-time link of token without spending it. An unknown link is not
// an error: its Err says so, as for a used or expired one.
func (s *Service) PasswordLinkInfo(ctx context.Context, token string) (*PasswordLink, error) {
	l := &PasswordLink{Zone: time.UTC, Err: ErrLinkUnknown}
	if token == "" {
		return l, nil
	}
	t, err := s.db.GetAccountToken(ctx, auth.HashToken(token))
	if iep.KindOf(err) == iep.KindNotFound {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	l.Purpose, l.ExpiresAt = t.Purpose, t.ExpiresAt
	d, err := s.db.GetDistrict(ctx, t.DistrictID)
	if err != nil {
		return nil, err
	}
	l.District = d.Name
	if loc, err := loadLocation(d.Timezone); err == nil {
		l.Zone = loc
	}
	acc, err := s.db.GetAccount(ctx, t.DistrictID, t.AccountID)
	if err != nil {
		return nil, err
	}
	l.Err = linkState(t, acc, s.now())
	if l.Err != nil {
		return l, nil
	}
	l.Email = acc.Email
	l.Name, _, err = s.accountPerson(ctx, acc)
	return l, err
}

// linkState says whether a link can be used now.
func linkState(t *store.AccountToken, acc *store.Account, now time.Time) error {
	switch {
	case acc.Disabled():
		return ErrLinkUnknown
	case !t.UsedAt.IsZero():
		return ErrLinkUsed
	case !t.ExpiresAt.After(now):
		return ErrLinkExpired
	}
	return nil
}

// accountPerson returns the name of an account's person and the language their mail is written
// in: the language they chose with the switch, else a guardian's preferred language when there
// is a catalog for it, else English.
func (s *Service) accountPerson(ctx context.Context, acc *store.Account) (name, lang string, err error) {
	lang = mailLanguage("")
	switch acc.Kind {
	case store.AccountStaff:
		st, err := s.db.GetStaff(ctx, acc.DistrictID, acc.SubjectID)
		if err == nil {
			name = st.Name()
		} else if iep.KindOf(err) != iep.KindNotFound {
			return "", "", err
		}
	case store.AccountGuardian:
		g, err := s.db.GetGuardian(ctx, acc.DistrictID, acc.SubjectID)
		if err == nil {
			name, lang = g.Name(), mailLanguage(g.PreferredLanguage)
		} else if iep.KindOf(err) != iep.KindNotFound {
			return "", "", err
		}
	case store.AccountStudent:
		st, err := s.db.GetStudent(ctx, acc.DistrictID, acc.SubjectID)
		if err == nil {
			name = st.DisplayName()
		} else if iep.KindOf(err) != iep.KindNotFound {
			return "", "", err
		}
	}
	if i18n.Supported(acc.Language) {
		lang = acc.Language // the language they chose with the switch
	}
	return name, lang, nil
}

// owner is the audit actor of a change the account's own person makes.
func owner(acc *store.Account, address, reason string) store.AuditActor {
	return store.AuditActor{Kind: string(acc.Kind), ID: acc.SubjectID, Address: address, Reason: reason}
}

// linkURL is the address of a one-time link's page, in the recipient's language.
func (s *Service) linkURL(purpose store.TokenPurpose, token, lang string) string {
	page := "/welcome"
	if purpose == store.TokenReset {
		page = "/reset"
	}
	return s.publicURL + page + "?" + url.Values{"token": {token}, "lang": {lang}}.Encode()
}

// SendInvitation sends the person of an account of the district a one-time link to choose their
// first password, valid InvitationValid, by e-mail in their language (a guardian's preferred
// language when there is a catalog for it, else English). Sending again makes a new link and the
// earlier unused ones stop working. The link, its audit entry ("invite") and the mail are written
// in one transaction. The actor must manage the district (access.ManageDistrict). Errors:
// unauthenticated, not found (no such account, or a district the actor may not know), forbidden,
// invalid (Problems on "account": code "disabled" for a disabled account, "has_password" for one
// that has chosen a password already: they use "Forgot your password?").
func (s *Service) SendInvitation(ctx context.Context, a Actor, districtID, accountID string) error {
	d, err := s.authorize(ctx, a, access.ManageDistrict, districtID, "")
	if err != nil {
		return err
	}
	acc, err := s.db.GetAccount(ctx, districtID, accountID)
	if err != nil {
		return err
	}
	switch {
	case acc.Disabled():
		return iep.Problems{{Field: "account", Code: "disabled"}}.Err()
	case acc.PasswordHash != "":
		return iep.Problems{{Field: "account", Code: "has_password"}}.Err()
	}
	l, err := s.prepareLink(ctx, acc, store.TokenInvite)
	if err != nil {
		return err
	}
	by := store.AuditActor{Kind: string(a.Kind), ID: a.ID, Address: a.Address, Reason: string(d.Reason)}
	return s.db.Write(ctx, func(tx *store.Tx) error { return l.write(ctx, tx, by) })
}

// newLink is a one-time link ready to be written with the mail that carries it.
type newLink struct {
	token store.AccountToken
	mail  store.OutboxMail
}

// prepareLink makes a new one-time link for the account and composes its mail (reads only).
func (s *Service) prepareLink(ctx context.Context, acc *store.Account, purpose store.TokenPurpose) (*newLink, error) {
	dist, err := s.db.GetDistrict(ctx, acc.DistrictID)
	if err != nil {
		return nil, err
	}
	name, lang, err := s.accountPerson(ctx, acc)
	if err != nil {
		return nil, err
	}
	loc, err := loadLocation(dist.Timezone)
	if err != nil {
		loc = time.UTC
	}
	valid := InvitationValid
	if purpose == store.TokenReset {
		valid = ResetValid
	}
	token, hash := auth.NewToken()
	l := &newLink{token: store.AccountToken{TokenHash: hash, DistrictID: acc.DistrictID, AccountID: acc.ID,
		Purpose: purpose, ExpiresAt: s.now().Add(valid)}}
	m := linkMail{lang: lang, name: name, district: dist.Name, email: acc.Email,
		link: s.linkURL(purpose, token, lang), expires: l.token.ExpiresAt.In(loc)}
	subject, body := m.invitation()
	if purpose == store.TokenReset {
		subject, body = m.reset()
	}
	l.mail = store.OutboxMail{DistrictID: acc.DistrictID, Kind: string(purpose), To: acc.Email, Subject: subject, BodyText: body}
	return l, nil
}

// write stores the link (dropping the account's unused links of the same purpose first, so that
// only the newest works; audited by CreateAccountToken) and queues its mail, in tx.
func (l *newLink) write(ctx context.Context, tx *store.Tx, by store.AuditActor) error {
	if _, err := tx.DropAccountTokens(ctx, l.token.DistrictID, l.token.AccountID, l.token.Purpose); err != nil {
		return err
	}
	if err := tx.CreateAccountToken(ctx, &l.token, by); err != nil {
		return err
	}
	return tx.EnqueueMail(ctx, &l.mail)
}

// RequestPasswordReset sends a one-time link to choose a new password, valid ResetValid, to the
// account with this e-mail address, if there is one and it is enabled. The answer is the same
// (nil) and takes at least resetAnswerTime either way, so that it does not tell which addresses
// have accounts. Throttled: at most MaxResetLinksPerEmail links per address and ResetWindow
// (more requests are answered alike and send nothing), and MaxResetRequestsPerAddress requests
// from one network address (more are refused with a *ThrottledError). Errors: invalid (Problems
// on "email": required, or not an e-mail address), *ThrottledError.
func (s *Service) RequestPasswordReset(ctx context.Context, email, address string) error {
	defer waitUntil(ctx, time.Now().Add(resetAnswerTime))
	email = store.NormalizeEmail(email)
	if err := checkEmail(email); err != nil {
		return err
	}
	acc, err := s.db.GetAccountByEmail(ctx, email)
	if err != nil && iep.KindOf(err) != iep.KindNotFound {
		return err
	}
	var l *newLink
	if acc != nil && !acc.Disabled() {
		if l, err = s.prepareLink(ctx, acc, store.TokenReset); err != nil {
			return err
		}
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		now := tx.Now()
		if _, err := tx.DeleteOldResetRequests(ctx, now.Add(-ResetWindow)); err != nil {
			return err
		}
		forEmail, forAddress, first, err := tx.RecentResetRequests(ctx, email, address, now.Add(-ResetWindow))
		if err != nil {
			return err
		}
		if forAddress >= MaxResetRequestsPerAddress {
			// The oldest request leaves the window a moment after it is ResetWindow old.
			return &ThrottledError{Wait: first.Add(ResetWindow).Sub(now) + time.Second}
		}
		if err := tx.RecordResetRequest(ctx, email, address); err != nil {
			return err
		}
		if l == nil || forEmail >= MaxResetLinksPerEmail {
			return nil
		}
		return l.write(ctx, tx, store.AuditActor{Kind: string(ActorAnonymous), Address: address})
	})
}

// checkEmail returns the problem of a typed e-mail address that cannot be one.
func checkEmail(email string) error {
	if email == "" {
		return iep.Problems{{Field: "email", Code: iep.CodeRequired}}.Err()
	}
	at := strings.IndexByte(email, '@')
	if at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n") || len(email) > 254 {
		return iep.Problems{{Field: "email", Code: iep.CodeInvalid}}.Err()
	}
	return nil
}

// waitUntil sleeps until t, or until ctx is done.
func waitUntil(ctx context.Context, t time.Time) {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

// CheckNewPassword returns the problems of a new password for the account with this e-mail
// (auth.CheckPassword's rules), for a form to show with its own.
func CheckNewPassword(password, email string) error { return auth.CheckPassword(password, email) }

// SetPasswordWithToken spends the one-time link of token (an invitation or a reset), sets the
// account's password (which then need not be changed), drops the account's other unused links,
// clears its failed sign-ins, and signs the person in: the returned session may still be pending
// the second factor. After a reset every other session of the account is signed out first. The
// password is checked before the link is spent, so that a rejected password leaves the link
// usable. Errors: ErrLinkUnknown, ErrLinkUsed, ErrLinkExpired (kind not found), invalid (Problems
// on "password").
func (s *Service) SetPasswordWithToken(ctx context.Context, token, newPassword, address, userAgent string) (*SignedIn, error) {
	if token == "" {
		return nil, ErrLinkUnknown
	}
	hash := auth.HashToken(token)
	t, err := s.db.GetAccountToken(ctx, hash)
	if iep.KindOf(err) == iep.KindNotFound {
		return nil, ErrLinkUnknown
	}
	if err != nil {
		return nil, err
	}
	acc, err := s.db.GetAccount(ctx, t.DistrictID, t.AccountID)
	if err != nil {
		return nil, err
	}
	if err := linkState(t, acc, s.now()); err != nil {
		return nil, err
	}
	if err := auth.CheckPassword(newPassword, acc.Email); err != nil {
		return nil, err
	}
	pwHash := auth.HashPassword(newPassword, s.params)
	reason := "invitation"
	if t.Purpose == store.TokenReset {
		reason = "reset_link"
	}
	by := owner(acc, address, reason)
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.UseAccountToken(ctx, hash, t.Purpose); err != nil {
			if iep.KindOf(err) == iep.KindNotFound {
				return ErrLinkUsed // spent (or expired) since it was read: a concurrent use won
			}
			return err
		}
		if err := tx.SetPassword(ctx, acc.DistrictID, acc.ID, pwHash, false, by); err != nil {
			return err
		}
		if t.Purpose == store.TokenReset {
			if err := tx.DeleteAccountSessions(ctx, acc.DistrictID, acc.ID, by); err != nil {
				return err
			}
		}
		if _, err := tx.DropAccountTokens(ctx, acc.DistrictID, acc.ID); err != nil {
			return err
		}
		return tx.ClearSignInFailures(ctx, acc.Email)
	})
	if err != nil {
		return nil, err
	}
	acc.PasswordHash, acc.MustChangePassword = pwHash, false
	return s.openSession(ctx, acc, address, userAgent, false, nil)
}

// ChangePassword sets a new password for the signed-in person and signs out every other session
// of their account (this one stays). The current password is asked for, except when the account
// must change its password (see the top of this file); a wrong one counts toward the sign-in
// throttle, which may refuse the attempt with a *ThrottledError. A session still waiting for its
// second factor or its enrolment may not change the password. Errors: unauthenticated, invalid
// (Problems on "current_password": required, or invalid with DetailWrongPassword or
// DetailNoPassword; on "password": auth.CheckPassword's, or DetailSamePassword),
// *ThrottledError.
func (s *Service) ChangePassword(ctx context.Context, si *SignedIn, current, newPassword string) error {
	if si == nil || si.Pending == PendingTOTP || si.Pending == PendingEnrol {
		return iep.ErrUnauthenticated
	}
	acc, err := s.db.GetAccount(ctx, si.Account.DistrictID, si.Account.ID)
	if err != nil {
		return err
	}
	var ps iep.Problems
	if !acc.MustChangePassword {
		more, err := s.checkCurrent(ctx, acc, current, si.Actor.Address)
		if err != nil {
			return err
		}
		ps = append(ps, more...)
	}
	if err := auth.CheckPassword(newPassword, acc.Email); err != nil {
		var e *iep.Error
		if !errors.As(err, &e) {
			return err
		}
		ps = append(ps, e.Problems...)
	} else if acc.PasswordHash != "" {
		if same, _, _ := auth.Verify(acc.PasswordHash, newPassword); same {
			ps = append(ps, iep.Problem{Field: "password", Code: iep.CodeInvalid, Detail: DetailSamePassword})
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	pwHash := auth.HashPassword(newPassword, s.params)
	by := owner(acc, si.Actor.Address, "")
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetPassword(ctx, acc.DistrictID, acc.ID, pwHash, false, by); err != nil {
			return err
		}
		if err := tx.DeleteOtherSessions(ctx, acc.DistrictID, acc.ID, si.Session.TokenHash, by); err != nil {
			return err
		}
		_, err := tx.DropAccountTokens(ctx, acc.DistrictID, acc.ID)
		return err
	})
	if err != nil {
		return err
	}
	si.Account.PasswordHash, si.Account.MustChangePassword = pwHash, false
	if si.Pending == PendingReset {
		si.Pending = PendingNone
	}
	return nil
}

// checkCurrent checks the current password typed on a change: its problems, or the throttle's
// refusal. A wrong password is recorded as a failed sign-in of the account's e-mail.
func (s *Service) checkCurrent(ctx context.Context, acc *store.Account, current, address string) (iep.Problems, error) {
	switch {
	case acc.PasswordHash == "":
		return iep.Problems{{Field: "current_password", Code: iep.CodeInvalid, Detail: DetailNoPassword}}, nil
	case current == "":
		return iep.Problems{{Field: "current_password", Code: iep.CodeRequired}}, nil
	}
	if err := s.throttled(ctx, acc.Email, address); err != nil {
		return nil, err
	}
	if ok, _, err := auth.Verify(acc.PasswordHash, current); err == nil && ok {
		return nil, nil
	}
	if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.RecordSignInFailure(ctx, acc.Email, address) }); err != nil {
		return nil, err
	}
	return iep.Problems{{Field: "current_password", Code: iep.CodeInvalid, Detail: DetailWrongPassword}}, nil
}
