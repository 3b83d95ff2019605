package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/openiep/openiep/internal/date"
)

// Sample body types, each standing for a case of encoding/json the generator must follow.

type oasStatus string // a named string type with registered values

// Registered once, before any test runs, so that no test writes the table while another reads it.
func init() { apiEnums[reflect.TypeFor[oasStatus]()] = []string{"draft", "active"} }

type oasAudit struct { // embedded untagged: its fields are the plan's own
	By string    `json:"by"`
	At time.Time `json:"at"`
}

type oasGoal struct {
	Text     string    `json:"text" doc:"What the student will do."`
	Baseline *string   `json:"baseline"`
	Sub      []oasGoal `json:"sub,omitempty"` // recursive
}

type oasPlan struct {
	oasAudit
	ID        string          `json:"id"`
	Status    oasStatus       `json:"status"`
	Start     date.Date       `json:"start"`
	End       date.Date       `json:"end,omitzero"`
	Goals     []oasGoal       `json:"goals"`
	Lead      *oasGoal        `json:"lead,omitempty"`
	Revisions map[string]int  `json:"revisions,omitempty"`
	Content   json.RawMessage `json:"content"`
	Photo     []byte          `json:"photo,omitempty"`
	Score     float64         `json:"score"`
	Count     int64           `json:"count,string"`
	Untagged  bool
	Note      string `json:"-"`
	secret    string
}

type oasPage[T any] struct {
	Items []T  `json:"items"`
	Next  *int `json:"next,omitempty"`
}

type oasCreateRequest struct {
	Student string            `json:"student"`
	Meta    map[string]string `json:"meta,omitempty"`
}

// oasMisc returns a value whose types' names clash: cookie with http.Cookie, problem with the
// Problem schema. They are local to the function so as to leave those names free in the package.
func oasMisc() any {
	type cookie struct {
		Name string `json:"name"`
	}
	type problem struct {
		Why string `json:"why"`
	}
	type oasMisc struct {
		Mine    cookie      `json:"mine"`
		Theirs  http.Cookie `json:"theirs"`
		Problem problem     `json:"problem"`
		Names   oasNames    `json:"names"`
	}
	return oasMisc{}
}

// oasNames has names met more than once: the shallowest field wins (shadow), or the tagged one
// among the shallowest (Pick), or none (Tie); the fields of an embedded pointer are optional.
type oasNames struct {
	oasLeft
	oasRight
	*oasExtra
	Shadow string `json:"shadow"`
}

type oasLeft struct {
	Pick   int `json:"Pick"`
	Tie    string
	Shadow int `json:"shadow"`
}

type oasRight struct {
	Pick string
	Tie  string
}

type oasExtra struct {
	Extra string `json:"extra"`
}

// oasLocalA and oasLocalB return values of two types of one name, local to two functions.
func oasLocalA() any {
	type local struct {
		A int `json:"a"`
	}
	return local{}
}

func oasLocalB() any {
	type local struct {
		B int `json:"b"`
	}
	return local{}
}

