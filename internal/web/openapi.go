package web

import (
	"bytes"
	"cmp"
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/date"
)

// The OpenAPI 3.1 document of the JSON API under /api/v1. It is generated from the table of the
// API's operations and, by reflection, from the Go types their handlers read and write, so that
// it says what encoding/json does rather than what someone remembered to write down.

// apiOp is one operation of the JSON API: its method and path (http.ServeMux pattern syntax,
// e.g. "/api/v1/plans/{plan}/sections/{section}"), what it does, and the Go types of its
// request and response bodies (nil for none). The OpenAPI document is generated from the
// table of these, so it cannot drift from the routes.
type apiOp struct {
	Method   string // GET, POST, PUT, DELETE
	Path     string
	Tag      string     // group in the document: "Evaluation", "Plans", "Meetings", ...
	Summary  string     // one line
	Doc      string     // longer description (may be empty)
	Request  any        // a value of the request body's type (e.g. createReferralRequest{}), nil for none
	RawBody  string     // instead of Request: a raw upload's media type, e.g. "application/octet-stream"
	Query    []apiParam // query parameters
	Response any        // a value of the 200/201 response body's type, nil for 204
	Status   int        // success status: 200, 201 or 204 (0 means 200)
	Produces string     // response media type when not JSON (e.g. "text/calendar"); Response is then ignored
	Errors   []int      // error statuses the operation can answer: 400, 403, 404, 409, 413, 415 (401 is always added)
}

// apiParam is a query parameter.
type apiParam struct {
	Name, Doc string
	Required  bool
}

// apiEnums lists the values of named string types (a plan's status, a section's kind) for the
// document's enum. Reflection cannot find a package's constants, so whoever declares the API's
// use of such a type registers its values here.
var apiEnums = map[reflect.Type][]string{}

// openAPIAbout is what every operation shares, said once: how a caller is known, what an error
// looks like.
const openAPIAbout = "The JSON API of openiep.\n\n" +
	"**Session.** Every operation needs a complete signed-in session: the `openiep_session` " +
	"cookie set by signing in at /signin (with the second factor or password change the account " +
	"still owes). Without one an API route answers 401 with a problem, never a redirect. A browser's " +
	"state-changing request from another site is refused.\n\n" +
	"**Errors.** Every error is an RFC 9457 problem (`application/problem+json`) with `type`, " +
	"`title` and `status`. A 400 adds `problems`, what is wrong field by field: a list of " +
	"`{field, code, detail}`. A 409 for a section saved over a newer revision adds `section`, " +
	"`your_revision`, `current_revision`, `yours`, `current` and `current_by`: both texts, so " +
	"that nothing typed is lost."

// openAPIProblem is the schema of every error answer (see apiProblem).
var openAPIProblem = map[string]any{
	"type":        "object",
	"description": "An RFC 9457 problem.",
	"required":    []string{"type", "title", "status"},
	"properties": openAPIProps{
		{"type", map[string]any{"type": "string", "format": "uri-reference", "description": "about:blank unless said otherwise"}},
		{"title", map[string]any{"type": "string"}},
		{"status", map[string]any{"type": "integer"}},
		{"problems", map[string]any{"type": "array", "description": "400: what is wrong, field by field", "items": map[string]any{
			"type": "object", "required": []string{"field", "code"}, "properties": openAPIProps{
				{"field", map[string]any{"type": "string"}}, {"code", map[string]any{"type": "string"}},
				{"detail", map[string]any{"type": "string"}}}}}},
		{"section", map[string]any{"type": "string", "description": "409: the section saved over a newer revision"}},
		{"your_revision", map[string]any{"type": "integer", "description": "409: the revision the caller started from"}},
		{"current_revision", map[string]any{"type": "integer", "description": "409: the revision now stored"}},
		{"yours", map[string]any{"description": "409: the content the caller tried to save"}},
		{"current", map[string]any{"description": "409: the content now stored"}},
		{"current_by", map[string]any{"type": "string", "description": "409: who saved the current revision"}},
	},
}

// The types encoding/json treats apart from their kind.
var (
	openAPIDate    = reflect.TypeOf(date.Date{})
	openAPITime    = reflect.TypeOf(time.Time{})
	openAPIJSON    = reflect.TypeFor[json.Marshaler]()
	openAPIText    = reflect.TypeFor[encoding.TextMarshaler]()
	openAPIMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
)

