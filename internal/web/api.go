package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

// The JSON API under /api/v1: every step of the IEP process (internal/app) as an operation. The
// table below registers the routes and generates the OpenAPI document served at
// /api/v1/openapi.json, so the two cannot drift. Handlers are thin: decode the body (unknown
// fields are refused, so a misspelt field is an error and not silently lost), call the use case
// as the signed-in actor, answer JSON or an RFC 9457 problem in the reader's language.

// apiRoute is an operation and its handler.
type apiRoute struct {
	op apiOp
	h  handlerFunc
}

// maxAPIBody is the largest JSON body taken (a whole plan's sections fit many times over).
const maxAPIBody = 4 << 20

// call adapts a use case with a JSON body of type In to a handler: it decodes the body, runs fn
// as the signed-in actor in their district, and writes the result with status.
func call[In, Out any](status int, fn func(r *http.Request, a app.Actor, district string, in In) (Out, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := decodeBody(r, &in); err != nil {
			return apiProblem(w, r, err)
		}
		a := actor(r)
		out, err := fn(r, a, a.DistrictID, in)
		if err != nil {
			return apiProblem(w, r, err)
		}
		return writeJSONStatus(w, status, out)
	}
}

// getJSON adapts a use case without a body.
func getJSON[Out any](fn func(r *http.Request, a app.Actor, district string) (Out, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		a := actor(r)
		out, err := fn(r, a, a.DistrictID)
		if err != nil {
			return apiProblem(w, r, err)
		}
		return writeJSONStatus(w, http.StatusOK, out)
	}
}

// none is the body of an operation that takes none.
type none struct{}

// decodeBody reads a JSON body into v: one object, no unknown fields, at most maxAPIBody bytes.
// An empty body decodes as {} for operations that need nothing.
func decodeBody(r *http.Request, v any) error {
	if _, ok := v.(*none); ok {
		return nil
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return iep.Problems{{Field: "body", Code: iep.CodeInvalid, Detail: "send application/json"}}.Err()
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxAPIBody+1))
	if err != nil {
		return iep.Problems{{Field: "body", Code: iep.CodeInvalid, Detail: "could not be read"}}.Err()
	}
	if len(b) > maxAPIBody {
		return iep.Problems{{Field: "body", Code: iep.CodeRange, Detail: "0.." + strconv.Itoa(maxAPIBody) + " bytes"}}.Err()
	}
	if strings.TrimSpace(string(b)) == "" {
		b = []byte("{}")
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return iep.Problems{{Field: jsonField(err), Code: iep.CodeInvalid, Detail: jsonDetail(err)}}.Err()
	}
	if dec.More() {
		return iep.Problems{{Field: "body", Code: iep.CodeInvalid, Detail: "one JSON object only"}}.Err()
	}
	return nil
}

// jsonField names the field a decoding error is about, when it can.
func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	if s := err.Error(); strings.HasPrefix(s, "json: unknown field ") {
		return strings.Trim(strings.TrimPrefix(s, "json: unknown field "), `"`)
	}
	return "body"
}

func jsonDetail(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "expected " + te.Type.String() + ", got " + te.Value
	}
	if strings.HasPrefix(err.Error(), "json: unknown field") {
		return "not a field of this operation"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func writeJSONStatus(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
	return nil
}

// apiProblem answers an error as an RFC 9457 problem: the status of the error's kind, each field
// problem said in the reader's language, and for a stale section save both texts.
func apiProblem(w http.ResponseWriter, r *http.Request, err error) error {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		return err // logged by the adapter, answered 500
	}
	type problem struct {
		iep.Problem
		Message string `json:"message"`
	}
	p := struct {
		Type            string          `json:"type"`
		Title           string          `json:"title"`
		Status          int             `json:"status"`
		Detail          string          `json:"detail,omitempty"`
		Problems        []problem       `json:"problems,omitempty"`
		Section         string          `json:"section,omitempty"`
		YourRevision    int             `json:"your_revision,omitempty"`
		CurrentRevision int             `json:"current_revision,omitempty"`
		Yours           json.RawMessage `json:"yours,omitempty"`
		Current         json.RawMessage `json:"current,omitempty"`
		CurrentBy       string          `json:"current_by,omitempty"`
	}{Type: "about:blank", Title: http.StatusText(status), Status: status}
	lang := pickLang(r)
	var e *iep.Error
	var ce *iep.ConflictError
	switch {
	case errors.As(err, &ce):
		p.Detail = ce.Error()
		p.Section, p.YourRevision, p.CurrentRevision, p.CurrentBy = string(ce.Section), ce.YourRevision, ce.CurrentRevision, ce.CurrentBy
		p.Yours, p.Current = rawOrString(ce.Yours), rawOrString(ce.Current)
	case errors.As(err, &e):
		if status != http.StatusNotFound {
			p.Detail = e.Message // the step's own explanation ("cannot propose: …"); never a record's content
		}
		for _, pr := range e.Problems {
			p.Problems = append(p.Problems, problem{Problem: pr, Message: problemMessage(lang, pr)})
		}
	}
	b, _ := json.Marshal(p)
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", lang)
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
	return nil
}

