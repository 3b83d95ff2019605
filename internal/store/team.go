package store

import (
	"context"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// AddTeamMember adds a member to a plan's team. Errors: invalid (Validate's problems, no
// district, or a plan, staff member, guardian or student not in the district), conflict.
func (tx *Tx) AddTeamMember(ctx context.Context, m *iep.TeamMember) error {
	if err := checked(m.Validate(), m.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&m.ID); err != nil {
		return err
	}
	var j jsonArgs
	also, excusal := j.of(m.Also), j.of(m.Excusal)
	if j.err != nil {
		return j.err
	}
	_, err := tx.exec(ctx, `INSERT INTO team_members (district_id, id, plan_id, role, also, staff_id,
		guardian_id, student_id, guest_name, guest_title, invited_by, announced_on, excusal)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		m.DistrictID, m.ID, m.PlanID, string(m.Role), also, opt(m.StaffID), opt(m.GuardianID),
		opt(m.StudentID), m.GuestName, m.GuestTitle, string(m.InvitedBy), m.AnnouncedOn, excusal)
	return wrap(err, "add team member %s to plan %s", m.ID, m.PlanID)
}

// ListTeam returns the members of a plan's team, in the order of their ids (creation order for
// the ids the store assigns).
func (db *DB) ListTeam(ctx context.Context, districtID, planID string) ([]iep.TeamMember, error) {
	return list(ctx, db, func(r row, m *iep.TeamMember) error {
		return r.Scan(&m.DistrictID, &m.ID, &m.PlanID, &m.Role, jsonCol{&m.Also}, &m.StaffID, &m.GuardianID,
			&m.StudentID, &m.GuestName, &m.GuestTitle, &m.InvitedBy, &m.AnnouncedOn, jsonCol{&m.Excusal})
	}, `SELECT district_id, id, plan_id, role, also, COALESCE(staff_id, ''), COALESCE(guardian_id, ''),
			COALESCE(student_id, ''), guest_name, guest_title, invited_by, announced_on, excusal
		FROM team_members WHERE district_id = $1 AND plan_id = $2 ORDER BY id`, districtID, planID)
}

// meetingArgs are the values of a meeting's columns from student_id on, in the order of
// CreateMeeting's INSERT and UpdateMeeting's SET ($3…$17).
func (tx *Tx) meetingArgs(m *iep.Meeting) ([]any, error) {
	m.StartsAt = m.StartsAt.UTC().Truncate(time.Microsecond)
	var j jsonArgs
	purposes, attempts, attendance := j.of(m.Purposes), j.of(m.ContactAttempts), j.of(m.Attendance)
	if j.err != nil {
		return nil, j.err
	}
	return []any{m.DistrictID, m.ID, m.StudentID, opt(m.PlanID), purposes, string(m.Status),
		tx.db.d.instant(m.StartsAt), m.DurationMinutes, m.Location, m.VideoLink, m.InterpreterLanguage,
		m.NoticeSentOn, string(m.FamilyReply), attempts, attendance, m.Notes, m.Finalizes,
		tx.db.d.instant(tx.now)}, nil
}

// CreateMeeting stores a meeting. StartsAt is set to UTC, to the microsecond (what is kept). Errors: invalid,
// conflict.
func (tx *Tx) CreateMeeting(ctx context.Context, m *iep.Meeting) error {
	if err := checked(m.Validate(), m.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&m.ID); err != nil {
		return err
	}
	args, err := tx.meetingArgs(m)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO meetings (district_id, id, student_id, plan_id, purposes, status,
		starts_at, duration_minutes, location, video_link, interpreter_language, notice_sent_on,
		family_reply, contact_attempts, attendance, notes, finalizes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)`, args...)
	return wrap(err, "create meeting %s", m.ID)
}

// UpdateMeeting replaces the stored meeting m.ID (its student stays). Errors: invalid, not
// found.
func (tx *Tx) UpdateMeeting(ctx context.Context, m *iep.Meeting) error {
	if err := checked(m.Validate(), m.DistrictID); err != nil {
		return err
	}
	args, err := tx.meetingArgs(m)
	if err != nil {
		return err
	}
	ok, err := tx.execOne(ctx, `UPDATE meetings SET plan_id = $4, purposes = $5, status = $6,
		starts_at = $7, duration_minutes = $8, location = $9, video_link = $10,
		interpreter_language = $11, notice_sent_on = $12, family_reply = $13, contact_attempts = $14,
		attendance = $15, notes = $16, finalizes = $17, updated_at = $18
		WHERE district_id = $1 AND id = $2 AND student_id = $3`, args...)
	if err != nil {
		return wrap(err, "update meeting %s", m.ID)
	}
	if !ok {
		return notFound("meeting", m.ID)
	}
	return nil
}

// ListMeetings returns the student's meetings, by start time.
func (db *DB) ListMeetings(ctx context.Context, districtID, studentID string) ([]iep.Meeting, error) {
	return list(ctx, db, func(r row, m *iep.Meeting) error {
		return r.Scan(&m.DistrictID, &m.ID, &m.StudentID, &m.PlanID, jsonCol{&m.Purposes}, &m.Status,
			instant{&m.StartsAt}, &m.DurationMinutes, &m.Location, &m.VideoLink, &m.InterpreterLanguage,
			&m.NoticeSentOn, &m.FamilyReply, jsonCol{&m.ContactAttempts}, jsonCol{&m.Attendance}, &m.Notes,
			&m.Finalizes)
	}, `SELECT district_id, id, student_id, COALESCE(plan_id, ''), purposes, status, starts_at,
			duration_minutes, location, video_link, interpreter_language, notice_sent_on, family_reply,
			contact_attempts, attendance, notes, finalizes
		FROM meetings WHERE district_id = $1 AND student_id = $2 ORDER BY starts_at, id`, districtID, studentID)
}
