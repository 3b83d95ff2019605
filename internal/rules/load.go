package rules

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/openiep/openiep/internal/iep"
)

//go:embed packs/*.json
var packFiles embed.FS

// rawPack is a pack file as written: its rules are kept as JSON objects so that a state pack
// can override some fields of an inherited rule and keep the others.
type rawPack struct {
	ID          string            `json:"id"`
	Inherits    string            `json:"inherits"`
	MajorityAge int               `json:"majority_age"`
	Rules       []json.RawMessage `json:"rules"`
	Pauses      []PauseReason     `json:"pauses"`
	Resources   []Resource        `json:"resources"`
	// LegalLanguage: see Pack.LegalLanguage.
	LegalLanguage string `json:"legal_language"`
	// DocumentSections: see Pack.DocumentSections.
	DocumentSections []iep.SectionKind `json:"document_sections"`
}

var loaded = sync.OnceValues(loadAll)

// Load returns the pack with id ("federal", "MA"), inheritance resolved and validated. An
// unknown id is KindNotFound.
func Load(id string) (Pack, error) {
	packs, err := loaded()
	if err != nil {
		return Pack{}, err
	}
	p, ok := packs[id]
	if !ok {
		return Pack{}, iep.Errorf(iep.KindNotFound, "no rule pack %q (known: %s)", id, strings.Join(IDs(), ", "))
	}
	p.Rules = slices.Clone(p.Rules)
	p.Resources = slices.Clone(p.Resources)
	return p, nil
}

// IDs lists the embedded packs, sorted.
func IDs() []string {
	packs, _ := loaded()
	ids := make([]string, 0, len(packs))
	for id := range packs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// All returns every embedded pack, or the first error met loading them (a test runs it, and
// so does start-up through Load).
func All() (map[string]Pack, error) { return loaded() }

func loadAll() (map[string]Pack, error) {
	entries, err := packFiles.ReadDir("packs")
	if err != nil {
		return nil, err
	}
	raws := map[string]rawPack{}
	for _, e := range entries {
		b, err := packFiles.ReadFile(path.Join("packs", e.Name()))
		if err != nil {
			return nil, err
		}
		var rp rawPack
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rp); err != nil {
			return nil, fmt.Errorf("rules: %s: %w", e.Name(), err)
		}
		if want := strings.TrimSuffix(e.Name(), ".json"); rp.ID != want {
			return nil, fmt.Errorf("rules: %s: id %q, want %q", e.Name(), rp.ID, want)
		}
		raws[rp.ID] = rp
	}
	packs := map[string]Pack{}
	for id := range raws {
		p, err := resolve(raws, id, nil)
		if err != nil {
			return nil, err
		}
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("rules: pack %s: %w", id, err)
		}
		packs[id] = p
	}
	return packs, nil
}

// resolve builds pack id from its file and its ancestors': a rule with an inherited id is the
// inherited rule's fields with the child's fields written over them; a new id is appended.
// Pause reasons merge the same way, by id, whole.
func resolve(raws map[string]rawPack, id string, seen []string) (Pack, error) {
	rp, ok := raws[id]
	if !ok {
		return Pack{}, fmt.Errorf("rules: pack %s inherits unknown pack %q", seen[len(seen)-1], id)
	}
	if slices.Contains(seen, id) {
		return Pack{}, fmt.Errorf("rules: inheritance cycle %s", strings.Join(append(seen, id), " → "))
	}
	objs, ids := []map[string]json.RawMessage{}, []string{}
	var pauses []PauseReason
	var inherited []Resource
	majority, legal, order := rp.MajorityAge, rp.LegalLanguage, rp.DocumentSections
	if rp.Inherits != "" {
		parent, err := resolve(raws, rp.Inherits, append(seen, id))
		if err != nil {
			return Pack{}, err
		}
		for _, r := range parent.Rules {
			obj, err := toObject(r)
			if err != nil {
				return Pack{}, err
			}
			objs, ids = append(objs, obj), append(ids, r.ID)
		}
		pauses, inherited = parent.Pauses, parent.Resources
		if order == nil {
			order = parent.DocumentSections
		}
		if majority == 0 {
			majority = parent.MajorityAge
		}
		if legal == "" {
			legal = parent.LegalLanguage
		}
	}
	for _, raw := range rp.Rules {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return Pack{}, fmt.Errorf("rules: pack %s: %w", id, err)
		}
		var rid string
		_ = json.Unmarshal(obj["id"], &rid)
		if i := slices.Index(ids, rid); i >= 0 {
			for k, v := range obj {
				objs[i][k] = v
			}
		} else {
			objs, ids = append(objs, obj), append(ids, rid)
		}
	}
	for _, pr := range rp.Pauses {
		if i := slices.IndexFunc(pauses, func(x PauseReason) bool { return x.ID == pr.ID }); i >= 0 {
			pauses[i] = pr
		} else {
			pauses = append(pauses, pr)
		}
	}
	// Resources: the pack's own first, then the inherited ones it does not replace by id.
	resources := slices.Clone(rp.Resources)
	for _, r := range inherited {
		if !slices.ContainsFunc(rp.Resources, func(x Resource) bool { return x.ID == r.ID }) {
			resources = append(resources, r)
		}
	}
	p := Pack{ID: id, Inherits: rp.Inherits, MajorityAge: majority, Pauses: slices.Clone(pauses),
		Resources: resources, LegalLanguage: legal, DocumentSections: slices.Clone(order)}
	for i, obj := range objs {
		r, err := fromObject(obj)
		if err != nil {
			return Pack{}, fmt.Errorf("rules: pack %s rule %s: %w", id, ids[i], err)
		}
		p.Rules = append(p.Rules, r)
	}
	return p, nil
}

func toObject(r Rule) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	return obj, json.Unmarshal(b, &obj)
}

func fromObject(obj map[string]json.RawMessage) (Rule, error) {
	b, err := json.Marshal(obj)
	if err != nil {
		return Rule{}, err
	}
	var r Rule
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return r, dec.Decode(&r)
}
