package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/demo"
	"github.com/openiep/openiep/internal/store"
)

// The banks in the authorization matrix: the search is for every staff member of the district
// (not the state viewer, who is refused; families and other districts find nothing); the
// administration for administrators only, like the rest of it. The seeded bank has an item, so
// loading the starter bank conflicts; the other POSTs carry the matrix's stray sign-in form,
// which every bank form refuses as invalid.
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		item := w.seedBank("goals")
		search := with(every(toSignIn, ok), asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden,
			asOtherDistrict, hidden, asStateViewer, forbidden)
		admin := func(anonymous, asAdmin outcome) map[string]outcome {
			return with(every(anonymous, forbidden), asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden,
				asOtherDistrict, hidden, asDistrictAdmin, asAdmin)
		}
		const a = "/districts/{district}/admin/banks/{kind}"
		return map[string]map[string]outcome{
			"GET /districts/{district}/banks/{kind}": search,
			"GET " + a:                               admin(toSignIn, ok),
			"POST " + a:                              admin(signInAgain, bad),
			"GET " + a + "/new":                      admin(toSignIn, ok),
			"POST " + a + "/starter":                 admin(signInAgain, conflict),
			"GET " + a + "/{item}":                   admin(toSignIn, ok),
			"POST " + a + "/{item}":                  admin(signInAgain, bad),
			"POST " + a + "/{item}/retire":           admin(signInAgain, bad),
		}, map[string]string{"kind": "goals", "item": item}
	})
}

// seedBank loads the starter bank of kind ("goals", "accommodations") into Riverton and
// returns the id of its first item.
func (w *world) seedBank(kind string) string {
	ctx := context.Background()
	k := bankKinds[kind]
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.LoadBankItems(ctx, w.district, k, demo.StarterBank(k), store.AuditActor{Kind: "system"})
		return err
	})
	if err != nil {
		panic(err)
	}
	p, err := w.db.SearchBank(ctx, w.district, store.BankFilter{Kind: k, Limit: 1})
	if err != nil {
		panic(err)
	}
	return p.Items[0].ID
}

var useButton = regexp.MustCompile(`<button type="submit" name="bank_item" value="([^"]+)" class="secondary">Use this goal<span class="visually-hidden">: ([^<]+)</span></button>`)

