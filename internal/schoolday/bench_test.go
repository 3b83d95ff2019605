package schoolday

import "testing"

func BenchmarkAddSchoolDays(b *testing.B) {
	c := riverton(b)
	for b.Loop() {
		if _, err := c.Add(d("2027-02-26"), 10, SchoolDays); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAddBusinessDays(b *testing.B) {
	c := riverton(b)
	for b.Loop() {
		if _, err := c.Add(d("2026-11-20"), 45, BusinessDays); err != nil {
			b.Fatal(err)
		}
	}
}
