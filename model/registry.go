package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// A configuration names a noise law, a compressor, an objective atom or a
// schedule by its "kind" and gives that kind's parameters as fields beside
// it ({"kind": "gaussian", "sigma1": 0.1}). Each kind registers itself from
// its own file (as image/png registers its format with image.RegisterFormat):
// its name, one sentence of documentation, its parameters (a struct whose
// exported fields carry json tags) and how it is drawn at random. The spec
// types' Build, the JSON Schema (docs/config.schema.json), the generators
// (model/gen, properties) and the command line's lists all read the
// registry; a kind added in another package (a blank import of it is
// enough) appears in all of them.

// Sorts of kinds, as Kinds takes them.
const (
	sortNoise      = "noise"
	sortCompressor = "compressor"
	sortAtom       = "atom"
	sortSchedule   = "schedule"
	sortMethod     = "method"
)

// Kind is one kind of T (a Noise, Compressor, Atom, Schedule or Method) as
// a configuration names it (a method by the configuration's "method", its
// parameters in "method_params"). P is the struct of its parameters: a
// configuration's fields beside "kind" decode into it (unknown fields are
// errors naming the field), its exported fields carry json tags, and a
// field may carry a doc tag (its description in the schema) and an enum
// tag (its allowed strings, separated by |). A schedule's field whose zero
// value stands for a default (an omitted value) may carry a zero tag: the
// rule a 0 written out breaks, with which a configuration that writes one
// is refused (ExplicitZero, which the configuration's decoder asks along
// the schedule and its decays) rather than silently given the default.
type Kind[P, T any] struct {
	Name string // the configuration's "kind"
	Doc  string // one sentence: the law or map and what its parameters mean
	// Build returns the value for parameters p in dimension d (0 where the
	// caller does not know it: only a compressor's Build is given d).
	// Nil when P is itself a T: the value is then p.
	Build func(p P, d int) (T, error)
	// Draw draws parameters at random for the generators (model/gen and
	// the property tests); nil if the kind is never drawn. Every choice
	// goes through dr, so that rapid can shrink it.
	Draw func(dr Drawer, o DrawOptions) P
}

// A Drawer supplies the random choices of the generators, each with a
// name: gen.RandDrawer draws from a seeded generator (campaigns), and the
// property tests draw through rapid, which owns the inputs and so can
// shrink a failure.
type Drawer interface {
	Float(name string, lo, hi float64) float64 // uniform on [lo, hi]
	Int(name string, lo, hi int) int           // uniform on [lo, hi]
	Norm(name string) float64                  // standard normal
	Uint64(name string) uint64
}

// DrawOptions says what a drawn kind must satisfy.
type DrawOptions struct {
	Dim int // the objective's dimension, >= 1
	// Moments is the order up to which a drawn noise law's moments must be
	// finite: 0 none, 2 its variance (the SDEs of DSGD and DCSGD), 4 its
	// fourth moments (z tests of second moments).
	Moments int
}

// KindInfo describes a registered kind.
type KindInfo struct {
	Sort     string // noise, compressor, atom, schedule or method
	Name     string
	Doc      string
	Drawable bool // the kind has a Draw (the generators may draw it)
	params   reflect.Type
	build    func(raw []byte, d int) (any, error)
	draw     func(dr Drawer, o DrawOptions) []byte
}

var registry struct {
	sync.RWMutex
	kinds map[string][]*KindInfo // by sort, in registration order
}

// sortOf returns the sort of the kinds of T, or "" if T is not one.
func sortOf[T any]() string {
	switch reflect.TypeFor[T]() {
	case reflect.TypeFor[Noise]():
		return sortNoise
	case reflect.TypeFor[Compressor]():
		return sortCompressor
	case reflect.TypeFor[Atom]():
		return sortAtom
	case reflect.TypeFor[Schedule]():
		return sortSchedule
	case reflect.TypeFor[Method]():
		return sortMethod
	}
	return ""
}

