package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// This file holds the district administration: the staff directory, inviting staff, their roles
// and schools, disabling accounts, moving caseloads, the guardians and temporary grants of a
// student, and the district's security settings. Everything here is the access policy's
// ManageDistrict action (district administrators and representatives), decided at authorize;
// every change is audited with the policy's reason in the same transaction as the change.

// byActor is the audit actor of a change a signed-in actor makes on the policy's decision d.
func byActor(a Actor, d access.Decision) store.AuditActor {
	return store.AuditActor{Kind: string(a.Kind), ID: a.ID, Address: a.Address, Reason: string(d.Reason)}
}

// manage authorizes ManageDistrict on the district (studentID "") or on one student.
func (s *Service) manage(ctx context.Context, a Actor, districtID, studentID string) (access.Decision, error) {
	return s.authorize(ctx, a, access.ManageDistrict, districtID, studentID)
}

// StaffDirectory is a page of the district's staff for the administrator.
type StaffDirectory struct {
	District iep.District
	Query    string
	Rows     []store.StaffAccount
	Next     string            // the After of the next page; "" on the last
	Schools  map[string]string // school names by id
}

// StaffDirectoryPageSize is how many staff one page of the directory lists.
const StaffDirectoryPageSize = 50

// StaffDirectory returns a page of the staff directory: whose name or e-mail starts with query,
// after the staff member after.
func (s *Service) StaffDirectory(ctx context.Context, a Actor, districtID, query, after string) (*StaffDirectory, error) {
	if _, err := s.manage(ctx, a, districtID, ""); err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.ListStaffAccounts(ctx, districtID, store.StaffFilter{Query: query, After: after, Limit: StaffDirectoryPageSize + 1})
	if err != nil {
		return nil, err
	}
	out := &StaffDirectory{District: *d, Query: query, Rows: rows}
	if len(rows) > StaffDirectoryPageSize {
		out.Rows = rows[:StaffDirectoryPageSize]
		out.Next = out.Rows[StaffDirectoryPageSize-1].ID
	}
	out.Schools, err = s.schoolNames(ctx, districtID)
	return out, err
}

func (s *Service) schoolNames(ctx context.Context, districtID string) (map[string]string, error) {
	schools, err := s.db.ListSchools(ctx, districtID)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(schools))
	for _, sc := range schools {
		names[sc.ID] = sc.Name
	}
	return names, nil
}

// DistrictSchools returns the district's schools, by name, for the administrator's forms.
func (s *Service) DistrictSchools(ctx context.Context, a Actor, districtID string) ([]iep.School, error) {
	if _, err := s.manage(ctx, a, districtID, ""); err != nil {
		return nil, err
	}
	return s.db.ListSchools(ctx, districtID)
}

// StaffInput is what the administrator types about a staff member.
type StaffInput struct {
	FirstName, LastName, Email, Phone string
	Roles                             []iep.StaffRole
	SchoolIDs                         []string
	Languages                         []string
	Active                            bool
}

func (in StaffInput) staff(districtID, id string) iep.Staff {
	return iep.Staff{ID: id, DistrictID: districtID, FirstName: strings.TrimSpace(in.FirstName),
		LastName: strings.TrimSpace(in.LastName), Email: store.NormalizeEmail(in.Email),
		Phone: strings.TrimSpace(in.Phone), Roles: in.Roles, SchoolIDs: in.SchoolIDs, Languages: in.Languages,
		Active: in.Active}
}

// checkStaff adds to the staff record's own problems those only the district can tell: schools
// of another district, a missing e-mail (staff sign in with it).
func (s *Service) checkStaff(ctx context.Context, st *iep.Staff) error {
	var ps iep.Problems
	ps.Nest("", st.Validate())
	if st.Email == "" {
		ps = append(ps, iep.Problem{Field: "email", Code: iep.CodeRequired})
	}
	names, err := s.schoolNames(ctx, st.DistrictID)
	if err != nil {
		return err
	}
	for _, id := range st.SchoolIDs {
		if names[id] == "" {
			ps = append(ps, iep.Problem{Field: "school_ids", Code: iep.CodeInvalid})
			break
		}
	}
	return ps.Err()
}

// emailTaken is the problem of an e-mail address another account signs in with.
var emailTaken = iep.Problem{Field: "email", Code: "email_taken"}

