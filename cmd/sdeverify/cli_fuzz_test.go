package main

import (
	"bytes"
	"encoding/json"
	"errors"
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

// shardPool is a set of campaign shard files for the merge and -resume
// properties, with what each holds: its campaign, its shard and its cases
// (or that it is not a valid shard file).
type shardPool struct {
	files []poolShard
	// stateDir is OUT.cases of a run of campaign "s1 n2 p40", shard 0/1,
	// interrupted after case 0; whole is the uninterrupted run's file.
	stateDir, whole string
}

type poolShard struct {
	path     string
	campaign string // "": not a valid shard file
	n        int
	shard    string
	cases    []int
}

// newShardPool runs the campaigns once (7 cases of 40 paths) and writes
// the invalid files beside them.
func newShardPool(t *testing.T) *shardPool {
	t.Helper()
	dir := t.TempDir()
	var p shardPool
	add := func(seed, n, paths int, sh string, cases ...int) string {
		out := filepath.Join(dir, fmt.Sprintf("s%d-n%d-p%d-%s.json", seed, n, paths, strings.ReplaceAll(sh, "/", "of")))
		var stdout, stderr bytes.Buffer
		if code := run([]string{"verify", "-n", fmt.Sprint(n), "-seed", fmt.Sprint(seed), "-paths", fmt.Sprint(paths), "-shard", sh, "-json", out, "-q"}, &stdout, &stderr); code > 1 {
			t.Fatalf("verify %s: exit %d: %s", out, code, stderr.String())
		}
		p.files = append(p.files, poolShard{out, fmt.Sprintf("s%d n%d p%d", seed, n, paths), n, sh, cases})
		return out
	}
	add(1, 2, 40, "0/2", 0)
	add(1, 2, 40, "1/2", 1)
	p.whole = add(1, 2, 40, "0/1", 0, 1)
	add(2, 2, 40, "1/2", 1)
	add(1, 2, 41, "1/2", 1)
	add(1, 3, 40, "1/2", 1)
	for name, body := range map[string]string{"old.json": `[{"index": 0}]`, "empty.json": "", "junk.json": `{"format": "x"}`} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		p.files = append(p.files, poolShard{path: path})
	}
	b, err := os.ReadFile(p.files[0].path)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"truncated.json": b[:len(b)/2], "edited.json": bytes.Replace(b, []byte(`"seed": 1,`), []byte(`"seed": 7,`), 1)} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
		p.files = append(p.files, poolShard{path: path})
	}
	// The interrupted run.
	out := filepath.Join(dir, "interrupted.json")
	verifyAfterCase = func(int) error { return errors.New("interrupted") }
	defer func() { verifyAfterCase = nil }()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"verify", "-n", "2", "-seed", "1", "-paths", "40", "-shard", "0/1", "-json", out, "-q"}, &stdout, &stderr); code != 2 {
		t.Fatalf("interrupted run: exit %d: %s", code, stderr.String())
	}
	p.stateDir = stateDir(out)
	return &p
}

// mergeOracle is what merge must do with files (in order): the one-line
// refusal's telltale, or "" for a merge that succeeds.
func mergeOracle(files []poolShard, partial bool) string {
	seenPath, seenShard, seenCase := map[string]bool{}, map[string]bool{}, map[int]bool{}
	first := ""
	n := 0
	for _, f := range files {
		switch {
		case seenPath[f.path]:
			return "is given twice"
		case f.campaign == "":
			return f.path
		case first != "" && f.campaign != first:
			return "not the same campaign"
		case seenShard[f.shard]:
			return "(the same shard twice)"
		}
		seenPath[f.path], seenShard[f.shard] = true, true
		if first == "" {
			first, n = f.campaign, f.n
		}
		for _, j := range f.cases {
			if seenCase[j] {
				return "(overlapping shards)"
			}
			seenCase[j] = true
		}
	}
	if len(seenCase) < n && !partial {
		return "incomplete: "
	}
	return ""
}

// mergeArgs draws a merge of one to three files of the pool (repeats
// allowed), with -partial or not.
func mergeArgs(t *rapid.T, pool *shardPool, dir string) (args []string, want string) {
	files := rapid.SliceOfN(rapid.SampledFrom(pool.files), 1, 3).Draw(t, "shards")
	partial := rapid.Bool().Draw(t, "partial")
	args = []string{"merge", "-out", filepath.Join(dir, "rep")}
	if partial {
		args = append(args, "-partial")
	}
	for _, f := range files {
		args = append(args, f.path)
	}
	return args, mergeOracle(files, partial)
}