// oasOps covers every kind of operation of the table.
var oasOps = []apiOp{
	{Method: "GET", Path: "/api/v1/plans/{plan}", Tag: "Plans", Summary: "A plan", Response: oasPlan{}, Errors: []int{403, 404}},
	{Method: "GET", Path: "/api/v1/{$}", Tag: "Plans", Summary: "Plans", Response: oasPage[oasPlan]{},
		Query: []apiParam{{Name: "district", Doc: "the district's id", Required: true}, {Name: "after"}}},
	{Method: "POST", Path: "/api/v1/plans", Tag: "Plans", Summary: "Start a plan", Request: oasCreateRequest{}, Response: &oasPlan{}, Status: 201, Errors: []int{400}},
	{Method: "PUT", Path: "/api/v1/plans/{plan}/sections/{section}", Tag: "Plans", Summary: "Save a section", Request: oasGoal{}, Response: oasPlan{}, Errors: []int{400, 409}},
	{Method: "DELETE", Path: "/api/v1/plans/{plan}/goals/{goal...}", Tag: "Plans", Summary: "Remove a goal", Status: 204, Errors: []int{404}},
	{Method: "PUT", Path: "/api/v1/students/{student}/photo", Tag: "Students", Summary: "Upload a photo", RawBody: "image/png", Status: 204, Errors: []int{413, 415}},
	{Method: "GET", Path: "/api/v1/students/{student}/meetings.ics", Tag: "Meetings", Summary: "Meetings", Produces: "text/calendar", Response: oasPlan{}},
	{Method: "GET", Path: "/api/v1/misc", Tag: "Misc", Summary: "Clashing names", Response: oasMisc()},
	{Method: "GET", Path: "/api/v1/local/a", Tag: "Misc", Response: oasLocalA()},
	{Method: "GET", Path: "/api/v1/local/b", Tag: "Misc", Response: oasLocalB()},
	{Method: "GET", Path: "/api/v1/plans/plan", Tag: "Plans", Summary: "Same operationId", Response: oasPlan{}},
}

// oasDocument generates the document of oasOps.
func oasDocument(t *testing.T) []byte {
	t.Helper()
	b, err := openAPIDocument(oasOps)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// oasDig returns the value at a path of keys (and array indexes) in decoded JSON, failing the test
// when there is none.
func oasDig(t *testing.T, v any, keys ...any) any {
	t.Helper()
	for i, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k.(string)]
		case []any:
			v = x[k.(int)]
		default:
			v = nil
		}
		if v == nil {
			t.Fatalf("nothing at %v", keys[:i+1])
		}
	}
	return v
}

func TestOpenAPIValidates(t *testing.T) {
	b := oasDocument(t)
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	if got := doc.Components.SecuritySchemes["session"].Value; got.In != "cookie" || got.Name != "openiep_session" {
		t.Errorf("session scheme = %+v", got)
	}
}

// TestOpenAPIMatchesEncodingJSON checks the schemas against what encoding/json really writes:
// a zero plan (nil pointers, slices and maps, the zero date, null raw JSON) and a full one. It
// validates by JSON Schema 2020-12, the dialect of OpenAPI 3.1, with the validator kin-openapi
// itself uses: kin-openapi's own fallback for schemas with references keeps OpenAPI 3.0's rule
// that null needs `nullable`, even for the empty schema, which in 3.1 allows any value.
func TestOpenAPIMatchesEncodingJSON(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(oasDocument(t)))
	if err == nil {
		err = c.AddResource("file:///openapi.json", doc)
	}
	if err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("file:///openapi.json#/components/schemas/OasPlan")
	if err != nil {
		t.Fatal(err)
	}
	valid := func(b []byte) error {
		x, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return schema.Validate(x)
	}
	text := "baseline"
	full := oasPlan{oasAudit: oasAudit{By: "s1", At: time.Now()}, ID: "p1", Status: "active",
		Start: date.New(2025, 9, 1), End: date.New(2026, 6, 1), Goals: []oasGoal{{Text: "read", Baseline: &text, Sub: []oasGoal{{}}}},
		Lead: &oasGoal{}, Revisions: map[string]int{"goals": 2}, Content: json.RawMessage(`{"a":[1]}`), Photo: []byte{1, 2}, Count: 7}
	for name, v := range map[string]oasPlan{"zero": {Status: "draft"}, "full": full} {
		b, _ := json.Marshal(v)
		if err := valid(b); err != nil {
			t.Errorf("%s plan %s: %v", name, b, err)
		}
	}
	// The schema must refuse what encoding/json would not write, or the check above proves
	// nothing: a member missing, a value not of the enum, a date not a date, a wrong type.
	good := `{"by":"","at":"2025-09-01T10:00:00Z","id":"p","status":"draft","start":"2025-09-01","goals":[],"content":1,"score":1,"count":"1","Untagged":true}`
	if err := valid([]byte(good)); err != nil {
		t.Fatalf("%s: %v", good, err)
	}
	for _, bad := range []string{
		strings.Replace(good, `"id":"p",`, "", 1),
		strings.Replace(good, `"draft"`, `"gone"`, 1),
		strings.Replace(good, `"2025-09-01"`, `"Sept 1"`, 1),
		strings.Replace(good, `"goals":[]`, `"goals":[{"text":1}]`, 1),
		strings.Replace(good, `"count":"1"`, `"count":1`, 1),
		strings.Replace(good, `"id":"p"`, `"id":"p","end":null`, 1), // omitzero: never null
	} {
		if valid([]byte(bad)) == nil {
			t.Errorf("%s passes the schema", bad)
		}
	}
}