// AddStaff stores a new staff member and their account (without a password) in one
// transaction, and when invite is set sends them an invitation to choose one. It returns the
// staff member's id. Errors: invalid (the fields; an e-mail another account uses).
func (s *Service) AddStaff(ctx context.Context, a Actor, districtID string, in StaffInput, invite bool) (string, error) {
	d, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return "", err
	}
	st := in.staff(districtID, "")
	st.Active = true
	if err := s.checkStaff(ctx, &st); err != nil {
		return "", err
	}
	var acc store.Account
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateStaff(ctx, &st); err != nil {
			return err
		}
		acc = store.Account{DistrictID: districtID, Kind: store.AccountStaff, SubjectID: st.ID, Email: st.Email}
		return tx.CreateAccount(ctx, &acc, byActor(a, d))
	})
	if iep.KindOf(err) == iep.KindConflict {
		return "", iep.Problems{emailTaken}.Err()
	}
	if err != nil {
		return "", err
	}
	if invite {
		if err := s.SendInvitation(ctx, a, districtID, acc.ID); err != nil {
			return st.ID, err
		}
	}
	return st.ID, nil
}

// StaffMember is one staff member as the administrator sees them.
type StaffMember struct {
	District iep.District
	Staff    iep.Staff
	Account  *store.Account // nil: no account
	Schools  []iep.School   // the district's, to choose from
	// Caseload are the students whose current plan they manage, and the students they work
	// with otherwise (team, grants), at most MaxMine.
	Caseload []store.StaffStudent
	// CaseManagers are the other active staff who can take over the caseload.
	CaseManagers []iep.Staff
}

// StaffMemberDetail returns one staff member with their account and caseload. Errors: not
// found.
func (s *Service) StaffMemberDetail(ctx context.Context, a Actor, districtID, staffID string) (*StaffMember, error) {
	d, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return nil, err
	}
	st, err := s.db.GetStaff(ctx, districtID, staffID)
	if err != nil {
		return nil, err
	}
	dist, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	m := &StaffMember{District: *dist, Staff: *st}
	if m.Account, err = s.db.GetAccountBySubject(ctx, districtID, store.AccountStaff, staffID); iep.KindOf(err) == iep.KindNotFound {
		m.Account, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if m.Schools, err = s.db.ListSchools(ctx, districtID); err != nil {
		return nil, err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return nil, err
	}
	if m.Caseload, err = s.db.ListStaffStudents(ctx, districtID, staffID, now, MaxMine); err != nil {
		return nil, err
	}
	all, err := s.db.ListStaff(ctx, districtID)
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		if o.Active && o.ID != staffID && o.HasRole(iep.RoleCaseManager) {
			m.CaseManagers = append(m.CaseManagers, o)
		}
	}
	// The caseload names students: the read is in the audit trail.
	return m, s.audit(ctx, a, d, "read", "staff", staffID, districtID, "")
}

// UpdateStaff changes a staff member's names, e-mail, roles, schools, languages and whether
// they are active. An administrator cannot take the administrator role from themselves. The
// e-mail of a staff member who has an account is the one they sign in with: changing it
// changes that too. Errors: invalid, not found.
func (s *Service) UpdateStaff(ctx context.Context, a Actor, districtID, staffID string, in StaffInput) error {
	d, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return err
	}
	if _, err := s.db.GetStaff(ctx, districtID, staffID); err != nil {
		return err
	}
	st := in.staff(districtID, staffID)
	if err := s.checkStaff(ctx, &st); err != nil {
		return err
	}
	if staffID == a.ID && (!st.HasRole(iep.RoleAdministrator) && a.HasRole(iep.RoleAdministrator) || !st.Active) {
		return iep.Problems{{Field: "roles", Code: "self_lockout"}}.Err()
	}
	acc, err := s.db.GetAccountBySubject(ctx, districtID, store.AccountStaff, staffID)
	if err != nil && iep.KindOf(err) != iep.KindNotFound {
		return err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateStaff(ctx, &st, byActor(a, d)); err != nil {
			return err
		}
		if acc != nil && acc.Email != st.Email {
			if err := tx.SetAccountEmail(ctx, districtID, acc.ID, st.Email, byActor(a, d)); err != nil {
				return err
			}
		}
		if acc != nil && !st.Active && !acc.Disabled() {
			// An inactive staff member cannot sign in either.
			return tx.DisableAccount(ctx, districtID, acc.ID, byActor(a, d))
		}
		return nil
	})
	if iep.KindOf(err) == iep.KindConflict {
		return iep.Problems{emailTaken}.Err()
	}
	return err
}

