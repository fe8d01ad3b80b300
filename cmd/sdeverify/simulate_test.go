package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/mc"
)

// simulateJSON runs 'simulate' with args and -json, requires exit 0 and
// returns the decoded output and the table.
func simulateJSON(t *testing.T, args ...string) (SimulateOutput, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.json")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run(append(append([]string{"simulate", "-q"}, args...), "-json", out), &stdout, &stderr), stderr.String())
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	var o SimulateOutput
	require.NoError(t, json.Unmarshal(b, &o))
	return o, stdout.String()
}

// TestSimulateEngineFlag: a bad -engine and -engine exact where the exact
// engine does not apply exit 2 with one line naming the flag (and the
// value, or the reason), writing nothing; -engine auto falls back to Monte
// Carlo there and says why, in the table and the JSON; on a d = 1 config
// auto is the exact engine; the default is Monte Carlo.
func TestSimulateEngineFlag(t *testing.T) {
	t.Parallel()
	d4 := "../../examples/dsgd-discrete-gaussian.json"
	for i, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"-engine", "exact-ish", "-config", d4}, []string{`-engine = "exact-ish"`, "want mc, exact or auto"}},
		{[]string{"-engine", "", "-config", d4}, []string{`-engine = ""`}},
		{[]string{"-engine", "exact", "-config", d4}, []string{"-engine exact", "does not apply", "objective.dim = 4"}},
	} {
		out := filepath.Join(t.TempDir(), "out.json")
		var stdout, stderr bytes.Buffer
		code := run(append(append([]string{"simulate"}, c.args...), "-json", out), &stdout, &stderr)
		require.Equal(t, 2, code, "case %d", i)
		msg := stderr.String()
		for _, w := range c.want {
			require.Contains(t, msg, w, "case %d", i)
		}
		require.Equal(t, 1, strings.Count(msg, "\n"), "case %d: want one line, got %q", i, msg)
		require.NotContains(t, msg, "goroutine 1 [", "case %d: stack trace", i)
		_, err := os.Stat(out)
		require.True(t, os.IsNotExist(err), "case %d: output written despite the error", i)
	}

	o, table := simulateJSON(t, "-engine", "auto", "-config", d4)
	require.Equal(t, mc.EngineMonteCarlo, o.Engine)
	require.Contains(t, o.ExactUnavailable, "objective.dim = 4")
	require.Contains(t, table, "engine: the exact engine does not apply (objective.dim = 4")
	require.Nil(t, o.ExactGrid)

	gbm := "../../examples/gbm-closed-form.json"
	o, _ = simulateJSON(t, "-engine", "auto", "-config", gbm)
	require.Equal(t, mc.EngineExact, o.Engine)
	require.Empty(t, o.ExactUnavailable)
	o, _ = simulateJSON(t, "-no-refine", "-config", gbm)
	require.Equal(t, mc.EngineMonteCarlo, o.Engine, "the default engine")
	require.Nil(t, o.Result.Checkpoints[1].NumErr)
}

// TestSimulateExact: the exact engine on the closed-form example (the SDE
// of DSGD on x^2/2 with noise proportional to the gradient, a geometric
// Brownian motion: E X_t^2 = exp((eta - 2) t)) writes engine, exact_grid,
// and at each checkpoint the escape probability and num_err, and its
// E X_t^2 (dist2, x* = 0) is within its numerical error of the closed
// form (deterministic: no false alarm; measured 0.0273229 +- 1.2e-5
// against 0.0273237 at t = 2).
func TestSimulateExact(t *testing.T) {
	t.Parallel()
	o, table := simulateJSON(t, "-engine", "exact", "-config", "../../examples/gbm-closed-form.json")
	require.Equal(t, mc.EngineExact, o.Engine)
	require.NotNil(t, o.ExactGrid)
	require.Equal(t, "backward", o.ExactGrid.Method)
	require.Equal(t, "fd", o.ExactGrid.Scheme)
	require.Contains(t, table, "exact engine (backward)")
	require.Len(t, o.Result.Checkpoints, 3)
	require.Nil(t, o.Live)
	require.Len(t, o.EnsembleGradNorm, 11)
	for _, c := range o.Result.Checkpoints {
		require.NotNil(t, c.Escape, "step %d", c.Step)
		require.NotNil(t, c.NumErr, "step %d", c.Step)
		require.Zero(t, c.Dist2.SE)
		e := c.NumErr
		for _, v := range []float64{e.F, e.GradNorm2, e.GradNorm, e.Dist2, e.X, e.Escape} {
			require.Truef(t, v >= 0 && !math.IsInf(v, 0), "step %d: numerical error %v", c.Step, v)
		}
		// Nothing escapes the grid (radius 128): its probability is
		// rounding.
		require.LessOrEqualf(t, math.Abs(*c.Escape), e.Escape+1e-12, "step %d: escape %v +- %v", c.Step, *c.Escape, e.Escape)
		want := math.Exp((0.2 - 2) * c.Time)
		require.LessOrEqualf(t, math.Abs(c.Dist2.Mean-want), e.Dist2, "step %d: E X^2 = %.7g +- %.2g, closed form %.7g", c.Step, c.Dist2.Mean, e.Dist2, want)
		require.LessOrEqualf(t, e.Dist2, 1e-3*want, "step %d: numerical error %.2g of %.4g", c.Step, e.Dist2, want)
	}
}