// resumeArgs copies the pool's interrupted run into dir and draws a
// verify over it: its campaign and shard or another, with -resume or
// not. It returns the output file and the refusal's telltale ("" for a
// run that must finish with the uninterrupted run's file).
func resumeArgs(t *rapid.T, pool *shardPool, dir string) (args []string, out, want string) {
	out = filepath.Join(dir, "interrupted.json")
	if err := os.CopyFS(stateDir(out), os.DirFS(pool.stateDir)); err != nil {
		t.Fatalf("copy state: %v", err)
	}
	seed := rapid.SampledFrom([]string{"1", "1", "2"}).Draw(t, "seed")
	n := rapid.SampledFrom([]string{"2", "2", "3"}).Draw(t, "n")
	paths := rapid.SampledFrom([]string{"40", "40", "41"}).Draw(t, "paths")
	shard := rapid.SampledFrom([]string{"0/1", "0/1", "0/2"}).Draw(t, "shard")
	resume := rapid.IntRange(0, 4).Draw(t, "resume") > 0
	args = []string{"verify", "-n", n, "-seed", seed, "-paths", paths, "-shard", shard, "-json", out}
	switch {
	case !resume:
		return args, out, "add -resume"
	case seed != "1":
		want = "seed = " + seed + ", but"
	case n != "2":
		want = "n = " + n + ", but"
	case paths != "40":
		want = "paths = " + paths + ", but"
	case shard != "0/1":
		want = "-shard = " + shard + ", but"
	}
	return append(args, "-resume"), out, want
}

// TestCLIProperty drives the command line with mutated examples and
// random flags: every run exits 0, 1 or 2, never panics, and a refusal
// (exit 2) is one line that comes within a second. Cheap by construction
// (40 paths, 20 steps, small grids) unless a mutation is the point, in
// which case the guards must refuse it. It also merges random sets of
// campaign shards (of one campaign, of others, repeated, invalid), each
// against an oracle of what merge must refuse, and resumes an
// interrupted campaign with its own or other settings: refused naming the
// field, or finished with the uninterrupted run's file byte for byte.
// A merge's or resume's refusal must be exactly one line; for the other
// commands the last line is checked (weak prints that the exact engine
// does not apply before it refuses a config Monte Carlo cannot run
// either: two lines). Not parallel: newShardPool sets verifyAfterCase.
// go test -run TestCLIProperty -rapid.checks=10000 for a long run.
func TestCLIProperty(t *testing.T) {
	pool := newShardPool(t)
	whole, err := os.ReadFile(pool.whole)
	if err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(t *rapid.T) {
		dir, err := os.MkdirTemp("", "sdeverify-prop-")
		if err != nil {
			t.Fatalf("temp dir: %v", err)
		}
		defer os.RemoveAll(dir)
		var args []string
		var want, resumed string
		oracle := false
		switch rapid.IntRange(0, 5).Draw(t, "kind") {
		case 0:
			args, want = mergeArgs(t, pool, dir)
			oracle = true
		case 1:
			args, resumed, want = resumeArgs(t, pool, dir)
			oracle = true
		default:
			cfg, weakCfg := mutatedConfig(t, dir)
			args = cliArgs(t, cfg, weakCfg)
		}
		if args[0] != "merge" {
			args = append(args, "-q")
		}
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
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "sdeverify ") || strings.Contains(stderr.String(), "goroutine ") || (oracle && len(lines) > 1) {
				t.Fatalf("%v: refusal is not one line: %q", args, stderr.String())
			}
		default:
			t.Fatalf("%v: exit %d, want 0, 1 or 2: %s", args, code, stderr.String())
		}
		if !oracle {
			return
		}
		switch {
		case want == "" && code == 2:
			t.Fatalf("%v: refused, want it to work: %s", args, stderr.String())
		case want != "" && (code != 2 || !strings.Contains(stderr.String(), want)):
			t.Fatalf("%v: exit %d, %q: want a refusal with %q", args, code, stderr.String(), want)
		case want == "" && resumed != "":
			got, err := os.ReadFile(resumed)
			if err != nil || !bytes.Equal(got, whole) {
				t.Fatalf("%v: the resumed run's file differs from the uninterrupted run's (%v)", args, err)
			}
		}
	})
}
