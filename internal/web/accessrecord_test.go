package web

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The record of access's row of the authorization matrix: the family holding the rights and the
// district administrator may open it (access.ViewAudit); staff who know the student exists are
// refused; everyone who may not know it exists finds nothing.
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		return map[string]map[string]outcome{
			"GET /districts/{district}/students/{student}/access": {
				asAnonymous:     toSignIn,
				asGuardian:      ok,
				asOtherGuardian: hidden,
				asNoRights:      hidden,
				asUnassigned:    forbidden,
				asTeamMember:    forbidden,
				asOtherSchool:   forbidden,
				asDistrictAdmin: ok,
				asStateViewer:   hidden,
				asOtherDistrict: hidden,
			},
		}, nil
	})
}

// accessURL is the record of access of a student of Riverton.
func (w *world) accessURL(student string) string { return studentURL(w.district, student) + "/access" }

// readsOfMia has the team member, the unassigned provider (directory only) and the
// administrator open Mia's record, in that order, as the web does.
func (w *world) readsOfMia(t *testing.T) {
	t.Helper()
	for _, who := range []string{asGuardian, asTeamMember, asUnassigned, asDistrictAdmin} {
		if res, _ := w.getAs(t, who, studentURL(w.district, w.mia)); res.StatusCode != http.StatusOK {
			t.Fatalf("%s GET Mia's record = %d", who, res.StatusCode)
		}
	}
}

func TestAccessRecordPage(t *testing.T) {
	w := newWorld(t, 0)
	w.readsOfMia(t)
	res, body := w.getAs(t, asGuardian, w.accessURL(w.mia)+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("guardian GET the record of access = %d", res.StatusCode)
	}
	mustContain(t, "guardian's default view", body,
		"<h1>Who has seen Mia Ortiz's record</h1>",
		"<caption id=\"access-caption\">Who outside the family and the IEP team saw or changed the record, newest first</caption>",
		`<th scope="row"><time datetime="2026-03-16T10:00:00-04:00">March 16, 2026 at 10:00 AM</time></th>`,
		"Test administrator (Administrator)", "Read the whole record", "District administrator",
		"Test occupational_therapist (Occupational therapist)", "Saw only the name, grade and school",
		"Works at the student's school (may see only the name, grade and school)",
		`href="/districts/`+w.district+`/students/`+w.mia+`"`, // back to the record
		`<select id="show" name="show">`, `<label for="show">Show</label>`,
	)
	for _, hiddenText := range []string{"Dana Reyes", "Member of the IEP team", "Case manager of the IEP", "A parent or guardian",
		"<td>You</td>", "192.0.2.", "From where", `rel="next"`} {
		if strings.Contains(html.UnescapeString(body), hiddenText) {
			t.Errorf("the guardian's default view shows %q", hiddenText)
		}
	}
	// The administrator's read comes before the provider's: newest first.
	if a, p := strings.Index(body, "Test administrator"), strings.Index(body, "Test occupational_therapist"); a < 0 || p < a {
		t.Errorf("the administrator's read (at %d) is not listed before the provider's (at %d)", a, p)
	}

	// Every entry: the team's and the family's own reads, and the guardian's earlier look at
	// this page.
	_, body = w.getAs(t, asGuardian, w.accessURL(w.mia)+"?show=all")
	mustContain(t, "guardian's full view", body, "Everyone who saw or changed the record, newest first",
		"Dana Reyes (Case manager, Special education teacher)", "Case manager of the IEP",
		"<td>You</td>", "Looked at this list", "Parent or guardian with educational rights", `<option value="all" selected>`)
	if strings.Contains(body, "192.0.2.") {
		t.Error("the guardian sees network addresses")
	}

	// The administrator sees from where.
	_, body = w.get(t, w.accessURL(w.mia))
	mustContain(t, "administrator's view", body, "From where (network address)", "<td>192.0.2.1</td>")
}

func TestAccessRecordIsAudited(t *testing.T) {
	w := newWorld(t, 0)
	if res, _ := w.getAs(t, asGuardian, w.accessURL(w.mia)); res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	entries, err := w.db.ListAudit(context.Background(), w.district, w.mia, 1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %v, %d entries", err, len(entries))
	}
	if e := entries[0]; e.Action != "read" || e.RecordKind != "access_record" || e.RecordID != w.mia || e.ActorKind != "guardian" ||
		e.ActorID != w.rosa || e.Reason != string(access.ReasonGuardianWithRights) {
		t.Errorf("audit entry = %+v, want the guardian's read of the record of access", e)
	}
}

// mainOf is the <main> element of a page: what differs between pages, without the header (the
// reader's name) and the session form (the page's own address).
func mainOf(body string) string {
	_, after, _ := strings.Cut(body, "<main")
	m, _, _ := strings.Cut(after, "</main>")
	return m
}

