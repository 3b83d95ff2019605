package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// TestStarterBank: every starter item passes the bank's validation; the goals cover every area
// and every grade band, each is measurable as written (a timeframe, the student, a criterion
// with its baseline) and none repeats; the accommodations cover both places and include
// modifications, and read-aloud never covers reading comprehension.
func TestStarterBank(t *testing.T) {
	goals, accs := StarterBank(store.BankGoal), StarterBank(store.BankAccommodation)
	if len(goals) < 40 || len(accs) < 40 {
		t.Errorf("%d goals and %d accommodations, want about 40 of each", len(goals), len(accs))
	}
	areas, bands, seen := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, g := range goals {
		g.DistrictID = "d"
		g.Normalize()
		if err := g.Validate(); err != nil {
			t.Errorf("goal %d: %v", i, err)
		}
		areas[g.Area], bands[g.GradeBand] = true, true
		for _, must := range []string{"By [date],", "[student]", "[target]", "[baseline]"} {
			if !strings.Contains(g.Text, must) {
				t.Errorf("goal %d has no %s: %s", i, must, g.Text)
			}
		}
		if seen[g.Text] {
			t.Errorf("goal %d repeats: %s", i, g.Text)
		}
		seen[g.Text] = true
		if g.Unit == "" || len(g.Tags) == 0 {
			t.Errorf("goal %d has no unit or no tags", i)
		}
	}
	for _, a := range store.BankAreas {
		if !areas[a] {
			t.Errorf("no starter goal in area %s", a)
		}
	}
	for _, b := range store.GradeBands {
		if !bands[b] {
			t.Errorf("no starter goal for grade band %s", b)
		}
	}
	contexts, kinds := map[iep.AccommodationContext]int{}, map[iep.AccommodationKind]int{}
	for i, a := range accs {
		a.DistrictID = "d"
		a.Normalize()
		if err := a.Validate(); err != nil {
			t.Errorf("accommodation %d: %v", i, err)
		}
		contexts[a.Context]++
		kinds[a.AccommodationKind]++
		if seen[a.Text] {
			t.Errorf("accommodation %d repeats: %s", i, a.Text)
		}
		seen[a.Text] = true
		if strings.Contains(a.Text, "read aloud") && a.Context == iep.ContextTesting && !strings.Contains(a.Text, "except") {
			t.Errorf("a read-aloud test accommodation without its exception: %s", a.Text)
		}
	}
	if contexts[iep.ContextClassroom] < 10 || contexts[iep.ContextTesting] < 8 || contexts[iep.ContextBoth] < 5 || kinds[iep.Modification] < 3 {
		t.Errorf("contexts %v, kinds %v", contexts, kinds)
	}
	// Each call gives a copy: changing one does not change the bank.
	goals[0].Tags[0] = "changed"
	if StarterBank(store.BankGoal)[0].Tags[0] == "changed" {
		t.Error("StarterBank shares its slices")
	}
}

// TestWriteBanks: the demo district gets both starter banks, with the same ids for the same seed.
func TestWriteBanks(t *testing.T) {
	ctx := context.Background()
	var first []string
	for run := range 2 {
		db := openDB(t, "banks.db")
		g, err := newGen(Config{Students: 20, Seed: 7}.withDefaults())
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.CreateDistrict(ctx, &g.district); err != nil {
				return err
			}
			return g.writeBanks(ctx, tx)
		})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, kind := range store.BankKinds {
			p, err := db.SearchBank(ctx, g.district.ID, store.BankFilter{Kind: kind, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != len(StarterBank(kind)) {
				t.Errorf("%s bank: %d items, want %d", kind, p.Total, len(StarterBank(kind)))
			}
			for _, it := range p.Items {
				ids = append(ids, it.ID)
			}
		}
		if run == 0 {
			first = ids
		} else if strings.Join(ids, ",") != strings.Join(first, ",") {
			t.Error("the same seed gave other ids")
		}
	}
}
