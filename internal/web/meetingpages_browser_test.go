package web

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserMeetingPages checks the team, schedule, meeting and proposal screens with axe-core
// as the case manager, in English and Spanish and at 320 px, as Noah's plan goes from a draft
// with its team to a meeting held and a proposal; and a refused form as the browser shows it.
func TestBrowserMeetingPages(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	x := newMP(t)
	x.fullTeam(t)
	meeting := x.scheduleToday(t)
	x.submitAs(t, asTeamMember, meetingURL(x.district, meeting)+"/contact-attempts", url.Values{"method": {"phone"}, "outcome": {"Left a message"}})
	srv := httptest.NewServer(x.handler)
	defer srv.Close()
	b := newBrowser(t)
	b.signIn(t, srv.URL, x.emails[asTeamMember], asTeamMember)
	teacher := x.team(t)[2].ID
	check := func(stage string, pages map[string]string) {
		for name, path := range pages {
			for _, v := range []struct {
				suffix, lang  string
				width, height int64
			}{{"en", "en", 1280, 900}, {"es", "es", 1280, 900}, {"320px", "en", 320, 640}} {
				n := stage + "-" + name + "-" + v.suffix
				t.Run(n, func(t *testing.T) {
					u, _ := url.Parse(srv.URL + path)
					q := u.Query()
					q.Set("lang", v.lang)
					u.RawQuery = q.Encode()
					b.visit(t, n, u.String(), v.width, v.height)
					b.checkAxe(t, n)
					if v.width <= 320 {
						m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
						if m[0] > m[1] {
							t.Errorf("%s: %d px wide in a %d px viewport", n, m[0], m[1])
						}
					}
					b.screenshot(t, n)
				})
			}
		}
	}
	check("draft", map[string]string{
		"team":     x.teamURL + "?excuse=" + teacher,
		"schedule": planURL(x.district, x.plan, "meetings", "new"),
		"meeting":  meetingURL(x.district, meeting),
		"proposal": x.proposalURL,
	})

	// A refused form, as the browser shows it: the summary links to each field.
	t.Run("refused-schedule", func(t *testing.T) {
		b.visit(t, "refused-schedule", srv.URL+x.newURL+"?lang=en", 1280, 900)
		b.step(t, "submit the schedule form empty",
			chromedp.SetValue(chromedp.CSS("#f-starts_at"), ""),
			chromedp.Click(chromedp.CSS(`form[action$="/meetings"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("#error-summary")),
		)
		b.checkAxe(t, "refused-schedule")
		b.screenshot(t, "refused-schedule")
	})
	t.Run("refused-hold", func(t *testing.T) {
		b.visit(t, "refused-hold", srv.URL+meetingURL(x.district, meeting)+"?lang=es", 1280, 900)
		b.step(t, "record the meeting without the parent",
			chromedp.Click(chromedp.CSS(`form[action$="/held"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("#error-summary")),
		)
		b.checkAxe(t, "refused-hold")
		b.screenshot(t, "refused-hold")
	})

	// Held and whole: the notice form; then proposed: where the proposal stands.
	form := url.Values{"finalizes": {"on"}}
	for _, m := range x.team(t) {
		form.Add("member", m.ID)
		form.Add("present", m.ID)
	}
	x.submitAs(t, asTeamMember, meetingURL(x.district, meeting)+"/held", form)
	x.wholeDraft(t)
	check("held", map[string]string{"proposal": x.proposalURL, "meeting": meetingURL(x.district, meeting)})
	x.submitFile(t, asTeamMember, x.proposalURL, url.Values{"notice.reasons": {"r"}, "notice.options_considered": {"o"}, "notice.based_on": {"b"}})
	check("proposed", map[string]string{"proposal": x.proposalURL})
	// Accepted in part: the parts to reject appear, and a part's comment once it is ticked.
	t.Run("accept-in-part", func(t *testing.T) {
		b.visit(t, "accept-in-part", srv.URL+x.proposalURL+"?lang=es", 1280, 900)
		if evalIn[bool](t, b, `document.querySelector("#f-rejected_sections").offsetParent !== null`) {
			t.Error("the parts to reject show before the answer is accepted in part")
		}
		b.step(t, "accept in part, rejecting a service",
			chromedp.Click(chromedp.CSS("#f-decision-accept_in_part")),
			chromedp.Click(chromedp.CSS("#f-rejected-line-s2")),
			chromedp.WaitVisible(chromedp.CSS(`textarea[name="comments.s2"]`)),
		)
		if evalIn[bool](t, b, `document.querySelector('textarea[name="comments.s1"]').offsetParent !== null`) {
			t.Error("the comment of a part not ticked shows")
		}
		b.checkAxe(t, "accept-in-part")
		b.screenshot(t, "accept-in-part")
	})
}
