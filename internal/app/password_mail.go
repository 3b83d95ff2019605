package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// linkMail is the e-mail that carries a one-time link: plain text in the recipient's language,
// naming the district, the account's e-mail address, when the link expires, and what to do when
// the mail was not expected. Its messages are the catalog's "password.mail.*".
type linkMail struct {
	lang     string
	name     string // the recipient's name; may be empty
	district string
	email    string
	link     string
	expires  time.Time // in the district's time zone
}

// mailLanguage is the language a mail is written in for a person who prefers tag (BCP 47): it,
// or its base language, when there is a catalog for it; else the default (English).
func mailLanguage(tag string) string {
	if i18n.Supported(tag) {
		return tag
	}
	if base, _, ok := strings.Cut(tag, "-"); ok && i18n.Supported(base) {
		return base
	}
	return i18n.Default
}

// guardianMailLanguage is the language of a guardian's mail: the one they chose with the switch
// when they have an account, else their preferred language when there is a catalog for it (or
// for its base language), else English.
func (s *Service) guardianMailLanguage(ctx context.Context, districtID string, g *iep.Guardian) (string, error) {
	acc, err := s.db.GetAccountBySubject(ctx, districtID, store.AccountGuardian, g.ID)
	switch {
	case err == nil && i18n.Supported(acc.Language):
		return acc.Language, nil
	case err != nil && iep.KindOf(err) != iep.KindNotFound:
		return "", err
	}
	return mailLanguage(g.PreferredLanguage), nil
}

func (m linkMail) t(key string, args ...any) string { return i18n.Message(m.lang, key, args...) }

// greeting is "Hello Rosa Ortiz," or, without a name, "Hello,".
func (m linkMail) greeting() string {
	if m.name == "" {
		return m.t("password.mail.hello")
	}
	return m.t("password.mail.hello_name", m.name)
}

// when writes the expiry as the pages do ("March 23, 2026 at 10:00 AM"), with the zone's
// abbreviation.
func (m linkMail) when() string {
	e := m.expires
	day := m.t("date.long", e.Day(), m.t("month."+strconv.Itoa(int(e.Month()))), e.Year())
	return m.t("date.at", day, e.Format(m.t("date.time_layout"))) + " (" + e.Format("MST") + ")"
}

// invitation returns the subject and body of an invitation.
func (m linkMail) invitation() (subject, body string) {
	return m.t("password.mail.invite_subject", m.district),
		m.greeting() + "\n\n" + m.t("password.mail.invite_body", m.district, m.email, m.link, m.when()) + "\n"
}

// reset returns the subject and body of a reset link.
func (m linkMail) reset() (subject, body string) {
	return m.t("password.mail.reset_subject"),
		m.greeting() + "\n\n" + m.t("password.mail.reset_body", m.district, m.email, m.link, m.when()) + "\n"
}