// SetStaffAccess enables or disables a staff member's account (creating it, without a password,
// when they have none and it is to be enabled), or sends them a new invitation. Disabling ends
// every session of theirs at once; their history stays. An administrator cannot disable their
// own account. Errors: not found, invalid.
func (s *Service) SetStaffAccess(ctx context.Context, a Actor, districtID, staffID string, op AccountOp) error {
	d, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return err
	}
	st, err := s.db.GetStaff(ctx, districtID, staffID)
	if err != nil {
		return err
	}
	if staffID == a.ID && op == AccountDisable {
		return iep.Problems{{Field: "account", Code: "self_lockout"}}.Err()
	}
	acc, err := s.db.GetAccountBySubject(ctx, districtID, store.AccountStaff, staffID)
	if iep.KindOf(err) == iep.KindNotFound {
		if op == AccountDisable {
			return nil // nothing to disable
		}
		if st.Email == "" {
			return iep.Problems{{Field: "email", Code: iep.CodeRequired}}.Err()
		}
		acc = &store.Account{DistrictID: districtID, Kind: store.AccountStaff, SubjectID: staffID, Email: st.Email}
		err = s.db.Write(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, acc, byActor(a, d)) })
		if iep.KindOf(err) == iep.KindConflict {
			return iep.Problems{emailTaken}.Err()
		}
	}
	if err != nil {
		return err
	}
	switch op {
	case AccountDisable, AccountEnable:
		return s.db.Write(ctx, func(tx *store.Tx) error { return setEnabled(ctx, tx, acc, op == AccountEnable, byActor(a, d)) })
	case AccountInvite:
		if acc.Disabled() {
			return iep.Problems{{Field: "account", Code: "disabled"}}.Err()
		}
		return s.SendInvitation(ctx, a, districtID, acc.ID)
	}
	return iep.Problems{{Field: "op", Code: iep.CodeChoice, Detail: "disable, enable, invite"}}.Err()
}

// AccountOp is what an administrator does to an account.
type AccountOp string

const (
	AccountDisable AccountOp = "disable"
	AccountEnable  AccountOp = "enable"
	AccountInvite  AccountOp = "invite" // send a (new) invitation to choose a password
)

// ReassignCaseload moves the open plans staffID manages, of the given students (all of theirs
// when none are given), to the case manager to. It returns how many plans moved. Errors:
// invalid (to is not another active staff member), not found.
func (s *Service) ReassignCaseload(ctx context.Context, a Actor, districtID, staffID, to string, studentIDs []string) (int, error) {
	d, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return 0, err
	}
	if _, err := s.db.GetStaff(ctx, districtID, staffID); err != nil {
		return 0, err
	}
	var n int
	err = s.db.Write(ctx, func(tx *store.Tx) (err error) {
		n, err = tx.ReassignCaseManager(ctx, districtID, staffID, to, studentIDs, byActor(a, d))
		return err
	})
	return n, err
}

// StudentAccess is who, besides the team, may see one student's record: the guardians (and
// their accounts) and the temporary grants to staff.
type StudentAccess struct {
	District  iep.District
	Student   iep.Student
	Guardians []GuardianAccess
	Grants    []GrantRow
	Staff     []iep.Staff // active staff, to grant access to
	Now       time.Time   // in the district's zone
	// Adult is set when the educational rights have passed to the student (the age of
	// majority, 300.520): the student may then have an account of their own, StudentAccount
	// (nil: none yet).
	Adult          bool
	StudentAccount *store.Account
}

// GuardianAccess is a guardian of the student with their link and account.
type GuardianAccess struct {
	store.GuardianLink
	Email string // their account's, else their e-mail contact; may be empty
	State store.AccountState
}

// GrantRow is a grant with the names of whom it was given to and by.
type GrantRow struct {
	access.Grant
	StaffName, GrantedByName string
	Active                   bool
}