// Register adds a kind. It panics (a programmer's error, met at start-up)
// if T is not Noise, Compressor, Atom, Schedule or Method, if P is not a struct,
// if Build is nil and P is not a T, if a kind other than a schedule has a
// zero tag, or if the name is empty or taken.
func Register[P, T any](k Kind[P, T]) {
	sort := sortOf[T]()
	pt := reflect.TypeFor[P]()
	switch {
	case sort == "":
		panic(fmt.Sprintf("model: Register %q: %v is not Noise, Compressor, Atom, Schedule or Method", k.Name, reflect.TypeFor[T]()))
	case pt.Kind() != reflect.Struct:
		panic(fmt.Sprintf("model: Register %q: parameters %v are not a struct", k.Name, pt))
	case k.Name == "":
		panic("model: Register: empty name")
	case k.Build == nil && !pt.Implements(reflect.TypeFor[T]()):
		panic(fmt.Sprintf("model: Register %q: no Build and %v is not a %v", k.Name, pt, reflect.TypeFor[T]()))
	case sort != sortSchedule && slices.ContainsFunc(paramFields(pt), func(f paramField) bool { return f.zero != "" }):
		panic(fmt.Sprintf("model: Register %q: a zero tag on a %s kind's parameter, which the configuration's decoder does not check (schedules only)", k.Name, sort))
	}
	build := k.Build
	if build == nil {
		build = func(p P, _ int) (T, error) { return any(p).(T), nil }
	}
	info := &KindInfo{Sort: sort, Name: k.Name, Doc: k.Doc, params: pt}
	info.build = func(raw []byte, d int) (any, error) {
		var p P
		if err := decodeParams(raw, &p, info); err != nil {
			return nil, err
		}
		return build(p, d)
	}
	if k.Draw != nil {
		info.Drawable = true
		info.draw = func(dr Drawer, o DrawOptions) []byte {
			b, err := json.Marshal(k.Draw(dr, o))
			if err != nil {
				panic(fmt.Sprintf("model: kind %q: drawn parameters: %v", k.Name, err))
			}
			return b
		}
	}
	registry.Lock()
	defer registry.Unlock()
	if registry.kinds == nil {
		registry.kinds = map[string][]*KindInfo{}
	}
	for _, o := range registry.kinds[sort] {
		if o.Name == k.Name {
			panic(fmt.Sprintf("model: Register: %s kind %q registered twice", sort, k.Name))
		}
	}
	registry.kinds[sort] = append(registry.kinds[sort], info)
}

