package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// Pending is what a session still needs before it may do anything else.
type Pending string

const (
	PendingNone  Pending = ""
	PendingTOTP  Pending = "totp"   // the account has two-factor on: the code is still to be given
	PendingEnrol Pending = "enrol"  // the district requires two-factor for staff: set it up first
	PendingReset Pending = "change" // the password was handed out and must be changed first
)

// SignedIn is a live session and who it belongs to.
type SignedIn struct {
	Token   string // the cookie's token (never stored: the session is keyed by its hash)
	Session store.Session
	Account store.Account
	Actor   Actor
	Pending Pending
	Name    string // the person's name, for the page header
	// Lang is the language the person's pages are written in when the request does not name
	// one: the language they chose with the switch, else for a guardian their preferred
	// language on file when there is a catalog for it; "" leaves it to the browser.
	Lang string
	// PrintLang is a guardian's preferred language when documents are printed in it and pages
	// are not ("vi"): their documents print in it unless they pick another; "" otherwise.
	PrintLang string
}

// ExpiresAt is when the session ends if nothing happens: the earlier of its idle and absolute
// expiries.
func (s *SignedIn) ExpiresAt() time.Time {
	idle := s.Session.LastSeenAt.Add(s.Session.IdleTimeout)
	if s.Session.AbsoluteExpiresAt.Before(idle) {
		return s.Session.AbsoluteExpiresAt
	}
	return idle
}

// ErrBadCredentials is the answer to a wrong e-mail or password, alike, so that sign-in does not
// tell which e-mail addresses have accounts.
var ErrBadCredentials = iep.Errorf(iep.KindUnauthenticated, "the e-mail address or the password is not right")

// ErrBadCode is the answer to a wrong, stale or reused second-factor code.
var ErrBadCode = iep.Errorf(iep.KindUnauthenticated, "the code is not right")

// ThrottledError says that sign-in attempts for this e-mail or from this address must wait.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins: try again in %s", e.Wait.Round(time.Second))
}

// Credentials are what a person types to sign in, and where the request came from.
type Credentials struct {
	Email, Password    string
	Address, UserAgent string
}

// SignIn checks an e-mail and password and opens a session. Failures are throttled per e-mail
// and per address (auth.Throttle): while a delay runs, the attempt is refused with a
// *ThrottledError without the password being checked, so guessing is slowed but nobody is ever
// locked out for longer than the delay. The password is checked against a dummy hash when the
// e-mail names no account (or a disabled one), so that the answer takes as long either way.
//
// The new session may still be Pending: the second factor, or its enrolment when the district
// requires it of staff, or a password change.
func (s *Service) SignIn(ctx context.Context, c Credentials) (*SignedIn, error) {
	email := store.NormalizeEmail(c.Email)
	if err := s.throttled(ctx, email, c.Address); err != nil {
		return nil, err
	}
	acc, err := s.db.GetAccountByEmail(ctx, email)
	if err != nil && iep.KindOf(err) != iep.KindNotFound {
		return nil, err
	}
	hash := s.dummyHash
	if acc != nil && !acc.Disabled() && acc.PasswordHash != "" {
		hash = acc.PasswordHash
	}
	ok, rehash, verr := auth.Verify(hash, c.Password)
	if verr != nil || !ok || acc == nil || hash == s.dummyHash {
		if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.RecordSignInFailure(ctx, email, c.Address) }); err != nil {
			return nil, err
		}
		return nil, ErrBadCredentials
	}
	var newHash string
	if rehash {
		newHash = auth.HashPassword(c.Password, auth.DefaultParams)
	}
	return s.openSession(ctx, acc, c.Address, c.UserAgent, false, func(tx *store.Tx) error {
		if err := tx.ClearSignInFailures(ctx, email); err != nil {
			return err
		}
		if newHash == "" {
			return nil
		}
		return tx.SetPassword(ctx, acc.DistrictID, acc.ID, newHash, acc.MustChangePassword,
			store.AuditActor{Kind: string(acc.Kind), ID: acc.SubjectID, Address: c.Address})
	})
}

