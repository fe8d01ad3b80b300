package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// numberLeaves lists the paths (keys and indices) of v's numeric leaves.
func numberLeaves(v any, path []any, dst *[][]any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			numberLeaves(x[k], append(append([]any(nil), path...), k), dst)
		}
	case []any:
		for i, e := range x {
			numberLeaves(e, append(append([]any(nil), path...), i), dst)
		}
	case json.Number:
		*dst = append(*dst, path)
	}
}

// setLeaf replaces the leaf at path in v by val.
func setLeaf(v any, path []any, val any) {
	for i, p := range path {
		last := i == len(path)-1
		switch k := p.(type) {
		case string:
			m := v.(map[string]any)
			if last {
				m[k] = val
				return
			}
			v = m[k]
		case int:
			s := v.([]any)
			if last {
				s[k] = val
				return
			}
			v = s[k]
		}
	}
}

// nanToken stands for NaN in a mutated config: JSON has no NaN, so the
// file carries the bare token and must be refused as malformed.
const nanToken = "NaN-token"

// oddNumber draws the numbers that break commands: zero, negatives, huge,
// tiny, non-integers where integers go, and NaN.
func oddNumber(t *rapid.T, label string) any {
	return rapid.SampledFrom([]any{
		json.Number("0"), json.Number("-1"), json.Number("-5"), json.Number("1"), json.Number("2"), json.Number("0.5"),
		json.Number("1e-12"), json.Number("1e12"), json.Number("1000000000000"), json.Number("1000"),
		json.Number("9223372036854775807"), json.Number("1e300"), json.Number("-1e300"), json.Number("1e400"), nanToken,
	}).Draw(t, label)
}

// mutatedConfig is a shipped example, made cheap (40 paths; 20 steps where
// its checkpoints allow) and then with one to three numeric fields
// replaced by odd numbers, written to dir.
func mutatedConfig(t *rapid.T, dir string) (path string, weak bool) {
	files, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("examples: %v", err)
	}
	name := rapid.SampledFrom(files).Draw(t, "example")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var cfg map[string]any
	if err := dec.Decode(&cfg); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	cfg["paths"] = json.Number("40")
	if cp, ok := cfg["checkpoints"].(map[string]any); ok && cp["at"] == nil {
		cfg["steps"] = json.Number("20")
	}
	var leaves [][]any
	numberLeaves(cfg, nil, &leaves)
	for i := range rapid.IntRange(1, 3).Draw(t, "mutations") {
		leaf := rapid.SampledFrom(leaves).Draw(t, fmt.Sprintf("field%d", i))
		setLeaf(cfg, leaf, oddNumber(t, fmt.Sprintf("value%d", i)))
	}
	out, err := json.Marshal(cfg)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	path = filepath.Join(dir, "c.json")
	if err := os.WriteFile(path, bytes.ReplaceAll(out, []byte(`"`+nanToken+`"`), []byte("NaN")), 0o644); err != nil {
		t.Fatalf("write: %v", err)
	}
	return path, strings.HasPrefix(filepath.Base(name), "weak-")
}

// oddFlag draws a flag value: a sensible one, or an odd number.
func oddFlag(t *rapid.T, label string, sensible ...string) string {
	odd := []string{"0", "-1", "-5", "1e12", "1e300", "NaN", "Inf", "1/2xyz", ""}
	return rapid.SampledFrom(append(sensible, odd...)).Draw(t, label)
}

// cliArgs draws a command and its flags on the config at cfg: each flag
// of the command present or not, with a sensible or an odd value.
func cliArgs(t *rapid.T, cfg string, weakCfg bool) []string {
	flags := func(args []string, values map[string][]string) []string {
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if rapid.Bool().Draw(t, "has"+k) {
				args = append(args, k, oddFlag(t, k, values[k]...))
			}
		}
		return args
	}
	cmd := "simulate"
	if weakCfg {
		cmd = rapid.SampledFrom([]string{"simulate", "check", "weak", "weak"}).Draw(t, "command")
	} else {
		cmd = rapid.SampledFrom([]string{"simulate", "check", "verify"}).Draw(t, "command")
	}
	switch cmd {
	case "simulate":
		return flags([]string{"simulate", "-config", cfg, "-no-refine"}, map[string][]string{
			"-engine": {"mc", "exact", "auto"}, "-workers": {"1", "2"}, "-bias-fraction": {"0.25"}})
	case "check":
		th := rapid.SampledFrom([]string{"thm4", "thm5", "thm6-eta", "thm6-corrected", "thm7"}).Draw(t, "theorem")
		return flags([]string{"check", "-theorem", th, "-config", cfg, "-sde-engine", "montecarlo"}, map[string][]string{
			"-ell": {"0.1", "0.4"}, "-alpha": {"1e-3", "0.5"}, "-eps": {"0.5"}, "-max-paths": {"40", "80"},
			"-margin": {"0.3"}, "-decay": {"inv", "inv-sqrt"}, "-reading": {"ensemble", "pathwise"}, "-workers": {"2"}})
	case "weak":
		args := flags([]string{"weak", "-config", cfg}, map[string][]string{
			"-etas": {"0.1,0.05", "0.2"}, "-horizon": {"0.5", "2"}, "-paths": {"40"}, "-substeps": {"1", "2"},
			"-engine": {"mc", "exact", "auto"}, "-workers": {"2"}})
		// The exact engine's grid is the cost: small unless drawn odd.
		return append(args, "-nodes", oddFlag(t, "-nodes", "16", "64"))
	}
	return flags([]string{"verify", "-paths", "40", "-n", "0"}, map[string][]string{
		"-only": {"0"}, "-shard": {"0/1", "1/2"}, "-n": {"1"}, "-paths": {"40"}, "-workers": {"2"}})
}

// TestCLIProperty drives the command line with mutated examples and
// random flags: every run exits 0, 1 or 2, never panics, and a refusal
// (exit 2) is one line that comes within a second. Cheap by construction
// (40 paths, 20 steps, small grids) unless a mutation is the point, in
// which case the guards must refuse it. go test -run TestCLIProperty
// -rapid.checks=10000 for a long run.
func TestCLIProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		dir, err := os.MkdirTemp("", "sdeverify-prop-")
		if err != nil {
			t.Fatalf("temp dir: %v", err)
		}
		defer os.RemoveAll(dir)
		cfg, weakCfg := mutatedConfig(t, dir)
		args := append(cliArgs(t, cfg, weakCfg), "-q")
		var stdout, stderr bytes.Buffer
		start := time.Now()
		slow := time.AfterFunc(10*time.Second, func() { fmt.Fprintf(os.Stderr, "TestCLIProperty: still running after 10 s: %v\n", args) })
		defer slow.Stop()
		code := func() (code int) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%v panicked: %v", args, r)
				}
			}()
			return run(args, &stdout, &stderr)
		}()
		took := time.Since(start)
		switch code {
		case 0, 1:
		case 2:
			if took > time.Second {
				t.Fatalf("%v: refused after %v: %s", args, took, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "sdeverify ") || strings.Contains(stderr.String(), "goroutine ") {
				t.Fatalf("%v: refusal is not one line: %q", args, stderr.String())
			}
		default:
			t.Fatalf("%v: exit %d, want 0, 1 or 2: %s", args, code, stderr.String())
		}
	})
}
