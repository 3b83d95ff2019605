package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSecretsAreNotCarried: a form that arrives without a session is carried through sign-in so
// that nothing typed is lost, except a form holding a password: passwords are never written into
// the sign-in page.
func TestSecretsAreNotCarried(t *testing.T) {
	w := newWorld(t, 0)
	for _, tt := range []struct {
		path  string
		form  url.Values
		carry bool
	}{
		{"/account/password", url.Values{"current_password": {"OldSecret1234"}, "password": {"NewSecret98765"}, "password_confirm": {"NewSecret98765"}}, false},
		{w.adminURL("people"), url.Values{"first_name": {"TypedName"}, "last_name": {"KeptName"}}, true},
	} {
		res, body := w.submitAs(t, asAnonymous, tt.path, tt.form)
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s without a session: %d", tt.path, res.StatusCode)
			continue
		}
		for _, vs := range tt.form {
			for _, v := range vs {
				if got := strings.Contains(body, v); got != tt.carry {
					t.Errorf("%s: %q carried in the page = %v, want %v", tt.path, v, got, tt.carry)
				}
			}
		}
	}
}
