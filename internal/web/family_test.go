package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// familyOnly is the matrix row of a family page of Mia's: Rosa, who holds the rights, may open
// it; everyone else finds nothing (staff have the student record; the other families may not
// know Mia exists); the anonymous are sent to sign in.
func familyOnly() map[string]outcome {
	return with(every(toSignIn, hidden), asGuardian, ok)
}

func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		return map[string]map[string]outcome{
			"GET /districts/{district}/family/{student}": familyOnly(),
			// An empty form stops sharing (nothing shared: a no-op) and comes back to the home.
			"POST /districts/{district}/family/{student}/student-access": with(every(signInAgain, hidden), asGuardian, redirect),
		}, nil
	})
}

// TestFamilyHome: Rosa's home for Mia shows the plan in effect in plain words, the tabs, the
// glossary and what happens next with the dates of the clocks; another family's child is not
// found; the page is in Spanish when asked.
func TestFamilyHome(t *testing.T) {
	w := newWorld(t, 0)
	w.seedDeadlines()
	res, body := w.getAs(t, asGuardian, familyURL(w.district, w.mia)+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET family home = %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{"Mia", "Accepted: in effect", `aria-current="page"`, "What happens next",
		"ESY (extended school year)", familyURL(w.district, w.mia, "progress")} {
		if !strings.Contains(body, want) {
			t.Errorf("family home lacks %q", want)
		}
	}
	// What happens next is in date order, the school's late step marked as late, the met one gone.
	late, start, review := strings.Index(body, "The school sends you the proposed IEP."), strings.Index(body, "The services must start."),
		strings.Index(body, "The IEP must be reviewed (once a year).")
	if late < 0 || start < late || review < start {
		t.Errorf("what happens next is not the open deadlines in date order (%d, %d, %d):\n%s", late, start, review, body)
	}
	if !strings.Contains(body, "<strong>late</strong>") || strings.Contains(body, "asks your consent to evaluate") {
		t.Errorf("the overdue step is not marked late, or a met deadline is listed")
	}
	res, _ = w.getAs(t, asGuardian, familyURL(w.district, w.noah))
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("Rosa opening Noah's family page = %d, want 404", res.StatusCode)
	}
	_, body = w.getAs(t, asGuardian, familyURL(w.district, w.mia)+"?lang=es")
	if !strings.Contains(body, "Lo que sigue") || !strings.Contains(body, "Aceptado: vigente") {
		t.Errorf("the Spanish family home is not in Spanish")
	}
}

// TestFamilyListLinksToHome: the family's list of children links to each child's family home.
func TestFamilyListLinksToHome(t *testing.T) {
	w := newWorld(t, 0)
	_, body := w.getAs(t, asGuardian, "/")
	if !strings.Contains(body, familyURL(w.district, w.mia)) {
		t.Errorf("the family's list does not link to Mia's family home:\n%s", body)
	}
}

// TestFamilyLanguageFollowsTheGuardian: Rosa prefers Spanish, so her pages are in Spanish
// without asking; when she uses the switch, her choice is kept on her account and followed on
// every request (a new device has no cookie), and it is audited. Staff choosing a language
// change nothing stored.
func TestFamilyLanguageFollowsTheGuardian(t *testing.T) {
	w := newWorld(t, 0)
	home := familyURL(w.district, w.mia)
	if _, body := w.getAs(t, asGuardian, home); !strings.Contains(body, `<html lang="es">`) {
		t.Fatalf("Rosa's page without a choice is not in her preferred language (Spanish)")
	}
	for range 2 {
		if _, body := w.getAs(t, asGuardian, home+"?lang=en"); !strings.Contains(body, `<html lang="en">`) {
			t.Fatalf("the switch to English did not give an English page")
		}
	}
	if _, body := w.getAs(t, asGuardian, home); !strings.Contains(body, `<html lang="en">`) {
		t.Errorf("Rosa's choice of English is not kept: the next page is not in English")
	}
	if _, body := w.getAs(t, asGuardian, "/signin/code"); strings.Contains(body, `<html lang="es">`) {
		t.Errorf("a page after the choice is still in Spanish")
	}
	acc, err := w.db.GetAccountByEmail(context.Background(), w.emails[asGuardian])
	if err != nil || acc.Language != "en" {
		t.Fatalf("Rosa's account language = %q, %v; want en", acc.Language, err)
	}
	audit, _ := w.db.ListAudit(context.Background(), w.district, "", 0)
	changes := 0
	for _, e := range audit {
		if e.Action == "set_language" && e.RecordID == acc.ID {
			changes++
		}
	}
	if changes != 1 {
		t.Errorf("the choice is audited %d times, want once (asking again for the same language writes nothing)", changes)
	}
	// Staff: the cookie decides, nothing is written.
	w.getAs(t, asTeamMember, studentURL(w.district, w.mia)+"?lang=es")
	staff, _ := w.db.GetAccountByEmail(context.Background(), w.emails[asTeamMember])
	if staff.Language != "" {
		t.Errorf("a staff member's switch was stored: %q", staff.Language)
	}
}

