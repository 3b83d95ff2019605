// Package i18n holds openiep's message catalogs and its plain-language glossary. Each language
// is one embedded file, catalog/<tag>.json, holding every message and glossary entry in that
// language; adding a language is adding one file (the tests check it has exactly English's
// keys). Messages are looked up by key and formatted with fmt verbs, so a translation may reorder
// its arguments with indexed verbs such as %[2]s.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Default is the language used when nothing better matches, and the fallback for a message
// missing from another catalog.
const Default = "en"

//go:embed catalog/*.json
var catalogFS embed.FS

// Term is one glossary entry: a word families meet in an IEP and its meaning in plain words.
type Term struct {
	ID      string `json:"id"`      // stable across languages, e.g. "esy"
	Word    string `json:"term"`    // the word or abbreviation as the family sees it
	Meaning string `json:"meaning"` // a plain-language explanation
}

// catalog is one language's file.
type catalog struct {
	// Scope is "" for a whole catalog (every page), "documents" for one that holds only what
	// the printed documents say (a language the pages do not offer yet, that families receive
	// their documents in).
	Scope    string            `json:"scope,omitempty"`
	Messages map[string]string `json:"messages"`
	Glossary []Term            `json:"glossary"`
}

// scopeDocuments marks a catalog that holds the documents' words only.
const scopeDocuments = "documents"

var catalogs = mustLoad()

// mustLoad reads every embedded catalog. A malformed catalog is a programming error caught by
// the package's tests, so it panics at start-up rather than serving half-translated pages.
func mustLoad() map[string]*catalog {
	entries, err := catalogFS.ReadDir("catalog")
	if err != nil {
		panic(fmt.Sprintf("i18n: read catalogs: %v", err))
	}
	out := make(map[string]*catalog, len(entries))
	for _, e := range entries {
		name := e.Name()
		data, err := catalogFS.ReadFile(path.Join("catalog", name))
		if err != nil {
			panic(fmt.Sprintf("i18n: read %s: %v", name, err))
		}
		var c catalog
		if err := json.Unmarshal(data, &c); err != nil {
			panic(fmt.Sprintf("i18n: parse %s: %v", name, err))
		}
		out[strings.TrimSuffix(name, ".json")] = &c
	}
	if out[Default] == nil {
		panic("i18n: the default catalog " + Default + ".json is missing")
	}
	return out
}

// Languages returns the tags of every language the pages are in (a whole catalog), the default
// first, then the others in alphabetical order.
func Languages() []string { return languages(false) }

// DocumentLanguages returns the tags of every language documents are printed in: the pages'
// languages and those with a catalog of the documents' words only, the default first.
func DocumentLanguages() []string { return languages(true) }

func languages(documents bool) []string {
	tags := make([]string, 0, len(catalogs))
	for tag, c := range catalogs {
		if tag != Default && (documents || c.Scope == "") {
			tags = append(tags, tag)
		}
	}
	slices.Sort(tags)
	return append([]string{Default}, tags...)
}

// Supported reports whether the pages are in lang (it has a whole catalog).
func Supported(lang string) bool { return catalogs[lang] != nil && catalogs[lang].Scope == "" }

// DocumentSupported reports whether documents are printed in lang.
func DocumentSupported(lang string) bool { return catalogs[lang] != nil }

// RightToLeft reports whether lang is written right to left (Arabic, Hebrew, Persian, Urdu).
func RightToLeft(lang string) bool {
	base, _, _ := strings.Cut(lang, "-")
	switch base {
	case "ar", "he", "fa", "ur":
		return true
	}
	return false
}

// Has reports whether key exists in the default catalog.
func Has(key string) bool {
	_, ok := catalogs[Default].Messages[key]
	return ok
}

// Translated reports whether lang's own catalog holds key (Message falls back to English
// when it does not).
func Translated(lang, key string) bool {
	c := catalogs[lang]
	if c == nil {
		return false
	}
	_, ok := c.Messages[key]
	return ok
}

// Message returns the message key in lang, formatted with args (fmt verbs). A message missing
// from lang falls back to English; a key missing everywhere returns the key itself, so that a
// gap shows on the page instead of an empty string.
func Message(lang, key string, args ...any) string {
	tpl, ok := lookup(lang, key)
	if !ok {
		return key
	}
	if len(args) == 0 {
		return tpl
	}
	return fmt.Sprintf(tpl, args...)
}

func lookup(lang, key string) (string, bool) {
	if c := catalogs[lang]; c != nil {
		if s, ok := c.Messages[key]; ok {
			return s, true
		}
	}
	s, ok := catalogs[Default].Messages[key]
	return s, ok
}

// Glossary returns the glossary in lang (English for a language without a catalog), in the
// catalog's order.
func Glossary(lang string) []Term {
	c := catalogs[lang]
	if c == nil || len(c.Glossary) == 0 {
		c = catalogs[Default]
	}
	return slices.Clone(c.Glossary)
}

// Match picks the best supported language for an HTTP Accept-Language header value, e.g.
// "es-MX,es;q=0.9,en;q=0.8" gives "es". Regional variants match their base language; q=0 rules
// a language out; anything unparseable is ignored. With no match it returns Default.
func Match(acceptLanguage string) string {
	type choice struct {
		lang string
		q    float64
		pos  int
	}
	var choices []choice
	for i, part := range strings.Split(acceptLanguage, ",") {
		tag, q := parseRange(part)
		if tag == "" || q <= 0 {
			continue
		}
		choices = append(choices, choice{tag, q, i})
	}
	slices.SortStableFunc(choices, func(a, b choice) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return a.pos - b.pos
	})
	for _, c := range choices {
		if Supported(c.lang) {
			return c.lang
		}
		if base, _, ok := strings.Cut(c.lang, "-"); ok && Supported(base) {
			return base
		}
	}
	return Default
}

// parseRange reads one "tag;q=0.8" element, returning the lower-case tag and its weight.
func parseRange(s string) (string, float64) {
	tag, params, _ := strings.Cut(strings.TrimSpace(s), ";")
	tag = strings.ToLower(strings.TrimSpace(tag))
	q := 1.0
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.TrimSpace(k) == "q" {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return "", 0
			}
			q = f
		}
	}
	if tag == "*" {
		return "", 0
	}
	return tag, q
}
