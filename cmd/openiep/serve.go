package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"text/tabwriter"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/demo"
	"github.com/openiep/openiep/internal/pdf"
	"github.com/openiep/openiep/internal/store"
	"github.com/openiep/openiep/internal/web"
)

const defaultDB = "openiep.db"

func dbUsage() string {
	return "database: a SQLite file path, or a postgres:// URL"
}

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve", "Serve the staff application, the family portal and the JSON API.")
	dsn := fs.String("db", defaultDB, dbUsage())
	addr := fs.String("addr", "localhost:8080", "address to listen on, HOST:PORT (port 0 picks a free one)")
	withDemo := fs.Bool("demo", false, "when the database is empty, fill it with a generated demo district first")
	students := fs.Int("demo-students", 2000, "with --demo: how many students the demo district has")
	seed := fs.Int64("demo-seed", 1, "with --demo: the seed of the generated data")
	publicURL := fs.String("public-url", "", "the address people reach openiep at, e.g. https://iep.example.org (links in e-mail start with it); empty: http:// and the listening address")
	secureCookies := fs.Bool("secure-cookies", false, "mark the session cookie Secure on plain HTTP too (TLS ends at a proxy in front)")
	chromium := fs.String("chromium", "", "the Chromium that prints PDF documents (empty: chromium on the PATH); without one the documents' HTML views still work")
	mailOpts := addMailFlags(fs)
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	generated := false
	if *withDemo {
		if generated, err = seedDemo(ctx, e, db, *students, *seed); err != nil {
			return err
		}
	}

	sealer, err := auth.LoadSealer(e.getenv, *dsn)
	if err != nil {
		return err
	}
	stopMail, err := startMail(ctx, e, db, mailOpts, *withDemo)
	if err != nil {
		return err
	}
	defer stopMail()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	defer ln.Close()
	if *publicURL == "" {
		*publicURL = "http://" + displayAddr(ln.Addr())
	}
	svc := app.New(db, now, app.WithSealer(sealer), app.WithPublicURL(*publicURL))
	if generated {
		// The generated ledgers were written before the service (and its clocks) existed.
		if err := recomputeAll(ctx, e, db, svc); err != nil {
			return err
		}
	}
	docs := pdf.New(pdf.Options{ExecPath: *chromium, Log: e.log})
	defer docs.Close()
	if err := docs.Available(); err != nil {
		e.log.Warn("PDF documents are off", "err", err)
	}
	handler, err := web.New(svc, web.Options{Logger: e.log, SecureCookies: *secureCookies, Documents: docs})
	if err != nil {
		return fmt.Errorf("build the web application: %w", err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	fmt.Fprintf(e.stdout, "openiep is serving at http://%s/\n", displayAddr(ln.Addr()))
	e.log.Info("serving", "addr", ln.Addr().String(), "engine", db.Engine(), "version", version())
	// Housekeeping (expired sessions, old sign-in failures and mail) every hour until shutdown.
	housekeeping, stopHousekeeping := context.WithCancel(ctx)
	defer stopHousekeeping()
	go svc.RunCleanup(housekeeping, time.Hour, e.log)
	go svc.RunDigests(housekeeping, 15*time.Minute, e.log) // "what is due", daily, to case managers

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Finish requests in flight; give up after 20 seconds.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	e.log.Info("stopped")
	return nil
}

// displayAddr turns a listener address into one a person can open: the unspecified address
// becomes localhost.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || tcp.IP == nil || tcp.IP.IsUnspecified() {
		if ok {
			return fmt.Sprintf("localhost:%d", tcp.Port)
		}
		return a.String()
	}
	return tcp.String()
}

func now() time.Time { return time.Now().UTC() }

func openStore(ctx context.Context, dsn string) (*store.DB, error) {
	if dsn == "" {
		return nil, &usageError{"--db is empty: give a SQLite file path or a postgres:// URL"}
	}
	db, err := store.Open(ctx, dsn, store.Options{Now: now})
	if err != nil {
		return nil, fmt.Errorf("open the database: %w", err)
	}
	return db, nil
}

