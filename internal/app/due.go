package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/store"
)

// "What is due": the open deadlines of a district, a school or a caseload, overdue first, read
// from the deadlines the clocks computed (store.ListDue); a student's own deadlines; and the
// daily digest to case managers.

// DueQuery is what a reader asks of "what is due".
type DueQuery struct {
	SchoolID, CaseManagerID, Clock string
	Status                         store.DueStatus
	After                          string
}

// Due is one page of "what is due".
type Due struct {
	District iep.District
	Today    date.Date
	Query    DueQuery
	Counts   store.DueCounts
	Rows     []DueRow
	Next     string // the cursor of the next page; "" on the last
	// CaseloadOnly is set for a case manager who is not an administrator: they see their own
	// caseload (Query.CaseManagerID is theirs, whatever was asked).
	CaseloadOnly bool
	// AggregatesOnly is set for a state viewer: the counts, no rows.
	AggregatesOnly bool
	Schools        []iep.School
	CaseManagers   []iep.Staff // for the filter (administrators)
	Clocks         []string    // the rule ids of the district's pack, for the filter
}

// DueRow is an open deadline with its status on the district's today.
type DueRow struct {
	store.DueRow
	Status DueStatus
}

// DueStatus is a deadline's state on a day, with the days late (overdue, met late) or left
// (due soon, upcoming).
type DueStatus struct {
	Code string // "upcoming", "due_soon", "overdue", "met", "met_late", "paused", "lapsed", "too_early"
	Days int
}

// StatusOf is a stored deadline's status on today. It reads the stored day the deadline
// becomes due soon (soon_on), as the filters and counts of store.ListDue do, so that a row's
// status always agrees with the list it is in; clocks.Deadline.StatusOn computes the same from
// the rule pack when the deadlines are computed.
func StatusOf(d store.Deadline, today date.Date) DueStatus {
	switch {
	case d.Lapsed:
		return DueStatus{"lapsed", 0}
	case d.Early:
		return DueStatus{"too_early", d.MetOn.DaysUntil(d.Due)}
	case !d.MetOn.IsZero() && d.MetOn.After(d.Due):
		return DueStatus{"met_late", d.Due.DaysUntil(d.MetOn)}
	case !d.MetOn.IsZero():
		return DueStatus{"met", 0}
	case d.Paused:
		return DueStatus{"paused", 0}
	case d.Due.Before(today):
		return DueStatus{"overdue", d.Due.DaysUntil(today)}
	case !d.Soon.After(today):
		return DueStatus{"due_soon", today.DaysUntil(d.Due)}
	}
	return DueStatus{"upcoming", today.DaysUntil(d.Due)}
}

// statusUnder is StatusOf, knowing the rules: an open window the family answers (a rule with
// Silence, e.g. the MA parent response) that has passed is not the district's delay but an
// answer to record ("window_passed").
func statusUnder(pack *rules.Pack, d store.Deadline, today date.Date) DueStatus {
	st := StatusOf(d, today)
	if pack != nil && st.Code == "overdue" {
		if r, ok := pack.Rule(d.Clock); ok && r.Silence != "" {
			st.Code = "window_passed"
		}
	}
	return st
}

// packOf is the district's rule pack; nil when it names none we know (statuses then ignore
// the rules' silence).
func (s *Service) packOf(ctx context.Context, d *iep.District) *rules.Pack {
	p, err := s.districtPack(ctx, d)
	if err != nil {
		return nil
	}
	return &p
}

// DuePageSize is how many deadlines one page of "what is due" lists.
const DuePageSize = 50

// WhatIsDue returns one page of the open deadlines of a district (the policy's ViewCaseload).
// District administrators and representatives see the whole district and may filter by school,
// case manager, clock and status; a case manager sees their own caseload (the policy's
// OwnCaseload scope: whatever case manager was asked for); a state viewer the counts alone;
// other staff and families are refused (the policy's kinds). The read is audited (names are
// shown).
func (s *Service) WhatIsDue(ctx context.Context, a Actor, districtID string, q DueQuery) (*Due, error) {
	out := &Due{Query: q}
	dec, err := s.authorize(ctx, a, access.ViewCaseload, districtID, "")
	switch {
	case err == nil && dec.Scope.OwnCaseload:
		out.CaseloadOnly, out.Query.CaseManagerID = true, a.ID
	case err == nil:
	case iep.KindOf(err) == iep.KindForbidden:
		agg, aerr := s.authorize(ctx, a, access.ViewAggregates, districtID, "")
		if aerr != nil {
			return nil, err
		}
		out.AggregatesOnly, dec = true, agg
	default:
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return nil, err
	}
	out.District, out.Today = *d, date.Of(now)
	f := store.DueFilter{Today: out.Today, SchoolID: out.Query.SchoolID, CaseManagerID: out.Query.CaseManagerID,
		Clock: out.Query.Clock, Status: out.Query.Status, After: out.Query.After, Limit: DuePageSize + 1}
	if out.Counts, err = s.db.CountDue(ctx, districtID, f); err != nil {
		return nil, err
	}
	if out.AggregatesOnly {
		return out, nil
	}
	rows, err := s.db.ListDue(ctx, districtID, f)
	if err != nil {
		return nil, err
	}
	if len(rows) > DuePageSize {
		rows = rows[:DuePageSize]
		out.Next = rows[DuePageSize-1].Cursor
	}
	pack := s.packOf(ctx, d)
	if pack != nil {
		for _, r := range pack.Rules {
			out.Clocks = append(out.Clocks, r.ID)
		}
	}
	for _, r := range rows {
		out.Rows = append(out.Rows, DueRow{DueRow: r, Status: statusUnder(pack, r.Deadline, out.Today)})
	}
	if out.Schools, err = s.db.ListSchools(ctx, districtID); err != nil {
		return nil, err
	}
	if !out.CaseloadOnly {
		if out.CaseManagers, err = s.db.ListStaffWithRole(ctx, districtID, iep.RoleCaseManager); err != nil {
			return nil, err
		}
	}
	return out, s.audit(ctx, a, dec, "read_due", auditDistrict, districtID, districtID, "")
}

