package web

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/store"
)

// outcome is what one actor gets from one route: an HTTP status, and for 303 whether it is the
// way to the sign-in page.
type outcome int

const (
	ok          outcome = 200
	redirect    outcome = 303 // somewhere other than the sign-in page
	toSignIn    outcome = 1303
	bad         outcome = 400
	signInAgain outcome = 401 // the sign-in page (a POST without a session, or wrong credentials)
	forbidden   outcome = 403
	hidden      outcome = 404 // not found: the actor must not learn the record exists
	conflict    outcome = 409 // allowed, but not a step the record can take now
)

// every gives the same outcome to every signed-in actor and another to the anonymous one.
func every(anonymous, signedIn outcome) map[string]outcome {
	m := map[string]outcome{}
	for _, a := range actorKinds {
		m[a] = signedIn
	}
	m[asAnonymous] = anonymous
	return m
}

// with changes some actors' outcomes of a row.
func with(m map[string]outcome, pairs ...any) map[string]outcome {
	out := map[string]outcome{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		out[pairs[i].(string)] = pairs[i+1].(outcome)
	}
	return out
}

// matrix is the expected outcome of every route for every kind of actor. The student is Mia
// (Riverside High; Rosa holds the rights, her father does not; Dana is her case manager). A
// route registered in routes() without a row here fails the test, so a new page cannot ship
// without someone deciding who may open it.
func matrix(w *world) (map[string]map[string]outcome, map[string]string) {
	family := []any{asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden}
	rows := map[string]map[string]outcome{
		"GET /{$}": every(toSignIn, ok),
		"GET /districts/{district}": with(every(toSignIn, ok), append(family,
			asOtherDistrict, hidden)...),
		"GET /districts/{district}/students/{student}": with(every(toSignIn, ok),
			asOtherGuardian, hidden, asNoRights, hidden, asOtherSchool, forbidden,
			asStateViewer, hidden, asOtherDistrict, hidden),

		"GET /signin":              every(ok, redirect),
		"POST /signin":             every(signInAgain, signInAgain),
		"GET /signin/code":         every(toSignIn, redirect),
		"POST /signin/code":        every(signInAgain, redirect),
		"POST /signout":            every(signInAgain, redirect),
		"POST /signout/everywhere": every(signInAgain, redirect),
		"GET /session/status":      every(ok, ok),
		"POST /session/extend":     every(ok, redirect),
		"GET /account":             every(toSignIn, ok),
		"GET /account/two-factor": with(every(toSignIn, ok),
			asGuardian, forbidden, asOtherGuardian, forbidden, asNoRights, forbidden),
		"POST /account/two-factor": with(every(signInAgain, bad),
			asGuardian, forbidden, asOtherGuardian, forbidden, asNoRights, forbidden),

		"GET /healthz":       every(ok, ok),
		"GET /static/{name}": every(ok, ok),
		"/":                  every(hidden, hidden),
	}
	params := map[string]string{"district": w.district, "student": w.mia}
	for _, part := range matrixParts {
		more, ps := part(w)
		for p, row := range more {
			if rows[p] != nil {
				panic("two matrix rows for " + p)
			}
			rows[p] = row
		}
		maps.Copy(params, ps)
	}
	return rows, params
}

// matrixParts add the rows of one feature's routes to the matrix (in that feature's test file,
// from an init function), with the values of the path parameters those routes name; they may
// seed what the routes need into the world first.
var matrixParts []func(w *world) (rows map[string]map[string]outcome, params map[string]string)

// TestAuthorizationMatrix calls every route registered on the router as every kind of actor
// and checks the outcome against the matrix.
func TestAuthorizationMatrix(t *testing.T) {
	w := newWorld(t, 0)
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	want, params := matrix(w)
	params["name"] = strings.TrimPrefix(a.URL("app.css"), "/static/")
	var pairs []string
	for k, v := range params {
		pairs = append(pairs, "{"+k+"}", v)
	}
	replacer := strings.NewReplacer(append(pairs, "{$}", "")...)
	registered := map[string]bool{}
	for _, rt := range (&server{}).routes() {
		registered[rt.pattern] = true
		row, ok := want[rt.pattern]
		if !ok {
			t.Errorf("route %q has no row in the authorization matrix: decide who may use it", rt.pattern)
			continue
		}
		method, path := splitPattern(rt.pattern)
		path = replacer.Replace(path)
		if strings.Contains(path, "{") {
			t.Errorf("route %q: no value for a parameter of %q (add it to the matrix part's params)", rt.pattern, path)
			continue
		}
		if path == "/" && rt.pattern == "/" {
			path = "/no/such/page"
		}
		for _, who := range actorKinds {
			exp, ok := row[who]
			if !ok {
				t.Errorf("route %q: no expectation for %s", rt.pattern, who)
				continue
			}
			got := w.call(t, who, method, path)
			if got != exp {
				t.Errorf("%s %s as %s = %d, want %d", method, path, who, got, exp)
			}
		}
	}
	for p := range want {
		if !registered[p] {
			t.Errorf("the matrix has a row for %q, which is not a route", p)
		}
	}
}

func splitPattern(p string) (method, path string) {
	if m, rest, ok := strings.Cut(p, " "); ok {
		return m, rest
	}
	return http.MethodGet, p
}