// TestFamilyShareWithMinorStudent: Rosa lets Mia (a minor) read her own record: the form needs
// Mia's e-mail, a bad one is refused at its field with what was typed kept; a good one makes
// Mia's account and queues her invitation; signed in, Mia finds her record read only (no
// answering, no record of access); when Rosa stops, Mia finds nothing again.
func TestFamilyShareWithMinorStudent(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	home := familyURL(w.district, w.mia)
	share := home + "/student-access?lang=en"
	res, body := w.submitAs(t, asGuardian, share, url.Values{"share": {"on"}, "student_email": {"not an address"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="not an address"`) ||
		!strings.Contains(body, `id="f-student_email-error"`) || !strings.Contains(body, "this is not valid") {
		t.Fatalf("a bad e-mail: %d, want 400 with the problem at the field and the text kept", res.StatusCode)
	}
	if _, err := w.db.GetAccountBySubject(ctx, w.district, store.AccountStudent, w.mia); err == nil {
		t.Fatal("a refused form made Mia an account")
	}
	res, _ = w.submitAs(t, asGuardian, share, url.Values{"share": {"on"}, "student_email": {"mia@student.example"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sharing: %d, want 303", res.StatusCode)
	}
	acc, err := w.db.GetAccountBySubject(ctx, w.district, store.AccountStudent, w.mia)
	if err != nil || acc.Email != "mia@student.example" {
		t.Fatalf("Mia's account: %+v, %v", acc, err)
	}
	mails, _ := w.db.ListOutbox(ctx, w.district, 0)
	if len(mails) == 0 || mails[0].To != "mia@student.example" || mails[0].Kind != "invite" {
		t.Fatalf("no invitation for Mia in the outbox: %+v", mails)
	}
	_, body = w.getAs(t, asGuardian, home+"?lang=en")
	if !strings.Contains(body, "can read their own plan, meetings and progress (read only)") {
		t.Errorf("Rosa's page does not say Mia can read her record")
	}

	// Mia signs in (a session on her new account).
	token, hash := auth.NewToken()
	err = w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateSession(ctx, &store.Session{TokenHash: hash, DistrictID: w.district, AccountID: acc.ID,
			IdleTimeout: time.Hour, AbsoluteExpiresAt: testNow.Add(time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	cookie := sessionCookie + "=" + token
	if _, body := get(t, w.handler, "/?lang=en", "Cookie", cookie); !strings.Contains(body, `href="`+home+`"`) {
		t.Errorf("Mia's list does not offer her record")
	}
	res, body = get(t, w.handler, home+"?lang=en", "Cookie", cookie)
	if res.StatusCode != http.StatusOK || strings.Contains(body, "Waiting for you") && strings.Contains(body, "Read and answer") {
		t.Errorf("Mia's own view: %d (and it must offer no answering)", res.StatusCode)
	}
	if strings.Contains(body, "fam-own-share") || strings.Contains(body, "fam-own-stop") {
		t.Error("Mia is offered the sharing controls of her parent")
	}
	if res, _ := get(t, w.handler, w.accessURL(w.mia), "Cookie", cookie); res.StatusCode != http.StatusForbidden {
		t.Errorf("Mia opening the record of access = %d, want 403 (read only)", res.StatusCode)
	}
	if res, _ := get(t, w.handler, familyURL(w.district, w.mia, "records", "download"), "Cookie", cookie); res.StatusCode != http.StatusForbidden {
		t.Errorf("Mia downloading her whole record = %d, want 403 (her parent's to hand over)", res.StatusCode)
	}
	if _, body := get(t, w.handler, familyURL(w.district, w.mia, "records"), "Cookie", cookie); strings.Contains(body, "fam-records-zip") {
		t.Error("Mia's records page offers the whole record's download")
	}
	if _, body := w.getAs(t, asGuardian, familyURL(w.district, w.mia, "records")); !strings.Contains(body, "fam-records-zip") {
		t.Error("Rosa's records page does not offer the whole record's download")
	}
	if res, _ := get(t, w.handler, familyURL(w.district, w.mia, "progress"), "Cookie", cookie); res.StatusCode != http.StatusOK {
		t.Errorf("Mia reading her progress = %d, want 200", res.StatusCode)
	}

	// Rosa stops: Mia sees nothing.
	if res, _ := w.submitAs(t, asGuardian, share, url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("stopping: %d", res.StatusCode)
	}
	if res, _ := get(t, w.handler, home, "Cookie", cookie); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Errorf("after Rosa stopped, Mia's view = %d, want refused", res.StatusCode)
	}
	audit, _ := w.db.ListAudit(ctx, w.district, w.mia, 0)
	var acts []string
	for _, e := range audit {
		if strings.Contains(e.Action, "share_with_student") {
			acts = append(acts, e.Action)
		}
	}
	if strings.Join(acts, ",") != "unshare_with_student,share_with_student" {
		t.Errorf("the sharing's audit entries = %v", acts)
	}
}

// TestFamilyLegalLanguageNotice: the MA pack says the English version is the legal one, so a
// family page in Spanish says it is a translation; in English it says nothing of the kind.
func TestFamilyLegalLanguageNotice(t *testing.T) {
	w := newWorld(t, 0)
	_, body := w.getAs(t, asGuardian, familyURL(w.district, w.mia)+"?lang=es")
	if !strings.Contains(body, "La versión legal del IEP y de los avisos de la escuela es la que está en inglés.") {
		t.Errorf("the Spanish page does not say the English version is the legal one")
	}
	_, body = w.getAs(t, asGuardian, familyURL(w.district, w.mia)+"?lang=en")
	if strings.Contains(body, "legal-language") {
		t.Errorf("the English page carries the translation notice")
	}
}

// TestMeetingMailInTheGuardiansLanguage: the meeting invitation e-mailed to a parent on the team
// is in their preferred language, its base language counting ("es-MX" is Spanish: it was sent
// in English before), and once they chose a language with the switch, in that one.
func TestMeetingMailInTheGuardiansLanguage(t *testing.T) {
	x := newMP(t)
	ctx := context.Background()
	var carmen string
	err := x.db.Write(ctx, func(tx *store.Tx) error {
		g := &iep.Guardian{DistrictID: x.district, FirstName: "Carmen", LastName: "Kim", PreferredLanguage: "es-MX",
			ContactMethods: []iep.ContactMethod{{Kind: iep.ContactEmail, Value: "carmen@family.example"}}}
		if err := tx.CreateGuardian(ctx, g); err != nil {
			return err
		}
		carmen = g.ID
		return tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: x.district, StudentID: x.noah, GuardianID: g.ID,
			Relationship: iep.RelMother, HoldsEducationalRights: true, ContactOrder: 2})
	})
	if err != nil {
		t.Fatal(err)
	}
	if res, body := x.submitAs(t, asTeamMember, x.teamURL, url.Values{"kind": {"guardian"}, "guardian_id": {carmen}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add Carmen to the team: %d %s", res.StatusCode, errorsOf(body))
	}
	subjectTo := func() string {
		t.Helper()
		mails, err := x.db.ListOutbox(ctx, x.district, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mails { // newest first
			if m.To == "carmen@family.example" {
				return m.Subject
			}
		}
		t.Fatal("no mail to Carmen")
		return ""
	}
	x.scheduleToday(t)
	if got := subjectTo(); got != "Reunión del equipo del IEP" {
		t.Errorf("the invitation to a parent preferring es-MX: %q, want Spanish", got)
	}
	err = x.db.Write(ctx, func(tx *store.Tx) error {
		acc := &store.Account{DistrictID: x.district, Kind: store.AccountGuardian, SubjectID: carmen, Email: "carmen@family.example"}
		if err := tx.CreateAccount(ctx, acc, store.AuditActor{Kind: "system", ID: "test"}); err != nil {
			return err
		}
		return tx.SetAccountLanguage(ctx, x.district, acc.ID, "en", store.AuditActor{Kind: "system", ID: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
	x.scheduleToday(t)
	if got := subjectTo(); got != "IEP team meeting" {
		t.Errorf("the invitation after she chose English: %q", got)
	}
}
