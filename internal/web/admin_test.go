package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The administration's rows of the authorization matrix: district administrators only; other
// staff of the district are refused (they know the district), families and other districts find
// nothing. POSTs carry the matrix's stray sign-in form, which every administration form refuses
// as invalid (400) — except ending a grant, which needs nothing typed.
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		ctx := context.Background()
		// A grant on Mia to a staff member who is none of the actors (so that no actor's access
		// changes), for the route that ends it.
		sub := iep.Staff{DistrictID: w.district, FirstName: "Sub", LastName: "Stitute", Roles: []iep.StaffRole{iep.RoleSpecialEducationTeacher}, Active: true}
		g := access.Grant{DistrictID: w.district, StudentID: w.mia, Scope: access.GrantRead,
			GrantedBy: w.staffIDs[asDistrictAdmin], Reason: "matrix", Until: testNow.Add(24 * time.Hour)}
		if err := w.db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateStaff(ctx, &sub); err != nil {
				return err
			}
			g.StaffID = sub.ID
			return tx.GrantAccess(ctx, &g)
		}); err != nil {
			panic(err)
		}
		staffOnly := func(anonymous, admin outcome) map[string]outcome {
			return with(every(anonymous, forbidden), asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden,
				asOtherDistrict, hidden, asDistrictAdmin, admin)
		}
		// About one student the policy decides with the student's facts: the state viewer and the
		// guardians without a relationship find nothing, the guardian with rights is refused.
		student := func(anonymous, admin outcome) map[string]outcome {
			return with(staffOnly(anonymous, admin), asGuardian, forbidden, asStateViewer, hidden)
		}
		const d = "/districts/{district}/admin"
		rows := map[string]map[string]outcome{
			"GET " + d:                                                staffOnly(toSignIn, ok),
			"GET " + d + "/people":                                    staffOnly(toSignIn, ok),
			"GET " + d + "/people/new":                                staffOnly(toSignIn, ok),
			"POST " + d + "/people":                                   staffOnly(signInAgain, bad),
			"GET " + d + "/people/{staff}":                            staffOnly(toSignIn, ok),
			"POST " + d + "/people/{staff}":                           staffOnly(signInAgain, bad),
			"POST " + d + "/people/{staff}/account":                   staffOnly(signInAgain, bad),
			"POST " + d + "/people/{staff}/caseload":                  staffOnly(signInAgain, bad),
			"GET " + d + "/students/{student}":                        student(toSignIn, ok),
			"POST " + d + "/students/{student}/guardians":             student(signInAgain, bad),
			"POST " + d + "/students/{student}/guardians/{guardian}":  student(signInAgain, bad),
			"POST " + d + "/students/{student}/account":               student(signInAgain, bad),
			"POST " + d + "/students/{student}/grants":                student(signInAgain, bad),
			"POST " + d + "/students/{student}/grants/{grant}/revoke": student(signInAgain, redirect),
			"GET " + d + "/settings":                                  staffOnly(toSignIn, ok),
			"POST " + d + "/settings":                                 staffOnly(signInAgain, bad),
		}
		return rows, map[string]string{"staff": w.cm, "guardian": w.rosa, "grant": g.ID}
	})
}

// submitAs posts a form as one of the actors (same-origin, as a browser would) and returns the
// response and its body.
func (w *world) submitAs(t *testing.T, who, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if c := w.cookie(who); c != "" {
		req.Header.Set("Cookie", c)
	}
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// follow GETs where a 303 points, as the same actor.
func (w *world) follow(t *testing.T, who string, res *http.Response) (*http.Response, string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", res.StatusCode)
	}
	return w.getAs(t, who, res.Header.Get("Location"))
}

func (w *world) adminURL(parts ...string) string { return adminURL(w.district, parts...) }