// StudentAccessDetail returns the guardians and grants of a student, for the administrator.
// Errors: not found.
func (s *Service) StudentAccessDetail(ctx context.Context, a Actor, districtID, studentID string) (*StudentAccess, error) {
	d, err := s.manage(ctx, a, districtID, studentID)
	if err != nil {
		return nil, err
	}
	dist, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	out := &StudentAccess{District: *dist, Student: *st}
	if out.Now, err = s.districtNow(ctx, districtID); err != nil {
		return nil, err
	}
	if out.Adult, err = s.rightsTransferred(ctx, districtID, studentID, out.Now); err != nil {
		return nil, err
	}
	out.StudentAccount, err = s.db.GetAccountBySubject(ctx, districtID, store.AccountStudent, studentID)
	if iep.KindOf(err) == iep.KindNotFound {
		out.StudentAccount, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	links, err := s.db.ListGuardians(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	for _, l := range links {
		ga := GuardianAccess{GuardianLink: l, State: store.AccountNone, Email: l.Guardian.Email()}
		acc, err := s.db.GetAccountBySubject(ctx, districtID, store.AccountGuardian, l.Guardian.ID)
		switch {
		case err == nil:
			ga.Email, ga.State = acc.Email, acc.State()
		case iep.KindOf(err) != iep.KindNotFound:
			return nil, err
		}
		out.Guardians = append(out.Guardians, ga)
	}
	staff, err := s.db.ListStaff(ctx, districtID)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, x := range staff {
		names[x.ID] = x.Name()
		if x.Active {
			out.Staff = append(out.Staff, x)
		}
	}
	grants, err := s.db.ListGrants(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	for _, g := range slices.Backward(grants) {
		out.Grants = append(out.Grants, GrantRow{Grant: g, StaffName: names[g.StaffID], GrantedByName: names[g.GrantedBy],
			Active: g.ActiveAt(out.Now)})
	}
	return out, s.audit(ctx, a, d, "read_access", auditStudent, studentID, districtID, studentID)
}

// GuardianInput is what the administrator types to add a guardian to a student.
type GuardianInput struct {
	FirstName, LastName, Email, Language string
	Relationship                         iep.Relationship
	HoldsEducationalRights               bool
	Invite                               bool // create their account and send an invitation
}

// AddGuardian links a guardian to the student. When the e-mail is already a guardian account's
// in the district (a parent of a sibling), that guardian is linked rather than a new one made.
// With Invite, the guardian's account is created (when missing) and an invitation sent. Errors:
// invalid (the fields; an e-mail a staff account uses; a guardian already linked).
func (s *Service) AddGuardian(ctx context.Context, a Actor, districtID, studentID string, in GuardianInput) error {
	d, err := s.manage(ctx, a, districtID, studentID)
	if err != nil {
		return err
	}
	email := store.NormalizeEmail(in.Email)
	g := iep.Guardian{DistrictID: districtID, FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName),
		PreferredLanguage: strings.TrimSpace(in.Language)}
	if email != "" {
		g.ContactMethods = []iep.ContactMethod{{Kind: iep.ContactEmail, Value: email, Preferred: true}}
	}
	var ps iep.Problems
	ps.Nest("", g.Validate())
	for i := range ps {
		if strings.HasPrefix(ps[i].Field, "contact_methods") {
			ps[i].Field = "email" // the only contact method typed here
		}
	}
	if in.Invite && email == "" {
		ps = append(ps, iep.Problem{Field: "email", Code: iep.CodeRequired})
	}
	existing, err := s.existingGuardian(ctx, districtID, email)
	if iep.KindOf(err) == iep.KindInvalid {
		ps.Nest("", err)
	} else if err != nil {
		return err
	}
	link := iep.StudentGuardian{DistrictID: districtID, StudentID: studentID, Relationship: in.Relationship,
		HoldsEducationalRights: in.HoldsEducationalRights, ContactOrder: 1}
	link.GuardianID = "pending" // checked below, once known
	ps.Nest("", link.Validate())
	if err := ps.Err(); err != nil {
		return err
	}
	links, err := s.db.ListGuardians(ctx, districtID, studentID)
	if err != nil {
		return err
	}
	link.ContactOrder = len(links) + 1
	var accountID string
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if existing != nil {
			g = *existing
		} else if err := tx.CreateGuardian(ctx, &g); err != nil {
			return err
		}
		for _, l := range links {
			if l.Guardian.ID == g.ID {
				return iep.Problems{{Field: "email", Code: "already_linked"}}.Err()
			}
		}
		link.GuardianID = g.ID
		if err := tx.LinkGuardian(ctx, &link); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, &store.AuditEntry{DistrictID: districtID, ActorKind: string(a.Kind), ActorID: a.ID,
			Action: "link_guardian", RecordKind: "guardian", RecordID: g.ID, StudentID: studentID,
			FromAddress: a.Address, Reason: string(d.Reason)}); err != nil {
			return err
		}
		if !in.Invite {
			return nil
		}
		acc, err := s.guardianAccount(ctx, tx, a, d, g, email)
		accountID = acc
		return err
	})
	if err != nil || accountID == "" {
		return err
	}
	return s.SendInvitation(ctx, a, districtID, accountID)
}