// throttled refuses an attempt while the throttle's delay runs.
func (s *Service) throttled(ctx context.Context, email, address string) error {
	now := s.now()
	forAccount, forAddress, last, err := s.db.RecentSignInFailures(ctx, email, address, now.Add(-auth.ThrottleWindow))
	if err != nil {
		return err
	}
	if wait := auth.Throttle(forAccount, forAddress, last, now); wait > 0 {
		return &ThrottledError{Wait: wait}
	}
	return nil
}

// openSession creates a session for an enabled account in one transaction with also (extra
// writes of the caller), records the sign-in, and returns the session with its token.
// mfaPassed is set when the account signed in with a second factor already (single sign-on).
func (s *Service) openSession(ctx context.Context, acc *store.Account, address, userAgent string, mfaPassed bool, also func(*store.Tx) error) (*SignedIn, error) {
	set, err := s.db.GetSettings(ctx, acc.DistrictID)
	if err != nil {
		return nil, err
	}
	token, hash := auth.NewToken()
	sess := store.Session{TokenHash: hash, DistrictID: acc.DistrictID, AccountID: acc.ID, IdleTimeout: set.IdleTimeout,
		AbsoluteExpiresAt: s.now().Add(set.SessionMax), Address: address, UserAgent: userAgent, MFAPassed: mfaPassed}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSession(ctx, &sess); err != nil {
			return err
		}
		if err := tx.RecordSignIn(ctx, acc.DistrictID, acc.ID, address); err != nil {
			return err
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.signedIn(ctx, token, &sess, acc, set)
}

// Session returns the live session of a cookie's token, or an error of kind Unauthenticated
// when there is none (unknown, signed out, expired, or the account disabled). It moves the
// session's idle expiry forward (store.TouchSession) unless it was seen within touchEvery; pass
// touch false for requests that must not count as activity (the page script asking how long
// remains).
func (s *Service) Session(ctx context.Context, token string, touch bool) (*SignedIn, error) {
	if token == "" {
		return nil, iep.ErrUnauthenticated
	}
	sess, err := s.db.GetSession(ctx, auth.HashToken(token))
	if iep.KindOf(err) == iep.KindNotFound {
		return nil, iep.ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	acc, err := s.db.GetAccount(ctx, sess.DistrictID, sess.AccountID)
	if err != nil {
		return nil, err
	}
	if touch && s.now().Sub(sess.LastSeenAt) >= touchEvery(sess.IdleTimeout) {
		if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, sess) }); err != nil {
			return nil, err
		}
	}
	// The district's settings matter on a request only to staff without a second factor
	// (whether the district requires one): spare everyone else the read.
	set := store.DefaultSettings(acc.DistrictID)
	if acc.Kind == store.AccountStaff && acc.TOTPSecret == "" {
		if set, err = s.db.GetSettings(ctx, acc.DistrictID); err != nil {
			return nil, err
		}
	}
	return s.signedIn(ctx, token, sess, acc, set)
}

// touchEvery is how stale a session's last-seen instant may get before a request records it
// again: a tenth of the idle timeout, at most a minute (one write a minute per active user).
func touchEvery(idle time.Duration) time.Duration { return min(time.Minute, idle/10) }