func TestOpenAPISchemas(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(oasDocument(t), &doc); err != nil {
		t.Fatal(err)
	}
	schemas := oasDig(t, doc, "components", "schemas").(map[string]any)
	var names []string
	for n := range schemas {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"OasCreateRequest", "HttpCookie", "Problem", "OasGoal", "OasPageOasPlan", "OasPlan", "OasMisc", "OasNames", "WebCookie", "WebLocal", "WebLocal2", "WebProblem"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("schemas = %v, want %v", names, want)
	}

	plan := oasDig(t, schemas, "OasPlan").(map[string]any)
	var required []string
	for _, r := range oasDig(t, plan, "required").([]any) {
		required = append(required, r.(string))
	}
	if want := []string{"by", "at", "id", "status", "start", "goals", "content", "score", "count", "Untagged"}; !slices.Equal(required, want) {
		t.Errorf("required = %v, want %v (in field order)", required, want)
	}
	props := oasDig(t, plan, "properties").(map[string]any)
	for _, p := range []string{"Note", "-", "secret", "oasAudit"} {
		if props[p] != nil {
			t.Errorf("property %q is not one encoding/json writes", p)
		}
	}
	for _, c := range []struct {
		keys []any
		want any
	}{
		{[]any{"start", "format"}, "date"},
		{[]any{"start", "type"}, []any{"string", "null"}}, // the zero date is null
		{[]any{"end", "type"}, "string"},                  // omitzero: never null
		{[]any{"at", "format"}, "date-time"},
		{[]any{"status", "enum"}, []any{"draft", "active"}},
		{[]any{"goals", "type"}, []any{"array", "null"}},
		{[]any{"goals", "items", "$ref"}, "#/components/schemas/OasGoal"},
		{[]any{"lead", "$ref"}, "#/components/schemas/OasGoal"},
		{[]any{"revisions", "additionalProperties", "type"}, "integer"},
		{[]any{"photo", "contentEncoding"}, "base64"},
		{[]any{"count", "type"}, "string"},
		{[]any{"score", "type"}, "number"},
		{[]any{"Untagged", "type"}, "boolean"},
	} {
		if got := oasDig(t, props, c.keys...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("OasPlan %v = %v, want %v", c.keys, got, c.want)
		}
	}
	if got := oasDig(t, props, "content").(map[string]any); len(got) != 0 {
		t.Errorf("content = %v, want any value", got)
	}

	goal := oasDig(t, schemas, "OasGoal")
	if got := oasDig(t, goal, "required"); !reflect.DeepEqual(got, []any{"text"}) {
		t.Errorf("OasGoal required = %v: a pointer or omitempty field is optional", got)
	}
	if got := oasDig(t, goal, "properties", "sub", "items", "$ref"); got != "#/components/schemas/OasGoal" {
		t.Errorf("recursive sub = %v", got)
	}
	if got := oasDig(t, goal, "properties", "text", "description"); got != "What the student will do." {
		t.Errorf("doc tag = %v", got)
	}
	if got := oasDig(t, goal, "properties", "baseline", "type"); !reflect.DeepEqual(got, []any{"string", "null"}) {
		t.Errorf("baseline = %v", got)
	}
	if got := oasDig(t, schemas, "OasPageOasPlan", "properties", "items", "items", "$ref"); got != "#/components/schemas/OasPlan" {
		t.Errorf("page items = %v", got)
	}
	if got := oasDig(t, schemas, "OasMisc", "properties", "problem", "$ref"); got != "#/components/schemas/WebProblem" {
		t.Errorf("problem = %v", got)
	}
	// Two types named local: the first met is WebLocal, whatever order a map would give.
	if oasDig(t, schemas, "WebLocal", "properties").(map[string]any)["a"] == nil || oasDig(t, schemas, "WebLocal2", "properties").(map[string]any)["b"] == nil {
		t.Errorf("local types = %v, %v", schemas["WebLocal"], schemas["WebLocal2"])
	}

	sn := oasDig(t, schemas, "OasNames").(map[string]any)
	if got := oasDig(t, sn, "required"); !reflect.DeepEqual(got, []any{"Pick", "shadow"}) {
		t.Errorf("OasNames required = %v", got)
	}
	props = oasDig(t, sn, "properties").(map[string]any)
	if props["Tie"] != nil || oasDig(t, props, "Pick", "type") != "integer" || oasDig(t, props, "shadow", "type") != "string" || props["extra"] == nil {
		t.Errorf("OasNames properties = %v", props)
	}
}

