package web

import (
	"net/http/httptest"
	"testing"
)

// TestBrowserWhatIsDue checks "what is due" with axe-core as the administrator and as the case
// manager, in English and Spanish and at 320 px.
func TestBrowserWhatIsDue(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	w.seedDeadlines()
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	due := srv.URL + "/districts/" + w.district + "/due"
	for _, who := range []string{asDistrictAdmin, asTeamMember} {
		b.signIn(t, srv.URL, w.emails[who], who)
		for _, p := range []struct {
			name          string
			url           string
			width, height int64
		}{
			{"due-en", due + "?lang=en", 1280, 900},
			{"due-es", due + "?lang=es&status=overdue", 1280, 900},
			{"due-320px", due + "?lang=en", 320, 640},
		} {
			name := p.name + "-" + safeName(who)
			t.Run(name, func(t *testing.T) {
				b.visit(t, name, p.url, p.width, p.height)
				b.checkAxe(t, name)
				if p.width <= 320 {
					m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
					if m[0] > m[1] {
						t.Errorf("%s: %d px wide in a %d px viewport", name, m[0], m[1])
					}
				}
				b.screenshot(t, name)
			})
		}
		b.signOut(t)
	}
}
