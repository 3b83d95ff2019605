package main

import (
	"context"
	"flag"
	"fmt"
	"sync"
	"time"

	"github.com/openiep/openiep/internal/mail"
	"github.com/openiep/openiep/internal/store"
)

// mailFlags are serve's flags for sending e-mail (invitations, password resets). The SMTP
// password is not a flag, which anyone on the machine could read in the process list: it comes
// from OPENIEP_SMTP_PASSWORD only.
type mailFlags struct {
	addr, user, tls, from *string
	toStdout              *bool
}

// mailInterval is how often the worker looks for due mail when the outbox had none.
const mailInterval = 3 * time.Second

// smtpPasswordEnv names the variable the SMTP password is read from.
const smtpPasswordEnv = "OPENIEP_SMTP_PASSWORD"

// addMailFlags defines the mail flags on fs.
func addMailFlags(fs *flag.FlagSet) *mailFlags {
	return &mailFlags{
		addr: fs.String("smtp-addr", "", "the SMTP relay that sends e-mail, HOST:PORT (e.g. smtp.district.org:587); empty: e-mail is not delivered"),
		user: fs.String("smtp-user", "", "the SMTP user name, with the password in "+smtpPasswordEnv+"; empty: no authentication"),
		tls: fs.String("smtp-tls", mail.TLSStartTLS, "how to reach the relay: "+mail.TLSStartTLS+" (upgrade when offered; required before a password is sent), "+
			mail.TLSImplicit+" (TLS from the start, usually port 465) or "+mail.TLSNone+" (only for a relay on this host or a trusted network)"),
		from: fs.String("mail-from", "", `the From of every e-mail, e.g. "Riverton IEPs <no-reply@riverton.k12.ma.us>"; needed with --smtp-addr`),
		toStdout: fs.Bool("mail-to-stdout", false, "without --smtp-addr: print each e-mail, one-time links included, to standard output "+
			"(for trying openiep; the default with --demo)"),
	}
}

// sender returns the Sender the flags ask for and a line for the operator, or nil when e-mail
// is not to be sent at all (it then waits in the outbox, to go out once openiep runs with an
// SMTP relay). Without --smtp-addr, e-mail is printed to standard output (never to the log,
// which must not hold addresses or links) when --mail-to-stdout or demo is set.
func (m *mailFlags) sender(e *env, demo bool) (mail.Sender, string, error) {
	password := e.getenv(smtpPasswordEnv)
	if *m.addr == "" {
		if *m.user != "" || password != "" {
			return nil, "", &usageError{"--smtp-user and " + smtpPasswordEnv + " need --smtp-addr"}
		}
		if *m.toStdout || demo {
			from := *m.from
			if from == "" {
				from = "openiep <no-reply@localhost>"
			}
			return &mail.LogSender{W: e.stdout, From: from},
				"E-mail is not being delivered (no --smtp-addr): each e-mail, one-time links included, is printed here instead.", nil
		}
		return nil, "E-mail is not being delivered: no --smtp-addr was given. Invitations and password-reset links " +
			"wait in the outbox and go out once openiep runs with --smtp-addr.", nil
	}
	if *m.from == "" {
		return nil, "", &usageError{"--smtp-addr needs --mail-from, the address e-mail is sent from"}
	}
	s, err := mail.NewSMTP(mail.Config{Addr: *m.addr, Username: *m.user, Password: password, From: *m.from, TLS: *m.tls})
	if err != nil {
		return nil, "", &usageError{err.Error()}
	}
	return s, fmt.Sprintf("E-mail goes out through %s.", *m.addr), nil
}

// startMail starts the mail worker in the background, sending the outbox's mail until ctx ends
// or stop is called; stop waits for it to finish. It prints one line saying where e-mail goes.
func startMail(ctx context.Context, e *env, db *store.DB, m *mailFlags, demo bool) (stop func(), err error) {
	sender, line, err := m.sender(e, demo)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(e.stdout, line)
	if sender == nil {
		return func() {}, nil
	}
	// A person waits at the screen for a reset link: look for due mail every few seconds (one
	// indexed query), not the worker's default half-minute.
	w := &mail.Worker{DB: db, Sender: sender, From: *m.from, Log: e.log, Interval: mailInterval}
	if _, ok := sender.(*mail.LogSender); ok {
		w.From = "" // the LogSender's own
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := w.Run(ctx); err != nil {
			e.log.Error("mail: worker stopped", "err", err)
		}
	})
	return func() { cancel(); wg.Wait() }, nil
}
