package sso_test

import (
	"errors"
	"testing"

	"github.com/openiep/openiep/internal/sso"
	"github.com/openiep/openiep/internal/sso/ssotest"
)

// TestMicrosoftDomainOwnerVerified: Microsoft Entra ID sends no email_verified; its xms_edov
// claim (the address's domain is verified by its owner) counts as verified. Without either the
// address is refused.
func TestMicrosoftDomainOwnerVerified(t *testing.T) {
	fake := ssotest.New(t)
	fake.AllowRedirectURI(redirectURL)
	c := sso.NewClient(sso.Options{})
	p := fake.Provider("riverside.org")

	fake.SetUser(ssotest.User{Subject: "entra-oid-1", Email: "Ana@Riverside.org", DomainOwnerVerified: true})
	f, code := signIn(t, c, p)
	id, err := c.Complete(ctx, p, f, redirectURL, code)
	if err != nil {
		t.Fatalf("Complete with xms_edov = %v, want the identity", err)
	}
	if id.Subject != "entra-oid-1" || id.Email != "ana@riverside.org" {
		t.Errorf("Complete with xms_edov = %+v", id)
	}

	fake.SetUser(ssotest.User{Subject: "entra-oid-2", Email: "ben@riverside.org"}) // neither claim true
	f, code = signIn(t, c, p)
	if _, err := c.Complete(ctx, p, f, redirectURL, code); !errors.Is(err, sso.ErrEmailNotVerified) {
		t.Errorf("Complete without email_verified or xms_edov = %v, want ErrEmailNotVerified", err)
	}
}
