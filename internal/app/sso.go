package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/sso"
	"github.com/openiep/openiep/internal/store"
)

// Single sign-on for staff (OpenID Connect, internal/sso). A sign-in is two requests:
// BeginSSO stores a pending flow and returns the provider's authorization URL; the provider
// sends the browser back to the callback, and CompleteSSO takes the flow, verifies the ID token
// and opens a session for the account the identity is linked to.
//
// The flow is bound to the browser that began it: BeginSSO returns a binding value that the
// web layer keeps in a cookie, and the flow is stored under the hash of the state and the
// binding together, so a callback that arrives in another browser (an attacker's code and state
// pasted into a victim's browser: login CSRF) finds nothing.
//
// An identity (provider + subject) is linked to one account. On its first sign-in it is linked
// to the enabled staff account of the provider's district whose e-mail is the identity's
// verified e-mail, when that e-mail's domain is one the provider lists; the link is audited
// ("link_identity") in the transaction that opens the session. From then on the subject alone
// finds the account (an e-mail may change or be given to someone else; the subject does not).
// Guardians and students never sign in this way. The identity provider does its own
// multi-factor authentication: a single sign-on session counts as having passed the second
// factor, also where the district requires TOTP of staff.

// WithSSOClient sets the client that talks to identity providers (tests may give one with
// their own HTTP client or clock). Without it, New makes one with sso.Options{}: the system
// clock, which ID tokens' expiry is about, whatever the service's clock says.
func WithSSOClient(c *sso.Client) Option { return func(svc *Service) { svc.sso = c } }

// SSOFlowTTL is how long a person has to sign in at the identity provider and come back.
const SSOFlowTTL = 10 * time.Minute

// SSOReason says why a single sign-on was refused; the web layer words it for the reader.
type SSOReason string

const (
	SSOUnavailable     SSOReason = "unavailable"      // the provider is unknown or disabled
	SSOWrongBrowser    SSOReason = "wrong_browser"    // the callback came without the browser's binding
	SSOExpired         SSOReason = "expired"          // no pending sign-in: unknown, used, expired or another browser's
	SSODenied          SSOReason = "denied"           // the person (or the provider) declined: access_denied
	SSOProviderError   SSOReason = "provider_error"   // the provider failed, or its answer did not check out
	SSONotVerified     SSOReason = "not_verified"     // the provider gave no verified e-mail address
	SSODomain          SSOReason = "domain"           // the e-mail's domain is not one the provider lists
	SSONoAccount       SSOReason = "no_account"       // no account of the provider's district has the e-mail
	SSONotStaff        SSOReason = "not_staff"        // the account is a family's or a student's
	SSODisabled        SSOReason = "disabled"         // the account is disabled or the staff member inactive
	SSOLinkedElsewhere SSOReason = "linked_elsewhere" // the account is linked to another user of the provider
)

// SSORefusal is a single sign-on that did not sign anyone in. It names ids only: fit for the
// log. Carry is what the flow carried (empty when no flow was found), so that a form being saved
// when the session ended is not lost. Its kind is Unauthenticated.
type SSORefusal struct {
	Reason     SSOReason
	DistrictID string // empty when no flow was found
	ProviderID string
	AccountID  string // the account concerned, when one is
	Detail     string // for the operator: the provider's error code, which check failed…
	Carry      string
}

