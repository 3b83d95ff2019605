package web

import (
	"net/http"
	"strings"
	"testing"
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