func TestOpenAPIOperations(t *testing.T) {
	b := oasDocument(t)
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	paths := oasDig(t, doc, "paths").(map[string]any)
	var got []string
	ids := map[string]string{}
	for p, item := range paths {
		for m, o := range item.(map[string]any) {
			got = append(got, m+" "+p)
			id := oasDig(t, o, "operationId").(string)
			if ids[id] != "" {
				t.Errorf("operationId %s of both %s and %s %s", id, ids[id], m, p)
			}
			ids[id] = m + " " + p
			if oasDig(t, o, "responses", "401", "content", "application/problem+json", "schema", "$ref") != "#/components/schemas/Problem" {
				t.Errorf("%s %s: no 401 problem", m, p)
			}
			var inPath []string
			params, _ := o.(map[string]any)["parameters"].([]any)
			for _, pa := range params {
				pa := pa.(map[string]any)
				if pa["in"] == "path" {
					inPath = append(inPath, "{"+pa["name"].(string)+"}")
					if pa["required"] != true {
						t.Errorf("%s %s: path parameter %v is not required", m, p, pa["name"])
					}
				}
			}
			var want []string
			for _, s := range strings.Split(p, "/") {
				if strings.HasPrefix(s, "{") {
					want = append(want, s)
				}
			}
			if !slices.Equal(inPath, want) {
				t.Errorf("%s %s: path parameters %v, want %v", m, p, inPath, want)
			}
		}
	}
	slices.Sort(got)
	want := []string{"delete /api/v1/plans/{plan}/goals/{goal}", "get /api/v1/", "get /api/v1/local/a", "get /api/v1/local/b", "get /api/v1/misc", "get /api/v1/plans/plan", "get /api/v1/plans/{plan}",
		"get /api/v1/students/{student}/meetings.ics", "post /api/v1/plans", "put /api/v1/plans/{plan}/sections/{section}", "put /api/v1/students/{student}/photo"}
	if !slices.Equal(got, want) {
		t.Errorf("operations = %v, want %v", got, want)
	}
	if ids["getApiV1PlansPlan"] != "get /api/v1/plans/{plan}" || ids["getApiV1PlansPlan2"] != "get /api/v1/plans/plan" {
		t.Errorf("operationIds = %v", ids)
	}

	for _, c := range []struct {
		keys []any
		want any
	}{
		{[]any{"/api/v1/", "get", "parameters", 0, "required"}, true},
		{[]any{"/api/v1/", "get", "parameters", 1, "required"}, false},
		{[]any{"/api/v1/", "get", "parameters", 1, "in"}, "query"},
		{[]any{"/api/v1/plans", "post", "requestBody", "content", "application/json", "schema", "$ref"}, "#/components/schemas/OasCreateRequest"},
		{[]any{"/api/v1/plans", "post", "responses", "201", "content", "application/json", "schema", "$ref"}, "#/components/schemas/OasPlan"},
		{[]any{"/api/v1/plans", "post", "responses", "400", "content", "application/problem+json", "schema", "$ref"}, "#/components/schemas/Problem"},
		{[]any{"/api/v1/students/{student}/photo", "put", "requestBody", "content", "image/png", "schema", "contentMediaType"}, "image/png"},
		{[]any{"/api/v1/students/{student}/photo", "put", "responses", "415", "description"}, "Unsupported Media Type"},
		{[]any{"/api/v1/students/{student}/meetings.ics", "get", "responses", "200", "content", "text/calendar", "schema", "type"}, "string"},
		{[]any{"/api/v1/plans/{plan}", "get", "tags"}, []any{"Plans"}},
	} {
		if got := oasDig(t, paths, c.keys...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v = %v, want %v", c.keys, got, c.want)
		}
	}
	for _, p := range []string{"/api/v1/students/{student}/photo", "/api/v1/plans/{plan}/goals/{goal}"} {
		res := oasDig(t, paths, p).(map[string]any)
		for _, o := range res {
			if r := oasDig(t, o, "responses", "204").(map[string]any); r["content"] != nil {
				t.Errorf("%s: a 204 with content %v", p, r["content"])
			}
			if oasDig(t, o, "responses").(map[string]any)["200"] != nil {
				t.Errorf("%s: a 200 besides the 204", p)
			}
		}
	}
	if got := oasDig(t, doc, "security"); !reflect.DeepEqual(got, []any{map[string]any{"session": []any{}}}) {
		t.Errorf("security = %v", got)
	}
}

