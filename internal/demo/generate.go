// Package demo generates a deterministic, realistic demo district: schools, a school calendar,
// staff of every role, students and their families, and special education records in every
// stage of the process, written through the store so that every record passes the domain's
// validation. The same Config gives the same rows.
package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// Config says what to generate.
type Config struct {
	Students int       // total students in the district (default 2000)
	Seed     int64     // the same seed gives the same data: names, dates, ids, everything
	Today    date.Date // the "as of" date the stages are laid out around (default 2026-11-24)
	// Progress, when not nil, receives progress: a one-line bar redrawn in place on a terminal,
	// otherwise a line every 10%.
	Progress io.Writer
}

// Result summarizes what Generate wrote.
type Result struct {
	DistrictID string
	Students   int
	WithPlans  int // students with at least one plan, in any status
	Guardians  int
	Staff      int
	Schools    int
	Plans      int
	Elapsed    time.Duration
	SignIns    []SignIn
}

// SignIn is one demo person to sign in as: one per staff role, a guardian and an adult
// student. Exactly one of StaffID, GuardianID and StudentID is set.
type SignIn struct {
	Role       string // a staff role, "guardian" or "student"
	Name       string
	Email      string
	StaffID    string
	GuardianID string
	StudentID  string
}

// DefaultToday is the as-of date used when Config.Today is zero.
var DefaultToday = date.New(2026, time.November, 24)

func (c Config) withDefaults() Config {
	if c.Students <= 0 {
		c.Students = 2000
	}
	if c.Today.IsZero() {
		c.Today = DefaultToday
	}
	return c
}

// Empty reports whether the database has no district yet, i.e. whether a demo can be
// generated without mixing with real data.
func Empty(ctx context.Context, db *store.DB) (bool, error) {
	ds, err := db.ListDistricts(ctx)
	if err != nil {
		return false, err
	}
	return len(ds) == 0, nil
}

// gen holds everything decided before the batches are written.
type gen struct {
	cfg       Config
	today     date.Date
	loc       *time.Location
	cal       *calendar
	district  iep.District
	schools   []*school
	staff     []iep.Staff
	district0 map[iep.StaffRole][]int // district-wide staff by role
	anyStaff  map[iep.StaffRole][]int // every staff member by role
	interp    map[string][]int        // interpreters by language
	pupils    []pupil
	families  []family
}

// newGen decides the district, its calendar, schools, staff and the skeleton of every student.
func newGen(cfg Config) (*gen, error) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		return nil, fmt.Errorf("demo: load time zone: %w", err)
	}
	g := &gen{cfg: cfg, today: cfg.Today, loc: loc, district: newDistrict(),
		district0: map[iep.StaffRole][]int{}, anyStaff: map[iep.StaffRole][]int{}, interp: map[string][]int{}}
	r := newRNG(cfg.Seed, 0)
	ids := newIDGen(r.Rand, g.today, 0)
	g.district.ID = ids.next()
	g.cal = buildCalendar(r, g.today)
	for _, y := range g.cal.years {
		y.year.ID, y.year.DistrictID = ids.next(), g.district.ID
		for i := range y.days {
			y.days[i].DistrictID, y.days[i].SchoolYearID = g.district.ID, y.year.ID
		}
	}
	g.schools = buildSchools(r, cfg.Students)
	for _, sc := range g.schools {
		sc.ID, sc.DistrictID = ids.next(), g.district.ID
	}
	g.buildSkeleton(r)
	g.buildStaff(r, ids)
	g.assignCaseManagers()
	return g, nil
}

// buildStaff hires each school's staff and then the district-wide staff.
func (g *gen) buildStaff(r rng, ids *idGen) {
	m := &staffMaker{r: r, ids: ids, emails: map[string]bool{}}
	add := func(st iep.Staff, sc *school) {
		st.DistrictID = g.district.ID
		i := len(g.staff)
		g.staff = append(g.staff, st)
		for _, role := range st.Roles {
			g.anyStaff[role] = append(g.anyStaff[role], i)
			if sc != nil {
				sc.staff[role] = append(sc.staff[role], i)
			} else {
				g.district0[role] = append(g.district0[role], i)
			}
		}
		if st.HasRole(iep.RoleInterpreter) {
			l := st.Languages[len(st.Languages)-1]
			g.interp[l] = append(g.interp[l], i)
		}
	}
	for _, sc := range g.schools {
		for _, p := range schoolStaffPlan(sc) {
			for range p.n {
				add(m.make(p.roles, []string{sc.ID}, ""), sc)
			}
		}
	}
	langs := map[string]int{}
	sped := 0
	for _, f := range g.families {
		if f.nonEnglish {
			langs[origins[f.origin].language]++
		}
	}
	for _, p := range g.pupils {
		if p.stage != stageNone {
			sped++
		}
	}
	for _, p := range districtStaffPlan(g.cfg.Students, sped, langs) {
		for range p.n {
			add(m.make(p.roles, nil, p.lang), nil)
		}
	}
}

