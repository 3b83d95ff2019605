package iep

import (
	"fmt"
	"strings"

	"github.com/openiep/openiep/internal/date"
)

// Student is a child the district serves. Names and birth dates are sensitive: they are never
// logged (log the ID).
type Student struct {
	ID            string       `json:"id"`
	DistrictID    string       `json:"district_id"`
	SchoolID      string       `json:"school_id"`
	LocalID       string       `json:"local_id"` // the student information system's id
	StateID       string       `json:"state_id,omitempty"`
	FirstName     string       `json:"first_name"`
	MiddleName    string       `json:"middle_name,omitempty"`
	LastName      string       `json:"last_name"`
	PreferredName string       `json:"preferred_name,omitempty"`
	BirthDate     date.Date    `json:"birth_date"`
	Grade         Grade        `json:"grade"`
	HomeLanguage  string       `json:"home_language"` // BCP 47, e.g. "es", "pt-BR", "vi"
	Pronouns      string       `json:"pronouns,omitempty"`
	Disabilities  []Disability `json:"disabilities"`
	EnrolledOn    date.Date    `json:"enrolled_on"`
	ExitedOn      date.Date    `json:"exited_on,omitzero"`
	ExitReason    ExitReason   `json:"exit_reason,omitempty"`
}

// DisplayName is the name the student goes by followed by the last name.
func (s *Student) DisplayName() string {
	first := s.FirstName
	if s.PreferredName != "" {
		first = s.PreferredName
	}
	return strings.TrimSpace(first + " " + s.LastName)
}

// PrimaryDisability returns the category of the primary disability, or "".
func (s *Student) PrimaryDisability() DisabilityCategory {
	for _, d := range s.Disabilities {
		if d.Primary {
			return d.Category
		}
	}
	return ""
}

// Disability is one eligibility category of a student, in the order the team ranks them. Exactly
// one is primary when there are any.
type Disability struct {
	Category DisabilityCategory `json:"category"`
	Order    int                `json:"order"` // 1 = primary
	Primary  bool               `json:"primary"`
}

// ExitReason is why a student left special education (Ed-Fi SpecialEducationExitReason, EDFacts
// FS009 basis of exit).
type ExitReason string

const (
	ExitGraduated        ExitReason = "graduated_regular_diploma"
	ExitAlternateDiploma ExitReason = "alternate_diploma"
	ExitCertificate      ExitReason = "certificate"
	ExitMaxAge           ExitReason = "reached_maximum_age"
	ExitNoLongerEligible ExitReason = "no_longer_eligible"
	ExitMoved            ExitReason = "moved_known_to_continue"
	ExitDroppedOut       ExitReason = "dropped_out"
	ExitConsentRevoked   ExitReason = "consent_revoked"
	ExitDied             ExitReason = "died"
)

// ExitReasons lists every exit reason.
var ExitReasons = []ExitReason{ExitGraduated, ExitAlternateDiploma, ExitCertificate, ExitMaxAge, ExitNoLongerEligible, ExitMoved, ExitDroppedOut, ExitConsentRevoked, ExitDied}

// Validate reports what is wrong with s.
func (s *Student) Validate() error {
	var ps Problems
	ps.required("district_id", s.DistrictID)
	ps.required("school_id", s.SchoolID)
	ps.required("first_name", s.FirstName)
	ps.required("last_name", s.LastName)
	if s.BirthDate.IsZero() {
		ps.add("birth_date", CodeRequired, "")
	}
	requiredChoice(&ps, "grade", s.Grade, Grades)
	ps.required("home_language", s.HomeLanguage)
	primaries := 0
	seen := map[DisabilityCategory]bool{}
	for i, d := range s.Disabilities {
		field := fmt.Sprintf("disabilities[%d].category", i)
		requiredChoice(&ps, field, d.Category, DisabilityCategories)
		if seen[d.Category] {
			ps.add(field, CodeDuplicate, string(d.Category))
		}
		seen[d.Category] = true
		if d.Primary {
			primaries++
		}
	}
	if len(s.Disabilities) > 0 && primaries != 1 {
		ps.add("disabilities", CodeInvalid, "exactly one disability must be primary")
	}
	if !s.ExitedOn.IsZero() {
		requiredChoice(&ps, "exit_reason", s.ExitReason, ExitReasons)
		if s.ExitedOn.Before(s.EnrolledOn) {
			ps.add("exited_on", CodeDateOrder, "enrolled_on")
		}
	}
	return ps.Err()
}

