package web

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The plan editor's forms name every input by its JSON path inside the section, the same path
// the domain's problems name: "statement", "goals[2].baseline", "goals[0].objectives[1].criterion".
// bindForm fills a section's struct from such a form; flatten does the reverse, for the merge
// view and the history's differences.

var dateType = reflect.TypeFor[date.Date]()

// bindForm sets the fields of the struct v points to from the form values named by JSON path
// under prefix ("" for the top). Text is taken as typed; a number or a date that does not parse
// is a problem naming its field (and the field keeps its zero value). A list has an element for
// every index that any of its fields names, in index order; absent fields are left as they were.
func bindForm(vals url.Values, prefix string, v any) iep.Problems {
	var ps iep.Problems
	bindStruct(vals, prefix, reflect.ValueOf(v).Elem(), &ps)
	return ps
}

func bindStruct(vals url.Values, prefix string, v reflect.Value, ps *iep.Problems) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		bindValue(vals, prefix+name, v.Field(i), ps)
	}
}

func bindValue(vals url.Values, path string, v reflect.Value, ps *iep.Problems) {
	if v.Type() == dateType {
		raw, ok := formValue(vals, path)
		if !ok {
			return
		}
		if raw == "" {
			v.Set(reflect.Zero(dateType))
			return
		}
		d, err := date.Parse(raw)
		if err != nil {
			*ps = append(*ps, iep.Problem{Field: path, Code: iep.CodeInvalid, Detail: "a date: YYYY-MM-DD"})
			return
		}
		v.Set(reflect.ValueOf(d))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		bindStruct(vals, path+".", v, ps)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			if got, ok := vals[path]; ok || vals.Has(path+"-present") {
				s := reflect.MakeSlice(v.Type(), 0, len(got))
				for _, x := range got {
					if x = strings.TrimSpace(x); x != "" {
						s = reflect.Append(s, reflect.ValueOf(x).Convert(v.Type().Elem()))
					}
				}
				v.Set(s)
			}
			return
		}
		idx := indices(vals, path)
		if idx == nil {
			if vals.Has(path + "-present") {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return
		}
		s := reflect.MakeSlice(v.Type(), len(idx), len(idx))
		for j, n := range idx {
			if n < v.Len() {
				s.Index(j).Set(v.Index(n))
			}
			bindValue(vals, fmt.Sprintf("%s[%d]", path, n), s.Index(j), ps)
		}
		v.Set(s)
	case reflect.Pointer:
		raw, ok := formValue(vals, path)
		if !ok {
			return
		}
		if raw == "" {
			v.Set(reflect.Zero(v.Type()))
			return
		}
		p := reflect.New(v.Type().Elem())
		bindValue(vals, path, p.Elem(), ps)
		v.Set(p)
	case reflect.String:
		if raw, ok := formValue(vals, path); ok {
			v.SetString(raw)
		}
	case reflect.Bool:
		if raw, ok := formValue(vals, path); ok {
			v.SetBool(raw == "on" || raw == "true" || raw == "yes")
		} else if vals.Has(path + "-present") {
			v.SetBool(false) // an unticked checkbox sends nothing
		}
	case reflect.Int, reflect.Int64:
		if raw, ok := formValue(vals, path); ok {
			if raw == "" {
				v.SetInt(0)
				return
			}
			n, err := strconv.Atoi(raw)
			if err != nil {
				*ps = append(*ps, iep.Problem{Field: path, Code: iep.CodeInvalid, Detail: "a whole number"})
				return
			}
			v.SetInt(int64(n))
		}
	case reflect.Float64:
		if raw, ok := formValue(vals, path); ok {
			if raw == "" {
				v.SetFloat(0)
				return
			}
			f, err := strconv.ParseFloat(strings.Replace(raw, ",", ".", 1), 64)
			if err != nil {
				*ps = append(*ps, iep.Problem{Field: path, Code: iep.CodeInvalid, Detail: "a number"})
				return
			}
			v.SetFloat(f)
		}
	}
}

// formValue is the trimmed value of one field and whether the form has it.
func formValue(vals url.Values, path string) (string, bool) {
	got, ok := vals[path]
	if !ok || len(got) == 0 {
		return "", false
	}
	return strings.TrimSpace(got[len(got)-1]), true
}

