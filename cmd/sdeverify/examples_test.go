package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems/weak"
)

// TestExamples: every configuration in examples/ decodes, resolves and
// runs through 'sdeverify simulate' as the README shows it (the SDE ones,
// but for the closed form, with -no-refine here to keep the suite fast:
// examples/README.md gives their refined timings). The weak-error examples
// are TestWeakExamples'.
func TestExamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../examples/*.json")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 18)
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(f)
			require.NoError(t, err)
			c, err := mc.ParseConfig(b)
			require.NoError(t, err)
			_, err = c.Resolve()
			require.NoError(t, err)
			if strings.HasPrefix(name, "weak-") {
				return
			}
			args := []string{"simulate", "-config", f}
			if c.Model.Kind == "sde" && name != "gbm-closed-form.json" {
				args = append(args, "-no-refine")
			}
			var stdout, stderr bytes.Buffer
			require.Equal(t, 0, run(args, &stdout, &stderr), stderr.String())
			require.Contains(t, stdout.String(), "paths diverged")
		})
	}
}

// TestWeakExamples: 'sdeverify weak -config FILE' on the one-dimensional
// examples, without further flags, resolves the weak order of E f to an
// interval of half-width at most 0.05 (the exact engine: no Monte Carlo
// noise; the interval is the fit model's systematic part and the numerical
// error, including the engine's rounding and interpolation floor). The
// default tier runs DSignSGD with Gaussian noise (0.7 s), one of the two
// methods plain Monte Carlo could not decide; the deep tier adds DCSGD,
// both DSGD examples and DSignSGD with Cauchy noise (2-4 s each;
// examples/README.md has all five with their times; the report runs all
// five).
func TestWeakExamples(t *testing.T) {
	t.Parallel()
	deep := map[string]bool{"weak-dcsgd-bernoulli.json": true, "weak-dsgd-sigma1-0.1.json": true, "weak-dsgd-sigma1-1.json": true, "weak-dsignsgd-cauchy.json": true}
	for _, name := range []string{"weak-dcsgd-bernoulli.json", "weak-dsignsgd-gaussian.json", "weak-dsgd-sigma1-0.1.json", "weak-dsgd-sigma1-1.json", "weak-dsignsgd-cauchy.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if deep[name] && os.Getenv("SDEVERIFY_DEEP") == "" {
				t.Skip("2-4 s on 2 cores each: deep tier (SDEVERIFY_DEEP=1); measured results in examples/README.md")
			}
			out := filepath.Join(t.TempDir(), "w.json")
			var stdout, stderr bytes.Buffer
			require.Equal(t, 0, run([]string{"weak", "-config", filepath.Join("../../examples", name), "-json", out}, &stdout, &stderr), stderr.String())
			b, err := os.ReadFile(out)
			require.NoError(t, err)
			var res weak.Result
			require.NoError(t, json.Unmarshal(b, &res))
			f := res.Fits[0]
			require.Equal(t, "f - f*", f.Test)
			require.Len(t, f.CI, 2)
			lo, hi := f.CI[0], f.CI[1]
			t.Logf("%s: order %.4g [%.4g, %.4g]", name, f.Slope, lo, hi)
			require.Truef(t, lo <= f.Slope && f.Slope <= hi && hi > lo, "%s: order %.4g outside its interval [%.4g, %.4g]", name, f.Slope, lo, hi)
			require.LessOrEqualf(t, (hi-lo)/2, 0.05, "%s: order %.4g [%.4g, %.4g]", name, f.Slope, lo, hi)
		})
	}
}
