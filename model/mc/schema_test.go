package mc

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/objective"
)

var updateSchema = flag.Bool("update-schema", false, "rewrite docs/config.schema.json from the Go types")

// TestConfigSchema: docs/config.schema.json is what ConfigSchema generates
// from the Go types (rewrite it with -update-schema after changing them),
// and every field of every example configuration is in it.
func TestConfigSchema(t *testing.T) {
	got, err := ConfigSchema()
	require.NoError(t, err)
	path := filepath.Join("..", "..", "docs", "config.schema.json")
	if *updateSchema {
		require.NoError(t, os.WriteFile(path, append(got, '\n'), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got)+"\n", "docs/config.schema.json is stale: go test ./model/mc -run ConfigSchema -args -update-schema")

	var doc struct {
		Defs map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(got, &doc))
	files, err := filepath.Glob(filepath.Join("..", "..", "examples", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		for k := range m {
			require.Containsf(t, doc.Defs["Config"].Properties, k, "%s: field %q is not in the schema", f, k)
		}
	}
}

// TestConfigSchemaEnums: every kind the schema lists is one the spec types
// build (an error, if any, is about another field), and a kind it does not
// list is refused, naming the field.
func TestConfigSchemaEnums(t *testing.T) {
	t.Parallel()
	build := map[string]func(v string) error{
		"ObjectiveSpec.kind": func(v string) error {
			_, err := objective.Spec{Kind: v}.Build()
			return err
		},
		"AtomSpec.kind":       func(v string) error { _, err := model.AtomSpec{Kind: v}.Build(); return err },
		"NoiseSpec.kind":      func(v string) error { _, err := model.NoiseSpec{Kind: v}.Build(); return err },
		"CompressorSpec.kind": func(v string) error { _, err := model.CompressorSpec{Kind: v}.Build(4); return err },
		"ModelSpec.kind": func(v string) error {
			b, err := os.ReadFile(filepath.Join("..", "..", "examples", "dsgd-discrete-gaussian.json"))
			require.NoError(t, err)
			c, err := ParseConfig(b)
			require.NoError(t, err)
			c.Model = model.ModelSpec{Kind: v}
			_, err = c.Resolve()
			return err
		},
		"ScheduleSpec.kind": func(v string) error { _, err := model.ScheduleSpec{Kind: v}.Build(); return err },
		"Config.method":     func(v string) error { _, err := model.ParseMethod(v); return err },
	}
	for key, f := range build {
		for _, v := range schemaEnums[key] {
			if err := f(v); err != nil {
				require.NotContainsf(t, err.Error(), `"`+v+`"`, "%s = %q is in the schema but refused: %v", key, v, err)
			}
		}
		err := f("bogus")
		require.Errorf(t, err, "%s accepts an unlisted kind", key)
		require.Contains(t, err.Error(), "bogus", key)
	}
}

// TestConfigSchemaRequired: removing any field the schema requires from a
// complete configuration makes it fail to decode or resolve.
func TestConfigSchemaRequired(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "dcsgd-sde-gaussian.json"))
	require.NoError(t, err)
	for _, field := range schemaRequired["Config"] {
		var m map[string]any
		require.NoError(t, json.Unmarshal(b, &m))
		delete(m, field)
		nb, err := json.Marshal(m)
		require.NoError(t, err)
		c, err := ParseConfig(nb)
		if err == nil {
			_, err = c.Resolve()
		}
		require.Errorf(t, err, "without %q the configuration still resolves", field)
		require.True(t, strings.Contains(err.Error(), field) || strings.Contains(err.Error(), "kind"), "without %q: %v", field, err)
	}
}