// indices are the element numbers the form names under path ("goals[3].x" names 3), sorted.
func indices(vals url.Values, path string) []int {
	seen := map[int]bool{}
	pre := path + "["
	for k := range vals {
		rest, ok := strings.CutPrefix(k, pre)
		if !ok {
			continue
		}
		num, _, ok := strings.Cut(rest, "]")
		if n, err := strconv.Atoi(num); ok && err == nil && n >= 0 && n < 1000 {
			seen[n] = true
		}
	}
	if len(seen) == 0 {
		return nil
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// flatField is one leaf of a section: its path and its value as text.
type flatField struct {
	Path, Value string
}

// flatten lists the leaves of the struct v points to by JSON path, in field order, skipping
// empty values; lists of text are joined with ", ".
func flatten(v any) []flatField {
	var out []flatField
	flattenValue("", reflect.ValueOf(v).Elem(), &out)
	return out
}

func flattenValue(path string, v reflect.Value, out *[]flatField) {
	add := func(s string) {
		if s != "" {
			*out = append(*out, flatField{path, s})
		}
	}
	if v.Type() == dateType {
		if d := v.Interface().(date.Date); !d.IsZero() {
			add(d.String())
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" || !t.Field(i).IsExported() {
				continue
			}
			p := name
			if path != "" {
				p = path + "." + name
			}
			flattenValue(p, v.Field(i), out)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			parts := make([]string, v.Len())
			for i := range parts {
				parts[i] = v.Index(i).String()
			}
			add(strings.Join(parts, ", "))
			return
		}
		for i := range v.Len() {
			flattenValue(fmt.Sprintf("%s[%d]", path, i), v.Index(i), out)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			flattenValue(path, v.Elem(), out)
		}
	case reflect.String:
		add(v.String())
	case reflect.Bool:
		if v.Bool() {
			add("true")
		}
	case reflect.Int, reflect.Int64:
		if v.Int() != 0 {
			add(strconv.FormatInt(v.Int(), 10))
		}
	case reflect.Float64:
		add(strconv.FormatFloat(v.Float(), 'f', -1, 64))
	}
}

// field finds the value at a JSON path inside the struct v points to ("goals[0].objectives").
func field(v any, path string) (reflect.Value, bool) {
	cur := reflect.ValueOf(v).Elem()
	for _, part := range strings.Split(path, ".") {
		m := pathPart.FindStringSubmatch(part)
		if m == nil || cur.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		next, ok := reflect.Value{}, false
		for i := range cur.NumField() {
			if name, _, _ := strings.Cut(cur.Type().Field(i).Tag.Get("json"), ","); name == m[1] {
				next, ok = cur.Field(i), true
				break
			}
		}
		if !ok {
			return reflect.Value{}, false
		}
		if m[2] != "" {
			n, _ := strconv.Atoi(m[2])
			if next.Kind() != reflect.Slice || n >= next.Len() {
				return reflect.Value{}, false
			}
			next = next.Index(n)
		}
		cur = next
	}
	return cur, true
}

// addItem appends a new element to the list at path (a service line starts individual, once a
// week).
func addItem(sec any, path string) error {
	list, ok := field(sec, path)
	if !ok || list.Kind() != reflect.Slice || list.Type().Elem().Kind() != reflect.Struct {
		return iep.Problems{{Field: "op", Code: iep.CodeInvalid, Detail: path}}.Err()
	}
	if list.Len() >= 100 {
		return iep.Problems{{Field: path, Code: iep.CodeRange, Detail: "0..100"}}.Err()
	}
	item := reflect.New(list.Type().Elem())
	if l, ok := item.Interface().(*iep.ServiceLine); ok {
		l.GroupSize, l.SessionsPerPeriod, l.Period = 1, 1, iep.PerWeek
	}
	list.Set(reflect.Append(list, item.Elem()))
	return nil
}

// removeItem removes the element at path ("goals[2]").
func removeItem(sec any, path string) error {
	i := strings.LastIndex(path, "[")
	n, err := strconv.Atoi(strings.TrimSuffix(path[max(i, 0)+1:], "]"))
	if i < 0 || err != nil {
		return iep.Problems{{Field: "op", Code: iep.CodeInvalid, Detail: path}}.Err()
	}
	list, ok := field(sec, path[:i])
	if !ok || list.Kind() != reflect.Slice || n >= list.Len() {
		return iep.Problems{{Field: "op", Code: iep.CodeInvalid, Detail: path}}.Err()
	}
	list.Set(reflect.AppendSlice(list.Slice(0, n), list.Slice(n+1, list.Len())))
	return nil
}
