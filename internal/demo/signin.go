package demo

import "github.com/openiep/openiep/internal/iep"

// signInPicks keeps the first guardian and adult student found across the batches.
type signInPicks struct{ guardian, parentIn, parentDr, adult *SignIn }

func (p *signInPicks) take(b *batch) {
	if p.guardian == nil {
		p.guardian = b.guardian
	}
	if p.parentIn == nil {
		p.parentIn = b.parentIn
	}
	if p.parentDr == nil {
		p.parentDr = b.parentDr
	}
	if p.adult == nil {
		p.adult = b.adult
	}
}

// signIns returns one demo person per staff role (in iep.StaffRoles order; the one working at
// the first elementary school when there is one, else the first hired), then the parents (of a
// plan to answer, of a plan in effect, of a shared draft) and the adult student.
func (g *gen) signIns(p *signInPicks) []SignIn {
	var out []SignIn
	var elem *school
	for _, sc := range g.schools {
		if sc.level == levelElem {
			elem = sc
			break
		}
	}
	for _, role := range iep.StaffRoles {
		list := g.anyStaff[role]
		if elem != nil && len(elem.staff[role]) > 0 {
			list = elem.staff[role]
		}
		if len(list) == 0 {
			continue
		}
		st := &g.staff[list[0]]
		out = append(out, SignIn{Role: string(role), Name: st.Name(), Email: st.Email, StaffID: st.ID})
	}
	for _, g := range []*SignIn{p.guardian, p.parentIn, p.parentDr} {
		if g != nil {
			out = append(out, *g)
		}
	}
	if p.adult != nil {
		out = append(out, *p.adult)
	}
	return out
}
