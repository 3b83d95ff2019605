package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// cliActor is who the audit trail names for changes made on the command line.
var cliActor = store.AuditActor{Kind: "system", ID: "cli"}

const userSummary = "Manage the accounts people sign in with.\n\n" +
	"  openiep user add --email E --first F --last L --role administrator[,role…] [--district ID] [--password-stdin]\n" +
	"  openiep user list [--district ID]\n" +
	"  openiep user disable --email E"

// runUser dispatches to user add, list and disable.
func runUser(ctx context.Context, e *env, args []string) error {
	sub, err := subcommand(e, "user", userSummary, args, "add", "list", "disable")
	if sub == "" {
		return err
	}
	switch sub {
	case "add":
		return runUserAdd(ctx, e, args[1:])
	case "list":
		return runUserList(ctx, e, args[1:])
	case "disable":
		return runUserDisable(ctx, e, args[1:])
	}
	return nil
}

func runUserAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user add", "Create a staff member and their account in one step: the first administrator of a\n"+
		"district, for example. Prints a one-time password, to be changed at first sign-in, unless\n"+
		"--password-stdin reads the password from standard input.")
	dsn := fs.String("db", defaultDB, dbUsage())
	district := fs.String("district", "", "the district's id (may be left out when the database has one district)")
	email := fs.String("email", "", "the e-mail address they sign in with")
	first := fs.String("first", "", "first name")
	last := fs.String("last", "", "last name")
	roles := fs.String("role", "", "roles, comma-separated: "+joinRoles(iep.StaffRoles))
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	if *email == "" || *first == "" || *last == "" || *roles == "" {
		return &usageError{"user add needs --email, --first, --last and --role"}
	}
	password, oneTime := auth.GeneratePassword(20), true
	if *fromStdin {
		p, err := readPassword(e.stdin)
		if err != nil {
			return err
		}
		password, oneTime = p, false
	}
	if err := auth.CheckPassword(password, *email); err != nil {
		return fmt.Errorf("the password is too weak: %w", err)
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := pickDistrict(ctx, db, *district)
	if err != nil {
		return err
	}
	st := iep.Staff{DistrictID: d.ID, FirstName: *first, LastName: *last, Email: strings.TrimSpace(*email), Active: true}
	for _, r := range strings.Split(*roles, ",") {
		st.Roles = append(st.Roles, iep.StaffRole(strings.TrimSpace(r)))
	}
	acct := store.Account{DistrictID: d.ID, Kind: store.AccountStaff, Email: *email,
		PasswordHash: auth.HashPassword(password, auth.DefaultParams), MustChangePassword: oneTime}
	err = db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateStaff(ctx, &st); err != nil {
			return err
		}
		acct.SubjectID = st.ID
		return tx.CreateAccount(ctx, &acct, cliActor)
	})
	if iep.KindOf(err) == iep.KindConflict {
		return fmt.Errorf("an account with the e-mail %s already exists", store.NormalizeEmail(*email))
	}
	if err != nil {
		return fmt.Errorf("add the user: %w", err)
	}
	fmt.Fprintf(e.stdout, "Added %s (staff %s, account %s) to district %s.\n", acct.Email, st.ID, acct.ID, d.ID)
	if oneTime {
		fmt.Fprintf(e.stdout, "One-time password: %s\nIt must be changed at the first sign-in. It is not shown again.\n", password)
	}
	return nil
}

// readPassword reads the first line of r, without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", &usageError{"--password-stdin: standard input is empty"}
	}
	return line, nil
}

// pickDistrict returns the district named by id, or the only one when id is empty.
func pickDistrict(ctx context.Context, db *store.DB, id string) (*iep.District, error) {
	if id != "" {
		d, err := db.GetDistrict(ctx, id)
		if iep.KindOf(err) == iep.KindNotFound {
			return nil, fmt.Errorf("unknown district %q", id)
		}
		return d, err
	}
	ds, err := db.ListDistricts(ctx)
	if err != nil {
		return nil, err
	}
	switch len(ds) {
	case 0:
		return nil, fmt.Errorf("the database has no district yet")
	case 1:
		return &ds[0], nil
	}
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	return nil, &usageError{"the database has several districts; name one with --district: " + strings.Join(ids, ", ")}
}

func joinRoles(rs []iep.StaffRole) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func runUserList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user list", "List the accounts: id, e-mail, kind, roles and status.")
	dsn := fs.String("db", defaultDB, dbUsage())
	district := fs.String("district", "", "only this district's accounts (default: every district)")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var ds []iep.District
	if *district != "" {
		d, err := pickDistrict(ctx, db, *district)
		if err != nil {
			return err
		}
		ds = []iep.District{*d}
	} else if ds, err = db.ListDistricts(ctx); err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "DISTRICT\tID\tEMAIL\tKIND\tROLES\tSTATUS")
	for _, d := range ds {
		if err := listDistrictAccounts(ctx, w, db, d.ID); err != nil {
			return err
		}
	}
	return w.Flush()
}

// listDistrictAccounts writes one line per account of the district; staff show their roles.
// Names are never printed (a student's account would show a student's name).
func listDistrictAccounts(ctx context.Context, w io.Writer, db *store.DB, districtID string) error {
	accts, err := db.ListAccounts(ctx, districtID)
	if err != nil {
		return err
	}
	staff, err := db.ListStaff(ctx, districtID)
	if err != nil {
		return err
	}
	for _, a := range accts {
		roles := "-"
		if i := slices.IndexFunc(staff, func(s iep.Staff) bool { return s.ID == a.SubjectID }); i >= 0 && a.Kind == store.AccountStaff {
			roles = joinRoles(staff[i].Roles)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", districtID, a.ID, a.Email, a.Kind, roles, accountStatus(&a))
	}
	return nil
}

func accountStatus(a *store.Account) string {
	switch {
	case a.Disabled():
		return "disabled"
	case a.PasswordHash == "":
		return "invited"
	case a.MustChangePassword:
		return "must change password"
	}
	return "active"
}

func runUserDisable(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user disable", "Disable an account and end its sessions. Its history is kept.")
	dsn := fs.String("db", defaultDB, dbUsage())
	email := fs.String("email", "", "the account's e-mail address")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	if *email == "" {
		return &usageError{"user disable needs --email"}
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.GetAccountByEmail(ctx, *email)
	if iep.KindOf(err) == iep.KindNotFound {
		return fmt.Errorf("no account has the e-mail %s", store.NormalizeEmail(*email))
	}
	if err != nil {
		return err
	}
	err = db.Write(ctx, func(tx *store.Tx) error { return tx.DisableAccount(ctx, a.DistrictID, a.ID, cliActor) })
	if err != nil {
		return fmt.Errorf("disable the account: %w", err)
	}
	fmt.Fprintf(e.stdout, "Disabled account %s (%s); its sessions are ended.\n", a.ID, a.Email)
	return nil
}
