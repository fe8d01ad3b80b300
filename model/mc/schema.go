package mc

import (
	"encoding/json"
	"path"
	"reflect"
	"strings"

	"github.com/sdeverify/sdeverify/model"
)

// schemaEnums lists the values of the string fields that name a kind, by
// "Type.json_name": the values the spec types' Build methods accept
// (TestConfigSchemaEnums checks each against them).
var schemaEnums = map[string][]string{
	"ObjectiveSpec.kind": {"separable", "quadratic"},
	"ModelSpec.kind":     {"discrete", "sde"},
	"ModelSpec.scheme":   {"em", "tamed"},
}

// kindSorts maps the spec types of the registered sorts to their sort: their
// schema is one alternative per registered kind (model.Kinds), each with
// that kind's parameters.
var kindSorts = map[string]string{
	"NoiseSpec":      "noise",
	"CompressorSpec": "compressor",
	"AtomSpec":       "atom",
	"ScheduleSpec":   "schedule",
}

// schemaRequired lists, by type, the fields a configuration must give
// (Resolve fails without them; TestConfigSchemaRequired checks it). Every
// other field has a default.
var schemaRequired = map[string][]string{
	"Config":        {"objective", "x0", "agents", "method", "model", "eta", "schedule", "steps", "paths"},
	"ObjectiveSpec": {"kind"},
	"AgentSpec":     {"noise"},
	"ModelSpec":     {"kind"},
}

// ConfigSchema returns the JSON Schema (draft 2020-12) of Config, generated
// from the Go types by reflection: every struct is an object of its JSON
// fields with no others (DecodeConfig refuses unknown fields), the fields
// without a default are required, and the kind fields list their values.
// docs/config.schema.json is its output (kept equal by a test).
func ConfigSchema() ([]byte, error) {
	defs := map[string]any{}
	root := schemaOf(reflect.TypeFor[Config](), defs)
	doc := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://github.com/sdeverify/sdeverify/docs/config.schema.json",
		"title":       "sdeverify experiment configuration (model/mc.Config)",
		"description": "One experiment as data; see examples/ and examples/README.md.",
		"$ref":        root["$ref"],
		"$defs":       defs,
	}
	return json.MarshalIndent(doc, "", "  ")
}

func schemaOf(t reflect.Type, defs map[string]any) map[string]any {
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), defs)
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint64, reflect.Uint32, reflect.Uint:
		return map[string]any{"type": "integer"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), defs)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem(), defs)}
	case reflect.Struct:
		name := defName(t)
		ref := map[string]any{"$ref": "#/$defs/" + name}
		if _, done := defs[name]; done {
			return ref
		}
		if sort, ok := kindSorts[name]; ok {
			defs[name] = nil // before the kinds: a schedule's decay is a schedule
			var alts []any
			for _, k := range model.Kinds(sort) {
				alts = append(alts, k.Schema(func(t reflect.Type) map[string]any { return schemaOf(t, defs) }))
			}
			defs[name] = map[string]any{"oneOf": alts, "description": "One of the registered " + sort + " kinds, its parameters beside \"kind\"."}
			return ref
		}
		obj := map[string]any{"type": "object", "additionalProperties": false}
		defs[name] = obj // before the fields: types may refer to themselves
		props := map[string]any{}
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if !f.IsExported() || tag == "-" {
				continue
			}
			jn, _, _ := strings.Cut(tag, ",")
			if jn == "" {
				jn = f.Name
			}
			var s map[string]any
			switch name + "." + jn {
			case "Config.method":
				var names []string
				for _, k := range model.Kinds("method") {
					names = append(names, k.Name)
				}
				s = map[string]any{"type": "string", "enum": names, "description": "the update rule: one of the registered methods"}
			case "Config.method_params":
				s = methodParamsSchema(defs)
			default:
				s = schemaOf(f.Type, defs)
				if vals, ok := schemaEnums[name+"."+jn]; ok {
					s = map[string]any{"type": "string", "enum": vals}
				}
			}
			props[jn] = s
		}
		obj["properties"] = props
		if req := schemaRequired[name]; len(req) > 0 {
			obj["required"] = req
		}
		return ref
	}
	return map[string]any{}
}

// methodParamsSchema is the schema of Config.method_params: the parameters
// of one of the registered methods that have any (which one is the
// configuration's "method"; Resolve refuses a parameter the method does not
// take).
func methodParamsSchema(defs map[string]any) map[string]any {
	var alts []any
	for _, k := range model.Kinds("method") {
		if len(k.Params()) == 0 {
			continue
		}
		ks := k.Schema(func(t reflect.Type) map[string]any { return schemaOf(t, defs) })
		props := ks["properties"].(map[string]any)
		delete(props, "kind")
		alts = append(alts, map[string]any{"type": "object", "additionalProperties": false,
			"description": k.Name + ": " + k.Doc, "properties": props})
	}
	return map[string]any{"description": "The method's parameters (omitted for a method without any).", "oneOf": alts}
}

// defName is a struct's name in the schema's $defs: its Go name, except
// that a type named Spec takes its package's name as a prefix
// (objective.Spec is ObjectiveSpec), so that a def says what it describes.
func defName(t reflect.Type) string {
	if t.Name() == "Spec" {
		p := path.Base(t.PkgPath())
		return strings.ToUpper(p[:1]) + p[1:] + t.Name()
	}
	return t.Name()
}