// seedDemo generates the demo district into an empty database and prints one demo person per
// role, and reports whether it did. A database that already has data is left as it is.
func seedDemo(ctx context.Context, e *env, db *store.DB, students int, seed int64) (generated bool, err error) {
	empty, err := demo.Empty(ctx, db)
	if err != nil {
		return false, err
	}
	if !empty {
		fmt.Fprintln(e.stdout, "The database already has data, so no demo district was generated; "+
			"its demo people were listed when it was. To start afresh, remove the database file.")
		return false, nil
	}
	fmt.Fprintf(e.stdout, "Generating a demo district with %d students…\n", students)
	res, err := demo.Generate(ctx, db, demo.Config{
		Students: students, Seed: seed, Today: date.Of(time.Now()), Progress: e.stdout,
	})
	if err != nil {
		return false, fmt.Errorf("generate the demo district: %w", err)
	}
	password, err := demoAccounts(ctx, db, res)
	if err != nil {
		return false, err
	}
	printSignIns(e, res)
	if password != "" {
		fmt.Fprintf(e.stdout, "Each demo person signs in with their e-mail address and this password: %s\n", password)
		fmt.Fprintln(e.stdout, "(A demo convenience: real accounts are invited by e-mail and choose their own.)")
	}
	return true, nil
}

// demoAccounts gives every demo person an account with one freshly generated password, and
// returns it.
func demoAccounts(ctx context.Context, db *store.DB, res *demo.Result) (string, error) {
	if len(res.SignIns) == 0 {
		return "", nil
	}
	password := auth.GeneratePassword(16)
	hash := auth.HashPassword(password, auth.DefaultParams)
	err := db.Write(ctx, func(tx *store.Tx) error {
		made := map[string]bool{} // one person may be the demo of several roles
		for _, si := range res.SignIns {
			a := &store.Account{DistrictID: res.DistrictID, Email: si.Email, PasswordHash: hash}
			switch {
			case si.StaffID != "":
				a.Kind, a.SubjectID = store.AccountStaff, si.StaffID
			case si.GuardianID != "":
				a.Kind, a.SubjectID = store.AccountGuardian, si.GuardianID
			case si.StudentID != "":
				a.Kind, a.SubjectID = store.AccountStudent, si.StudentID
			default:
				continue
			}
			if si.Email == "" || made[a.SubjectID] {
				continue
			}
			made[a.SubjectID] = true
			if err := tx.CreateAccount(ctx, a, store.AuditActor{Kind: "system", ID: "demo"}); err != nil {
				return fmt.Errorf("demo account for %s: %w", si.Role, err)
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return password, nil
}

func printSignIns(e *env, res *demo.Result) {
	fmt.Fprintf(e.stdout, "Demo district ready: %d students, %d with special-education records, %d staff (%s).\n",
		res.Students, res.WithPlans, res.Staff, res.Elapsed.Round(time.Millisecond))
	if len(res.SignIns) == 0 {
		return
	}
	fmt.Fprintln(e.stdout, "Demo people, one per role:")
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, s := range res.SignIns {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", s.Role, s.Name, s.Email)
	}
	tw.Flush()
}

// recomputeAll recomputes every district's deadlines from their ledgers.
func recomputeAll(ctx context.Context, e *env, db *store.DB, svc *app.Service) error {
	districts, err := db.ListDistricts(ctx)
	if err != nil {
		return err
	}
	for _, d := range districts {
		n, err := svc.RecomputeDistrict(ctx, d.ID)
		if err != nil {
			return fmt.Errorf("compute the deadlines of district %s: %w", d.ID, err)
		}
		e.log.Info("deadlines computed", "district", d.ID, "students", n)
	}
	return nil
}