// signedIn builds the actor of an account and what its session still needs.
func (s *Service) signedIn(ctx context.Context, token string, sess *store.Session, acc *store.Account, set store.Settings) (*SignedIn, error) {
	si := &SignedIn{Token: token, Session: *sess, Account: *acc}
	if i18n.Supported(acc.Language) {
		si.Lang = acc.Language
	}
	a := Actor{ID: acc.SubjectID, DistrictID: acc.DistrictID, AccountID: acc.ID, Address: sess.Address}
	switch acc.Kind {
	case store.AccountStaff:
		st, err := s.db.GetStaff(ctx, acc.DistrictID, acc.SubjectID)
		if err != nil {
			return nil, err
		}
		a.Kind, a.Roles, a.SchoolIDs, si.Name = ActorStaff, st.Roles, st.SchoolIDs, st.Name()
		if st.HasRole(iep.RoleStateViewer) {
			// A state viewer sees every district's aggregates and nothing else (access.StateViewer).
			a = Actor{Kind: ActorStateViewer, ID: st.ID, AccountID: acc.ID, Address: sess.Address}
		}
		if !st.Active {
			return nil, iep.ErrUnauthenticated
		}
	case store.AccountGuardian:
		a.Kind = ActorGuardian
		if g, err := s.db.GetGuardian(ctx, acc.DistrictID, acc.SubjectID); err == nil {
			si.Name = g.Name()
			if si.Lang == "" && mailLanguage(g.PreferredLanguage) != i18n.Default {
				si.Lang = mailLanguage(g.PreferredLanguage)
			}
			if l := strings.ToLower(strings.TrimSpace(g.PreferredLanguage)); l != "" {
				l, _, _ = strings.Cut(l, "-")
				if i18n.DocumentSupported(l) && !i18n.Supported(l) {
					si.PrintLang = l
				}
			}
		} else if iep.KindOf(err) != iep.KindNotFound {
			return nil, err
		}
	case store.AccountStudent:
		a.Kind = ActorStudent
		if st, err := s.db.GetStudent(ctx, acc.DistrictID, acc.SubjectID); err == nil {
			si.Name = st.DisplayName()
		} else if iep.KindOf(err) != iep.KindNotFound {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("account %s: unknown kind %q", acc.ID, acc.Kind)
	}
	si.Actor = a
	switch {
	case acc.TOTPSecret != "" && !sess.MFAPassed:
		si.Pending = PendingTOTP
	case acc.Kind == store.AccountStaff && set.RequireStaffTOTP && acc.TOTPSecret == "" && !sess.MFAPassed:
		// A single sign-on session passed the identity provider's own second factor.
		si.Pending = PendingEnrol
	case acc.MustChangePassword:
		si.Pending = PendingReset
	}
	return si, nil
}

// SetLanguage records the language the signed-in person chose with the switch, so that their
// pages and e-mail follow it on every device; choosing the language already recorded writes
// nothing. Errors: invalid for a language without a catalog.
func (s *Service) SetLanguage(ctx context.Context, si *SignedIn, lang string) error {
	if !i18n.Supported(lang) {
		return iep.Problems{{Field: "lang", Code: iep.CodeChoice, Detail: strings.Join(i18n.Languages(), ", ")}}.Err()
	}
	if si.Account.Language == lang {
		return nil
	}
	by := store.AuditActor{Kind: string(si.Actor.Kind), ID: si.Actor.ID, Address: si.Actor.Address, Reason: "self"}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		return tx.SetAccountLanguage(ctx, si.Account.DistrictID, si.Account.ID, lang, by)
	})
	if err == nil {
		si.Account.Language, si.Lang = lang, lang
	}
	return err
}

// ExtendSession records activity on the session now (the user asked to stay signed in), which
// moves its idle expiry to now plus its idle timeout; it cannot move the absolute expiry.
func (s *Service) ExtendSession(ctx context.Context, si *SignedIn) error {
	return s.db.Write(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, &si.Session) })
}

// SignOut ends one session.
func (s *Service) SignOut(ctx context.Context, si *SignedIn) error {
	return s.db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, si.Session.TokenHash) })
}

// SignOutEverywhere ends every session of the account, this one included.
func (s *Service) SignOutEverywhere(ctx context.Context, si *SignedIn) error {
	by := store.AuditActor{Kind: string(si.Actor.Kind), ID: si.Actor.ID, Address: si.Actor.Address}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		return tx.DeleteAccountSessions(ctx, si.Account.DistrictID, si.Account.ID, by)
	})
}

// totpAAD binds a sealed TOTP secret to its account.
func totpAAD(accountID string) string { return "totp:" + accountID }

// enrolAAD binds a secret being enrolled (carried by the enrolment form) to its account.
func enrolAAD(accountID string) string { return "totp-enrol:" + accountID }