// assignCaseManagers gives each student with a record a case manager of their school, in
// turn, or a district-wide one where the school has none.
func (g *gen) assignCaseManagers() {
	next := 0
	for i := range g.pupils {
		p := &g.pupils[i]
		if p.stage == stageNone {
			continue
		}
		sc := g.schools[p.school]
		if cms := sc.staff[iep.RoleCaseManager]; len(cms) > 0 {
			p.caseMgr = int32(cms[sc.nextCM%len(cms)])
			sc.nextCM++
			continue
		}
		cms := g.district0[iep.RoleCaseManager]
		p.caseMgr = int32(cms[next%len(cms)])
		next++
	}
}

// staffFor returns a staff member of role serving school sc: one of the school's own, else a
// district-wide one, else anyone holding the role.
func (g *gen) staffFor(r rng, sc *school, role iep.StaffRole) *iep.Staff {
	list := sc.staff[role]
	if len(list) == 0 {
		list = g.district0[role]
	}
	if len(list) == 0 {
		list = g.anyStaff[role]
	}
	return &g.staff[list[r.IntN(len(list))]]
}

// batchRanges cuts the families into batches of about size students, never splitting a family.
func (g *gen) batchRanges(size int) [][2]int {
	var out [][2]int
	start, n := 0, 0
	for i, f := range g.families {
		n += int(f.n)
		if n >= size {
			out = append(out, [2]int{start, i + 1})
			start, n = i+1, 0
		}
	}
	if start < len(g.families) {
		out = append(out, [2]int{start, len(g.families)})
	}
	return out
}

// batchSize is the number of students written per transaction: big enough to amortize the
// commit, small enough to report progress often.
func batchSize(n int) int { return min(2500, max(250, n/20)) }

// Generate writes a new demo district into db and returns what it wrote. It does not check
// that the database is empty (see Empty); a second run adds a second district. The run stops
// at the first error (a record that fails validation is a bug of the generator); batches
// written before it stay.
func Generate(ctx context.Context, db *store.DB, cfg Config) (*Result, error) {
	began := time.Now()
	cfg = cfg.withDefaults()
	g, err := newGen(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := db.GetDistrict(ctx, g.district.ID); err == nil {
		return nil, fmt.Errorf("demo: the district of seed %d is already in this database; choose another seed or a new database", cfg.Seed)
	} else if iep.KindOf(err) != iep.KindNotFound {
		return nil, err
	}
	res := &Result{DistrictID: g.district.ID, Staff: len(g.staff), Schools: len(g.schools)}
	restore := tuneSQLite(ctx, db)
	defer restore()
	if err := db.Write(ctx, func(tx *store.Tx) error { return g.writeOrg(ctx, tx) }); err != nil {
		return nil, fmt.Errorf("demo: write the district: %w", err)
	}
	ranges := g.batchRanges(batchSize(cfg.Students))
	prog := newProgress(cfg.Progress, cfg.Students)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan *batch, 2)
	go func() {
		defer close(ch)
		for i, fr := range ranges {
			b := g.buildBatch(i, fr)
			select {
			case ch <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	picks := &signInPicks{}
	for b := range ch {
		if err := db.Write(ctx, func(tx *store.Tx) error { return g.writeBatch(ctx, tx, b) }); err != nil {
			return nil, fmt.Errorf("demo: write batch %d: %w", b.index, err)
		}
		res.Students += len(b.students)
		res.Guardians += len(b.guardians)
		res.Plans += len(b.plans)
		res.WithPlans += b.withPlans
		picks.take(b)
		prog.add(len(b.students), b.rows())
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prog.finish()
	res.SignIns = g.signIns(picks)
	res.Elapsed = time.Since(began)
	return res, nil
}

// tuneSQLite sets SQLite's single writer connection up for a bulk load and returns a function
// that puts its settings back: a page cache big enough to hold a whole batch (128 MiB, so that a
// transaction does not spill pages before it commits) and no fsync while the demo is written
// (synchronous=OFF: an interrupted demo is simply generated again; committed batches survive a
// crash of the process, only a crash of the machine could lose them). The restore checkpoints
// the log into the database. PostgreSQL is left alone.
func tuneSQLite(ctx context.Context, db *store.DB) func() {
	if db.Engine() != "sqlite" {
		return func() {}
	}
	w := db.Writer()
	settings := []string{"cache_size", "synchronous"}
	tuned := []string{"-131072", "OFF"}
	var restore []string
	for i, name := range settings {
		var old string
		if err := w.QueryRowContext(ctx, "PRAGMA "+name).Scan(&old); err != nil {
			break
		}
		if _, err := w.ExecContext(ctx, "PRAGMA "+name+" = "+tuned[i]); err != nil {
			break
		}
		restore = append(restore, "PRAGMA "+name+" = "+old)
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		for _, q := range restore {
			_, _ = w.ExecContext(ctx, q)
		}
		_, _ = w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
}
