package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
)

// The JSON forms of the registered sorts. Each is a kind and that kind's
// parameters, written as fields beside "kind". The fields below are the
// parameters of the built-in kinds, kept for Go callers that build specs
// as literals; a kind whose parameters they cannot hold (a kind registered
// elsewhere) keeps them in Params. Decoding fills the fields when they hold
// the object and Params otherwise; encoding writes the same object either
// way. Build looks the kind up in the registry and decodes its parameters
// strictly: a field the kind does not take is an error naming it.

// NoiseSpec is the JSON form of one agent's noise law; Kinds("noise") lists
// the kinds and docs/config.schema.json their parameters.
type NoiseSpec struct {
	Kind   string    `json:"kind"`
	Sigma0 float64   `json:"sigma0,omitempty"`
	Sigma1 float64   `json:"sigma1,omitempty"`
	Nu     float64   `json:"nu,omitempty"`
	Scale  []float64 `json:"scale,omitempty"`
	// Params holds the kind's parameters as a JSON object when the fields
	// above cannot (nil otherwise; give one or the other).
	Params json.RawMessage `json:"-"`
}

// CompressorSpec is the JSON form of a compressor; Kinds("compressor")
// lists the kinds.
type CompressorSpec struct {
	Kind   string          `json:"kind"`
	P      float64         `json:"p,omitempty"`
	K      int             `json:"k,omitempty"`
	Omega  float64         `json:"omega,omitempty"`
	S      int             `json:"s,omitempty"`
	Params json.RawMessage `json:"-"` // as NoiseSpec.Params
}

// AtomSpec is the JSON form of an atom c h(a x) with h named by Kind
// (Kinds("atom")); c > 0 and a != 0 scale every kind (0 means 1).
type AtomSpec struct {
	Kind   string          `json:"kind"`
	P      float64         `json:"p,omitempty"`
	L0     float64         `json:"l0,omitempty"`
	C      float64         `json:"c,omitempty"`
	A      float64         `json:"a,omitempty"`
	Params json.RawMessage `json:"-"` // as NoiseSpec.Params (without c and a)
}

// ScheduleSpec is the JSON form of a schedule; Kinds("schedule") lists the
// kinds.
type ScheduleSpec struct {
	Kind    string          `json:"kind"`
	Value   float64         `json:"value,omitempty"`
	Clock   string          `json:"clock,omitempty"`
	Num     float64         `json:"num,omitempty"`
	A       float64         `json:"a,omitempty"`
	B       float64         `json:"b,omitempty"`
	Reading string          `json:"reading,omitempty"`
	Cap     float64         `json:"cap,omitempty"`
	Decay   *ScheduleSpec   `json:"decay,omitempty"`
	Params  json.RawMessage `json:"-"` // as NoiseSpec.Params
}

// The spec types without their methods: their fields' JSON form.
type (
	noiseFields      NoiseSpec
	compressorFields CompressorSpec
	atomFields       AtomSpec
	scheduleFields   ScheduleSpec
)

// Build returns the noise law (validated where it is used: System.Validate).
func (n NoiseSpec) Build() (Noise, error) {
	f := noiseFields(n)
	f.Params = nil
	v, err := build(sortNoise, n.Kind, f, n.Params, 0)
	if err != nil {
		return nil, err
	}
	return v.(Noise), nil
}

// Build returns the compressor for dimension d (validated where it is
// used: System.Validate).
func (c CompressorSpec) Build(d int) (Compressor, error) {
	f := compressorFields(c)
	f.Params = nil
	v, err := build(sortCompressor, c.Kind, f, c.Params, d)
	if err != nil {
		return nil, err
	}
	return v.(Compressor), nil
}

// Build returns the atom, validated.
func (s AtomSpec) Build() (Atom, error) {
	f := atomFields(s)
	f.Params, f.C, f.A = nil, 0, 0
	v, err := build(sortAtom, s.Kind, f, s.Params, 0)
	if err != nil {
		return nil, err
	}
	a := v.(Atom)
	if s.C != 0 || s.A != 0 {
		c, aa := s.C, s.A
		if c == 0 {
			c = 1
		}
		if aa == 0 {
			aa = 1
		}
		a = Scaled{Atom: a, C: c, A: aa}
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// Build returns the schedule, validated.
func (s ScheduleSpec) Build() (Schedule, error) {
	f := scheduleFields(s)
	f.Params = nil
	v, err := build(sortSchedule, s.Kind, f, s.Params, 0)
	if err != nil {
		return nil, err
	}
	sch := v.(Schedule)
	return sch, sch.Validate()
}

// build looks up a kind and builds it from its parameters: the fields of a
// spec (fields, its kind and Params cleared) or, when set, params.
func build(sort, kind string, fields any, params json.RawMessage, d int) (any, error) {
	k, err := lookup(sort, kind)
	if err != nil {
		return nil, err
	}
	if err := nonFinite(reflect.ValueOf(fields), ""); err != nil {
		return nil, err
	}
	b, err := json.Marshal(fields)
	if err != nil {
		return nil, err
	}
	raw, err := splitParams(b)
	if err != nil {
		return nil, err
	}
	if params != nil {
		if raw != nil {
			return nil, Invalid("params", string(params), "give the kind's parameters as fields or as Params, not both")
		}
		raw = params
	}
	return k.build(raw, d)
}

// nonFinite returns an error naming the first NaN or infinite number in a
// spec's fields (JSON has neither, so they cannot pass through it).
func nonFinite(v reflect.Value, prefix string) error {
	switch v.Kind() {
	case reflect.Float64:
		if math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0) {
			return Invalid(prefix, v.Float(), "must be finite")
		}
	case reflect.Slice:
		for i := range v.Len() {
			if err := nonFinite(v.Index(i), fmt.Sprintf("%s[%d]", prefix, i)); err != nil {
				return err
			}
		}
	case reflect.Struct:
		for _, f := range paramFields(v.Type()) {
			sep := "."
			if prefix == "" {
				sep = ""
			}
			if err := nonFinite(v.FieldByName(fieldName(v.Type(), f.json)), prefix+sep+f.json); err != nil {
				return err
			}
		}
	}
	return nil
}

// fieldName returns the Go name of the field of t whose JSON name is name.
func fieldName(t reflect.Type, name string) string {
	for i := range t.NumField() {
		f := t.Field(i)
		if n, _, _ := bytes.Cut([]byte(f.Tag.Get("json")), []byte(",")); string(n) == name || (len(n) == 0 && f.Name == name) {
			return f.Name
		}
	}
	return ""
}

// fits decodes the JSON object b into dst, refusing unknown fields, and
// reports whether it fit.
func fits(b []byte, dst any) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(dst) == nil
}