// existingGuardian returns the guardian whose account signs in with email in the district, nil
// when no account has it. Errors: invalid (a staff or student account, or another district's,
// has it).
func (s *Service) existingGuardian(ctx context.Context, districtID, email string) (*iep.Guardian, error) {
	if email == "" {
		return nil, nil
	}
	acc, err := s.db.GetAccountByEmail(ctx, email)
	if iep.KindOf(err) == iep.KindNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if acc.DistrictID != districtID || acc.Kind != store.AccountGuardian {
		return nil, iep.Problems{emailTaken}.Err()
	}
	return s.db.GetGuardian(ctx, districtID, acc.SubjectID)
}

// guardianAccount returns the id of the guardian's account to invite, creating it (without a
// password) when they have none; "" when they have chosen a password already (they sign in as
// they are: nothing to invite).
func (s *Service) guardianAccount(ctx context.Context, tx *store.Tx, a Actor, d access.Decision, g iep.Guardian, email string) (string, error) {
	acc, err := s.db.GetAccountBySubject(ctx, g.DistrictID, store.AccountGuardian, g.ID)
	if err == nil {
		switch {
		case acc.Disabled():
			return "", iep.Problems{{Field: "account", Code: "disabled"}}.Err()
		case acc.PasswordHash != "":
			return "", nil
		}
		return acc.ID, nil
	}
	if iep.KindOf(err) != iep.KindNotFound {
		return "", err
	}
	if email == "" {
		return "", iep.Problems{{Field: "email", Code: iep.CodeRequired}}.Err()
	}
	n := store.Account{DistrictID: g.DistrictID, Kind: store.AccountGuardian, SubjectID: g.ID, Email: email}
	if err := tx.CreateAccount(ctx, &n, byActor(a, d)); err != nil {
		if iep.KindOf(err) == iep.KindConflict {
			return "", iep.Problems{emailTaken}.Err()
		}
		return "", err
	}
	return n.ID, nil
}

// rightsTransferred reports whether the student's educational rights have passed to them.
func (s *Service) rightsTransferred(ctx context.Context, districtID, studentID string, now time.Time) (bool, error) {
	f, err := s.db.AccessFacts(ctx, districtID, studentID, now)
	if err != nil {
		return false, err
	}
	return f.RightsTransferred(), nil
}

// InviteStudent gives a student whose educational rights have passed to them (300.520) an
// account of their own with the e-mail given (or their existing one) and sends an invitation
// (not to a disabled account: SetStudentAccountEnabled first). Errors: invalid (a student
// still under the rights of their parents, a missing or taken e-mail, an account that has a
// password already), not found.
func (s *Service) InviteStudent(ctx context.Context, a Actor, districtID, studentID, email string) error {
	d, err := s.manage(ctx, a, districtID, studentID)
	if err != nil {
		return err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return err
	}
	if adult, err := s.rightsTransferred(ctx, districtID, studentID, now); err != nil {
		return err
	} else if !adult {
		return iep.Problems{{Field: "student", Code: "not_adult"}}.Err()
	}
	acc, err := s.db.GetAccountBySubject(ctx, districtID, store.AccountStudent, studentID)
	if iep.KindOf(err) == iep.KindNotFound {
		email = store.NormalizeEmail(email)
		probe := iep.Staff{DistrictID: districtID, FirstName: "-", LastName: "-", Email: email, Roles: []iep.StaffRole{iep.RoleCaseManager}}
		if email == "" {
			return iep.Problems{{Field: "student_email", Code: iep.CodeRequired}}.Err()
		} else if probe.Validate() != nil {
			return iep.Problems{{Field: "student_email", Code: iep.CodeInvalid}}.Err()
		}
		acc = &store.Account{DistrictID: districtID, Kind: store.AccountStudent, SubjectID: studentID, Email: email}
		err = s.db.Write(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, acc, byActor(a, d)) })
		if iep.KindOf(err) == iep.KindConflict {
			return iep.Problems{{Field: "student_email", Code: "email_taken"}}.Err()
		}
	}
	if err != nil {
		return err
	}
	return s.SendInvitation(ctx, a, districtID, acc.ID)
}

