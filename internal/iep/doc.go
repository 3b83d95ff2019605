// Package iep is openiep's domain: districts, schools, students, guardians, staff, plans (IEPs)
// and their sections, teams, meetings, consents, notices, responses, service delivery, progress
// and the append-only event ledger. It validates itself and knows the plan's state machine. It
// imports no other openiep package except the civil date and does no I/O.
package iep