// TestSimulateExactAgreesWithMonteCarlo: on a weak-error example (DSGD on
// x^4/4, a constant step: the backward iteration) and on a d = 1 config
// with eta_k = 1/sqrt(k+1) (the forward computation), both discrete, the
// Monte Carlo means of f - f*, ||g||^2 and ||x - x*||^2 at every
// checkpoint lie within z(1e-6) standard errors plus the exact engine's
// numerical error of its values, and no path diverges where the escape
// probability is below 1e-9. False alarm: 1e-6 per comparison (two-sided,
// asymptotically), at most 1e-6 x 21 = 2.1e-5 for the 21 comparisons
// (checkpoints 2 + 5, three statistics each), given the numerical errors
// bound the exact values' errors; deterministic for the seeds.
func TestSimulateExactAgreesWithMonteCarlo(t *testing.T) {
	t.Parallel()
	forward := writeTemp(t, "fwd.json", `{"objective":{"kind":"separable","dim":1,"atom":{"kind":"logcosh"}},"x0":[1.5],
	 "agents":[{"noise":{"kind":"gaussian","sigma0":0.5,"sigma1":0.5},"count":2}],"method":"dsgd","model":{"kind":"discrete"},
	 "eta":0.05,"schedule":{"kind":"inv-sqrt"},"steps":200,"paths":4000,"seed":1,"checkpoints":{"count":4}}`)
	z := mc.ZCrit(1e-6)
	n, worst := 0, 0.0 // the largest |difference| / (z se + num_err)
	for _, c := range []struct{ cfg, method string }{
		{"../../examples/weak-dsgd-sigma1-0.1.json", "backward"},
		{forward, "forward"},
	} {
		ex, _ := simulateJSON(t, "-engine", "exact", "-config", c.cfg)
		mcOut, _ := simulateJSON(t, "-engine", "mc", "-config", c.cfg)
		require.Equal(t, mc.EngineExact, ex.Engine)
		require.Equal(t, c.method, ex.ExactGrid.Method)
		require.Equal(t, mc.EngineMonteCarlo, mcOut.Engine)
		require.Equal(t, len(mcOut.Result.Checkpoints), len(ex.Result.Checkpoints))
		for i, m := range mcOut.Result.Checkpoints {
			e := ex.Result.Checkpoints[i]
			require.Equal(t, m.Step, e.Step)
			if *e.Escape+e.NumErr.Escape < 1e-9 {
				require.Zerof(t, m.Diverged, "%s step %d: %d paths diverged where the escape probability is %.2g", c.cfg, m.Step, m.Diverged, *e.Escape)
			}
			for _, s := range []struct {
				name     string
				mc       mc.Stat
				ex       float64
				exactErr float64
			}{
				{"f - f*", m.F, e.F.Mean, e.NumErr.F},
				{"||g||^2", m.GradNorm2, e.GradNorm2.Mean, e.NumErr.GradNorm2},
				{"||x - x*||^2", m.Dist2, e.Dist2.Mean, e.NumErr.Dist2},
			} {
				n++
				if tol := z*s.mc.SE + s.exactErr; tol > 0 {
					worst = math.Max(worst, math.Abs(s.mc.Mean-s.ex)/tol)
				}
				require.LessOrEqualf(t, math.Abs(s.mc.Mean-s.ex), z*s.mc.SE+s.exactErr, "%s step %d %s: Monte Carlo %.6g +- %.2g, exact %.6g +- %.2g",
					c.cfg, m.Step, s.name, s.mc.Mean, s.mc.SE, s.ex, s.exactErr)
			}
		}
	}
	require.Equal(t, 21, n, "the comparisons the false-alarm bound counts")
	t.Logf("largest |Monte Carlo - exact| / (z(1e-6) se + num_err): %.3f", worst)
}