// Kinds returns the registered kinds of a sort (noise, compressor, atom,
// schedule or method; nil for another), sorted by name.
func Kinds(sort string) []KindInfo {
	registry.RLock()
	defer registry.RUnlock()
	var out []KindInfo
	for _, k := range registry.kinds[sort] {
		out = append(out, *k)
	}
	slices.SortFunc(out, func(a, b KindInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// lookup returns the kind of a sort with the given name, or an error
// naming the field "kind" and listing the registered names.
func lookup(sort, name string) (*KindInfo, error) {
	registry.RLock()
	defer registry.RUnlock()
	for _, k := range registry.kinds[sort] {
		if k.Name == name {
			return k, nil
		}
	}
	return nil, Invalid("kind", fmt.Sprintf("%q", name), "must be one of "+kindNames(sort))
}

// kindNames lists the names of a sort's kinds, sorted ("a, b or c").
// The caller holds the read lock.
func kindNames(sort string) string {
	var names []string
	for _, k := range registry.kinds[sort] {
		names = append(names, k.Name)
	}
	slices.Sort(names)
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Draw draws the kind's parameters through dr, as the JSON object a
// configuration gives beside "kind"; ok is false if the kind is never
// drawn (its Kind.Draw is nil).
func (k KindInfo) Draw(dr Drawer, o DrawOptions) (params json.RawMessage, ok bool) {
	if k.draw == nil {
		return nil, false
	}
	return k.draw(dr, o), true
}

// Params returns the JSON names of the kind's parameters, in their
// struct's order.
func (k KindInfo) Params() []string {
	var names []string
	for _, f := range paramFields(k.params) {
		names = append(names, f.json)
	}
	return names
}

type paramField struct {
	json string
	typ  reflect.Type
	doc  string
	enum []string
	zero string // the zero tag: the rule a written-out 0 breaks
}

// paramFields returns the exported, JSON-visible fields of a parameter
// struct.
func paramFields(t reflect.Type) []paramField {
	var out []paramField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		pf := paramField{json: name, typ: f.Type, doc: f.Tag.Get("doc"), zero: f.Tag.Get("zero")}
		if e := f.Tag.Get("enum"); e != "" {
			pf.enum = strings.Split(e, "|")
		}
		out = append(out, pf)
	}
	return out
}

// ExplicitZero returns an error naming the first parameter of obj (the
// JSON object of a kind of the given sort: its "kind" and its parameters)
// that is written as 0 where the kind's zero value stands for its default
// (the parameter's zero tag, with its rule). It returns nil when there is
// none, and when obj is not an object naming a registered kind of the sort
// (decoding and Build report those).
func ExplicitZero(sort string, obj []byte) error {
	var fields map[string]json.RawMessage
	if json.Unmarshal(obj, &fields) != nil {
		return nil
	}
	var kind string
	if json.Unmarshal(fields["kind"], &kind) != nil {
		return nil
	}
	k, err := lookup(sort, kind)
	if err != nil {
		return nil
	}
	for _, f := range paramFields(k.params) {
		if f.zero == "" {
			continue
		}
		// As encoding/json matches a field's name: case-insensitively.
		for name, raw := range fields {
			var n json.Number
			if !strings.EqualFold(name, f.json) || json.Unmarshal(raw, &n) != nil {
				continue
			}
			if v, err := n.Float64(); err == nil && v == 0 {
				return Invalid(f.json, 0, f.zero)
			}
		}
	}
	return nil
}

// decodeParams decodes a kind's parameters from raw (a JSON object, or
// empty for none) into p, refusing unknown fields; errors name the field.
func decodeParams(raw []byte, p any, k *KindInfo) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(p)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return Invalid(te.Field, te.Value, fmt.Sprintf("must be a JSON value for a Go %v (%s kind %s)", te.Type, k.Sort, k.Name))
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name := strings.Trim(f, `"`)
		var fields map[string]json.RawMessage
		_ = json.Unmarshal(raw, &fields)
		var v any = string(fields[name])
		takes := "none"
		if ps := k.Params(); len(ps) > 0 {
			takes = strings.Join(ps, ", ")
		}
		return Invalid(name, v, fmt.Sprintf("unknown field %q: not a parameter of %s kind %s (its parameters: %s)", name, k.Sort, k.Name, takes))
	}
	return Invalid(k.Sort, string(raw), err.Error())
}

// splitParams returns the fields of a JSON object other than "kind" and
// the names in keep, as an object (nil if there are none).
func splitParams(raw []byte, keep ...string) (json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	delete(fields, "kind")
	for _, k := range keep {
		delete(fields, k)
	}
	if len(fields) == 0 {
		return nil, nil
	}
	return json.Marshal(fields)
}

// withKind returns the JSON object {"kind": kind, ...params, ...extra}:
// params and extra are JSON objects (or empty).
func withKind(kind string, params json.RawMessage, extra []byte) ([]byte, error) {
	k, err := json.Marshal(kind)
	if err != nil {
		return nil, err
	}
	b := append([]byte(`{"kind":`), k...)
	for _, o := range [][]byte{params, extra} {
		o = bytes.TrimSpace(o)
		if len(o) < 2 || o[0] != '{' {
			continue
		}
		if inner := bytes.TrimSpace(o[1 : len(o)-1]); len(inner) > 0 {
			b = append(append(b, ','), inner...)
		}
	}
	return append(b, '}'), nil
}

// Schema returns the JSON Schema (draft 2020-12) of a configuration's
// object for this kind: "kind" fixed to its name, its parameters (and, for
// atoms, the outer and inner scales c and a), no other fields. ref maps a
// nested spec type (a schedule's decay) to its schema.
func (k KindInfo) Schema(ref func(reflect.Type) map[string]any) map[string]any {
	props := map[string]any{"kind": map[string]any{"const": k.Name}}
	for _, f := range paramFields(k.params) {
		s := paramSchema(f.typ, ref)
		if f.enum != nil {
			s = map[string]any{"type": "string", "enum": f.enum}
		}
		if f.doc != "" {
			s["description"] = f.doc
		}
		props[f.json] = s
	}
	if k.Sort == sortAtom {
		props["c"] = map[string]any{"type": "number", "description": "outer scale c > 0 of c h(a x) (omitted: 1)"}
		props["a"] = map[string]any{"type": "number", "description": "inner scale a != 0 of c h(a x) (omitted: 1)"}
	}
	return map[string]any{"type": "object", "additionalProperties": false, "description": k.Doc,
		"properties": props, "required": []string{"kind"}}
}

func paramSchema(t reflect.Type, ref func(reflect.Type) map[string]any) map[string]any {
	switch t.Kind() {
	case reflect.Pointer:
		return paramSchema(t.Elem(), ref)
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint64, reflect.Uint32, reflect.Uint:
		return map[string]any{"type": "integer"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": paramSchema(t.Elem(), ref)}
	}
	return ref(t)
}