func (e *SSORefusal) Error() string {
	msg := fmt.Sprintf("single sign-on refused (%s) with provider %s", e.Reason, e.ProviderID)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Unwrap gives iep.ErrUnauthenticated, so that iep.KindOf and errors.Is see the kind.
func (e *SSORefusal) Unwrap() error { return iep.ErrUnauthenticated }

// SSOChoice is an identity provider a sign-in page may offer.
type SSOChoice struct {
	DistrictID   string
	DistrictName string
	ProviderID   string
	Name         string // the provider's label, e.g. Google
}

// SSOOffered reports whether any district of the deployment offers single sign-on.
func (s *Service) SSOOffered(ctx context.Context) (bool, error) { return s.db.SSOProviderOffered(ctx) }

// SSOChoicesFor returns the enabled identity providers that sign in addresses of email's
// domain, in every district (a state deployment serves many), by district and name. Errors:
// invalid (field "email": empty, or not an address).
func (s *Service) SSOChoicesFor(ctx context.Context, email string) ([]SSOChoice, error) {
	email = store.NormalizeEmail(email)
	if email == "" {
		return nil, iep.Problems{{Field: "email", Code: iep.CodeRequired}}.Err()
	}
	at := strings.LastIndexByte(email, '@')
	if at < 1 || at == len(email)-1 || strings.ContainsAny(email, " \t\r\n") {
		return nil, iep.Problems{{Field: "email", Code: iep.CodeInvalid, Detail: "an e-mail address such as name@district.org"}}.Err()
	}
	ps, err := s.db.SSOProvidersForDomain(ctx, email[at+1:])
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	out := make([]SSOChoice, 0, len(ps))
	for _, p := range ps {
		if _, ok := names[p.DistrictID]; !ok {
			d, err := s.db.GetDistrict(ctx, p.DistrictID)
			if err != nil {
				return nil, err
			}
			names[p.DistrictID] = d.Name
		}
		out = append(out, SSOChoice{DistrictID: p.DistrictID, DistrictName: names[p.DistrictID], ProviderID: p.ID, Name: p.Name})
	}
	return out, nil
}

// SSOStart is what begins a single sign-on.
type SSOStart struct {
	DistrictID, ProviderID string
	// Carry is kept with the flow and given back by CompleteSSO: opaque here (the web layer's
	// form and where to go next), at most store.MaxSSOCarry bytes.
	Carry string
	// Binding is the browser's binding value from an earlier BeginSSO, if it has one: reusing
	// it lets two tabs sign in at once. Empty or malformed: a new one.
	Binding string
	// LoginHint is the e-mail address typed, passed on so that the provider can preselect the
	// account; may be empty.
	LoginHint string
	// Address is the network address the sign-on starts from (throttling).
	Address string
}

// MaxPendingSSOPerAddress is how many sign-ons one network address may have started and not
// finished within SSOFlowTTL: schools share addresses, but a person who signs in finishes the
// sign-on (the flow is then gone), so only abandoned ones count. Beyond it BeginSSO answers
// *ThrottledError until the oldest expires.
const MaxPendingSSOPerAddress = 50

// SSOBegun is a started single sign-on: send the browser to URL, and keep Binding in the
// browser (an HttpOnly cookie) until it comes back, at most until ExpiresAt.
type SSOBegun struct {
	URL          string
	Binding      string
	ProviderName string
	ExpiresAt    time.Time
}

// SSORedirectURI is where the provider sends the browser back: the deployment's public URL,
// never the request's Host. It must be registered with the provider.
func (s *Service) SSORedirectURI(providerID string) string {
	return s.publicURL + "/signin/sso/" + url.PathEscape(providerID) + "/callback"
}

// BeginSSO starts a single sign-on with a district's provider. Errors: *SSORefusal
// (SSOUnavailable: the provider is unknown or disabled; SSOProviderError: its discovery failed),
// invalid (a carry too large).
func (s *Service) BeginSSO(ctx context.Context, st SSOStart) (*SSOBegun, error) {
	if st.Address != "" {
		n, err := s.db.PendingSSOFlowsFrom(ctx, st.Address, s.now().Add(-SSOFlowTTL))
		if err != nil {
			return nil, err
		}
		if n >= MaxPendingSSOPerAddress {
			return nil, &ThrottledError{Wait: SSOFlowTTL}
		}
	}
	p, sp, err := s.ssoProvider(ctx, st.DistrictID, st.ProviderID)
	if err != nil {
		return nil, err
	}
	authURL, f, state, err := s.sso.Begin(ctx, sp, s.SSORedirectURI(p.ID))
	if err != nil {
		return nil, &SSORefusal{Reason: SSOProviderError, DistrictID: p.DistrictID, ProviderID: p.ID, Detail: err.Error(), Carry: st.Carry}
	}
	if hint := store.NormalizeEmail(st.LoginHint); hint != "" {
		authURL = withParam(authURL, "login_hint", hint)
	}
	binding := st.Binding
	if !wellFormedToken(binding) {
		binding, _ = auth.NewToken()
	}
	flow := store.SSOFlow{StateHash: flowKey(state, binding), DistrictID: p.DistrictID, ProviderID: p.ID,
		Nonce: f.Nonce, PKCEVerifier: f.PKCEVerifier, Carry: st.Carry, Address: st.Address, ExpiresAt: s.now().Add(SSOFlowTTL)}
	if err := s.db.Write(ctx, func(tx *store.Tx) error { return tx.CreateSSOFlow(ctx, &flow) }); err != nil {
		return nil, err
	}
	return &SSOBegun{URL: authURL, Binding: binding, ProviderName: p.Name, ExpiresAt: flow.ExpiresAt}, nil
}

// ssoProvider reads an enabled provider of a district and opens its client secret.
func (s *Service) ssoProvider(ctx context.Context, districtID, providerID string) (*store.SSOProvider, sso.Provider, error) {
	unavailable := &SSORefusal{Reason: SSOUnavailable, DistrictID: districtID, ProviderID: providerID}
	if districtID == "" || providerID == "" {
		return nil, sso.Provider{}, unavailable
	}
	p, err := s.db.GetSSOProvider(ctx, districtID, providerID)
	if iep.KindOf(err) == iep.KindNotFound {
		unavailable.Detail = "no such provider in the district"
		return nil, sso.Provider{}, unavailable
	}
	if err != nil {
		return nil, sso.Provider{}, err
	}
	if !p.Enabled {
		unavailable.Detail = "the provider is disabled"
		return nil, sso.Provider{}, unavailable
	}
	var secret string
	if p.ClientSecret != "" {
		if secret, err = s.sealer.Open(p.ClientSecret, "sso:"+p.ID); err != nil {
			return nil, sso.Provider{}, fmt.Errorf("identity provider %s: open the client secret: %w", p.ID, err)
		}
	}
	return p, sso.Provider{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: secret, Scopes: p.Scopes,
		EmailDomains: p.EmailDomains}, nil
}

// flowKey is what a pending flow is stored under: the hash of its state and of the binding of
// the browser that began it, so that only that browser, back with the state, finds it.
func flowKey(state, binding string) string { return sso.HashState(state + "." + binding) }

// wellFormedToken reports whether v looks like an auth.NewToken token (32 bytes, base64url).
func wellFormedToken(v string) bool {
	if len(v) != 43 {
		return false
	}
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// withParam adds a query parameter to a URL (left as it is when it does not parse).
func withParam(raw, key, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// SSOReturn is the browser coming back from the provider.
type SSOReturn struct {
	ProviderID  string // from the callback's path
	Code, State string
	Error       string // the provider's error parameter (access_denied…), if any
	Binding     string // from the browser's cookie
	Address     string
	UserAgent   string
}

// CompleteSSO finishes a single sign-on and opens a session (its second factor passed). It
// returns the session and what the flow carried. Every path takes the pending flow first, so a
// callback is used at most once. Errors: *SSORefusal (see SSOReason), or an internal error.
func (s *Service) CompleteSSO(ctx context.Context, r SSOReturn) (*SignedIn, string, error) {
	if r.Binding == "" {
		return nil, "", &SSORefusal{Reason: SSOWrongBrowser, ProviderID: r.ProviderID}
	}
	var flow *store.SSOFlow
	err := s.db.Write(ctx, func(tx *store.Tx) (err error) {
		flow, err = tx.TakeSSOFlow(ctx, flowKey(r.State, r.Binding))
		return err
	})
	if iep.KindOf(err) == iep.KindNotFound || err == nil && flow.ProviderID != r.ProviderID {
		return nil, "", &SSORefusal{Reason: SSOExpired, ProviderID: r.ProviderID}
	}
	if err != nil {
		return nil, "", err
	}
	refuse := func(reason SSOReason, detail string) *SSORefusal {
		return &SSORefusal{Reason: reason, DistrictID: flow.DistrictID, ProviderID: flow.ProviderID, Detail: detail, Carry: flow.Carry}
	}
	if r.Error != "" {
		if r.Error == "access_denied" {
			return nil, flow.Carry, refuse(SSODenied, "the provider answered access_denied")
		}
		return nil, flow.Carry, refuse(SSOProviderError, "the provider answered "+errorCode(r.Error))
	}
	p, sp, err := s.ssoProvider(ctx, flow.DistrictID, flow.ProviderID)
	if err != nil {
		var ref *SSORefusal
		if errors.As(err, &ref) {
			ref.Carry = flow.Carry
		}
		return nil, flow.Carry, err
	}
	id, err := s.sso.Complete(ctx, sp, sso.Flow{Nonce: flow.Nonce, PKCEVerifier: flow.PKCEVerifier}, s.SSORedirectURI(p.ID), r.Code)
	switch {
	case errors.Is(err, sso.ErrEmailMissing), errors.Is(err, sso.ErrEmailNotVerified):
		return nil, flow.Carry, refuse(SSONotVerified, err.Error())
	case errors.Is(err, sso.ErrDomainNotAllowed):
		return nil, flow.Carry, refuse(SSODomain, err.Error())
	case err != nil:
		return nil, flow.Carry, refuse(SSOProviderError, err.Error())
	}
	si, err := s.ssoSignIn(ctx, p, id, r)
	var ref *SSORefusal
	if errors.As(err, &ref) {
		ref.DistrictID, ref.ProviderID, ref.Carry = p.DistrictID, p.ID, flow.Carry
		if ref.AccountID != "" {
			err = s.auditSSORefusal(ctx, ref, r.Address)
		}
	}
	if err != nil {
		return nil, flow.Carry, err
	}
	return si, flow.Carry, nil
}

// errorCode keeps an OAuth error code fit for the log: letters, digits and underscores, at
// most 64 of them.
func errorCode(s string) string {
	var b strings.Builder
	for _, c := range s {
		if b.Len() == 64 {
			break
		}
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// ssoSignIn finds the account of a verified identity (by its link, or on first use by its
// e-mail, linking it) and opens its session. Errors: *SSORefusal (SSODomain, SSONoAccount,
// SSONotStaff, SSODisabled, SSOLinkedElsewhere; without district, provider and carry, which the
// caller adds).
func (s *Service) ssoSignIn(ctx context.Context, p *store.SSOProvider, id sso.Identity, r SSOReturn) (*SignedIn, error) {
	accountID, err := s.db.AccountIDByIdentity(ctx, p.DistrictID, p.ID, id.Subject)
	linked := err == nil
	if err != nil && iep.KindOf(err) != iep.KindNotFound {
		return nil, err
	}
	var acc *store.Account
	if linked {
		if acc, err = s.db.GetAccount(ctx, p.DistrictID, accountID); err != nil {
			return nil, err
		}
	} else if acc, err = s.accountByVerifiedEmail(ctx, p, id.Email); err != nil {
		return nil, err
	}
	if err := s.mayUseSSO(ctx, acc); err != nil {
		return nil, err
	}
	var link func(*store.Tx) error
	if !linked {
		link = func(tx *store.Tx) error {
			if err := tx.LinkIdentity(ctx, p.DistrictID, p.ID, id.Subject, acc.ID); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, &store.AuditEntry{DistrictID: acc.DistrictID, ActorKind: string(acc.Kind),
				ActorID: acc.SubjectID, Action: "link_identity", RecordKind: "account", RecordID: acc.ID,
				FromAddress: r.Address, Reason: "sso:" + p.ID})
		}
	}
	si, err := s.openSession(ctx, acc, r.Address, r.UserAgent, true, link)
	if iep.KindOf(err) != iep.KindConflict || linked {
		return si, err
	}
	// The link was refused: the same identity linked a moment ago by a concurrent sign-in (then
	// sign in by it), or the account already linked to another user of this provider (an
	// address that changed hands at the provider must not take over the account).
	if got, lerr := s.db.AccountIDByIdentity(ctx, p.DistrictID, p.ID, id.Subject); lerr == nil && got == acc.ID {
		return s.openSession(ctx, acc, r.Address, r.UserAgent, true, nil)
	}
	return nil, &SSORefusal{Reason: SSOLinkedElsewhere, AccountID: acc.ID,
		Detail: "the account is linked to another subject of this provider"}
}

// accountByVerifiedEmail finds the account an identity's first sign-in may be linked to: the
// account with its verified e-mail, in the provider's district, when the provider lists the
// e-mail's domain (a provider that lists none vouches for no domain, so it links nobody by
// address). Errors: *SSORefusal (SSODomain, SSONoAccount).
func (s *Service) accountByVerifiedEmail(ctx context.Context, p *store.SSOProvider, email string) (*store.Account, error) {
	at := strings.LastIndexByte(email, '@')
	listed := false
	for _, d := range p.EmailDomains {
		listed = listed || at >= 0 && d == email[at+1:]
	}
	if !listed {
		return nil, &SSORefusal{Reason: SSODomain, Detail: "the provider lists no domain of this address: it links no account by address"}
	}
	acc, err := s.db.GetAccountByEmail(ctx, email)
	if iep.KindOf(err) == iep.KindNotFound {
		return nil, &SSORefusal{Reason: SSONoAccount, Detail: "no account has this address"}
	}
	if err != nil {
		return nil, err
	}
	if acc.DistrictID != p.DistrictID {
		// Named in the log by id, but not audited in this district: the account is another's.
		return nil, &SSORefusal{Reason: SSONoAccount, Detail: "the account with this address is of district " + acc.DistrictID}
	}
	return acc, nil
}

// mayUseSSO refuses accounts that do not sign in by single sign-on: families' and students',
// disabled ones, and those of inactive staff. Errors: *SSORefusal.
func (s *Service) mayUseSSO(ctx context.Context, acc *store.Account) error {
	if acc.Kind != store.AccountStaff {
		return &SSORefusal{Reason: SSONotStaff, AccountID: acc.ID, Detail: "the account is of kind " + string(acc.Kind)}
	}
	if acc.Disabled() {
		return &SSORefusal{Reason: SSODisabled, AccountID: acc.ID, Detail: "the account is disabled"}
	}
	st, err := s.db.GetStaff(ctx, acc.DistrictID, acc.SubjectID)
	if err != nil {
		return err
	}
	if !st.Active {
		return &SSORefusal{Reason: SSODisabled, AccountID: acc.ID, Detail: "the staff member is inactive"}
	}
	return nil
}

// auditSSORefusal records a refusal that concerns an account of the provider's district in
// that district's audit trail (ids only; the reason code says why), and returns the refusal.
// Refusals that concern no account are only logged by the caller: anyone can make those.
func (s *Service) auditSSORefusal(ctx context.Context, ref *SSORefusal, address string) error {
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		return tx.AppendAudit(ctx, &store.AuditEntry{DistrictID: ref.DistrictID, ActorKind: string(ActorAnonymous),
			Action: "sign_in_refused", RecordKind: "account", RecordID: ref.AccountID, FromAddress: address,
			Reason: "sso:" + ref.ProviderID + " " + string(ref.Reason)})
	})
	if err != nil {
		return err
	}
	return ref
}
