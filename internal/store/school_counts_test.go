package store

import (
	"fmt"
	"testing"
)

// The per-school counts' contract tests join the suite of store_test.go.
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"SchoolCountsFollowWrites", testSchoolCountsFollowWrites},
	}...)
}

// testSchoolCountsFollowWrites moves students between schools, gives them plans, adds them one
// at a time and in a batch, and after each step compares the counts the triggers keep with a
// recount of the students table.
func testSchoolCountsFollowWrites(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	check := func(step string) {
		t.Helper()
		rows, err := db.Writer().QueryContext(ctx, `SELECT school_id, COUNT(*), COUNT(current_plan_id)
			FROM students WHERE district_id = $1 GROUP BY school_id`, d)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]SchoolCount{}
		for rows.Next() {
			var c SchoolCount
			if err := rows.Scan(&c.SchoolID, &c.Students, &c.WithPlans); err != nil {
				t.Fatal(err)
			}
			want[c.SchoolID] = c
		}
		rows.Close()
		got, err := db.CountStudentsBySchool(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, step, got, want)
	}

	check("empty district")
	a := f.addStudent(t, db, "Ana", "Counts")
	b := f.addStudent(t, db, "Ben", "Counts")
	check("two students added one by one")

	many := benchStudents(f, 5, 900)
	for i := range many {
		if i%2 == 0 {
			many[i].SchoolID = f.school2.ID
		}
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateStudents(ctx, many) })
	check("five students added in one batch")

	f.addPlan(t, db, a.ID, nil)
	check("a plan for one student")

	b.SchoolID = f.school2.ID
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdateStudent(ctx, &b) })
	check("a student moved to another school")

	a.SchoolID = f.school2.ID
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdateStudent(ctx, &a) })
	check("a student with a plan moved to another school")

	total, withPlans, err := db.CountStudents(ctx, d, "")
	if err != nil || total != 7 || withPlans != 1 {
		t.Errorf("CountStudents = %d, %d, %v; want 7, 1", total, withPlans, err)
	}
	total, withPlans, err = db.CountStudents(ctx, d, f.school2.ID)
	if err != nil || total != 5 || withPlans != 1 {
		t.Errorf("CountStudents(school 2) = %d, %d, %v; want 5, 1", total, withPlans, err)
	}
	for _, q := range []string{
		`DELETE FROM student_disabilities WHERE district_id = $1 AND student_id = $2`,
		`DELETE FROM students WHERE district_id = $1 AND id = $2`,
	} {
		if _, err := db.Writer().ExecContext(ctx, q, d, many[0].ID); err != nil {
			t.Fatal(fmt.Errorf("raw delete: %w", err))
		}
	}
	check("a student deleted with raw SQL")
}