// openAPIDocument returns the OpenAPI 3.1 document of ops, the same bytes for the same table. An
// operation the document could not describe truthfully (a body type encoding/json refuses, a
// success without a body that is not a 204) is an error rather than a guess.
func openAPIDocument(ops []apiOp) ([]byte, error) {
	g := &openAPIGen{schemas: map[reflect.Type]map[string]any{}}
	paths := map[string]map[string]any{}
	ids := map[string]bool{}
	var tags []map[string]string
	for _, op := range ops {
		p, params, err := openAPIPath(op.Path)
		if err == nil && !slices.Contains(openAPIMethods, op.Method) {
			err = fmt.Errorf("method must be one of %v", openAPIMethods)
		}
		var o map[string]any
		if err == nil {
			o, err = g.operation(op, params)
		}
		m := strings.ToLower(op.Method)
		if err == nil && paths[p][m] != nil {
			err = fmt.Errorf("listed twice")
		}
		if err != nil {
			return nil, fmt.Errorf("openapi: %s %s: %w", op.Method, op.Path, err)
		}
		id := openAPIOperationID(m, p)
		for i := 2; ids[id]; i++ {
			id = openAPIOperationID(m, p) + strconv.Itoa(i)
		}
		ids[id], o["operationId"] = true, id
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][m] = o
		if op.Tag != "" && !slices.ContainsFunc(tags, func(t map[string]string) bool { return t["name"] == op.Tag }) {
			tags = append(tags, map[string]string{"name": op.Tag})
		}
	}
	doc := struct {
		OpenAPI    string                    `json:"openapi"`
		Info       map[string]string         `json:"info"`
		Servers    []map[string]string       `json:"servers"`
		Security   []map[string][]string     `json:"security"`
		Tags       []map[string]string       `json:"tags,omitempty"`
		Paths      map[string]map[string]any `json:"paths"`
		Components map[string]any            `json:"components"`
	}{
		OpenAPI:  "3.1.0",
		Info:     map[string]string{"title": "openiep API", "version": "1", "description": openAPIAbout},
		Servers:  []map[string]string{{"url": "/"}},
		Security: []map[string][]string{{"session": {}}},
		Tags:     tags,
		Paths:    paths,
		Components: map[string]any{
			"schemas": g.named(),
			"securitySchemes": map[string]any{"session": map[string]string{
				"type": "apiKey", "in": "cookie", "name": sessionCookie,
				"description": "The session cookie set by signing in at /signin."}},
		},
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(doc); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return b.Bytes(), nil
}

