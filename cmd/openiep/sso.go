package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

const ssoSummary = "Manage the identity providers (OpenID Connect single sign-on) staff may sign in with.\n\n" +
	"  openiep sso add --name Google --issuer URL --client-id ID [--email-domains a.org,b.org] [--scopes …] [--district ID] < secret\n" +
	"  openiep sso list [--district ID]\n" +
	"  openiep sso disable --id ID [--district ID]\n" +
	"  openiep sso enable --id ID [--district ID]"

// runSSO dispatches to sso add, list, disable and enable.
func runSSO(ctx context.Context, e *env, args []string) error {
	sub, err := subcommand(e, "sso", ssoSummary, args, "add", "list", "disable", "enable")
	if sub == "" {
		return err
	}
	switch sub {
	case "add":
		return runSSOAdd(ctx, e, args[1:])
	case "list":
		return runSSOList(ctx, e, args[1:])
	case "disable":
		return runSSOEnable(ctx, e, args[1:], false)
	case "enable":
		return runSSOEnable(ctx, e, args[1:], true)
	}
	return nil
}

func runSSOAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sso add", "Add an OpenID Connect identity provider to a district, enabled. The client secret is\n"+
		"read from the first line of standard input (never a flag: flags show in the process list) and\n"+
		"stored sealed with the deployment's secret key (OPENIEP_SECRET_KEY, OPENIEP_SECRET_KEY_FILE,\n"+
		"or for SQLite the file beside the database).")
	dsn := fs.String("db", defaultDB, dbUsage())
	district := fs.String("district", "", "the district's id (may be left out when the database has one district)")
	name := fs.String("name", "", "the label of the sign-in button, e.g. Google")
	issuer := fs.String("issuer", "", "the provider's issuer URL, e.g. https://accounts.google.com")
	clientID := fs.String("client-id", "", "the client id the provider issued for openiep")
	domains := fs.String("email-domains", "", "comma-separated e-mail domains of the district's staff: only staff accounts with an e-mail of these domains can sign in (required)")
	publicURL := fs.String("public-url", "", "the address people reach openiep at (serve --public-url), to print the redirect address to register with the provider")
	scopes := fs.String("scopes", "", "comma-separated scopes to request (default: openid, email, profile)")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	if *name == "" || *issuer == "" || *clientID == "" || len(splitList(*domains)) == 0 {
		return &usageError{"sso add needs --name, --issuer, --client-id and --email-domains, and the client secret on standard input"}
	}
	secret, err := readSecret(e.stdin)
	if err != nil {
		return err
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
	sealer, err := auth.LoadSealer(e.getenv, *dsn)
	if err != nil {
		return fmt.Errorf("the secret key to seal the client secret with: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	p := store.SSOProvider{DistrictID: d.ID, ID: id.String(), Name: *name, Issuer: *issuer, ClientID: *clientID,
		Scopes: splitList(*scopes), EmailDomains: splitList(*domains), Enabled: true}
	if p.ClientSecret, err = sealer.Seal(secret, "sso:"+p.ID); err != nil {
		return fmt.Errorf("seal the client secret: %w", err)
	}
	err = db.Write(ctx, func(tx *store.Tx) error { return tx.CreateSSOProvider(ctx, &p) })
	if iep.KindOf(err) == iep.KindConflict {
		return fmt.Errorf("district %s already has an identity provider named %q", d.ID, strings.TrimSpace(*name))
	}
	if err != nil {
		return fmt.Errorf("add the identity provider: %w", err)
	}
	fmt.Fprintf(e.stdout, "Added identity provider %s (id %s) to district %s, enabled.\n", p.Name, p.ID, d.ID)
	base := strings.TrimRight(*publicURL, "/")
	if base == "" {
		base = "https://<openiep's address>"
	}
	fmt.Fprintf(e.stdout, "Register this redirect address with the provider: %s/signin/sso/%s/callback\n", base, p.ID)
	return nil
}

// readSecret reads the first line of r, without its line ending; it must not be empty.
func readSecret(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the client secret from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if strings.TrimSpace(line) == "" {
		return "", &usageError{"sso add reads the client secret from standard input, which is empty"}
	}
	return line, nil
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func runSSOList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sso list", "List a district's identity providers: id, name, issuer, client id, allowed domains and\n"+
		"status. Client secrets are never printed.")
	dsn := fs.String("db", defaultDB, dbUsage())
	district := fs.String("district", "", "the district's id (may be left out when the database has one district)")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
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
	ps, err := db.ListSSOProviders(ctx, d.ID)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tISSUER\tCLIENT ID\tEMAIL DOMAINS\tSTATUS")
	for _, p := range ps {
		domains := strings.Join(p.EmailDomains, ",")
		if domains == "" {
			domains = "any"
		}
		status := "enabled"
		if !p.Enabled {
			status = "disabled"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Issuer, p.ClientID, domains, status)
	}
	return w.Flush()
}

// runSSOEnable turns an identity provider's sign-in on or off.
func runSSOEnable(ctx context.Context, e *env, args []string, enabled bool) error {
	verb := map[bool]string{true: "enable", false: "disable"}[enabled]
	summary := "Stop offering sign-in with an identity provider. Its settings and the accounts linked to it are\n" +
		"kept; 'openiep sso enable' turns it back on."
	if enabled {
		summary = "Offer sign-in with a disabled identity provider again."
	}
	fs := newFlags(e, "sso "+verb, summary)
	dsn := fs.String("db", defaultDB, dbUsage())
	district := fs.String("district", "", "the district's id (may be left out when the database has one district)")
	id := fs.String("id", "", "the identity provider's id (see 'openiep sso list')")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	if *id == "" {
		return &usageError{"sso " + verb + " needs --id"}
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
	err = db.Write(ctx, func(tx *store.Tx) error { return tx.SetSSOProviderEnabled(ctx, d.ID, *id, enabled) })
	if iep.KindOf(err) == iep.KindNotFound {
		return fmt.Errorf("district %s has no identity provider %q", d.ID, *id)
	}
	if err != nil {
		return fmt.Errorf("%s the identity provider: %w", verb, err)
	}
	fmt.Fprintf(e.stdout, "%sd identity provider %s of district %s.\n", strings.ToUpper(verb[:1])+verb[1:], *id, d.ID)
	return nil
}
