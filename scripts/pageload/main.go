// Command pageload measures the pages of a running openiep server: it signs in as one person,
// finds students, plans and meetings by following the links of the pages it reads, and requests
// every kind of page one at a time, many times, printing the whole answer's time (p50, p95, p99
// in ms) as a Markdown table for docs/performance.md. Staff see the staff pages; a parent or
// guardian (several e-mails, comma-separated, all with the same password) the family portal's.
//
//	go run ./scripts/pageload -base http://127.0.0.1:18081 -email cm@… -password … -n 200
//	go run ./scripts/pageload -base http://127.0.0.1:18081 -email parent@…,other@… -password … -n 200
//
// Requests go one at a time from the same machine, so the times are the server's work plus a
// loopback round trip. Every page view also writes its audit entry, as it must.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

func main() {
	base := flag.String("base", "http://127.0.0.1:8080", "the server's address")
	email := flag.String("email", "", "the e-mail of the person to sign in as")
	password := flag.String("password", "", "their password")
	n := flag.Int("n", 100, "requests per kind of page")
	flag.Parse()
	if err := run(*base, *email, *password, *n); err != nil {
		fmt.Fprintln(os.Stderr, "pageload:", err)
		os.Exit(1)
	}
}

type client struct {
	base string
	http *http.Client
}

func run(base, emails, password string, n int) error {
	if strings.Contains(emails, ",") {
		return runFamily(base, strings.Split(emails, ","), password, n)
	}
	c, home, err := signIn(base, emails, password)
	if err != nil {
		return err
	}
	if strings.Contains(home, "/family/") {
		return runFamily(base, []string{emails}, password, n)
	}
	district := first(`/districts/([^/"?]+)`, home)
	if district == "" {
		return fmt.Errorf("no district on the home page")
	}
	d := "/districts/" + district
	pages := map[string][]string{} // kind of page → paths to request in turn
	add := func(kind string, paths ...string) {
		for _, p := range paths {
			if p != "" && !slices.Contains(pages[kind], p) {
				pages[kind] = append(pages[kind], p)
			}
		}
	}
	add("district overview", d)
	for _, p := range []string{"/caseload", "/due", "/dashboard", "/admin/calendar", "/admin/banks/goals", "/banks/goals?q=read"} {
		if body, err := c.get(d + p); err == nil {
			add(strings.TrimPrefix(p, "/"), d+p)
			collect(body, d, add)
		}
	}
	add("find a student", d+"/students?q=a", d+"/students?q=mar", d+"/students?q=lee")
	collect(home, d, add)
	// Follow the students found to their plans and meetings.
	for _, s := range pages["student page"] {
		if len(pages["plan page"]) > 60 {
			break
		}
		if body, err := c.get(s); err == nil {
			collect(body, d, add)
		}
	}
	// Keep the pages this person may open (a plan of another school answers 403).
	kinds := make([]string, 0, len(pages))
	for k, paths := range pages {
		var open []string
		for _, p := range paths {
			if _, err := c.get(p); err == nil {
				open = append(open, p)
			}
		}
		if len(open) == 0 {
			fmt.Fprintf(os.Stderr, "pageload: no %s opens for this person\n", k)
			continue
		}
		pages[k] = open
		kinds = append(kinds, k)
	}
	return measure(kinds, func(string) *client { return c }, pages, n)
}

// signIn signs in as email and returns the client and the home page.
func signIn(base, email, password string) (*client, string, error) {
	jar, _ := cookiejar.New(nil)
	c := &client{base: strings.TrimRight(base, "/"), http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	res, err := c.http.PostForm(c.base+"/signin", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		return nil, "", err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, "", fmt.Errorf("sign in as %s: %s", email, res.Status)
	}
	home, err := c.get("/")
	return c, home, err
}

// runFamily measures the family portal's pages of every child of every guardian given: the
// child's home, each tab, and the plans, meetings, answer and concerns pages they link to.
func runFamily(base string, emails []string, password string, n int) error {
	pages := map[string][]string{}
	owner := map[string]*client{} // which guardian's session opens a path
	for _, email := range emails {
		c, home, err := signIn(base, strings.TrimSpace(email), password)
		if err != nil {
			return err
		}
		add := func(kind, path string) {
			if _, seen := owner[path]; seen || path == "" {
				return
			}
			if _, err := c.get(path); err != nil {
				return // not a page of this family now (a meeting already held, no plan to answer…)
			}
			owner[path] = c
			pages[kind] = append(pages[kind], path)
		}
		for _, child := range all(`href="(/districts/[^/"]+/family/[^/"?#]+)"`, home) {
			add("family: child's home", child)
			body, err := c.get(child)
			if err != nil {
				return err
			}
			for _, tab := range []string{"plan", "progress", "records", "rights", "glossary"} {
				add("family: "+tab, child+"/"+tab)
			}
			if plan, err := c.get(child + "/plan"); err == nil {
				body += plan
			}
			for _, m := range all(`href="(`+regexp.QuoteMeta(child)+`/[^"#?]+)`, body) {
				switch parts := strings.Split(strings.TrimPrefix(m, child+"/"), "/"); {
				case len(parts) == 2 && parts[0] == "meetings":
					add("family: meeting", m)
				case len(parts) == 2 && parts[0] == "plans":
					add("family: a plan", m)
					add("family: answer and sign", m+"/respond")
					add("family: concerns", m+"/concerns")
				}
			}
		}
	}
	kinds := make([]string, 0, len(pages))
	for k := range pages {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return measure(kinds, func(path string) *client { return owner[path] }, pages, n)
}

// measure requests each kind's pages in turn, n times a kind, and prints the table.
func measure(kinds []string, who func(path string) *client, pages map[string][]string, n int) error {
	fmt.Println("| page | different pages | requests | p50 | p95 | p99 | slowest |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for _, k := range kinds {
		var took []time.Duration
		paths := pages[k]
		for i := range n {
			path := paths[i%len(paths)]
			start := time.Now()
			if _, err := who(path).get(path); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		q := func(p float64) string {
			return fmt.Sprintf("%.1f", float64(took[int(p*float64(len(took)-1))].Microseconds())/1000)
		}
		fmt.Printf("| %s | %d | %d | %s | %s | %s | %s |\n", k, len(paths), n, q(.5), q(.95), q(.99), q(1))
	}
	return nil
}

// collect adds the pages a body links to, by kind.
func collect(body, d string, add func(kind string, paths ...string)) {
	for _, m := range all(`href="(`+regexp.QuoteMeta(d)+`/[^"#?]+)`, body) {
		rest := strings.TrimPrefix(m, d)
		switch parts := strings.Split(strings.Trim(rest, "/"), "/"); {
		case len(parts) == 2 && parts[0] == "students":
			add("student page", m)
		case len(parts) == 2 && parts[0] == "plans":
			add("plan page", m)
			add("plan print view", m+"/print")
			add("plan team", m+"/team")
			add("plan proposal", m+"/proposal")
			add("section history", m+"/sections/goals/history")
		case len(parts) == 2 && parts[0] == "meetings":
			add("meeting page", m)
		}
	}
}

func (c *client) get(path string) (string, error) {
	res, err := c.http.Get(c.base + path)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return string(b), nil
}

func first(pattern, s string) string {
	if m := regexp.MustCompile(pattern).FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

func all(pattern, s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}