func TestOpenAPIDeterministic(t *testing.T) {
	first := oasDocument(t)
	for range 5 {
		if b := oasDocument(t); !bytes.Equal(b, first) {
			t.Fatalf("two documents of one table differ:\n%s\n%s", first, b)
		}
	}
	if !bytes.HasPrefix(first, []byte("{\n  \"openapi\": \"3.1.0\",\n")) {
		t.Errorf("not indented by two spaces: %.40s", first)
	}
}

func TestOpenAPIRefuses(t *testing.T) {
	for name, op := range map[string]apiOp{
		"a channel":            {Method: "GET", Path: "/x", Response: struct{ C chan int }{}},
		"an array map key":     {Method: "GET", Path: "/x", Response: map[[2]int]string{}},
		"a 204 with a body":    {Method: "GET", Path: "/x", Status: 204, Response: oasPlan{}},
		"no body but no 204":   {Method: "GET", Path: "/x"},
		"two request bodies":   {Method: "PUT", Path: "/x", Request: oasGoal{}, RawBody: "image/png", Status: 204},
		"a lower-case method":  {Method: "get", Path: "/x", Response: oasPlan{}},
		"a relative path":      {Method: "GET", Path: "x", Response: oasPlan{}},
		"a partial wildcard":   {Method: "GET", Path: "/x/{a}b", Response: oasPlan{}},
		"a success status 202": {Method: "GET", Path: "/x", Status: 202, Response: oasPlan{}},
		"an error status 302":  {Method: "GET", Path: "/x", Response: oasPlan{}, Errors: []int{302}},
	} {
		if _, err := openAPIDocument([]apiOp{op}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	twice := apiOp{Method: "GET", Path: "/x", Response: oasPlan{}}
	if _, err := openAPIDocument([]apiOp{twice, twice}); err == nil {
		t.Error("an operation listed twice: no error")
	}
	if _, err := openAPIDocument(nil); err != nil {
		t.Errorf("an empty table: %v", err)
	}
}