func TestAdminAddsStaffWithoutInvitation(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	form := url.Values{"first_name": {"Lee"}, "last_name": {"Park"}, "email": {" LPark@Riverton.example "},
		"roles": {"speech_language_pathologist", "case_manager"}, "school_ids": {w.maple}}
	res, _ := w.submitAs(t, asDistrictAdmin, w.adminURL("people"), form)
	_, body := w.follow(t, asDistrictAdmin, res)
	mustContain(t, "the new staff member's page", body, "Lee Park", "lpark@riverton.example",
		"They cannot sign in until they are invited", "No account"[:2])
	acc, err := w.db.GetAccountByEmail(ctx, "lpark@riverton.example")
	if err != nil {
		t.Fatalf("no account: %v", err)
	}
	if acc.State() != store.AccountInvited || acc.Kind != store.AccountStaff {
		t.Errorf("account state %s kind %s", acc.State(), acc.Kind)
	}
	st, err := w.db.GetStaff(ctx, w.district, acc.SubjectID)
	if err != nil || !st.Active || len(st.Roles) != 2 || len(st.SchoolIDs) != 1 || st.SchoolIDs[0] != w.maple {
		t.Errorf("stored staff %+v, %v", st, err)
	}
	entries, _ := w.db.ListAudit(ctx, w.district, "", 5)
	found := false
	for _, e := range entries {
		if e.RecordKind == "account" && e.RecordID == acc.ID && e.Action == "create" {
			found = e.ActorID == w.staffIDs[asDistrictAdmin] && e.Reason == "district_admin"
		}
	}
	if !found {
		t.Errorf("the account's creation is not audited as the administrator's: %+v", entries)
	}
	// The directory lists them, and finds them by a prefix of the e-mail.
	_, body = w.get(t, w.adminURL("people")+"?q=lpa")
	mustContain(t, "the directory", body, "Park, Lee", "Invited, has not chosen a password yet")
	if strings.Contains(body, "Reyes") {
		t.Error("the search for lpa lists Dana Reyes")
	}
}

// TestAdminRefusedFormKeepsInput: a form with mistakes comes back with what was typed, each
// mistake named by its field and linked from the summary, and nothing is stored.
func TestAdminRefusedFormKeepsInput(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	before, _ := w.db.ListStaff(ctx, w.district)
	form := url.Values{"first_name": {"Keep this typed name"}, "last_name": {""}, "email": {"not-an-email"}}
	res, body := w.submitAs(t, asDistrictAdmin, w.adminURL("people"), form)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.StatusCode)
	}
	mustContain(t, "the refused form", body, `value="Keep this typed name"`, `href="#f-last_name"`,
		`href="#f-email"`, `href="#f-roles"`, "Last name: this is required", `id="f-last_name-error"`,
		`aria-describedby="f-last_name-error"`, `aria-invalid="true"`)
	after, _ := w.db.ListStaff(ctx, w.district)
	if len(after) != len(before) {
		t.Errorf("a refused form stored a staff member: %d → %d", len(before), len(after))
	}
	// The same in Spanish.
	req := url.Values{"first_name": {"Ana"}}
	res, body = w.submitAs(t, asDistrictAdmin, w.adminURL("people")+"?lang=es", req)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", res.StatusCode)
	}
	mustContain(t, "the refused form in Spanish", body, "Apellido: este dato es obligatorio", "Corrija lo siguiente")

	// An e-mail another account signs in with.
	form = url.Values{"first_name": {"Dup"}, "last_name": {"Licate"}, "email": {w.emails[asGuardian]}, "roles": {"case_manager"}}
	res, body = w.submitAs(t, asDistrictAdmin, w.adminURL("people"), form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "another account already signs in with this e-mail") {
		t.Errorf("a taken e-mail: %d", res.StatusCode)
	}
	if again, _ := w.db.ListStaff(ctx, w.district); len(again) != len(before) {
		t.Error("a refused e-mail left a staff member behind")
	}
}