// GuardianOp is what an administrator does to a guardian's link to a student.
type GuardianOp string

const (
	GuardianGiveRights GuardianOp = "give_rights" // they hold the educational rights
	GuardianTakeRights GuardianOp = "take_rights" // they do not (e.g. a court order)
	GuardianUnlink     GuardianOp = "unlink"
	GuardianInvite     GuardianOp = "invite"  // create their account if missing; send an invitation
	GuardianDisable    GuardianOp = "disable" // their account: signed out everywhere, cannot sign in
	GuardianEnable     GuardianOp = "enable"
)

// ChangeGuardian applies op to a guardian's link to the student. Errors: not found, invalid.
func (s *Service) ChangeGuardian(ctx context.Context, a Actor, districtID, studentID, guardianID string, op GuardianOp) error {
	d, err := s.manage(ctx, a, districtID, studentID)
	if err != nil {
		return err
	}
	links, err := s.db.ListGuardians(ctx, districtID, studentID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(links, func(l store.GuardianLink) bool { return l.Guardian.ID == guardianID })
	if i < 0 {
		return iep.Errorf(iep.KindNotFound, "guardian %s is not linked to student %s", guardianID, studentID)
	}
	l := links[i]
	var accountID string
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		switch op {
		case GuardianGiveRights, GuardianTakeRights:
			l.Link.HoldsEducationalRights = op == GuardianGiveRights
			return tx.UpdateGuardianLink(ctx, &l.Link, byActor(a, d))
		case GuardianUnlink:
			return tx.UnlinkGuardian(ctx, districtID, studentID, guardianID, byActor(a, d))
		case GuardianDisable, GuardianEnable:
			acc, err := s.db.GetAccountBySubject(ctx, districtID, store.AccountGuardian, guardianID)
			switch {
			case iep.KindOf(err) == iep.KindNotFound:
				return iep.Problems{{Field: "account", Code: "no_account"}}.Err()
			case err != nil:
				return err
			}
			return setEnabled(ctx, tx, acc, op == GuardianEnable, byActor(a, d))
		case GuardianInvite:
			var err error
			accountID, err = s.guardianAccount(ctx, tx, a, d, l.Guardian, l.Guardian.Email())
			if err == nil && accountID == "" {
				return iep.Problems{{Field: "account", Code: "has_password"}}.Err()
			}
			return err
		}
		return iep.Problems{{Field: "op", Code: iep.CodeChoice, Detail: "give_rights, take_rights, unlink, invite, disable, enable"}}.Err()
	})
	if err != nil || accountID == "" {
		return err
	}
	return s.SendInvitation(ctx, a, districtID, accountID)
}

// GrantInput is a temporary grant the administrator gives a staff member on one student.
type GrantInput struct {
	StaffID string
	Scope   access.GrantScope
	Until   date.Date // the last day it gives access (through the end of that day in the district)
	Reason  string
}

// MaxGrant is the longest a temporary grant may last.
const MaxGrant = 366 * 24 * time.Hour