// Guardian is a parent, guardian or other adult contact of a student (34 CFR 300.30: a
// biological or adoptive parent, a foster parent, a guardian, a person acting in the place of a
// parent, or a surrogate parent). Whether they hold educational rights is on the link to each
// student, since it can differ per child.
type Guardian struct {
	ID                string          `json:"id"`
	DistrictID        string          `json:"district_id"`
	FirstName         string          `json:"first_name"`
	LastName          string          `json:"last_name"`
	PreferredLanguage string          `json:"preferred_language"` // BCP 47
	NeedsInterpreter  bool            `json:"needs_interpreter"`
	ContactMethods    []ContactMethod `json:"contact_methods"`
	Address           string          `json:"address,omitempty"`
}

// Name returns "First Last".
func (g *Guardian) Name() string { return strings.TrimSpace(g.FirstName + " " + g.LastName) }

// Email returns the guardian's preferred e-mail address, or the first one, or "".
func (g *Guardian) Email() string {
	found := ""
	for _, c := range g.ContactMethods {
		if c.Kind == ContactEmail {
			if c.Preferred {
				return c.Value
			}
			if found == "" {
				found = c.Value
			}
		}
	}
	return found
}

// ContactKind is a way to reach a guardian.
type ContactKind string

const (
	ContactEmail ContactKind = "email"
	ContactPhone ContactKind = "phone"
	ContactText  ContactKind = "text"
	ContactMail  ContactKind = "mail"
)

// ContactKinds lists every contact kind.
var ContactKinds = []ContactKind{ContactEmail, ContactPhone, ContactText, ContactMail}

// ContactMethod is one address, number or channel.
type ContactMethod struct {
	Kind      ContactKind `json:"kind"`
	Value     string      `json:"value"`
	Preferred bool        `json:"preferred"`
}

// Validate reports what is wrong with g.
func (g *Guardian) Validate() error {
	var ps Problems
	ps.required("district_id", g.DistrictID)
	ps.required("first_name", g.FirstName)
	ps.required("last_name", g.LastName)
	ps.required("preferred_language", g.PreferredLanguage)
	for i, c := range g.ContactMethods {
		f := fmt.Sprintf("contact_methods[%d]", i)
		requiredChoice(&ps, f+".kind", c.Kind, ContactKinds)
		ps.required(f+".value", c.Value)
		if c.Kind == ContactEmail && c.Value != "" && !looksLikeEmail(c.Value) {
			ps.add(f+".value", CodeInvalid, "an e-mail address such as name@example.org")
		}
	}
	return ps.Err()
}

// Relationship is how a guardian is related to a student.
type Relationship string

const (
	RelMother          Relationship = "mother"
	RelFather          Relationship = "father"
	RelParent          Relationship = "parent"
	RelStepparent      Relationship = "stepparent"
	RelAdoptiveParent  Relationship = "adoptive_parent"
	RelFosterParent    Relationship = "foster_parent"
	RelGuardian        Relationship = "legal_guardian"
	RelSurrogateParent Relationship = "surrogate_parent"
	RelGrandparent     Relationship = "grandparent"
	RelRelative        Relationship = "relative"
	RelOther           Relationship = "other"
)

// Relationships lists every relationship.
var Relationships = []Relationship{RelMother, RelFather, RelParent, RelStepparent, RelAdoptiveParent, RelFosterParent, RelGuardian, RelSurrogateParent, RelGrandparent, RelRelative, RelOther}

// StudentGuardian links a guardian to a student. HoldsEducationalRights is false for, e.g., a
// parent whose rights a court removed: they then see nothing of the record.
type StudentGuardian struct {
	DistrictID             string       `json:"district_id"`
	StudentID              string       `json:"student_id"`
	GuardianID             string       `json:"guardian_id"`
	Relationship           Relationship `json:"relationship"`
	HoldsEducationalRights bool         `json:"holds_educational_rights"`
	LivesWithStudent       bool         `json:"lives_with_student"`
	EmergencyContact       bool         `json:"emergency_contact"`
	ContactOrder           int          `json:"contact_order"` // 1 = contact first
}

// Validate reports what is wrong with l.
func (l *StudentGuardian) Validate() error {
	var ps Problems
	ps.required("student_id", l.StudentID)
	ps.required("guardian_id", l.GuardianID)
	requiredChoice(&ps, "relationship", l.Relationship, Relationships)
	return ps.Err()
}