// TestAccessRecordGuessedIdsFindNothing: a guardian who tries other students' or districts' ids
// gets the very page an unknown id gets, naming nobody.
func TestAccessRecordGuessedIdsFindNothing(t *testing.T) {
	w := newWorld(t, 0)
	// Rosa prefers Spanish: her pages are in Spanish unless she asks otherwise, error pages too.
	nobody, nobodyBody := w.getAs(t, asGuardian, w.accessURL("no-such-student")+"?lang=en")
	nobodyBody = mainOf(nobodyBody)
	mustContain(t, "unknown student", nobodyBody, "Page not found")
	if nobody.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown student = %d, want 404", nobody.StatusCode)
	}
	for _, target := range []string{
		w.accessURL(w.noah), w.accessURL(w.ava), w.accessURL(w.stranger),
		studentURL(w.other, w.stranger) + "/access", studentURL(w.other, w.mia) + "/access",
		w.accessURL(w.noah) + "?show=all", w.accessURL(w.noah) + "?after=not-a-number",
	} {
		res, body := w.getAs(t, asGuardian, target+map[bool]string{true: "&lang=en", false: "?lang=en"}[strings.Contains(target, "?")])
		if body = mainOf(body); res.StatusCode != http.StatusNotFound || body != nobodyBody {
			t.Errorf("guardian GET %s = %d, want the 404 page of an unknown id", target, res.StatusCode)
		}
		for _, name := range []string{"Noah", "Kim", "Ava", "Brown", "Sol", "Stranger", "Mia", "Amelia"} {
			if strings.Contains(body, name) {
				t.Errorf("guardian GET %s: the page names %q", target, name)
			}
		}
	}
	// Mia's father, whose rights a court removed, finds nothing either.
	if res, body := w.getAs(t, asNoRights, w.accessURL(w.mia)+"?lang=en"); res.StatusCode != http.StatusNotFound || mainOf(body) != nobodyBody {
		t.Errorf("guardian without rights = %d, want 404", res.StatusCode)
	}
}

func TestAccessRecordSpanish(t *testing.T) {
	w := newWorld(t, 0)
	w.readsOfMia(t)
	_, body := w.getAs(t, asGuardian, w.accessURL(w.mia)+"?lang=es")
	mustContain(t, "Spanish", body, `<html lang="es">`, "<h1>Quién ha visto el expediente de Mia Ortiz</h1>",
		"16 de marzo de 2026 a las 10:00", "Leyó todo el expediente", "Administrador del distrito",
		"Vio solo el nombre, el grado y la escuela", "Trabaja en la escuela del estudiante",
		"(Terapeuta ocupacional)", "Personas que no son de la familia ni del equipo del IEP", "Todas las entradas",
		"La ley federal da a las familias el derecho")
	if strings.Contains(body, "Read the whole record") || strings.Contains(body, "Who has seen") {
		t.Error("English text on the Spanish page")
	}
}

func TestAccessRecordBadQuery(t *testing.T) {
	w := newWorld(t, 0)
	for _, tc := range []struct{ query, want string }{
		{"?after=abc&lang=en", "Page: this is not valid"},
		{"?after=-5&lang=es", "Página: este dato no es válido"},
		{"?show=everything&lang=en", "Show: choose one of: People outside the family and the IEP team; Every entry"},
	} {
		res, body := w.getAs(t, asGuardian, w.accessURL(w.mia)+tc.query)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tc.query, res.StatusCode)
		}
		mustContain(t, tc.query, body, tc.want)
	}
}

var afterParam = regexp.MustCompile(`href="([^"]*\?[^"]*after=[0-9]+[^"]*)" rel="next"`)

