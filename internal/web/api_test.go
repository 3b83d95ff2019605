package web

import (
	"context"
	"strings"
)

// The JSON API in the matrix. A body is read before anything else, so a POST or PUT without a
// JSON body (the matrix sends a form) is a 400 for every signed-in actor and tells nobody
// whether the record exists; the anonymous get 401. The reads follow the access policy like the
// record page. Records the world does not hold (an evaluation, a meeting, a document) are not
// found for everyone. Who may take each step with a real body is the end-to-end test's
// (api_e2e_test.go).
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		p, err := w.db.CurrentPlan(context.Background(), w.district, w.mia)
		if err != nil {
			panic(err)
		}
		view := with(every(signInAgain, ok), asOtherGuardian, hidden, asNoRights, hidden, asOtherSchool, forbidden,
			asUnassigned, forbidden, asStateViewer, hidden, asOtherDistrict, hidden)
		// A step on Mia's plan without a body: the team and administrators reach the state machine
		// (her plan is in effect: sharing, reopening… is not a step it can take), the others the policy.
		step := with(every(signInAgain, forbidden), asGuardian, forbidden, asOtherGuardian, hidden, asNoRights, hidden,
			asTeamMember, conflict, asDistrictAdmin, conflict, asStateViewer, hidden, asOtherDistrict, hidden)
		// An upload of Mia's: the family and the team reach the file checks (no name: 400).
		upload := with(step, asGuardian, bad, asTeamMember, bad, asDistrictAdmin, bad)
		rows := map[string]map[string]outcome{
			"GET /api/v1/openapi.json": every(ok, ok),
		}
		for _, rt := range (&server{}).apiTable() {
			pattern := rt.op.Method + " " + rt.op.Path
			switch {
			case strings.HasSuffix(rt.op.Path, "/deadlines"):
				continue // due_test.go
			case rt.op.Path == "/api/v1/plans/{plan}/draft-request": // the family's step
				rows[pattern] = with(step, asGuardian, conflict)
			case rt.op.Path == "/api/v1/students/{student}/documents":
				rows[pattern] = upload
			case rt.op.Method != "GET" && rt.op.Request == nil && strings.Contains(rt.op.Path, "{plan}"):
				rows[pattern] = step
			case rt.op.Method != "GET" && rt.op.Request == nil && strings.Contains(rt.op.Path, "{evaluation}"):
				rows[pattern] = every(signInAgain, hidden)
			case rt.op.Method != "GET":
				rows[pattern] = every(signInAgain, bad)
			case strings.Contains(rt.op.Path, "{document}"), strings.Contains(rt.op.Path, "{meeting}"):
				rows[pattern] = every(signInAgain, hidden)
			default:
				rows[pattern] = view
			}
		}
		return rows, map[string]string{"plan": p.ID, "number": "1", "section": "goals", "evaluation": "no-such-evaluation",
			"area": "reading", "suggestion": "no-such-suggestion", "member": "no-such-member", "meeting": "no-such-meeting",
			"document": "no-such-document"}
	})
}