// call makes one request as an actor, with a fresh session of theirs (a route may sign out),
// and reports its outcome.
func (w *world) call(t *testing.T, who, method, path string) outcome {
	t.Helper()
	// A wrong password from an e-mail and address of the actor's own, so that the sign-in
	// throttle (tested on its own) does not mix the actors up.
	form := url.Values{"email": {strings.ReplaceAll(who, " ", "-") + "@nowhere.example"}, "password": {"wrong"}}
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.RemoteAddr = fmt.Sprintf("192.0.2.%d:1234", 10+slices.Index(actorKinds, who))
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if who != asAnonymous {
		req.Header.Set("Cookie", sessionCookie+"="+w.freshSession(t, who))
	}
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	if rec.Code == http.StatusSeeOther && strings.HasPrefix(rec.Header().Get("Location"), "/signin") &&
		!strings.HasPrefix(rec.Header().Get("Location"), "/signin?signed_out") {
		return toSignIn
	}
	return outcome(rec.Code)
}

// freshSession opens a new session for an actor's account and returns its token.
func (w *world) freshSession(t *testing.T, who string) string {
	t.Helper()
	ctx := context.Background()
	acc, err := w.db.GetAccountByEmail(ctx, w.emails[who])
	if err != nil {
		t.Fatalf("%s: %v", who, err)
	}
	token, hash := auth.NewToken()
	err = w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateSession(ctx, &store.Session{TokenHash: hash, DistrictID: acc.DistrictID, AccountID: acc.ID,
			IdleTimeout: time.Hour, AbsoluteExpiresAt: testNow.Add(time.Hour)})
	})
	if err != nil {
		t.Fatalf("%s: %v", who, err)
	}
	return token
}

// TestGuessingIdsFindsNothing: a guardian who tries other students' and districts' ids gets
// "not found", exactly as for an id that does not exist, and the page names nobody.
func TestGuessingIdsFindsNothing(t *testing.T) {
	w := newWorld(t, 0)
	nobody, _ := w.getAs(t, asGuardian, "/districts/"+w.district+"/students/no-such-student")
	for _, target := range []string{
		"/districts/" + w.district + "/students/" + w.noah,  // a child of another family
		"/districts/" + w.district + "/students/" + w.ava,   // a child with no plan
		"/districts/" + w.other + "/students/" + w.stranger, // another district's child
		"/districts/" + w.district + "/students/" + w.stranger,
		"/districts/" + w.district,
		"/districts/" + w.other,
	} {
		res, body := w.getAs(t, asGuardian, target)
		if res.StatusCode != http.StatusNotFound || res.StatusCode != nobody.StatusCode {
			t.Errorf("guardian GET %s = %d, want 404 like an unknown id", target, res.StatusCode)
		}
		for _, name := range []string{"Noah", "Kim", "Ava", "Brown", "Sol", "Stranger"} {
			if strings.Contains(body, name) {
				t.Errorf("guardian GET %s: the page names %q", target, name)
			}
		}
	}
	// Their own child opens.
	if res, body := w.getAs(t, asGuardian, "/districts/"+w.district+"/students/"+w.mia); res.StatusCode != http.StatusOK ||
		!strings.Contains(body, "Ortiz") {
		t.Errorf("guardian GET their own child = %d", res.StatusCode)
	}
}

// TestDirectoryOnlyForSchoolStaff: staff of the student's school who are not on the team see
// the directory-level view: the name and grade, not the plan, disabilities or family.
func TestDirectoryOnlyForSchoolStaff(t *testing.T) {
	w := newWorld(t, 0)
	res, body := w.getAs(t, asUnassigned, "/districts/"+w.district+"/students/"+w.mia)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	mustContain(t, "directory view", body, "Ortiz")
	for _, secret := range []string{goalStatement, "Rosa", "Specific learning disability", familyConcerns[:20], "2009"} {
		if strings.Contains(body, secret) {
			t.Errorf("the directory-level view shows %q", secret)
		}
	}
	entries, err := w.db.ListAudit(context.Background(), w.district, w.mia, 0)
	if err != nil || len(entries) == 0 {
		t.Fatalf("audit: %v, %d entries", err, len(entries))
	}
	if e := entries[0]; e.Action != "read_directory" || e.Reason != "school_staff" || e.ActorID != w.staffIDs[asUnassigned] {
		t.Errorf("audit entry = %+v, want read_directory by the OT as school staff", e)
	}
}

// TestStaffOverviewListsTheirStudents: a case manager's overview starts with their own students;
// the roster of an unassigned provider shows names and grades but no plan or disability column.
func TestStaffOverviewListsTheirStudents(t *testing.T) {
	w := newWorld(t, 0)
	_, body := w.getAs(t, asTeamMember, "/districts/"+w.district)
	mustContain(t, "case manager's overview", body, "Your students", `href="/districts/`+w.district+`/students/`+w.mia+`"`,
		"you are the case manager")
	_, body = w.getAs(t, asUnassigned, "/districts/"+w.district)
	if strings.Contains(body, "Your students") || strings.Contains(body, "Primary disability") || strings.Contains(body, "Specific learning") {
		t.Error("an unassigned provider's overview shows more than the directory")
	}
	mustContain(t, "unassigned provider's overview", body, "Ortiz")
}
