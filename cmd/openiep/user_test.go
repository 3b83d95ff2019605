package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// seedDistricts makes a SQLite file with n districts and returns their ids.
func seedDistricts(t *testing.T, path string, n int) []string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []string
	err = db.Write(ctx, func(tx *store.Tx) error {
		for range n {
			d := &iep.District{Name: "D", StateCode: "MA", RulePack: "MA", Timezone: "America/New_York"}
			if err := tx.CreateDistrict(ctx, d); err != nil {
				return err
			}
			ids = append(ids, d.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestUserAddListDisable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.db")
	ids := seedDistricts(t, path, 1)
	vars := map[string]string{"OPENIEP_DB": path}
	out, _, err := runCmd(t, vars, "user", "add", "--email", "Admin@Riverside.org", "--first", "Ada", "--last", "Admin",
		"--role", "administrator,district_representative")
	if err != nil {
		t.Fatalf("user add: %v", err)
	}
	m := regexp.MustCompile(`One-time password: (\S+)`).FindStringSubmatch(out)
	if m == nil || len(m[1]) < 16 || !strings.Contains(out, "must be changed at the first sign-in") || !strings.Contains(out, ids[0]) {
		t.Fatalf("user add printed %q, want a one-time password of 16+ characters and the district", out)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.GetAccountByEmail(ctx, "admin@riverside.org")
	if err != nil || !a.MustChangePassword || a.Kind != store.AccountStaff {
		t.Fatalf("the account: %+v, %v", a, err)
	}
	if ok, _, err := auth.Verify(a.PasswordHash, m[1]); !ok || err != nil {
		t.Errorf("the printed password does not match the stored hash: %v, %v", ok, err)
	}
	st, err := db.GetStaff(ctx, a.DistrictID, a.SubjectID)
	if err != nil || !st.HasRole(iep.RoleAdministrator) || !st.HasRole(iep.RoleDistrictRepresentative) {
		t.Errorf("the staff member: %+v, %v", st, err)
	}
	db.Close()

	// A password from standard input; the same e-mail again.
	out, _, err = runCmdInput(t, vars, "correct horse battery staple\n", "user", "add", "--district", ids[0], "--email", "teacher@riverside.org",
		"--first", "Tom", "--last", "Teach", "--role", "case_manager", "--password-stdin")
	if err != nil || strings.Contains(out, "One-time password") {
		t.Fatalf("user add --password-stdin = %q, %v", out, err)
	}
	_, _, err = runCmdInput(t, vars, "password1234\n", "user", "add", "--email", "new@riverside.org", "--first", "A", "--last", "B", "--role", "administrator", "--password-stdin")
	if err == nil || !strings.Contains(err.Error(), "password is too weak") || !strings.Contains(err.Error(), "common") {
		t.Errorf("user add with a weak password: %v", err)
	}
	_, _, err = runCmd(t, vars, "user", "add", "--email", "ADMIN@riverside.org", "--first", "A", "--last", "B", "--role", "administrator")
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("user add with a taken e-mail: %v", err)
	}

	out, _, err = runCmd(t, vars, "user", "list")
	if err != nil {
		t.Fatalf("user list: %v", err)
	}
	for _, want := range []string{"EMAIL", "admin@riverside.org", "administrator, district_representative",
		"must change password", "teacher@riverside.org", "active"} {
		if !strings.Contains(out, want) {
			t.Errorf("user list lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Ada") || strings.Contains(out, "Teach ") {
		t.Errorf("user list prints names:\n%s", out)
	}

	if _, _, err := runCmd(t, vars, "user", "disable", "--email", "Teacher@Riverside.org"); err != nil {
		t.Fatalf("user disable: %v", err)
	}
	out, _, _ = runCmd(t, vars, "user", "list", "--district", ids[0])
	if !regexp.MustCompile(`teacher@riverside.org\s+staff\s+case_manager\s+disabled`).MatchString(out) {
		t.Errorf("user list after disable:\n%s", out)
	}
	_, _, err = runCmd(t, vars, "user", "disable", "--email", "nobody@riverside.org")
	if err == nil || !strings.Contains(err.Error(), "no account") {
		t.Errorf("user disable of an unknown e-mail: %v", err)
	}
}

func TestUserAddDistrictChoice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "two.db")
	seedDistricts(t, path, 2)
	vars := map[string]string{"OPENIEP_DB": path}
	args := []string{"user", "add", "--email", "a@b.org", "--first", "A", "--last", "B", "--role", "administrator"}
	_, _, err := runCmd(t, vars, args...)
	if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "several districts") {
		t.Errorf("user add without --district, two districts: %v", err)
	}
	_, _, err = runCmd(t, vars, append(args, "--district", "nope")...)
	if err == nil || !strings.Contains(err.Error(), `unknown district "nope"`) {
		t.Errorf("user add --district nope: %v", err)
	}
	_, _, err = runCmd(t, vars, "user", "add", "--email", "a@b.org")
	if err == nil || exitCode(err) != 2 {
		t.Errorf("user add without names: %v", err)
	}
	_, _, err = runCmd(t, vars, "user", "frob")
	if err == nil || exitCode(err) != 2 {
		t.Errorf("user frob: %v", err)
	}
}