// GrantAccess gives a staff member temporary access to the student's record from now through the
// end of in.Until. Errors: invalid (the fields; a last day in the past or more than a year
// ahead; staff of another district or inactive).
func (s *Service) GrantAccess(ctx context.Context, a Actor, districtID, studentID string, in GrantInput) error {
	d, err := s.manage(ctx, a, districtID, studentID)
	if err != nil {
		return err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return err
	}
	var ps iep.Problems
	var until time.Time
	if !in.Until.IsZero() {
		next := in.Until.AddDays(1)
		until = time.Date(next.Year, next.Month, next.Day, 0, 0, 0, 0, now.Location())
		if !until.After(now) || until.Sub(now) > MaxGrant {
			ps = append(ps, iep.Problem{Field: "until", Code: "grant_until"})
		}
	}
	if in.StaffID != "" {
		st, err := s.db.GetStaff(ctx, districtID, in.StaffID)
		if iep.KindOf(err) == iep.KindNotFound || err == nil && !st.Active {
			ps = append(ps, iep.Problem{Field: "staff_id", Code: iep.CodeInvalid})
		} else if err != nil {
			return err
		}
	}
	g := access.Grant{DistrictID: districtID, StaffID: in.StaffID, StudentID: studentID, Scope: in.Scope,
		GrantedBy: a.ID, Reason: strings.TrimSpace(in.Reason), StartsAt: now, Until: until}
	if err := g.Validate(); err != nil {
		var more iep.Problems
		more.Nest("", err)
		for _, p := range more {
			if !slices.ContainsFunc(ps, func(q iep.Problem) bool { return q.Field == p.Field }) {
				ps = append(ps, p)
			}
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.GrantAccess(ctx, &g); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &store.AuditEntry{DistrictID: districtID, ActorKind: string(a.Kind), ActorID: a.ID,
			Action: "grant_access", RecordKind: "grant", RecordID: g.ID, StudentID: studentID,
			FromAddress: a.Address, Reason: string(d.Reason)})
	})
}

// RevokeAccess ends a grant on the student now. Errors: not found.
func (s *Service) RevokeAccess(ctx context.Context, a Actor, districtID, studentID, grantID string) error {
	d, err := s.manage(ctx, a, districtID, studentID)
	if err != nil {
		return err
	}
	grants, err := s.db.ListGrants(ctx, districtID, studentID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(grants, func(g access.Grant) bool { return g.ID == grantID }) {
		return iep.Errorf(iep.KindNotFound, "grant %s is not on student %s", grantID, studentID)
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.RevokeGrant(ctx, districtID, grantID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &store.AuditEntry{DistrictID: districtID, ActorKind: string(a.Kind), ActorID: a.ID,
			Action: "revoke_grant", RecordKind: "grant", RecordID: grantID, StudentID: studentID,
			FromAddress: a.Address, Reason: string(d.Reason)})
	})
}

// DistrictSettings returns the district's security settings.
func (s *Service) DistrictSettings(ctx context.Context, a Actor, districtID string) (store.Settings, *iep.District, error) {
	if _, err := s.manage(ctx, a, districtID, ""); err != nil {
		return store.Settings{}, nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return store.Settings{}, nil, err
	}
	set, err := s.db.GetSettings(ctx, districtID)
	return set, d, err
}

// SaveDistrictSettings stores the district's security settings; sessions pick them up at their
// next request. Errors: invalid.
func (s *Service) SaveDistrictSettings(ctx context.Context, a Actor, districtID string, set store.Settings) error {
	d, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return err
	}
	set.DistrictID = districtID
	return s.db.Write(ctx, func(tx *store.Tx) error { return tx.PutSettings(ctx, &set, byActor(a, d)) })
}

// SetStudentAccountEnabled disables (every session ends at once) or enables the student's own
// account. Errors: invalid (no account), not found.
func (s *Service) SetStudentAccountEnabled(ctx context.Context, a Actor, districtID, studentID string, enabled bool) error {
	d, err := s.manage(ctx, a, districtID, studentID)
	if err != nil {
		return err
	}
	acc, err := s.db.GetAccountBySubject(ctx, districtID, store.AccountStudent, studentID)
	if iep.KindOf(err) == iep.KindNotFound {
		return iep.Problems{{Field: "account", Code: "no_account"}}.Err()
	}
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error { return setEnabled(ctx, tx, acc, enabled, byActor(a, d)) })
}

// setEnabled disables an account (ending its sessions) or enables a disabled one; enabling an
// enabled account changes nothing.
func setEnabled(ctx context.Context, tx *store.Tx, acc *store.Account, enabled bool, by store.AuditActor) error {
	switch {
	case !enabled:
		return tx.DisableAccount(ctx, acc.DistrictID, acc.ID, by)
	case acc.Disabled():
		return tx.EnableAccount(ctx, acc.DistrictID, acc.ID, by)
	}
	return nil
}
