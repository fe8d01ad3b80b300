// Package jsonfinite encodes values as JSON with every non-finite number
// (NaN, +-Inf, which encoding/json refuses) written as null: every JSON
// file sdeverify writes goes through it.
package jsonfinite

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
)

// MarshalIndent is json.MarshalIndent with NaN and +-Inf as null.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	b, err := json.MarshalIndent(v, prefix, indent)
	var uve *json.UnsupportedValueError
	if errors.As(err, &uve) {
		var t any
		if t, err = finiteTree(reflect.ValueOf(v)); err == nil {
			b, err = json.MarshalIndent(t, prefix, indent)
		}
	}
	return b, err
}

var marshaler = reflect.TypeFor[json.Marshaler]()

// finiteTree turns v into maps, slices and scalars as encoding/json would
// see them (struct tags, omitempty, embedded structs, Marshalers), with
// NaN and +-Inf as nil.
func finiteTree(v reflect.Value) (any, error) {
	if !v.IsValid() {
		return nil, nil
	}
	if v.Type().Implements(marshaler) && !(v.Kind() == reflect.Pointer && v.IsNil()) {
		b, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return nil, err
		}
		return json.RawMessage(b), nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return finiteTree(v.Elem())
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, nil
		}
		return v.Interface(), nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil, nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Interface(), nil
		}
		out := make([]any, v.Len())
		for i := range out {
			e, err := finiteTree(v.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case reflect.Map:
		if v.IsNil() {
			return nil, nil
		}
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			e, err := finiteTree(it.Value())
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(it.Key().Interface())] = e
		}
		return out, nil
	case reflect.Struct:
		out := map[string]any{}
		if err := structFields(v, out); err != nil {
			return nil, err
		}
		return out, nil
	}
	return v.Interface(), nil
}

func structFields(v reflect.Value, out map[string]any) error {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() && !sf.Anonymous {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if sf.Anonymous && name == "" && fv.Kind() == reflect.Struct {
			if err := structFields(fv, out); err != nil {
				return err
			}
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if strings.Contains(opts, "omitempty") && fv.IsZero() {
			continue
		}
		if (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && strings.Contains(opts, "omitempty") && fv.Len() == 0 {
			continue
		}
		e, err := finiteTree(fv)
		if err != nil {
			return err
		}
		out[name] = e
	}
	return nil
}
