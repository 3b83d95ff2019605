package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
)

// usageError is a mistake in how the command was called; it exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var u *usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// env is the process environment, injected so that tests never touch the real one.
type env struct {
	getenv func(string) string
	stdin  io.Reader // read by commands that take a secret on standard input
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the staff application, the family portal and the API", runServe},
		{"migrate", "create or upgrade the database schema", runMigrate},
		{"demo", "fill the database with a generated demo district", runDemo},
		{"user", "add, list or disable the accounts people sign in with", runUser},
		{"sso", "manage the identity providers staff sign in with", runSSO},
		{"verify", "check the audit trail and the frozen plan versions for tampering", runVerify},
		{"schoolday", "add or count school, business and calendar days on a district calendar", runSchoolday},
		{"rules", "list a district's deadline rules, or give it its own amount for one", runRules},
		{"version", "print the version", runVersion},
	}
}

// run is the whole program: main only calls it. args[0] is the program name.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr,
		log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(getenv("OPENIEP_LOG_LEVEL"))}))}
	if len(args) < 2 {
		printHelp(stderr)
		return &usageError{"no command given"}
	}
	name, rest := args[1], args[2:]
	switch name {
	case "help", "-h", "-help", "--help":
		printHelp(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, rest)
		}
	}
	printHelp(stderr)
	return &usageError{fmt.Sprintf("unknown command %q", name)}
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "openiep: Individualized Education Programs, end to end.")
	fmt.Fprintln(w, "\nUsage: openiep COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'openiep COMMAND --help' for a command's flags. Every flag can also be set")
	fmt.Fprintln(w, "with an environment variable: --db is OPENIEP_DB, --addr is OPENIEP_ADDR, and so on.")
}

func logLevel(s string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// newFlags returns a flag set for a subcommand whose usage lists its flags and their
// environment variables.
func newFlags(e *env, name, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "Usage: openiep %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.VisitAll(func(f *flag.Flag) {
			def := ""
			if f.DefValue != "" && f.DefValue != "false" {
				def = fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(out, "  --%s\n      %s%s [env %s]\n", f.Name, f.Usage, def, envName(f.Name))
		})
	}
	return fs
}

func envName(flagName string) string {
	return "OPENIEP_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args, then fills every flag not given on the command line from its
// OPENIEP_* environment variable. --help prints the usage to stdout and returns errHelp.
func parseFlags(e *env, fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return errHelp
		}
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("%s takes no arguments, got %q", fs.Name(), fs.Args())}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	for _, n := range names {
		if given[n] {
			continue
		}
		if v := e.getenv(envName(n)); v != "" {
			if err := fs.Set(n, v); err != nil {
				return &usageError{fmt.Sprintf("%s=%q: %v", envName(n), v, err)}
			}
		}
	}
	return nil
}

// errHelp means the user asked for help, which was printed; the command exits 0.
var errHelp = errors.New("help requested")

// helpOK turns errHelp into success.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// Version is set at build time with -ldflags "-X main.Version=v1.2.3"; otherwise it comes
// from the module and VCS information Go embeds.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
	}
	return v
}

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "version", "Print the version of openiep.")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	fmt.Fprintln(e.stdout, "openiep", version())
	return nil
}

// subcommand reads the subcommand of a command that has several (user add, sso list…): none,
// or a flag first, shows the command's help (--help) or says one is needed; an unknown one is
// a usage error. It returns "" with the error (nil after --help) when there is nothing to run.
func subcommand(e *env, name, summary string, args []string, subs ...string) (string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs := newFlags(e, name, summary)
		if err := parseFlags(e, fs, args); err != nil {
			return "", helpOK(err)
		}
		list := strings.Join(subs[:len(subs)-1], ", ") + " or " + subs[len(subs)-1]
		return "", &usageError{fmt.Sprintf("%s needs a subcommand: %s", name, list)}
	}
	if !slices.Contains(subs, args[0]) {
		return "", &usageError{fmt.Sprintf("unknown %s subcommand %q (%s)", name, args[0], strings.Join(subs, ", "))}
	}
	return args[0], nil
}