func TestAdminDisablesAnAccountAndItsSessions(t *testing.T) {
	w := newWorld(t, 0)
	ot := w.staffIDs[asUnassigned]
	if res, _ := w.getAs(t, asUnassigned, "/"); res.StatusCode != http.StatusOK {
		t.Fatalf("the OT's session does not work to begin with: %d", res.StatusCode)
	}
	res, _ := w.submitAs(t, asDistrictAdmin, w.adminURL("people", ot, "account"), url.Values{"op": {"disable"}})
	_, body := w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after disabling", body, "The account was disabled", "Disabled")
	if res, _ := w.getAs(t, asUnassigned, "/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin") {
		t.Errorf("the disabled account's session still works: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("people", ot, "account"), url.Values{"op": {"enable"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after enabling", body, "The account was enabled", "Active")

	// No administrator can lock themselves out.
	me := w.staffIDs[asDistrictAdmin]
	res, body = w.submitAs(t, asDistrictAdmin, w.adminURL("people", me, "account"), url.Values{"op": {"disable"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "you cannot take away your own administration") {
		t.Errorf("disabling oneself: %d", res.StatusCode)
	}
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("people", me), url.Values{"first_name": {"Test"}, "last_name": {"Admin"},
		"email": {"me@riverton.example"}, "roles": {"case_manager"}, "active": {"on"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("dropping one's own administrator role: %d", res.StatusCode)
	}
	if res, _ := w.get(t, w.adminURL()); res.StatusCode != http.StatusOK {
		t.Errorf("the administrator lost the administration: %d", res.StatusCode)
	}
}

func TestAdminChangesRolesAndSchools(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	ot := w.staffIDs[asUnassigned]
	// The OT of Riverside High sees only the directory of Mia; made a district administrator,
	// the whole record.
	if _, body := w.getAs(t, asUnassigned, "/districts/"+w.district+"/students/"+w.mia); strings.Contains(body, goalStatement) {
		t.Fatal("the OT sees the plan to begin with")
	}
	res, _ := w.submitAs(t, asDistrictAdmin, w.adminURL("people", ot), url.Values{"first_name": {"Test"}, "last_name": {"OT"},
		"email": {"ot@riverton.example"}, "roles": {"occupational_therapist", "administrator"}, "active": {"on"}})
	_, body := w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after saving", body, "The changes were saved")
	st, _ := w.db.GetStaff(ctx, w.district, ot)
	if !st.HasRole(iep.RoleAdministrator) || len(st.SchoolIDs) != 0 || st.Email != "ot@riverton.example" {
		t.Errorf("stored %+v", st)
	}
	// Their account's sign-in e-mail follows their e-mail.
	if acc, err := w.db.GetAccountBySubject(ctx, w.district, store.AccountStaff, ot); err != nil || acc.Email != "ot@riverton.example" {
		t.Errorf("account e-mail: %v %v", acc, err)
	}
	if _, body := w.getAs(t, asUnassigned, "/districts/"+w.district+"/students/"+w.mia); !strings.Contains(body, goalStatement) {
		t.Error("the new administrator does not see the plan")
	}
	// A school of another district is refused.
	res, body = w.submitAs(t, asDistrictAdmin, w.adminURL("people", ot), url.Values{"first_name": {"Test"}, "last_name": {"OT"},
		"email": {"ot@riverton.example"}, "roles": {"occupational_therapist"}, "school_ids": {"far-hills"}, "active": {"on"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#f-school_ids"`) {
		t.Errorf("a foreign school: %d", res.StatusCode)
	}
}

func TestAdminMovesACaseload(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	// The SLP (Sam Okafor) becomes a case manager, then takes Mia from Dana.
	staff, _ := w.db.ListStaff(ctx, w.district)
	var sam iep.Staff
	for _, s := range staff {
		if s.LastName == "Okafor" {
			sam = s
		}
	}
	sam.Roles = append(sam.Roles, iep.RoleCaseManager)
	if err := w.db.Write(ctx, func(tx *store.Tx) error { return tx.UpdateStaff(ctx, &sam, store.AuditActor{Kind: "system"}) }); err != nil {
		t.Fatal(err)
	}
	_, body := w.get(t, w.adminURL("people", w.cm))
	mustContain(t, "Dana's page", body, `name="students" value="`+w.mia+`"`, `<option value="`+sam.ID+`">Okafor, Sam</option>`)

	res, body := w.submitAs(t, asDistrictAdmin, w.adminURL("people", w.cm, "caseload"), url.Values{"to": {sam.ID}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#f-students"`) {
		t.Errorf("moving nobody: %d", res.StatusCode)
	}
	res, body = w.submitAs(t, asDistrictAdmin, w.adminURL("people", w.cm, "caseload"), url.Values{"to": {sam.ID}, "students": {w.mia}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("moving Mia: %d\n%s", res.StatusCode, errorSummary(body))
	}
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after the move", body, "The students were moved")
	facts, err := w.db.AccessFacts(ctx, w.district, w.mia, testNow)
	if err != nil || facts.CaseManagerID != sam.ID {
		t.Errorf("Mia's case manager %q (%v)", facts.CaseManagerID, err)
	}
	// Noah stayed with Dana.
	if facts, _ := w.db.AccessFacts(ctx, w.district, w.noah, testNow); facts.CaseManagerID != w.cm {
		t.Errorf("Noah's case manager %q", facts.CaseManagerID)
	}
}

func TestAdminGuardiansAndRights(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	mia := "/districts/" + w.district + "/students/" + w.mia
	_, body := w.get(t, w.adminURL("students", w.mia))
	mustContain(t, "Mia's family page", body, "Rosa Ortiz", "Parents and guardians")

	// A court order: Rosa loses the rights, and with them the record.
	res, _ := w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "guardians", w.rosa), url.Values{"op": {"take_rights"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after taking the rights", body, "no longer hold the educational rights")
	if res, _ := w.getAs(t, asGuardian, mia); res.StatusCode != http.StatusNotFound {
		t.Errorf("Rosa without rights opens Mia's record: %d", res.StatusCode)
	}
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "guardians", w.rosa), url.Values{"op": {"give_rights"}})
	w.follow(t, asDistrictAdmin, res)
	if res, _ := w.getAs(t, asGuardian, mia); res.StatusCode != http.StatusOK {
		t.Errorf("Rosa with rights again: %d", res.StatusCode)
	}

	// Noah's father (who has an account) is linked to Mia by his e-mail: the same guardian, not
	// a new one.
	noahsFather, _ := w.db.GetAccountByEmail(ctx, w.emails[asOtherGuardian])
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "guardians"), url.Values{"first_name": {"Ignored"},
		"last_name": {"Name"}, "email": {strings.ToUpper(w.emails[asOtherGuardian])}, "language": {"en"},
		"relationship": {"stepparent"}, "rights": {"on"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after linking", body, "was linked to the student")
	links, _ := w.db.ListGuardians(ctx, w.district, w.mia)
	linked := false
	for _, l := range links {
		linked = linked || l.Guardian.ID == noahsFather.SubjectID && l.Link.HoldsEducationalRights
	}
	if !linked {
		t.Errorf("Noah's father is not linked to Mia with rights: %+v", links)
	}
	if res, _ := w.getAs(t, asOtherGuardian, mia); res.StatusCode != http.StatusOK {
		t.Errorf("the newly linked guardian cannot open Mia's record: %d", res.StatusCode)
	}
	// Linking him twice is refused; a staff member's e-mail is refused; what was typed stays.
	for _, email := range []string{w.emails[asOtherGuardian], w.emails[asTeamMember]} {
		res, body = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "guardians"), url.Values{"first_name": {"Typed"},
			"last_name": {"Name"}, "email": {email}, "language": {"en"}, "relationship": {"parent"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="Typed"`) || !strings.Contains(body, `href="#f-email"`) {
			t.Errorf("linking %s: %d", email, res.StatusCode)
		}
	}
	// Unlinking removes the access; the audit names the administrator.
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "guardians", noahsFather.SubjectID), url.Values{"op": {"unlink"}})
	w.follow(t, asDistrictAdmin, res)
	if res, _ := w.getAs(t, asOtherGuardian, mia); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unlinked guardian opens Mia's record: %d", res.StatusCode)
	}
	entries, _ := w.db.ListAudit(ctx, w.district, w.mia, 0)
	var actions []string
	for _, e := range entries {
		if e.ActorID == w.staffIDs[asDistrictAdmin] && e.Action != "read" && e.Action != "read_access" {
			actions = append(actions, e.Action)
		}
	}
	want := "unlink_guardian link_guardian update_guardian_link update_guardian_link"
	if strings.Join(actions, " ") != want {
		t.Errorf("audit of Mia's guardians = %v, want %s", actions, want)
	}
}

func TestAdminTemporaryAccess(t *testing.T) {
	w := newWorld(t, 0)
	mia := "/districts/" + w.district + "/students/" + w.mia
	teacher := w.staffIDs[asOtherSchool]
	if res, _ := w.getAs(t, asOtherSchool, mia); res.StatusCode != http.StatusForbidden {
		t.Fatalf("the Maple teacher opens Mia's record before any grant: %d", res.StatusCode)
	}
	// Mistakes first: no reason, a last day in the past.
	res, body := w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "grants"), url.Values{"staff_id": {teacher},
		"scope": {"read"}, "until": {"2026-03-01"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad grant: %d", res.StatusCode)
	}
	mustContain(t, "the refused grant", body, `href="#f-until"`, `href="#f-reason"`, "choose a day from today to a year from now")
	if res, _ := w.getAs(t, asOtherSchool, mia); res.StatusCode != http.StatusForbidden {
		t.Errorf("a refused grant gave access: %d", res.StatusCode)
	}
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "grants"), url.Values{"staff_id": {teacher},
		"scope": {"read"}, "until": {"2026-03-20"}, "reason": {"Covering for Ms. Reyes"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after granting", body, "The temporary access was given", "Covering for Ms. Reyes", "In force")
	if res, body := w.getAs(t, asOtherSchool, mia); res.StatusCode != http.StatusOK || !strings.Contains(body, goalStatement) {
		t.Errorf("the granted teacher cannot read Mia's plan: %d", res.StatusCode)
	}
	grants, _ := w.db.ListGrants(context.Background(), w.district, w.mia)
	if len(grants) != 1 {
		t.Fatalf("%d grants", len(grants))
	}
	// It ends at the end of the last day in the district (New York), not in UTC.
	if want := time.Date(2026, 3, 21, 0, 0, 0, 0, mustZone(t, "America/New_York")); !grants[0].Until.Equal(want) {
		t.Errorf("until %v, want %v", grants[0].Until, want)
	}
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "grants", grants[0].ID, "revoke"), nil)
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after revoking", body, "The temporary access was ended", "Ended on")
	if res, _ := w.getAs(t, asOtherSchool, mia); res.StatusCode != http.StatusForbidden {
		t.Errorf("a revoked grant still gives access: %d", res.StatusCode)
	}
	// Another student's grant cannot be ended through Mia's page.
	if res, _ := w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.noah, "grants", grants[0].ID, "revoke"), nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("revoking through another student: %d", res.StatusCode)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestAdminSettings(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	_, body := w.get(t, w.adminURL("settings"))
	mustContain(t, "the settings page", body, `value="30"`, `value="12"`)
	for _, bad := range []url.Values{
		{"idle_minutes": {"0"}, "session_hours": {"12"}},
		{"idle_minutes": {"ten"}, "session_hours": {"12"}},
		{"idle_minutes": {"600"}, "session_hours": {"2"}},
	} {
		res, body := w.submitAs(t, asDistrictAdmin, w.adminURL("settings"), bad)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("settings %v: %d", bad, res.StatusCode)
		}
		if !strings.Contains(body, `value="`+bad.Get("idle_minutes")+`"`) {
			t.Errorf("settings %v: the typed value is not kept", bad)
		}
	}
	if set, _ := w.db.GetSettings(ctx, w.district); !set.UpdatedAt.IsZero() {
		t.Error("refused settings were stored")
	}
	res, _ := w.submitAs(t, asDistrictAdmin, w.adminURL("settings"), url.Values{"idle_minutes": {"15"}, "session_hours": {"8"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after saving", body, "The settings were saved", `value="15"`, `value="8"`)
	set, _ := w.db.GetSettings(ctx, w.district)
	if set.IdleTimeout != 15*time.Minute || set.SessionMax != 8*time.Hour || set.RequireStaffTOTP {
		t.Errorf("stored %+v", set)
	}
	// Requiring two-step sign-in applies at once, to the administrator too: they are asked to
	// set it up before anything else.
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("settings"), url.Values{"idle_minutes": {"15"}, "session_hours": {"8"}, "require_totp": {"on"}})
	res, _ = w.follow(t, asDistrictAdmin, res)
	if set, _ := w.db.GetSettings(ctx, w.district); !set.RequireStaffTOTP {
		t.Error("the requirement was not stored")
	}
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/account/two-factor") {
		t.Errorf("after requiring two-step sign-in, the administrator's next page: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestAdminLinkInHeader: administrators have a way to the administration; nobody else does.
func TestAdminLinkInHeader(t *testing.T) {
	w := newWorld(t, 0)
	link := `href="` + w.adminURL() + `"`
	for _, who := range []string{asDistrictAdmin, asTeamMember, asGuardian} {
		_, body := w.getAs(t, who, "/account")
		if got := strings.Contains(body, link); got != (who == asDistrictAdmin) {
			t.Errorf("%s: administration link shown = %v", who, got)
		}
	}
}

// errorSummary is the error summary of a page, for a failing test's message.
func errorSummary(body string) string {
	i := strings.Index(body, `class="error-summary"`)
	if i < 0 {
		return "(no error summary)"
	}
	j := strings.Index(body[i:], "</div>")
	return body[i : i+max(j, 0)]
}

// TestAdminInvitations: adding a staff member with the invitation ticked, and inviting a
// guardian, each put one e-mail in the outbox for that person; someone who already chose a
// password is not sent a link.
func TestAdminInvitations(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	outbox := func() map[string]int {
		ms, err := w.db.ListOutbox(ctx, w.district, 0)
		if err != nil {
			t.Fatal(err)
		}
		to := map[string]int{}
		for _, m := range ms {
			to[m.To]++
		}
		return to
	}
	res, _ := w.submitAs(t, asDistrictAdmin, w.adminURL("people"), url.Values{"first_name": {"Ivy"}, "last_name": {"Invited"},
		"email": {"ivy@riverton.example"}, "roles": {"case_manager"}, "invite": {"on"}})
	_, body := w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after inviting", body, "an invitation was sent to their e-mail", "Invited, has not chosen a password yet")
	if got := outbox()["ivy@riverton.example"]; got != 1 {
		t.Errorf("%d invitations to the new staff member, want 1", got)
	}

	// A new guardian of Ava, invited as they are linked.
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.ava, "guardians"), url.Values{"first_name": {"Bea"},
		"last_name": {"Brown"}, "email": {"bea@example.org"}, "language": {"es"}, "relationship": {"mother"}, "rights": {"on"}, "invite": {"on"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after linking with an invitation", body, "an invitation was sent", "bea@example.org")
	if got := outbox()["bea@example.org"]; got != 1 {
		t.Errorf("%d invitations to the new guardian, want 1", got)
	}
	// Rosa chose a password long ago: asking to invite her says so and sends nothing.
	before := outbox()[w.emails[asGuardian]]
	res, body = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "guardians", w.rosa), url.Values{"op": {"invite"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "already chosen a password") {
		t.Errorf("inviting an active guardian: %d", res.StatusCode)
	}
	// Linking Rosa to Ava with the invitation ticked links her and sends nothing either.
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.ava, "guardians"), url.Values{"first_name": {"Rosa"},
		"last_name": {"Ortiz"}, "email": {w.emails[asGuardian]}, "language": {"es"}, "relationship": {"relative"}, "invite": {"on"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("linking Rosa to Ava: %d", res.StatusCode)
	}
	if got := outbox()[w.emails[asGuardian]]; got != before {
		t.Errorf("Rosa was sent %d invitations", got-before)
	}
}

// TestAdminAdultStudentAccount: once the rights pass to a student at 18, the administrator can
// give them an account of their own; before, the page offers none and the form is refused.
// Guardians' accounts can be disabled and enabled like staff's.
func TestAdminAdultStudentAccount(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	res, body := w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.noah, "account"), url.Values{"op": {"invite"}, "student_email": {"noah@example.org"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "the educational rights are still their parents") {
		t.Errorf("an account for a minor: %d", res.StatusCode)
	}
	if _, body := w.get(t, w.adminURL("students", w.noah)); strings.Contains(body, "The student's own account") {
		t.Error("a minor's page offers an account of their own")
	}
	w.makeAdult(t, w.mia)
	_, body = w.get(t, w.adminURL("students", w.mia))
	mustContain(t, "an adult student's page", body, "The student's own account", `id="f-student_email"`)
	res, body = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "account"), url.Values{"op": {"invite"}, "student_email": {"not an address"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#f-student_email"`) || !strings.Contains(body, `value="not an address"`) {
		t.Errorf("a bad address: %d", res.StatusCode)
	}
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "account"), url.Values{"op": {"invite"}, "student_email": {"Mia.Ortiz@Example.org"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after inviting Mia", body, "An invitation was sent to the student", "mia.ortiz@example.org")
	acc, err := w.db.GetAccountByEmail(ctx, "mia.ortiz@example.org")
	if err != nil || acc.Kind != store.AccountStudent || acc.SubjectID != w.mia || acc.State() != store.AccountInvited {
		t.Fatalf("Mia's account %+v, %v", acc, err)
	}
	mails, _ := w.db.ListOutbox(ctx, w.district, 0)
	if len(mails) != 1 || mails[0].To != "mia.ortiz@example.org" {
		t.Errorf("outbox %+v", mails)
	}
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "account"), url.Values{"op": {"disable"}})
	w.follow(t, asDistrictAdmin, res)
	if acc, _ := w.db.GetAccountByEmail(ctx, "mia.ortiz@example.org"); !acc.Disabled() {
		t.Error("Mia's account is not disabled")
	}

	// Rosa's account: disabled, her session ends; enabled, she signs in again.
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.noah, "guardians", w.rosa), url.Values{"op": {"disable"}})
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("disabling Rosa through a student she is not linked to: %d", res.StatusCode)
	}
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "guardians", w.rosa), url.Values{"op": {"disable"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after disabling Rosa", body, "Their account was disabled")
	if res, _ := w.getAs(t, asGuardian, "/"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("Rosa's session after her account was disabled: %d", res.StatusCode)
	}
	res, _ = w.submitAs(t, asDistrictAdmin, w.adminURL("students", w.mia, "guardians", w.rosa), url.Values{"op": {"enable"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after enabling Rosa", body, "Their account was enabled")
	if acc, _ := w.db.GetAccountByEmail(ctx, w.emails[asGuardian]); acc.Disabled() {
		t.Error("Rosa's account is still disabled")
	}
}

// makeAdult makes a student two years older than the fixture has them: Mia (16) turns 18 and
// the educational rights pass to her.
func (w *world) makeAdult(t *testing.T, studentID string) {
	t.Helper()
	ctx := context.Background()
	st, err := w.db.GetStudent(ctx, w.district, studentID)
	if err != nil {
		t.Fatal(err)
	}
	st.BirthDate = st.BirthDate.AddYears(-2)
	if err := w.db.Write(ctx, func(tx *store.Tx) error { return tx.UpdateStudent(ctx, st) }); err != nil {
		t.Fatal(err)
	}
}
