package app

// The receipt of a family's answer to a proposed plan: a plain-text e-mail in the guardian's
// language, queued in the outbox once the answer is recorded, that says what they decided, when
// they signed, exactly what they signed (the version, its date and its SHA-256), the parts they
// did not accept (named, never their comments), when the services must start, and where to see
// it all. The child is not named (e-mail leaves the system): the link says which child.

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// receiptKind is the outbox kind of the receipts.
const receiptKind = "plan_response_receipt"

// queueReceipt queues the receipt of a recorded answer to the family member who gave it, and
// returns the address it goes to ("" when no address is known). It runs after the answer is
// committed: a receipt that cannot be queued does not undo the answer.
func (s *Service) queueReceipt(ctx context.Context, a Actor, districtID, studentID string, out *ResponseOut) (string, error) {
	to, lang, name, err := s.receiptAddress(ctx, a, districtID, studentID)
	if err != nil || to == "" {
		return "", err
	}
	r := &out.Response
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return "", err
	}
	v, err := s.db.GetVersion(ctx, districtID, r.PlanID, out.Plan.CurrentVersion)
	if err != nil {
		return "", err
	}
	frozen, err := iep.Thaw(v)
	if err != nil {
		return "", err
	}
	loc, err := loadLocation(d.Timezone)
	if err != nil {
		loc = time.UTC
	}
	var start *store.Deadline
	ds, err := s.db.ListStudentDeadlines(ctx, districtID, studentID)
	if err != nil {
		return "", err
	}
	for i := range ds {
		if ds[i].Clock == "services_start" && ds[i].Open() && (ds[i].PlanID == r.PlanID || ds[i].PlanID == "") {
			start = &ds[i]
		}
	}
	m := receiptMail{lang: lang, name: name, district: d.Name, loc: loc, r: r, number: v.Number, frozenAt: v.CreatedAt,
		content: &frozen.Content, start: start,
		link: s.publicURL + "/districts/" + url.PathEscape(districtID) + "/family/" + url.PathEscape(studentID) +
			"/plans/" + url.PathEscape(r.PlanID) + "/respond"}
	mail := store.OutboxMail{DistrictID: districtID, Kind: receiptKind, To: to, Subject: m.subject(), BodyText: m.body()}
	return to, s.db.Write(ctx, func(tx *store.Tx) error { return tx.EnqueueMail(ctx, &mail) })
}

// receiptAddress is where the family member's receipt goes and in which language: a guardian's
// preferred e-mail contact (else their first e-mail contact), else the account's e-mail; in the
// language they chose with the switch, else a guardian's preferred language, else an adult
// student's home language (English when there is no catalog for it).
func (s *Service) receiptAddress(ctx context.Context, a Actor, districtID, studentID string) (to, lang, name string, err error) {
	switch a.Kind {
	case ActorGuardian:
		links, err := s.db.ListGuardians(ctx, districtID, studentID)
		if err != nil {
			return "", "", "", err
		}
		for _, l := range links {
			if l.Guardian.ID != a.ID {
				continue
			}
			lang, name, to = l.Guardian.PreferredLanguage, l.Guardian.Name(), l.Guardian.Email()
		}
	case ActorStudent:
		st, err := s.db.GetStudent(ctx, districtID, studentID)
		if err != nil {
			return "", "", "", err
		}
		lang, name = st.HomeLanguage, st.DisplayName()
	}
	acc, err := s.db.GetAccount(ctx, districtID, a.AccountID)
	switch {
	case err == nil:
		if to == "" {
			to = acc.Email
		}
		if i18n.Supported(acc.Language) {
			lang = acc.Language // the language they chose with the switch
		}
	case iep.KindOf(err) != iep.KindNotFound:
		return "", "", "", err
	}
	return to, mailLanguage(lang), strings.TrimSpace(name), nil
}

// receiptMail is the receipt's text in one language.
type receiptMail struct {
	lang, name, district string
	loc                  *time.Location
	r                    *iep.Response
	number               int
	frozenAt             time.Time
	content              *iep.Content
	start                *store.Deadline
	link                 string
}

func (m receiptMail) t(key string, args ...any) string { return i18n.Message(m.lang, key, args...) }

// day writes a civil date as the pages do ("March 16, 2026").
func (m receiptMail) day(d date.Date) string {
	return m.t("date.long", d.Day, m.t("month."+strconv.Itoa(int(d.Month))), d.Year)
}

// when writes an instant in the district's zone with the zone's abbreviation.
func (m receiptMail) when(t time.Time) string {
	t = t.In(m.loc)
	return m.t("date.at", m.day(date.Of(t)), t.Format(m.t("date.time_layout"))) + " (" + t.Format("MST") + ")"
}

func (m receiptMail) subject() string {
	return m.t("fam.respond.mail.subject", m.t("fam.respond.decision_name."+string(m.r.Decision)))
}

// lineName names a service line of the version: its kind and how often.
func (m receiptMail) lineName(id string) string {
	for _, ls := range [][]iep.ServiceLine{m.content.Services.Lines, m.content.ESY.Services} {
		for _, l := range ls {
			if l.ID != id {
				continue
			}
			how := m.t("services.per_period", l.MinutesPerSession, l.SessionsPerPeriod, m.t("period."+string(l.Period)))
			if l.Period == iep.PerCycle {
				how = m.t("services.per_cycle", l.MinutesPerSession, l.SessionsPerPeriod, l.CycleDays)
			}
			return m.t("service_type."+string(l.Type)) + " (" + how + ")"
		}
	}
	return id
}

func (m receiptMail) body() string {
	var b strings.Builder
	line := func(key string, args ...any) { fmt.Fprintln(&b, m.t(key, args...)) }
	if m.name != "" {
		line("password.mail.hello_name", m.name)
	} else {
		line("password.mail.hello")
	}
	fmt.Fprintln(&b)
	line("fam.respond.mail.received", m.district)
	fmt.Fprintln(&b)
	line("fam.respond.mail.decision", m.t("fam.respond.decision_name."+string(m.r.Decision)))
	if sig := m.r.Signature; sig != nil {
		line("fam.respond.mail.signed", m.when(sig.SignedAt), sig.TypedName)
	}
	line("fam.respond.mail.version", m.number, m.day(date.Of(m.frozenAt.In(m.loc))))
	line("fam.respond.mail.sha", m.r.VersionSHA256)
	if len(m.r.RejectedSections)+len(m.r.RejectedServices) > 0 {
		fmt.Fprintln(&b)
		line("fam.respond.mail.not_accepted")
		for _, k := range m.r.RejectedSections {
			fmt.Fprintln(&b, "- "+m.t("section."+string(k)))
		}
		for _, id := range m.r.RejectedServices {
			fmt.Fprintln(&b, "- "+m.lineName(id))
		}
	}
	if m.start != nil {
		fmt.Fprintln(&b)
		if m.start.Provisional {
			line("fam.respond.mail.start_estimate", m.day(m.start.Due))
		} else {
			line("fam.respond.mail.start", m.day(m.start.Due))
		}
	}
	fmt.Fprintln(&b)
	line("fam.respond.mail.see")
	fmt.Fprintln(&b, m.link)
	fmt.Fprintln(&b)
	line("fam.respond.mail.not_you")
	return b.String()
}
