package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/store"
)

// Housekeeping: the rows that only matter for a while (expired sessions, sign-in failures older
// than the throttling window, abandoned single sign-on attempts, e-mail whose outcome is old)
// are deleted on a schedule, so that the tables stay small and addresses are not kept longer
// than needed. The audit trail is never touched.

// MailRetention is how long a sent (or given-up) e-mail's row, with its address, is kept: long
// enough to answer "did the invitation go out?".
const MailRetention = 30 * 24 * time.Hour

// Cleaned counts what one Cleanup deleted.
type Cleaned struct {
	Sessions, SignInFailures, ResetRequests, SSOFlows, Mail int64
}

// Cleanup deletes what has outlived its use, each kind in its own short transaction. It is safe
// to run from several instances at once.
func (s *Service) Cleanup(ctx context.Context) (Cleaned, error) {
	now := s.now()
	var c Cleaned
	for _, step := range []struct {
		what string
		n    *int64
		del  func(tx *store.Tx) (int64, error)
	}{
		{"expired sessions", &c.Sessions, func(tx *store.Tx) (int64, error) { return tx.DeleteExpiredSessions(ctx, now) }},
		{"old sign-in failures", &c.SignInFailures, func(tx *store.Tx) (int64, error) {
			return tx.DeleteOldSignInFailures(ctx, now.Add(-auth.ThrottleWindow))
		}},
		{"old password reset requests", &c.ResetRequests, func(tx *store.Tx) (int64, error) {
			return tx.DeleteOldResetRequests(ctx, now.Add(-ResetWindow))
		}},
		{"expired single sign-on attempts", &c.SSOFlows, func(tx *store.Tx) (int64, error) { return tx.DeleteExpiredSSOFlows(ctx, now) }},
		{"old e-mail", &c.Mail, func(tx *store.Tx) (int64, error) { return tx.DeleteOldMail(ctx, now.Add(-MailRetention)) }},
	} {
		err := s.db.Write(ctx, func(tx *store.Tx) (err error) {
			*step.n, err = step.del(tx)
			return err
		})
		if err != nil {
			return c, fmt.Errorf("delete %s: %w", step.what, err)
		}
	}
	return c, nil
}

// RunCleanup runs Cleanup now and then every interval until ctx ends, logging counts (never
// content) and errors.
func (s *Service) RunCleanup(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		c, err := s.Cleanup(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.ErrorContext(ctx, "housekeeping failed", "err", err)
		case c != Cleaned{}:
			log.InfoContext(ctx, "housekeeping", "sessions", c.Sessions, "sign_in_failures", c.SignInFailures, "reset_requests", c.ResetRequests,
				"sso_flows", c.SSOFlows, "mail", c.Mail)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