func TestBankSearchPageAndFragment(t *testing.T) {
	w := newWorld(t, 0)
	w.seedBank("goals")
	w.seedBank("accommodations")
	goals := "/districts/" + w.district + "/banks/goals"

	// The whole page, as a case manager: every goal of the first page, the filters, no buttons.
	res, body := w.getAs(t, asTeamMember, goals+"?lang=en")
	if vary := strings.Join(res.Header.Values("Vary"), ", "); res.StatusCode != http.StatusOK || !strings.Contains(vary, "HX-Request") {
		t.Fatalf("page: %d, Vary %q", res.StatusCode, vary)
	}
	mustContain(t, "the search page", body, "<h1>Goal bank</h1>", `<ul class="bank-results"`, `role="search"`,
		`<label for="bank-q-goals">`, `hx-get="/districts/`+w.district+`/banks/goals"`, `hx-target="#bank-results-goals"`,
		`<div id="bank-results-goals"`, "goals match.", "The first 25 are shown", `rel="next"`, "Reading", "Kindergarten to grade 2")
	if strings.Contains(body, `name="bank_item"`) || strings.Contains(body, "Manage the goal bank") {
		t.Error("the page has pick buttons, or a case manager is offered the administration")
	}

	// With htmx: only the results, no form of their own, the same Vary.
	res, frag := w.getAs(t, asTeamMember, goals+"?q=Fluency&pick=1", "HX-Request", "true")
	if res.StatusCode != http.StatusOK || strings.Contains(frag, "<html") || strings.Contains(frag, "<form") ||
		!strings.Contains(res.Header.Get("Vary"), "HX-Request") {
		t.Fatalf("fragment: %d %q\n%s", res.StatusCode, res.Header.Get("Vary"), frag)
	}
	mustContain(t, "the fragment", frag, `<ul class="bank-results"`, `role="status"`, "words correct per minute")
	if strings.Contains(frag, `rel="next"`) {
		t.Error("the editor's fragment links away to the next page")
	}
	buttons := useButton.FindAllStringSubmatch(frag, -1)
	if len(buttons) < 2 {
		t.Fatalf("fluency goals with a button: %d\n%s", len(buttons), frag)
	}
	names := map[string]bool{}
	for _, b := range buttons {
		if names[b[2]] {
			t.Errorf("two buttons named %q", b[2])
		}
		names[b[2]] = true
		it, err := w.db.GetBankItem(context.Background(), w.district, b[1])
		if err != nil || !strings.Contains(strings.ToLower(html.UnescapeString(it.Text+strings.Join(it.Tags, " "))), "fluency") {
			t.Errorf("button %s: %v", b[1], err)
		}
	}

	// Filters: area, grade band, words; every word must match.
	_, frag = w.getAs(t, asTeamMember, goals+"?area=motor&grade=pk", "HX-Request", "true")
	mustContain(t, "motor, preschool", frag, "1 goal matches.", "cut along a 6-inch straight line")
	_, frag = w.getAs(t, asTeamMember, goals+"?q=zebra+fluency", "HX-Request", "true")
	mustContain(t, "no match", frag, "No goal matches.")
	if strings.Contains(frag, "<ul") {
		t.Error("an empty result has a list")
	}

	// Accommodations: where they apply; read-aloud never covers reading comprehension.
	_, body = w.getAs(t, asOtherSchool, "/districts/"+w.district+"/banks/accommodations?context=testing&q=read+aloud+comprehension&pick=1")
	mustContain(t, "the accommodation search", body, "Accommodation bank", "except passages and items that assess reading comprehension",
		`<option value="testing" selected>`)
	if strings.Contains(body, "Use this accommodation") {
		t.Error("the whole page has buttons that no form submits")
	}
	_, frag = w.getAs(t, asOtherSchool, "/districts/"+w.district+"/banks/accommodations?context=testing&q=read+aloud+comprehension&pick=1", "HX-Request", "true")
	mustContain(t, "the accommodation fragment", frag, "Use this accommodation<span", "1 accommodation or modification matches.")

	// Spanish.
	_, body = w.getAs(t, asTeamMember, goals+"?lang=es&area=reading")
	mustContain(t, "in Spanish", body, "Banco de metas", "Palabras de la meta", "metas coinciden.", "Lectura")

	// A search that cannot be read; a bank that does not exist.
	if res, _ := w.getAs(t, asTeamMember, goals+"?grade=13"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown grade band: %d", res.StatusCode)
	}
	if res, _ := w.getAs(t, asTeamMember, "/districts/"+w.district+"/banks/poems"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown bank: %d", res.StatusCode)
	}
	// The administrator is offered the administration from the search.
	_, body = w.get(t, goals+"?lang=en")
	mustContain(t, "the administrator's search page", body, "Manage the goal bank")
}

func TestBankAdminStarterBank(t *testing.T) {
	w := newWorld(t, 0)
	list := w.adminURL("banks", "goals")
	_, body := w.get(t, list+"?lang=en")
	mustContain(t, "the empty bank", body, "Start from the starter bank", "Load the starter goals", "No goal matches.")
	res, _ := w.submitAs(t, asDistrictAdmin, list+"/starter", url.Values{})
	_, body = w.follow(t, asDistrictAdmin, res)
	n := len(demo.StarterBank(store.BankGoal))
	mustContain(t, "the loaded bank", body, "The starter bank was loaded.", strconv.Itoa(n)+" goals match.",
		"Last changed by Test administrator")
	if strings.Contains(body, "Load the starter goals") {
		t.Error("the starter bank is still offered")
	}
	if res, _ := w.submitAs(t, asDistrictAdmin, list+"/starter", url.Values{}); res.StatusCode != http.StatusConflict {
		t.Errorf("loading twice: %d", res.StatusCode)
	}
	// The accommodation bank is still empty, and still offers its own.
	_, body = w.get(t, w.adminURL("banks", "accommodations")+"?lang=es")
	mustContain(t, "the other bank", body, "Cargar las adaptaciones iniciales")
}