// VerifySecondFactor checks the TOTP code of a session pending it, and passes the session's
// second factor. A code is accepted once (a replayed code is refused, even by a concurrent
// request) and failures count toward the sign-in throttle of the account's e-mail.
func (s *Service) VerifySecondFactor(ctx context.Context, si *SignedIn, code string) error {
	if si.Pending != PendingTOTP {
		return nil
	}
	if err := s.throttled(ctx, si.Account.Email, si.Actor.Address); err != nil {
		return err
	}
	secret, err := s.sealer.Open(si.Account.TOTPSecret, totpAAD(si.Account.ID))
	if err != nil {
		return fmt.Errorf("account %s: open the TOTP secret: %w", si.Account.ID, err)
	}
	ok, step := auth.VerifyTOTP(secret, code, s.now(), si.Account.TOTPLastStep)
	if ok {
		err = s.db.Write(ctx, func(tx *store.Tx) error {
			used, err := tx.UseTOTPStep(ctx, si.Account.DistrictID, si.Account.ID, step)
			if err != nil || !used {
				ok = false // a code used already, perhaps by a concurrent request
				return err
			}
			return tx.PassSessionMFA(ctx, si.Session.TokenHash)
		})
		if err != nil {
			return err
		}
	}
	if !ok {
		err := s.db.Write(ctx, func(tx *store.Tx) error {
			return tx.RecordSignInFailure(ctx, si.Account.Email, si.Actor.Address)
		})
		if err != nil {
			return err
		}
		return ErrBadCode
	}
	si.Session.MFAPassed, si.Pending = true, PendingNone
	return nil
}

// TOTPEnrolment is a new authenticator being set up: the secret to show (as text and as an
// otpauth:// URI for a QR code) and the same secret sealed for the form to carry back with the
// first code, so that nothing is stored until the person proves their authenticator works.
type TOTPEnrolment struct {
	Secret string
	URI    string
	Sealed string
}

// BeginTOTP starts setting up two-factor sign-in for a signed-in staff member.
func (s *Service) BeginTOTP(ctx context.Context, si *SignedIn, issuer string) (*TOTPEnrolment, error) {
	if si.Account.Kind != store.AccountStaff {
		return nil, iep.ErrForbidden
	}
	secret := auth.NewTOTPSecret()
	sealed, err := s.sealer.Seal(secret, enrolAAD(si.Account.ID))
	if err != nil {
		return nil, err
	}
	return &TOTPEnrolment{Secret: secret, URI: auth.TOTPURI(secret, issuer, si.Account.Email), Sealed: sealed}, nil
}

// OpenEnrolment returns the enrolment a form carried back (its sealed secret), to show again
// after a wrong code.
func (s *Service) OpenEnrolment(si *SignedIn, sealed, issuer string) (*TOTPEnrolment, error) {
	secret, err := s.sealer.Open(sealed, enrolAAD(si.Account.ID))
	if err != nil || secret == "" {
		return nil, iep.Problems{{Field: "enrolment", Code: iep.CodeInvalid, Detail: "start again"}}.Err()
	}
	return &TOTPEnrolment{Secret: secret, URI: auth.TOTPURI(secret, issuer, si.Account.Email), Sealed: sealed}, nil
}

// ConfirmTOTP finishes the enrolment: the code must come from the new secret; then the secret
// is stored sealed (auth.Sealer, bound to the account), its step used, and this session's second
// factor passed. Every other session of the account is signed out.
func (s *Service) ConfirmTOTP(ctx context.Context, si *SignedIn, sealed, code string) error {
	if si.Account.Kind != store.AccountStaff {
		return iep.ErrForbidden
	}
	e, err := s.OpenEnrolment(si, sealed, "")
	if err != nil {
		return err
	}
	ok, step := auth.VerifyTOTP(e.Secret, code, s.now(), 0)
	if !ok {
		return ErrBadCode
	}
	stored, err := s.sealer.Seal(e.Secret, totpAAD(si.Account.ID))
	if err != nil {
		return err
	}
	by := store.AuditActor{Kind: string(si.Actor.Kind), ID: si.Actor.ID, Address: si.Actor.Address}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SetTOTP(ctx, si.Account.DistrictID, si.Account.ID, stored, by); err != nil {
			return err
		}
		if _, err := tx.UseTOTPStep(ctx, si.Account.DistrictID, si.Account.ID, step); err != nil {
			return err
		}
		return tx.PassSessionMFA(ctx, si.Session.TokenHash)
	})
	if err != nil {
		return err
	}
	si.Account.TOTPSecret, si.Session.MFAPassed, si.Pending = stored, true, PendingNone
	return nil
}
