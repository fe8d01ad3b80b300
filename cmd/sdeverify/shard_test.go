package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
	"github.com/sdeverify/sdeverify/theorems/studies"
)

// sameValues compares a and b field by exported field, element by
// element: floats bit for bit (so -0 differs from 0), except that every
// NaN equals every NaN (their payloads are not part of the value). It
// returns the first difference, at its path.
func sameValues(a, b reflect.Value, at string) error {
	if a.IsValid() != b.IsValid() {
		return fmt.Errorf("%s: one side missing", at)
	}
	if !a.IsValid() {
		return nil
	}
	if a.Type() != b.Type() {
		return fmt.Errorf("%s: types %v and %v", at, a.Type(), b.Type())
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		if math.IsNaN(x) && math.IsNaN(y) {
			return nil
		}
		if math.Float64bits(x) != math.Float64bits(y) {
			return fmt.Errorf("%s: got %v, want %v", at, y, x)
		}
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				return fmt.Errorf("%s: nil on one side only", at)
			}
			return nil
		}
		return sameValues(a.Elem(), b.Elem(), at)
	case reflect.Struct:
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if err := sameValues(a.Field(i), b.Field(i), at+"."+a.Type().Field(i).Name); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Errorf("%s: length %d, want %d", at, b.Len(), a.Len())
		}
		for i := range a.Len() {
			if err := sameValues(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if a.Len() != b.Len() {
			return fmt.Errorf("%s: %d entries, want %d", at, b.Len(), a.Len())
		}
		it := a.MapRange()
		for it.Next() {
			if err := sameValues(it.Value(), b.MapIndex(it.Key()), fmt.Sprintf("%s[%v]", at, it.Key())); err != nil {
				return err
			}
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return fmt.Errorf("%s: got %v, want %v", at, b.Interface(), a.Interface())
		}
	}
	return nil
}