// StudentDeadline is one of a student's deadlines with its status on the district's today.
type StudentDeadline struct {
	store.Deadline
	Status DueStatus
}

// StudentDeadlines returns a student's deadlines (open ones first), for whoever may view the
// record; the read is audited. Errors: the policy's (not found for those who may not know the
// student exists).
func (s *Service) StudentDeadlines(ctx context.Context, a Actor, districtID, studentID string) ([]StudentDeadline, date.Date, error) {
	dec, err := s.authorize(ctx, a, access.ViewRecord, districtID, studentID)
	if err != nil {
		return nil, date.Date{}, err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return nil, date.Date{}, err
	}
	today := date.Of(now)
	ds, err := s.db.ListStudentDeadlines(ctx, districtID, studentID)
	if err != nil {
		return nil, today, err
	}
	dist, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, today, err
	}
	pack := s.packOf(ctx, dist)
	out := make([]StudentDeadline, len(ds))
	for i, d := range ds {
		out[i] = StudentDeadline{Deadline: d, Status: statusUnder(pack, d, today)}
	}
	return out, today, s.audit(ctx, a, dec, "read_deadlines", auditStudent, studentID, districtID, studentID)
}

// SendDueDigests queues, once per district and day, one e-mail to each case manager with an
// account who has deadlines overdue or due soon: the counts and a link to their "what is due",
// in English (staff), never a student's name (e-mail leaves the system). It reports how many were
// queued; 0 when the day's digest was already sent. The mail worker sends them.
func (s *Service) SendDueDigests(ctx context.Context, districtID string) (int, error) {
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return 0, err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return 0, err
	}
	today := date.Of(now)
	digests, err := s.db.DueDigests(ctx, districtID, today)
	if err != nil {
		return 0, err
	}
	type mailTo struct {
		account *store.Account
		store.DueDigest
	}
	var to []mailTo
	for _, g := range digests {
		acc, err := s.db.GetAccountBySubject(ctx, districtID, store.AccountStaff, g.CaseManagerID)
		if iep.KindOf(err) == iep.KindNotFound {
			continue
		}
		if err != nil {
			return 0, err
		}
		if !acc.Disabled() {
			to = append(to, mailTo{acc, g})
		}
	}
	link := s.publicURL + "/districts/" + districtID + "/due"
	queued := 0
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		claimed, err := tx.ClaimDueDigest(ctx, districtID, today, len(to))
		if err != nil || !claimed {
			return err
		}
		for _, m := range to {
			subject, body := dueDigestText(i18n.Default, d.Name, m.DueDigest, link)
			if err := tx.EnqueueMail(ctx, &store.OutboxMail{DistrictID: districtID, Kind: "due_digest", To: m.account.Email,
				Subject: subject, BodyText: body}); err != nil {
				return err
			}
			queued++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("queue the digests of district %s: %w", districtID, err)
	}
	return queued, nil
}

// dueDigestText is a digest's subject and plain-text body in lang.
func dueDigestText(lang, district string, g store.DueDigest, link string) (subject, body string) {
	t := func(key string, args ...any) string { return i18n.Message(lang, key, args...) }
	subject = t("due.digest.subject", g.Overdue, g.DueSoon)
	var b strings.Builder
	fmt.Fprintln(&b, t("due.digest.hello", district))
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, t("due.digest.overdue", g.Overdue))
	fmt.Fprintln(&b, t("due.digest.due_soon", g.DueSoon))
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, t("due.digest.open"))
	fmt.Fprintln(&b, link)
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, t("due.digest.why"))
	return subject, b.String()
}

// DigestHour is the hour of the district's day from which its daily digest goes out.
const DigestHour = 6

// RunDigests sends each district's daily digest (SendDueDigests) once its day has reached
// DigestHour, checking now and then every interval until ctx ends; the per-day claim makes
// several instances and restarts send it once. It logs counts and ids only.
func (s *Service) RunDigests(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		districts, err := s.db.ListDistricts(ctx)
		if err != nil && ctx.Err() == nil {
			log.ErrorContext(ctx, "digests: list districts", "err", err)
		}
		for _, d := range districts {
			now, err := s.districtNow(ctx, d.ID)
			if err != nil || now.Hour() < DigestHour {
				continue
			}
			n, err := s.SendDueDigests(ctx, d.ID)
			switch {
			case err != nil && ctx.Err() == nil:
				log.ErrorContext(ctx, "digests", "district", d.ID, "err", err)
			case n > 0:
				log.InfoContext(ctx, "digests queued", "district", d.ID, "mails", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