// decodeSpec decodes a spec's JSON object b into fields (a pointer to the
// spec's field struct) and reports true when they hold it; otherwise it
// returns the object's kind and its parameters without the names in keep.
func decodeSpec(b []byte, fields any, keep ...string) (fit bool, kind string, params json.RawMessage, err error) {
	if fits(b, fields) {
		return true, "", nil, nil
	}
	var k struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal(b, &k); err != nil {
		return false, "", nil, err
	}
	params, err = splitParams(b, keep...)
	return false, k.Kind, params, err
}

// encodeSpec encodes a spec whose parameters are in params: as its fields
// (fields, a pointer to the spec's zero field struct) when they hold them,
// so that a spec encodes alike however it was built; extra is a JSON
// object of further fields (an atom's c and a).
func encodeSpec(kind string, params json.RawMessage, extra []byte, fields any) ([]byte, error) {
	b, err := withKind(kind, params, extra)
	if err != nil {
		return nil, err
	}
	if fits(b, fields) {
		return json.Marshal(fields)
	}
	return b, nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *NoiseSpec) UnmarshalJSON(b []byte) error {
	var f noiseFields
	fit, kind, params, err := decodeSpec(b, &f)
	if err != nil {
		return err
	}
	if !fit {
		f = noiseFields{Kind: kind, Params: params}
	}
	*n = NoiseSpec(f)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (n NoiseSpec) MarshalJSON() ([]byte, error) {
	if n.Params == nil {
		return json.Marshal(noiseFields(n))
	}
	return encodeSpec(n.Kind, n.Params, nil, &noiseFields{})
}

// UnmarshalJSON implements json.Unmarshaler.
func (c *CompressorSpec) UnmarshalJSON(b []byte) error {
	var f compressorFields
	fit, kind, params, err := decodeSpec(b, &f)
	if err != nil {
		return err
	}
	if !fit {
		f = compressorFields{Kind: kind, Params: params}
	}
	*c = CompressorSpec(f)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (c CompressorSpec) MarshalJSON() ([]byte, error) {
	if c.Params == nil {
		return json.Marshal(compressorFields(c))
	}
	return encodeSpec(c.Kind, c.Params, nil, &compressorFields{})
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *AtomSpec) UnmarshalJSON(b []byte) error {
	var f atomFields
	fit, kind, params, err := decodeSpec(b, &f, "c", "a")
	if err != nil {
		return err
	}
	if !fit {
		var ca struct {
			C float64 `json:"c"`
			A float64 `json:"a"`
		}
		if err := json.Unmarshal(b, &ca); err != nil {
			return err
		}
		f = atomFields{Kind: kind, C: ca.C, A: ca.A, Params: params}
	}
	*s = AtomSpec(f)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (s AtomSpec) MarshalJSON() ([]byte, error) {
	if s.Params == nil {
		return json.Marshal(atomFields(s))
	}
	ca, err := json.Marshal(atomFields{C: s.C, A: s.A})
	if err != nil {
		return nil, err
	}
	extra, err := splitParams(ca)
	if err != nil {
		return nil, err
	}
	return encodeSpec(s.Kind, s.Params, extra, &atomFields{})
}

// UnmarshalJSON implements json.Unmarshaler.
func (s *ScheduleSpec) UnmarshalJSON(b []byte) error {
	var f scheduleFields
	fit, kind, params, err := decodeSpec(b, &f)
	if err != nil {
		return err
	}
	if !fit {
		f = scheduleFields{Kind: kind, Params: params}
	}
	*s = ScheduleSpec(f)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (s ScheduleSpec) MarshalJSON() ([]byte, error) {
	if s.Params == nil {
		return json.Marshal(scheduleFields(s))
	}
	return encodeSpec(s.Kind, s.Params, nil, &scheduleFields{})
}