// TestAccessRecordPagesThroughALongTrail: more entries than a page; the older entries are
// reached by a link that carries only the filter and a sequence number.
func TestAccessRecordPagesThroughALongTrail(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	n := app.AccessRecordPageSize + 12
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		for range n {
			e := store.AuditEntry{DistrictID: w.district, ActorKind: "staff", ActorID: w.staffIDs[asUnassigned], Action: "read_directory",
				RecordKind: "student", RecordID: w.mia, StudentID: w.mia, Reason: string(access.ReasonSchoolStaff)}
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body := w.getAs(t, asGuardian, w.accessURL(w.mia)+"?show=all&lang=en")
	rows := strings.Count(body, `<th scope="row">`)
	m := afterParam.FindStringSubmatch(body)
	if rows != app.AccessRecordPageSize || m == nil {
		t.Fatalf("first page: %d rows, next link %v; want %d and a link", rows, m, app.AccessRecordPageSize)
	}
	next := html.UnescapeString(m[1])
	if !strings.HasPrefix(next, w.accessURL(w.mia)+"?after=") || !strings.Contains(next, "show=all") {
		t.Errorf("next link = %q", next)
	}
	_, body = w.getAs(t, asGuardian, next)
	if rows2 := strings.Count(body, `<th scope="row">`); rows2 != 12 || afterParam.MatchString(body) {
		t.Errorf("second page: %d rows (want 12), next link %v", rows2, afterParam.MatchString(body))
	}
	mustContain(t, "second page", body, "Newest entries", "(older entries)")
}

// TestAccessRecordNamesSubstitutes: a read under a temporary grant names the reader as having
// temporary access, and until when it was given.
func TestAccessRecordNamesSubstitutes(t *testing.T) {
	w := newWorld(t, 0)
	err := w.db.Write(context.Background(), func(tx *store.Tx) error {
		return tx.GrantAccess(context.Background(), &access.Grant{DistrictID: w.district, StaffID: w.staffIDs[asOtherSchool],
			StudentID: w.mia, Scope: access.GrantRead, GrantedBy: w.staffIDs[asDistrictAdmin], Reason: "covering",
			Until: time.Date(2026, 3, 20, 21, 0, 0, 0, time.UTC)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := w.getAs(t, asOtherSchool, studentURL(w.district, w.mia)); res.StatusCode != http.StatusOK {
		t.Fatalf("the substitute reads Mia's record: %d", res.StatusCode)
	}
	_, body := w.getAs(t, asGuardian, w.accessURL(w.mia)+"?lang=en")
	mustContain(t, "substitute", body, "Test general_education_teacher (General education teacher), with temporary access",
		"Temporary access to read the record, given until March 20, 2026 at 5:00 PM")
}

// TestAccessRecordLinks: the family page and the student page link to the record of access for
// those who may open it, and only for them.
func TestAccessRecordLinks(t *testing.T) {
	w := newWorld(t, 0)
	link := `href="` + w.accessURL(w.mia) + `"`
	_, body := w.getAs(t, asGuardian, "/")
	mustContain(t, "family page", body, link)
	for _, who := range []string{asGuardian, asDistrictAdmin} {
		_, body := w.getAs(t, who, studentURL(w.district, w.mia)+"?lang=en")
		mustContain(t, who+"'s student page", body, link, "Who has seen this record")
	}
	for _, who := range []string{asTeamMember, asUnassigned} {
		if _, body := w.getAs(t, who, studentURL(w.district, w.mia)); strings.Contains(body, link) {
			t.Errorf("%s's student page links to the record of access, which they may not open", who)
		}
	}
}

// TestAccessRecordNotForASharedParent: after the rights passed to the adult student, a parent the
// student shares the record with may read it but not its record of access (access.ViewAudit is
// the rights holder's): the family page offers no link, and the page is refused.
func TestAccessRecordNotForASharedParent(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	token, hash := auth.NewToken()
	var eli string
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		st := &iep.Student{DistrictID: w.district, SchoolID: w.high, LocalID: "R-1900", FirstName: "Eli", LastName: "Adult",
			BirthDate: date.MustParse("2006-01-01"), Grade: "12", HomeLanguage: "en", EnrolledOn: date.MustParse("2020-09-01")}
		g := &iep.Guardian{DistrictID: w.district, FirstName: "Gus", LastName: "Adult", PreferredLanguage: "en"}
		if err := tx.CreateStudent(ctx, st); err != nil {
			return err
		}
		if err := tx.CreateGuardian(ctx, g); err != nil {
			return err
		}
		eli = st.ID
		err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: w.district, StudentID: st.ID, GuardianID: g.ID,
			Relationship: iep.RelFather, HoldsEducationalRights: true, ContactOrder: 1})
		if err != nil {
			return err
		}
		if err := tx.ShareWithGuardian(ctx, w.district, st.ID, g.ID); err != nil {
			return err
		}
		acc := &store.Account{DistrictID: w.district, Kind: store.AccountGuardian, SubjectID: g.ID, Email: "gus@test.example",
			PasswordHash: auth.HashPassword(testPassword, testParams)}
		if err := tx.CreateAccount(ctx, acc, store.AuditActor{Kind: "system", ID: "test"}); err != nil {
			return err
		}
		return tx.CreateSession(ctx, &store.Session{TokenHash: hash, DistrictID: w.district, AccountID: acc.ID,
			IdleTimeout: time.Hour, AbsoluteExpiresAt: testNow.Add(time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	cookie := sessionCookie + "=" + token
	res, body := get(t, w.handler, "/?lang=en", "Cookie", cookie)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("family page: %d", res.StatusCode)
	}
	mustContain(t, "shared parent's family page", body, `href="`+familyURL(w.district, eli)+`"`)
	if strings.Contains(body, `href="`+w.accessURL(eli)+`"`) {
		t.Error("the family page links a shared parent to the record of access")
	}
	if res, _ := get(t, w.handler, w.accessURL(eli), "Cookie", cookie); res.StatusCode != http.StatusForbidden {
		t.Errorf("shared parent GET the record of access = %d, want 403", res.StatusCode)
	}
}