// openAPIPath turns a ServeMux pattern into an OpenAPI path and its path parameters: {name...}
// is {name}, and {$} (the end of the path) is no parameter at all.
func openAPIPath(pattern string) (string, []map[string]any, error) {
	if !strings.HasPrefix(pattern, "/") {
		return "", nil, fmt.Errorf("a path starts with /")
	}
	segs := strings.Split(pattern, "/")
	var params []map[string]any
	for i, s := range segs {
		name, ok := strings.CutPrefix(s, "{")
		if !ok {
			continue
		}
		if name, ok = strings.CutSuffix(name, "}"); !ok {
			return "", nil, fmt.Errorf("segment %q is not a whole wildcard", s)
		}
		if name == "$" {
			segs[i] = ""
			continue
		}
		name = strings.TrimSuffix(name, "...")
		segs[i] = "{" + name + "}"
		params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	return strings.Join(segs, "/"), params, nil
}

// openAPIOperationID names an operation after its method and path ("getApiV1PlansPlan"), which
// is what a generated client calls it.
func openAPIOperationID(method, p string) string {
	id := method
	for w := range strings.FieldsFuncSeq(p, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		id += openAPIUpper(w)
	}
	return id
}

// openAPIUpper upper-cases the first letter of s.
func openAPIUpper(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// openAPIGen builds the schemas of one document. A named struct is a component, referred to by
// an openAPIRef whose name is only chosen once every type is known (named), so that two types of
// one name are told apart the same way whatever the order of the table.
type openAPIGen struct {
	schemas map[reflect.Type]map[string]any // nil while the type's own schema is being built
	order   []reflect.Type                  // in the order met, to name same-named types stably
	names   map[reflect.Type]string
}

// openAPIRef is a reference to a named struct's component schema.
type openAPIRef struct {
	g *openAPIGen
	t reflect.Type
}

// MarshalJSON writes the reference with the name settled by named.
func (r openAPIRef) MarshalJSON() ([]byte, error) {
	return json.Marshal("#/components/schemas/" + r.g.names[r.t])
}

// openAPIProps are an object's properties in the order of the struct's fields, which is how a
// reader of the Go type and of the JSON sees them (a map would sort them).
type openAPIProps []openAPIProp

// openAPIProp is one property: its name and its schema.
type openAPIProp struct {
	name   string
	schema map[string]any
}

// MarshalJSON writes the properties as one object, in order.
func (ps openAPIProps) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, p := range ps {
		k, _ := json.Marshal(p.name)
		v, err := json.Marshal(p.schema)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// operation is the OpenAPI operation of op, less its operationId.
func (g *openAPIGen) operation(op apiOp, params []map[string]any) (map[string]any, error) {
	o := map[string]any{}
	if op.Tag != "" {
		o["tags"] = []string{op.Tag}
	}
	if op.Summary != "" {
		o["summary"] = op.Summary
	}
	if op.Doc != "" {
		o["description"] = op.Doc
	}
	for _, q := range op.Query {
		p := map[string]any{"name": q.Name, "in": "query", "required": q.Required, "schema": map[string]any{"type": "string"}}
		if q.Doc != "" {
			p["description"] = q.Doc
		}
		params = append(params, p)
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	body := func(media string, s map[string]any) map[string]any {
		return map[string]any{media: map[string]any{"schema": s}}
	}
	switch {
	case op.Request != nil && op.RawBody != "":
		return nil, fmt.Errorf("both Request and RawBody")
	case op.Request != nil:
		s, err := g.schema(reflect.TypeOf(op.Request))
		if err != nil {
			return nil, err
		}
		o["requestBody"] = map[string]any{"required": true, "content": body("application/json", s)}
	case op.RawBody != "":
		o["requestBody"] = map[string]any{"required": true, "content": body(op.RawBody, map[string]any{"type": "string", "contentMediaType": op.RawBody})}
	}
	status := cmp.Or(op.Status, http.StatusOK)
	ok := map[string]any{"description": http.StatusText(status)}
	switch {
	case status != http.StatusOK && status != http.StatusCreated && status != http.StatusNoContent:
		return nil, fmt.Errorf("success status %d is not 200, 201 or 204", status)
	case status == http.StatusNoContent:
		if op.Response != nil || op.Produces != "" {
			return nil, fmt.Errorf("a 204 has no body")
		}
	case op.Produces != "":
		ok["content"] = body(op.Produces, map[string]any{"type": "string"})
	case op.Response == nil:
		return nil, fmt.Errorf("no Response: a success without a body is a 204")
	default:
		s, err := g.schema(reflect.TypeOf(op.Response))
		if err != nil {
			return nil, err
		}
		ok["content"] = body("application/json", s)
	}
	responses := map[string]any{strconv.Itoa(status): ok}
	for _, e := range append([]int{http.StatusUnauthorized}, op.Errors...) {
		if e < 400 || e > 599 {
			return nil, fmt.Errorf("error status %d is not 4xx or 5xx", e)
		}
		responses[strconv.Itoa(e)] = map[string]any{"description": http.StatusText(e),
			"content": body("application/problem+json", map[string]any{"$ref": "#/components/schemas/Problem"})}
	}
	o["responses"] = responses
	return o, nil
}

// named settles the components' names and returns them by name: the Go type's name upper-cased
// (a generic's arguments appended: page[iep.Plan] is PagePlan), qualified by its package's name
// when another type, or the Problem schema, has the same name (IepPlan, WebPlan).
func (g *openAPIGen) named() map[string]any {
	out := map[string]any{"Problem": openAPIProblem}
	g.names = map[reflect.Type]string{}
	byName := map[string][]reflect.Type{}
	for _, t := range g.order {
		n := openAPITypeName(t)
		byName[n] = append(byName[n], t)
	}
	for _, t := range g.order {
		n := openAPITypeName(t)
		if len(byName[n]) > 1 || out[n] != nil {
			n = openAPIUpper(path.Base(t.PkgPath())) + n
		}
		for i, n0 := 2, n; out[n] != nil; i++ { // types local to two functions of one package
			n = n0 + strconv.Itoa(i)
		}
		g.names[t], out[n] = n, g.schemas[t]
	}
	return out
}

// openAPITypeName is t's name as a schema name may spell it.
func openAPITypeName(t reflect.Type) string {
	var n string
	for w := range strings.FieldsFuncSeq(t.Name(), func(r rune) bool { return strings.ContainsRune("[],* ", r) }) {
		n += openAPIUpper(w[strings.LastIndexByte(w, '.')+1:]) // a type argument's package path
	}
	return n
}

// value is the schema of a value of type t where it cannot be left out (an element, a field
// without omitempty): the schema of t, or null where encoding/json writes null (a nil pointer,
// slice or map, the zero date).
func (g *openAPIGen) value(t reflect.Type) (map[string]any, error) {
	s, err := g.schema(t)
	if err != nil || !openAPINullable(t) || len(s) == 0 {
		return s, err
	}
	if typ, ok := s["type"].(string); ok && s["enum"] == nil {
		s["type"] = []string{typ, "null"}
		return s, nil
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}, nil
}

// openAPINullable reports whether encoding/json may write null for a value of type t.
func openAPINullable(t reflect.Type) bool {
	switch {
	case t.Kind() == reflect.Pointer || t == openAPIDate:
		return true
	case openAPIImplements(t, openAPIJSON) || openAPIImplements(t, openAPIText):
		return false
	}
	return t.Kind() == reflect.Slice || t.Kind() == reflect.Map
}

// openAPIImplements reports whether t or *t implements iface: encoding/json uses a pointer
// method of an addressable value, such as a field of a struct it was given by pointer.
func openAPIImplements(t, iface reflect.Type) bool {
	return t.Implements(iface) || t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface)
}

// schema is the JSON Schema of the JSON that encoding/json writes (and reads) for type t, without
// null; a named struct is a reference to its component. It is a new map at every call, so that a
// caller may add a description to it.
func (g *openAPIGen) schema(t reflect.Type) (map[string]any, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	s, err := g.bare(t)
	if vs, ok := apiEnums[t]; ok && err == nil {
		s["enum"] = slices.Clone(vs)
	}
	return s, err
}

// bare is schema less the enum: encoding/json's own choices, in its order (a json.Marshaler
// before an encoding.TextMarshaler before the kind).
func (g *openAPIGen) bare(t reflect.Type) (map[string]any, error) {
	typ := func(name string) (map[string]any, error) { return map[string]any{"type": name}, nil }
	switch {
	case t == openAPIDate:
		return map[string]any{"type": "string", "format": "date"}, nil
	case t == openAPITime:
		return map[string]any{"type": "string", "format": "date-time"}, nil
	case openAPIImplements(t, openAPIJSON): // json.RawMessage and its like: any JSON value
		return map[string]any{}, nil
	case openAPIImplements(t, openAPIText):
		return typ("string")
	}
	switch k := t.Kind(); {
	case k == reflect.Bool:
		return typ("boolean")
	case k >= reflect.Int && k <= reflect.Uintptr:
		return typ("integer")
	case k == reflect.Float32 || k == reflect.Float64:
		return typ("number")
	case k == reflect.String:
		return typ("string")
	case k == reflect.Interface:
		return map[string]any{}, nil
	case k == reflect.Slice && t.Elem().Kind() == reflect.Uint8 && !openAPIImplements(t.Elem(), openAPIJSON) && !openAPIImplements(t.Elem(), openAPIText):
		return map[string]any{"type": "string", "contentEncoding": "base64"}, nil
	case k == reflect.Slice || k == reflect.Array:
		items, err := g.value(t.Elem())
		s := map[string]any{"type": "array", "items": items}
		if k == reflect.Array {
			s["minItems"], s["maxItems"] = t.Len(), t.Len()
		}
		return s, err
	case k == reflect.Map:
		if kk := t.Key().Kind(); kk != reflect.String && !openAPIImplements(t.Key(), openAPIText) && (kk < reflect.Int || kk > reflect.Uintptr) {
			return nil, fmt.Errorf("json cannot encode map key type %s", t.Key())
		}
		v, err := g.value(t.Elem())
		return map[string]any{"type": "object", "additionalProperties": v}, err
	case k == reflect.Struct && t.Name() == "":
		return g.object(t)
	case k == reflect.Struct:
		if _, ok := g.schemas[t]; !ok {
			g.schemas[t] = nil // a field of t's own type refers to it
			g.order = append(g.order, t)
			s, err := g.object(t)
			if err != nil {
				return nil, err
			}
			g.schemas[t] = s
		}
		return map[string]any{"$ref": openAPIRef{g, t}}, nil
	}
	return nil, fmt.Errorf("json cannot encode type %s", t)
}

// object is the schema of struct t: its JSON members, required unless omitempty, omitzero, a
// pointer, or reached through an embedded pointer (nil leaves them out).
func (g *openAPIGen) object(t reflect.Type) (map[string]any, error) {
	var props openAPIProps
	required := []string{}
	for _, f := range openAPIFields(t) {
		of := g.value
		if f.omitZero || f.omitEmpty && slices.Contains([]reflect.Kind{reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface}, f.typ.Kind()) {
			of = g.schema // nil is left out, so never null
		}
		s, err := of(f.typ)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t, f.goName, err)
		}
		if f.quoted {
			s = map[string]any{"type": "string"}
		}
		if f.doc != "" {
			s["description"] = f.doc
		}
		props = append(props, openAPIProp{f.name, s})
		if !f.omitEmpty && !f.omitZero && !f.viaPtr && f.typ.Kind() != reflect.Pointer {
			required = append(required, f.name)
		}
	}
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s, nil
}

// openAPIField is one JSON member of a struct as encoding/json sees it.
type openAPIField struct {
	name, goName, doc           string
	typ                         reflect.Type
	index                       []int // the field's index path, through embedded structs
	tagged, viaPtr              bool
	omitEmpty, omitZero, quoted bool
}

// openAPIFields lists the JSON members of struct t by encoding/json's rules: exported fields
// named by their tag, untagged embedded structs flattened, and of several fields of one name the
// shallowest wins, or the one tagged among the shallowest, or none at all.
func openAPIFields(t reflect.Type) []openAPIField {
	type level struct {
		t      reflect.Type
		index  []int
		viaPtr bool
	}
	var all []openAPIField // shallowest first
	seen := map[reflect.Type]bool{}
	for next := []level{{t: t}}; len(next) > 0; {
		cur := next
		next = nil
		for _, l := range cur {
			if seen[l.t] {
				continue
			}
			seen[l.t] = true
			for i := range l.t.NumField() {
				sf := l.t.Field(i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				tag := sf.Tag.Get("json")
				if sf.Anonymous && !sf.IsExported() && ft.Kind() != reflect.Struct || !sf.Anonymous && !sf.IsExported() || tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !openAPIValidTag(name) {
					name = ""
				}
				index := append(slices.Clone(l.index), i)
				viaPtr := l.viaPtr || sf.Anonymous && sf.Type.Kind() == reflect.Pointer
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, level{ft, index, viaPtr})
					continue
				}
				opt := strings.Split(opts, ",")
				k := ft.Kind()
				all = append(all, openAPIField{name: cmp.Or(name, sf.Name), goName: sf.Name, doc: sf.Tag.Get("doc"),
					typ: sf.Type, index: index, tagged: name != "", viaPtr: l.viaPtr,
					omitEmpty: slices.Contains(opt, "omitempty"), omitZero: slices.Contains(opt, "omitzero"),
					quoted: slices.Contains(opt, "string") && (k == reflect.Bool || k == reflect.String || k >= reflect.Int && k <= reflect.Float64)})
			}
		}
	}
	var out []openAPIField
	for i, f := range all {
		if slices.ContainsFunc(all[:i], func(g openAPIField) bool { return g.name == f.name }) {
			continue // the name's first field is its shallowest
		}
		var top []openAPIField
		for _, g := range all[i:] {
			if g.name == f.name && len(g.index) == len(f.index) {
				top = append(top, g)
			}
		}
		if len(top) > 1 {
			top = slices.DeleteFunc(top, func(g openAPIField) bool { return !g.tagged })
		}
		if len(top) == 1 {
			out = append(out, top[0])
		}
	}
	slices.SortFunc(out, func(a, b openAPIField) int { return slices.Compare(a.index, b.index) })
	return out
}

// openAPIValidTag reports whether encoding/json takes s as a member's name (else the Go name).
func openAPIValidTag(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", r) && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}