func TestBankAdminAddEditRetire(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	list := w.adminURL("banks", "goals")

	// A refused goal: every problem said, everything typed kept, nothing stored.
	typed := url.Values{"text": {"By [date], [student] will use a keyboard & keep <this> text."}, "area": {"reading"},
		"objectives": {"First step\r\nSecond step"}, "tags": {"typing, keyboard"}}
	res, body := w.submitAs(t, asDistrictAdmin, list+"?lang=en", typed)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", res.StatusCode)
	}
	mustContain(t, "the refused goal", body, `href="#f-grade_band"`, "Grade band: this is required",
		"How it is measured: this is required", `aria-invalid="true"`, `id="f-schedule-error"`,
		">By [date], [student] will use a keyboard & keep <this> text.</textarea>", ">First step\r\nSecond step</textarea>",
		`value="typing, keyboard"`, `<option value="reading" selected>`)
	if strings.Contains(body, `id="f-area-error"`) {
		t.Error("the area typed right is reported")
	}
	if n, _ := w.db.CountBankItems(ctx, w.district, store.BankGoal); n != 0 {
		t.Fatalf("a refused goal was stored: %d", n)
	}
	_, body = w.submitAs(t, asDistrictAdmin, list+"?lang=es", url.Values{"area": {"astrology"}})
	mustContain(t, "refused in Spanish", body, "Área: elija una opción de la lista", "Cómo se mide: este dato es obligatorio")

	// Added.
	typed.Set("grade_band", "3_5")
	typed.Set("measurement_method", "Keyboarding probes")
	typed.Set("schedule", "Monthly")
	res, _ = w.submitAs(t, asDistrictAdmin, list, typed)
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "the list after adding", body, "The item was added to the bank.", "1 goal matches.",
		"will use a keyboard & keep <this> text.", "Last changed by Test administrator")
	p, _ := w.db.SearchBank(ctx, w.district, store.BankFilter{Kind: store.BankGoal})
	it := p.Items[0]
	if len(it.Objectives) != 2 || strings.Join(it.Tags, "|") != "typing|keyboard" || it.UpdatedBy != w.staffIDs[asDistrictAdmin] {
		t.Errorf("stored: %+v", it)
	}
	entries, _ := w.db.ListAudit(ctx, w.district, "", 5)
	if len(entries) == 0 || entries[0].Action != "create" || entries[0].RecordKind != "bank_item" || entries[0].Reason != "district_admin" {
		t.Errorf("the addition is not audited: %+v", entries)
	}

	// Two administrators open it; the first saves, the second is shown both versions and keeps
	// what they typed; saving again keeps theirs.
	page := list + "/" + it.ID
	_, body = w.get(t, page+"?lang=en")
	mustContain(t, "the edit form", body, "Edit a goal of the bank", `name="revision" value="1"`, "In use: case managers find it")
	first := url.Values{"revision": {"1"}, "area": {"motor"}, "grade_band": {"3_5"}, "text": {"The first administrator's goal."},
		"measurement_method": {"Probes"}, "schedule": {"Monthly"}}
	res, _ = w.submitAs(t, asDistrictAdmin, page, first)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", res.StatusCode)
	}
	second := url.Values{"revision": {"1"}, "area": {"motor"}, "grade_band": {"3_5"}, "text": {"The second administrator's goal."},
		"measurement_method": {"Probes"}, "schedule": {"Weekly"}}
	res, body = w.submitAs(t, asDistrictAdmin, page+"?lang=en", second)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: %d", res.StatusCode)
	}
	mustContain(t, "the conflict", body, "Someone else changed this item", "The first administrator's goal.",
		">The second administrator's goal.</textarea>", `name="revision" value="2"`, `value="Weekly"`)
	if got, _ := w.db.GetBankItem(ctx, w.district, it.ID); got.Text != "The first administrator's goal." {
		t.Errorf("the stale save was stored: %q", got.Text)
	}
	second.Set("revision", "2")
	res, _ = w.submitAs(t, asDistrictAdmin, page, second)
	if got, _ := w.db.GetBankItem(ctx, w.district, it.ID); res.StatusCode != http.StatusSeeOther || got.Text != "The second administrator's goal." || got.Revision != 3 {
		t.Errorf("saving again after the conflict: %d, %+v", res.StatusCode, got)
	}
	// A save without the revision it was opened at is refused, with what was typed.
	res, body = w.submitAs(t, asDistrictAdmin, page+"?lang=en", url.Values{"text": {"No revision"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "the page is out of date") || !strings.Contains(body, ">No revision</textarea>") {
		t.Errorf("no revision: %d %s", res.StatusCode, errorSummary(body))
	}

	// Retired from the list: gone from the search, listed as retired, put back.
	res, _ = w.submitAs(t, asDistrictAdmin, page+"/retire", url.Values{"op": {"retire"}, "back": {"list"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "after retiring", body, "The item was retired", "No goal matches.")
	_, frag := w.getAs(t, asTeamMember, "/districts/"+w.district+"/banks/goals?pick=1", "HX-Request", "true")
	if strings.Contains(frag, it.ID) {
		t.Error("a retired goal is offered to the case manager")
	}
	_, body = w.get(t, list+"?show=retired&lang=en")
	mustContain(t, "the retired list", body, "Retired goals", "The second administrator's goal.", "Retired: hidden from the search", "Put back in use")
	res, _ = w.submitAs(t, asDistrictAdmin, page+"/retire", url.Values{"op": {"restore"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "restored", body, "The item is back in use.", "In use: case managers find it")
	if res, _ := w.submitAs(t, asDistrictAdmin, page+"/retire", url.Values{"op": {"burn"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown operation: %d", res.StatusCode)
	}
	// The goal's page under the other bank is not found.
	if res, _ := w.get(t, w.adminURL("banks", "accommodations", it.ID)); res.StatusCode != http.StatusNotFound {
		t.Errorf("a goal opened as an accommodation: %d", res.StatusCode)
	}
}

func TestBankAdminAccommodationForm(t *testing.T) {
	w := newWorld(t, 0)
	list := w.adminURL("banks", "accommodations")
	_, body := w.get(t, list+"/new?lang=en")
	mustContain(t, "the new accommodation", body, "Add an accommodation to the bank", `id="kind-accommodation" checked`,
		"<legend>Where it applies</legend>", `<option value="">Every grade</option>`)
	res, body := w.submitAs(t, asDistrictAdmin, list+"?lang=en", url.Values{"text": {"Visual timer"}, "subjects": {"All"},
		"tags": {strings.Repeat("long", 11)}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", res.StatusCode)
	}
	mustContain(t, "the refused accommodation", body, `href="#f-accommodation_kind"`, `href="#f-context"`,
		"Accommodation or modification: this is required", "Search tags: each tag may have at most 40 characters",
		`aria-describedby="f-context-error"`, ">Visual timer</textarea>", `value="All"`)
	res, _ = w.submitAs(t, asDistrictAdmin, list, url.Values{"text": {"Visual timer for transitions."}, "accommodation_kind": {"accommodation"},
		"context": {"classroom"}, "grade_band": {"pk"}, "tags": {"Transitions, TRANSITIONS"}})
	_, body = w.follow(t, asDistrictAdmin, res)
	mustContain(t, "the accommodation list", body, "1 accommodation or modification matches.", "Visual timer for transitions.",
		"Accommodation · In class · Preschool", "Search tags: transitions")
	// A teacher may not add one.
	if res, _ := w.submitAs(t, asTeamMember, list, url.Values{"text": {"x"}, "accommodation_kind": {"accommodation"}, "context": {"classroom"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a case manager adds to the bank: %d", res.StatusCode)
	}
	if n, _ := w.db.CountBankItems(context.Background(), w.district, store.BankAccommodation); n != 1 {
		t.Errorf("%d accommodations stored, want 1", n)
	}
}
