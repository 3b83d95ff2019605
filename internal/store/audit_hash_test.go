package store

import (
	"testing"
	"time"
)

func sampleEntry() AuditEntry {
	return AuditEntry{DistrictID: "d1", Seq: 7, ID: "0190-aaaa", At: time.Date(2026, 9, 1, 12, 0, 0, 123456000, time.UTC),
		ActorKind: "staff", ActorID: "s1", Action: "read", RecordKind: "student", RecordID: "st1", StudentID: "st1",
		FromAddress: "192.0.2.1", Reason: "", PrevHash: "abc"}
}

func TestAuditHashStable(t *testing.T) {
	e := sampleEntry()
	got := e.ComputeHash()
	if len(got) != 64 {
		t.Fatalf("hash %q is not hex SHA-256", got)
	}
	if again := e.ComputeHash(); again != got {
		t.Errorf("hash not deterministic: %s then %s", got, again)
	}
	// The stored hash itself is not an input.
	e.Hash = "anything"
	if e.ComputeHash() != got {
		t.Error("Hash field changed the hash")
	}
	// The same instant in another zone, or with nanoseconds the engines drop, hashes alike.
	e.At = e.At.In(time.FixedZone("x", -5*3600)).Add(999)
	if e.ComputeHash() != got {
		t.Error("zone or sub-microsecond digits changed the hash")
	}
	// Pinned: a change to the encoding must be deliberate (a new domain string), never silent.
	// Stored chains are hashed with it, so changing it breaks every existing chain.
	const want = "d930135db1f69ce21e7e89072ae4f0a5db410eb398594289f34fd43704a0e3d5"
	if got != want {
		t.Errorf("hash of the sample entry = %s, want %s", got, want)
	}
}

func TestAuditHashEveryFieldCounts(t *testing.T) {
	base := sampleEntry()
	h0 := base.ComputeHash()
	edits := map[string]func(*AuditEntry){
		"district":  func(e *AuditEntry) { e.DistrictID = "d2" },
		"seq":       func(e *AuditEntry) { e.Seq = 8 },
		"id":        func(e *AuditEntry) { e.ID = "0190-aaab" },
		"at":        func(e *AuditEntry) { e.At = e.At.Add(time.Microsecond) },
		"actorKind": func(e *AuditEntry) { e.ActorKind = "guardian" },
		"actorID":   func(e *AuditEntry) { e.ActorID = "s2" },
		"action":    func(e *AuditEntry) { e.Action = "update" },
		"record":    func(e *AuditEntry) { e.RecordKind = "plan" },
		"recordID":  func(e *AuditEntry) { e.RecordID = "p1" },
		"student":   func(e *AuditEntry) { e.StudentID = "" },
		"from":      func(e *AuditEntry) { e.FromAddress = "192.0.2.2" },
		"reason":    func(e *AuditEntry) { e.Reason = "x" },
		"prev":      func(e *AuditEntry) { e.PrevHash = "abd" },
	}
	for name, edit := range edits {
		e := base
		edit(&e)
		if e.ComputeHash() == h0 {
			t.Errorf("changing %s left the hash unchanged", name)
		}
	}
}

func TestAuditHashUnambiguous(t *testing.T) {
	// Moving bytes from one field to its neighbour must change the hash (a plain concatenation
	// would not).
	a, b := sampleEntry(), sampleEntry()
	a.ActorKind, a.ActorID = "staff", "s1"
	b.ActorKind, b.ActorID = "staffs", "1"
	if a.ComputeHash() == b.ComputeHash() {
		t.Error("shifting bytes between fields kept the hash")
	}
	a.Reason, a.PrevHash = "1,", "2"
	b.Reason, b.PrevHash = "1", ",2"
	if a.ComputeHash() == b.ComputeHash() {
		t.Error("shifting a separator between fields kept the hash")
	}
}