// rawOrString returns b as raw JSON when it is JSON, else as a JSON string: the caller's text is
// returned whatever it was.
func rawOrString(b []byte) json.RawMessage {
	if json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}

// problemMessage says one field problem in lang, as the forms do.
func problemMessage(lang string, p iep.Problem) string {
	label := p.Field
	if key := "field." + p.Field; i18n.Has(key) {
		label = i18n.Message(lang, key)
	}
	if !i18n.Has("problem." + p.Code) {
		return i18n.Message(lang, "problem.invalid", label)
	}
	return i18n.Message(lang, "problem."+p.Code, label, p.Detail)
}

// openAPIOnce builds the document once: the table does not change while the server runs.
var openAPIOnce struct {
	sync.Once
	b   []byte
	err error
}

// openAPIJSON serves GET /api/v1/openapi.json (public: it describes, it discloses nothing).
func (s *server) openAPIJSON(w http.ResponseWriter, r *http.Request) error {
	openAPIOnce.Do(func() {
		routes := s.apiTable()
		ops := make([]apiOp, len(routes))
		for i, rt := range routes {
			ops[i] = rt.op
		}
		openAPIOnce.b, openAPIOnce.err = openAPIDocument(ops)
	})
	if openAPIOnce.err != nil {
		return openAPIOnce.err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIOnce.b)
	return nil
}

// apiRoutes registers the operations of the table behind the api gate, and the document.
func (s *server) apiRoutes() []route {
	table := s.apiTable()
	rs := make([]route, 0, len(table)+1)
	for _, rt := range table {
		rs = append(rs, route{rt.op.Method + " " + rt.op.Path, api, rt.h})
	}
	return append(rs, route{"GET /api/v1/openapi.json", public, s.openAPIJSON})
}

func init() {
	enum := func(v any, values ...string) { apiEnums[reflect.TypeOf(v)] = values }
	strs := func(xs any) []string {
		rv := reflect.ValueOf(xs)
		out := make([]string, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).String()
		}
		return out
	}
	enum(iep.PlanStatus(""), strs(iep.PlanStatuses)...)
	enum(iep.PlanKind(""), strs(iep.PlanKinds)...)
	enum(iep.SectionKind(""), strs(iep.Sections)...)
	enum(iep.EvaluationStage(""), strs(iep.EvaluationStages)...)
	enum(iep.TeamRole(""), strs(iep.TeamRoles)...)
	enum(iep.MeetingPurpose(""), strs(iep.MeetingPurposes)...)
	enum(iep.MeetingStatus(""), strs(iep.MeetingStatuses)...)
	enum(iep.ConsentKind(""), strs(iep.ConsentKinds)...)
	enum(iep.EventKind(""), strs(iep.EventKinds)...)
	enum(iep.ExitReason(""), strs(iep.ExitReasons)...)
	enum(iep.ResponseDecision(""), "accept", "reject", "accept_in_part", "no_response")
	enum(iep.ConsentDecision(""), "pending", "granted", "refused", "revoked")
	enum(iep.FamilyReply(""), "", "accepted", "other_time_proposed", "declined")
	enum(iep.EvaluationKind(""), "initial", "reevaluation", "independent", "outside")
	enum(iep.ReferralSource(""), "parent", "school", "other")
	enum(iep.SuggestionStatus(""), "open", "accepted", "answered")
	enum(iep.NoticeKind(""), strs(iep.NoticeKinds)...)
}