// fillFloats sets every float reachable from v (pointers made, two
// elements in each slice, one entry in each map of floats) to the next of
// vals in turn, skipping the types in skip.
func fillFloats(v reflect.Value, vals []float64, next *int, skip map[reflect.Type]bool, depth int) {
	if depth > 12 || skip[v.Type()] {
		return
	}
	switch v.Kind() {
	case reflect.Float64:
		v.SetFloat(vals[*next%len(vals)])
		*next++
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillFloats(v.Elem(), vals, next, skip, depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillFloats(v.Field(i), vals, next, skip, depth+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fillFloats(v.Index(i), vals, next, skip, depth+1)
		}
	case reflect.Map:
		if v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.Float64 {
			v.Set(reflect.MakeMap(v.Type()))
			v.SetMapIndex(reflect.ValueOf("k").Convert(v.Type().Key()), reflect.ValueOf(vals[*next%len(vals)]))
			*next++
		}
	}
}

// TestShardJSONKeepsNonFinite: a campaign result with every float field
// (the verdicts, their bias Stats, the finiteness's tails with their
// boundaries, the constants, the exact engine's settings) set in turn to
// +Inf, -Inf, NaN and ordinary numbers reads back from a shard file
// with the same values, bit for bit; the non-finite ones are the strings
// "+Inf", "-Inf" and "NaN" in the file. The case's config and the
// report's are validated mc.Configs (finite by validation), so both are
// left as they are.
func TestShardJSONKeepsNonFinite(t *testing.T) {
	t.Parallel()
	// Not -0: encoding/json omits it from an omitempty field (it is == 0),
	// which then reads back as +0.
	vals := []float64{math.Inf(1), math.Inf(-1), math.NaN(), 1.1547005383792517, 1e-300, -2.5, 4.9e-324}
	for shift := range vals {
		r := studies.CampaignResult{Index: 3, Regime: "F6", Report: &theorems.Report{Theorem: "thm4", Outcome: theorems.Fail}}
		next := shift
		skip := map[reflect.Type]bool{reflect.TypeFor[mc.Config](): true, reflect.TypeFor[studies.Case](): true}
		fillFloats(reflect.ValueOf(r.Report).Elem(), vals, &next, skip, 0)
		require.Greater(t, next-shift, 40, "the filler reached too few floats")
		// Fields whose JSON form is not a plain number: Boundary reads
		// "+Inf" itself, exact.Value writes an unresolved error as null.
		require.NotNil(t, r.Report.Finiteness.Tails)
		r.Report.Verdicts[0].Estimate = math.Inf(1) // the case: a discrete left-hand side of +Inf
		r.Report.Verdicts[0].Target = "discrete"
		in := &shardFile{Campaign: newCampaignID(1, 8, studies.CaseSize{}, campaignAlpha), Shard: shardID{Index: 1, Count: 2},
			Cases: []studies.CampaignResult{r}}
		b, err := marshalExact(in)
		require.NoError(t, err)
		require.Contains(t, string(b), `"estimate": "+Inf"`)
		require.Contains(t, string(b), `"NaN"`)
		require.Contains(t, string(b), `"-Inf"`)
		var out shardFile
		require.NoError(t, unmarshalExact(b, &out))
		require.NoError(t, sameValues(reflect.ValueOf(*in), reflect.ValueOf(out), "shard"), "shift %d", shift)
		// And again: what is read back writes the same bytes.
		b2, err := marshalExact(&out)
		require.NoError(t, err)
		require.Equal(t, string(b), string(b2))
	}
	// With finite numbers only, the file is encoding/json's, byte for byte
	// (field order, tags, omitempty, the types' own MarshalJSON).
	r := studies.CampaignResult{Index: 3, Case: studies.Case{Name: "x <&> y", Config: mc.Config{Method: "dsgd", Eta: 0.5, X0: []float64{1}}}, Report: &theorems.Report{Theorem: "thm4"}}
	next := 0
	fillFloats(reflect.ValueOf(r.Report).Elem(), []float64{1.5, -2.5, 1e-300, 0}, &next, map[reflect.Type]bool{reflect.TypeFor[mc.Config](): true}, 0)
	finite := &shardFile{Format: shardFormat, Campaign: newCampaignID(1, 8, studies.CaseSize{}, campaignAlpha), Cases: []studies.CampaignResult{r}}
	b, err := marshalExact(finite)
	require.NoError(t, err)
	std, err := json.MarshalIndent(finite, "", "  ")
	require.NoError(t, err)
	require.Equal(t, string(std)+"\n", string(b))
	// exact.Value's own form: an unresolved error (+Inf) is null with
	// "unresolved": true, and reads back as +Inf.
	type withValue struct {
		V exact.Value   `json:"v"`
		S []exact.Value `json:"s"`
	}
	in := withValue{exact.Value{Value: 1, Err: math.Inf(1)}, []exact.Value{{Value: 2, Err: 0.5}, {Value: -1, Err: math.Inf(1)}}}
	b, err = marshalExact(in)
	require.NoError(t, err)
	var out withValue
	require.NoError(t, unmarshalExact(b, &out))
	require.NoError(t, sameValues(reflect.ValueOf(in), reflect.ValueOf(out), "v"))
}

// shardSet runs verify -json for the given shards of one campaign and
// returns the files, in dir.
func shardSet(t *testing.T, dir string, n, seed, paths int, shards ...string) []string {
	t.Helper()
	var files []string
	for _, sh := range shards {
		out := filepath.Join(dir, fmt.Sprintf("s%d-p%d-n%d-%s.json", seed, paths, n, strings.ReplaceAll(sh, "/", "of")))
		var stdout, stderr bytes.Buffer
		code := run([]string{"verify", "-n", fmt.Sprint(n), "-seed", fmt.Sprint(seed), "-paths", fmt.Sprint(paths), "-shard", sh, "-json", out, "-q"}, &stdout, &stderr)
		require.Contains(t, []int{0, 1}, code, stderr.String())
		files = append(files, out)
	}
	return files
}

// TestMergeEqualsUnsharded: the campaign merged from 'verify -json' shards
// has the values of the unsharded campaign computed in memory, bit for
// bit, including case 0's discrete left-hand side of +Inf (seed 1, 100
// paths: every path diverges) that used to come back as NaN.
func TestMergeEqualsUnsharded(t *testing.T) {
	t.Parallel()
	const n, seed, paths = 4, 1, 100
	want, err := studies.Campaign(n, seed, 0, 1, studies.CaseSize{Paths: paths}, theorems.Options{Alpha: campaignAlpha})
	require.NoError(t, err)
	infDiscrete := false
	for _, r := range want {
		for _, v := range r.Report.Verdicts {
			infDiscrete = infDiscrete || (v.Target == "discrete" && math.IsInf(v.Estimate, 1))
		}
	}
	require.True(t, infDiscrete, "the campaign no longer has a discrete +Inf: pick another")
	dir := t.TempDir()
	m, err := mergeShards(shardSet(t, dir, n, seed, paths, "1/2", "0/2"))
	require.NoError(t, err)
	require.Empty(t, m.missing)
	require.NoError(t, sameValues(reflect.ValueOf(want), reflect.ValueOf(m.cases), "campaign"))
	// The merged report renders.
	var stdout, stderr bytes.Buffer
	files := []string{filepath.Join(dir, "s1-p100-n4-0of2.json"), filepath.Join(dir, "s1-p100-n4-1of2.json")}
	require.Equal(t, 0, run(append([]string{"merge", "-out", filepath.Join(dir, "rep")}, files...), &stdout, &stderr), stderr.String())
	require.True(t, strings.HasPrefix(stdout.String(), "merged 4 cases from 2 shards into "+filepath.Join(dir, "rep")+"\nStatus: "), stdout.String())
}

// TestMergeRefusesOtherCampaigns: shards of different campaigns, a file or
// a shard given twice, overlapping and missing shards, files of an older
// format and edited files are refused in one line that names the field
// and both values, and no report is written.
func TestMergeRefusesOtherCampaigns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := shardSet(t, dir, 3, 5, 40, "0/2", "1/2", "0/1")
	seed2 := shardSet(t, dir, 3, 6, 40, "1/2")[0]
	paths2 := shardSet(t, dir, 3, 5, 41, "1/2")[0]
	n4 := shardSet(t, dir, 4, 5, 40, "1/2")[0]
	copy0 := filepath.Join(dir, "copy.json")
	b, err := os.ReadFile(base[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(copy0, b, 0o644))
	edited := filepath.Join(dir, "edited.json")
	require.NoError(t, os.WriteFile(edited, bytes.Replace(b, []byte(`"paths": 40`), []byte(`"paths": 41`), 1), 0o644))
	old := filepath.Join(dir, "old.json")
	require.NoError(t, os.WriteFile(old, []byte(`[{"index": 0}]`), 0o644))
	// Another build of the suite: the same campaign, another version.
	sf, err := readShard(base[1])
	require.NoError(t, err)
	sf.Campaign.Suite = "v0.0.0-20260101000000-0123456789ab"
	sf.Campaign.SettingsHash = sf.Campaign.hash()
	other := filepath.Join(dir, "other-build.json")
	require.NoError(t, writeShard(other, sf))
	for i, c := range []struct {
		files []string
		want  string
	}{
		{[]string{base[0], seed2}, "seed = 6, but " + base[0] + " has seed = 5: not the same campaign"},
		{[]string{base[0], paths2}, "paths = 41, but " + base[0] + " has paths = 40"},
		{[]string{base[0], n4}, "n = 4, but " + base[0] + " has n = 3"},
		{[]string{base[0], other}, "suite version = v0.0.0-20260101000000-0123456789ab, but " + base[0] + " has suite version = "},
		{[]string{base[0], base[0]}, base[0] + " is given twice"},
		{[]string{base[0], copy0}, base[0] + " and " + copy0 + " are both shard 0/2 of the campaign"},
		{[]string{base[0], base[2]}, "case 0 is in both " + base[0] + " and " + base[2] + " (overlapping shards)"},
		{[]string{base[0]}, "incomplete: 1 of the campaign's 3 cases missing (1): shard 1/2 not given"},
		{[]string{old}, old + ": a shard without its campaign's identity"},
		{[]string{edited}, "settings_hash = "},
	} {
		out := filepath.Join(dir, fmt.Sprintf("rep%d", i))
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"merge", "-out", out}, c.files...), &stdout, &stderr)
		require.Equal(t, 2, code, "case %d: %s", i, stderr.String())
		require.Contains(t, stderr.String(), c.want, "case %d", i)
		require.Equal(t, 1, strings.Count(stderr.String(), "\n"), "case %d: %q", i, stderr.String())
		require.NoFileExists(t, filepath.Join(out, "report.json"), "case %d", i)
	}
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"merge", "-out", filepath.Join(dir, "ok"), base[1], base[0]}, &stdout, &stderr), stderr.String())
	require.Equal(t, 0, run([]string{"merge", "-out", filepath.Join(dir, "one"), base[2]}, &stdout, &stderr), stderr.String())
	require.Contains(t, stdout.String(), "merged 3 cases from 1 shard into")
}

// errInterrupted stands for an interruption in TestVerifyResume.
var errInterrupted = errors.New("interrupted by the test")

// TestVerifyResume: a campaign interrupted after k cases keeps them in
// OUT.cases; a second run without -resume is refused, -resume with another
// seed or shard is refused, and -resume finishes it with the very output
// (the -json file byte for byte, the table on stdout) of an uninterrupted
// run. Not parallel: it sets the package's verifyAfterCase hook, which
// runs before the parallel tests start.
func TestVerifyResume(t *testing.T) {
	dir := t.TempDir()
	args := func(out string, extra ...string) []string {
		return append([]string{"verify", "-n", "4", "-seed", "3", "-paths", "60", "-shard", "0/1", "-json", out, "-q"}, extra...)
	}
	var straightOut, stderr bytes.Buffer
	straight := filepath.Join(dir, "straight.json")
	codeStraight := run(args(straight), &straightOut, &stderr)
	require.Contains(t, []int{0, 1}, codeStraight, stderr.String())
	require.NoDirExists(t, stateDir(straight), "a finished run leaves no state")
	want, err := os.ReadFile(straight)
	require.NoError(t, err)
	for _, k := range []int{1, 3} {
		out := filepath.Join(dir, fmt.Sprintf("resumed%d.json", k))
		verifyAfterCase = func(done int) error {
			if done == k {
				return errInterrupted
			}
			return nil
		}
		var stdout bytes.Buffer
		stderr.Reset()
		require.Equal(t, 2, run(args(out), &stdout, &stderr), "k = %d", k)
		verifyAfterCase = nil
		require.NoFileExists(t, out, "an interrupted run writes no output")
		saved, err := filepath.Glob(filepath.Join(stateDir(out), "case-*.json"))
		require.NoError(t, err)
		require.Len(t, saved, k, "the finished cases are saved")
		// Without -resume, or resuming another campaign or shard: refused.
		for _, c := range []struct {
			args []string
			want string
		}{
			{args(out), fmt.Sprintf("holds %d finished case(s) of an interrupted run: add -resume", k)},
			{append(args(out, "-resume"), "-seed", "4"), "-resume: seed = 4, but " + filepath.Join(stateDir(out), "campaign.json") + " has seed = 3"},
			{append(args(out, "-resume"), "-paths", "61"), "paths = 61, but"},
			{append(args(out, "-resume"), "-shard", "0/2"), "-resume: -shard = 0/2, but"},
		} {
			stdout.Reset()
			stderr.Reset()
			require.Equal(t, 2, run(c.args, &stdout, &stderr), "k = %d: %v", k, c.args)
			require.Contains(t, stderr.String(), c.want, "k = %d", k)
			require.Equal(t, 1, strings.Count(stderr.String(), "\n"), "k = %d: %q", k, stderr.String())
			require.Empty(t, stdout.String())
		}
		// Resume: only the missing cases run, and the output is the
		// uninterrupted run's.
		ran := 0
		verifyAfterCase = func(int) error { ran++; return nil }
		stdout.Reset()
		stderr.Reset()
		code := run(args(out, "-resume"), &stdout, &stderr)
		verifyAfterCase = nil
		require.Equal(t, codeStraight, code, stderr.String())
		require.Equal(t, 4-k, ran, "k = %d: cases run again", k)
		got, err := os.ReadFile(out)
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "k = %d: the resumed run's shard differs", k)
		require.Equal(t, straightOut.String(), stdout.String())
		require.NoDirExists(t, stateDir(out))
	}
	// -resume with nothing saved runs every case, and says so.
	out := filepath.Join(dir, "fresh.json")
	var stdout bytes.Buffer
	stderr.Reset()
	require.Equal(t, codeStraight, run(args(out, "-resume"), &stdout, &stderr))
	require.Contains(t, stderr.String(), "no finished cases in "+stateDir(out)+": running every case")
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"verify", "-n", "2", "-resume"}, "-resume needs -json OUT"},
		{[]string{"verify", "-n", "2", "-only", "1", "-resume", "-json", out}, "-resume continues a campaign; -only = 1 replays one case"},
	} {
		stderr.Reset()
		require.Equal(t, 2, run(c.args, &stdout, &stderr))
		require.Contains(t, stderr.String(), c.want)
	}
}
