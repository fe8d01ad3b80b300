package softclip_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/sdeverify/sdeverify/examples/extend/softclip"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/update"
)

// config is f = x^2/2 in d = 1 with the given agents, softclip-sgd with
// method_params params.
func config(t testing.TB, agents, params string) (mc.Run, error) {
	t.Helper()
	c, err := mc.ParseConfig([]byte(fmt.Sprintf(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"square"}},"x0":[1],
	  "agents":%s,"method":"softclip-sgd","method_params":%s,"model":{"kind":"sde"},"eta":0.05,
	  "schedule":{"kind":"constant"},"steps":10,"paths":40,"seed":1}`, agents, params)))
	if err != nil {
		return mc.Run{}, err
	}
	return c.Resolve()
}

// TestRegistered (deterministic): the blank import registers the method:
// it is in the JSON Schema, a configuration names it and its clip, and a
// bad clip is refused by its field (method_params.clip).
func TestRegistered(t *testing.T) {
	schema, err := mc.ConfigSchema()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(schema), "softclip-sgd") {
		t.Fatal("softclip-sgd is not in the schema")
	}
	const agents = `[{"noise":{"kind":"gaussian","sigma0":1}}]`
	run, err := config(t, agents, `{"clip":0.5}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := run.System.Method.String(); got != "softclip-sgd" {
		t.Fatalf("method %q", got)
	}
	for _, bad := range []string{`{"clip":0}`, `{"clip":-1}`, `{}`} {
		_, err := config(t, agents, bad)
		var fe *model.FieldError
		if !errors.As(err, &fe) || fe.Field != "method_params.clip" {
			t.Errorf("method_params %s: got %v, want an error naming method_params.clip", bad, err)
		}
	}
}

// cases are the systems and gradients of the moment tests: one Gaussian
// agent, two Gaussian agents, one Student-t (nu = 3) agent; gradients
// around, below and beyond the clip.
var cases = []struct {
	agents, params string
	grads          []float64
}{
	{`[{"noise":{"kind":"gaussian","sigma0":1}}]`, `{"clip":0.5}`, []float64{0, 0.3, 2}},
	{`[{"noise":{"kind":"gaussian","sigma0":0.5,"sigma1":0.2},"count":2}]`, `{"clip":1}`, []float64{-0.7, 3}},
	{`[{"noise":{"kind":"student-t","nu":3,"scale":[0.8]}}]`, `{"clip":2}`, []float64{1.5}},
}

// bernstein reports whether the derived SDE's m and Sigma of method (at
// gradient g of sys) agree with est, n draws of the discrete update: the
// empirical Bernstein bounds of Maurer and Pontil (2009, Thms 4 and 10)
// for an update of range R = 2c, both at once with false-alarm
// probability alpha (as properties.TestDerivedSDEOneStepMoments).
func bernstein(sys model.System, est update.MomentEstimate, g, c, alpha float64, n int) (ok bool, msg string) {
	m, sigma := sys.Method.(model.SDE1Der).SDE1D(sys, g)
	agents := float64(len(sys.Agents))
	R, l := 2*c, math.Log(4/alpha)
	v := est.Sigma[0] / agents
	dm, tm := math.Abs(est.Mean[0]-m), math.Sqrt(2*v*l/float64(n))+7*R*l/(3*float64(n-1))
	ds, ts := math.Abs(math.Sqrt(v)-math.Sqrt(sigma/agents)), R*math.Sqrt(2*l/float64(n-1))
	msg = fmt.Sprintf("grad %g: m discrete %.6g, derived %.6g (|diff| %.2g, bound %.2g); sd discrete %.6g, derived %.6g (|diff| %.2g, bound %.2g)",
		g, est.Mean[0], m, dm, tm, math.Sqrt(v), math.Sqrt(sigma/agents), ds, ts)
	return dm <= tm && ds <= ts, msg
}

// badInverse is softclip with a wrong inverse, t sqrt(1 - (t/c)^2) (the
// step, which uses Apply, is unchanged; the SDE's quadrature is not).
type badInverse struct{ softclip.SoftClip }

func (b badInverse) Inverse(t float64) float64 {
	u := t / b.Clip
	return t * math.Sqrt(1-u*u)
}

// TestDerivedSDEMoments (Monte Carlo, 6 cases at 1e-8 each, 6e-8 in all):
// the derived SDE's m and Sigma in d = 1 (AgentRule's quadrature over the
// noise's CDF) against 20000 draws of the discrete update
// (update.EstimateMoments). The mutant with the wrong inverse must fail the
// same bounds at every case with |g| <= 2 (it gets E T wrong: checked in
// the same run, so a test that cannot fail fails here).
func TestDerivedSDEMoments(t *testing.T) {
	const (
		alpha = 1e-8
		n     = 20000
	)
	seed := uint64(11)
	for _, tc := range cases {
		run, err := config(t, tc.agents, tc.params)
		if err != nil {
			t.Fatal(err)
		}
		sys := run.System
		c := sys.Method.(update.AgentRule[softclip.SoftClip]).Map.Clip
		for _, g := range tc.grads {
			seed++
			gv := []float64{g}
			est, err := update.EstimateMoments(sys, gv, g*g, n, model.NewRand(seed))
			if err != nil {
				t.Fatal(err)
			}
			ok, msg := bernstein(sys, est, g, c, alpha, n)
			if !ok {
				t.Errorf("%s: %s", tc.agents, msg)
			} else {
				t.Log(msg)
			}
			mut := sys
			mut.Method = update.AgentRule[badInverse]{Map: badInverse{softclip.SoftClip{Clip: c}}}
			if ok, msg := bernstein(mut, est, g, c, alpha, n); ok && math.Abs(g) <= 2 {
				t.Errorf("the wrong inverse passed: %s", msg)
			} else {
				t.Logf("mutant: %s", msg)
			}
		}
	}
}

// lawMoments returns the total weight, mean and variance of the exact
// one-step law of U (Law1D at x = 0, h = 1 gives the law of -U) at level.
func lawMoments(law model.Law1Der, sys model.System, g float64, level int) (w, mean, v float64) {
	var second float64
	law.Law1D(sys, 0, g, 1, level, func(wi, mi, sd float64) {
		w += wi
		mean -= wi * mi
		second += wi * (mi*mi + sd*sd)
	})
	return w, mean, second - mean*mean
}

// TestExactLawMean (deterministic): the exact one-step law (Law1D, a
// Gauss-Legendre rule in the noise's quantile) has total weight 1 (within
// 1e-12), and its mean and variance match the derived SDE's m and Sigma/N
// (adaptive Simpson over the CDF, a different quadrature, error < 1e-8):
// at the engine's level 3 within its own error bar, the change from level
// 2, plus 1e-8; at level 5 within 1e-6 (measured: 6.9e-7 and 8.2e-7 at
// the worst case, two agents at grad 3, and 1e-8 to 1e-7 elsewhere). The
// mutant with the wrong inverse (an SDE that gets E T wrong) misses by
// more than 1e-3 at every nonzero gradient.
func TestExactLawMean(t *testing.T) {
	for _, tc := range cases {
		run, err := config(t, tc.agents, tc.params)
		if err != nil {
			t.Fatal(err)
		}
		sys := run.System
		law := sys.Method.(model.Law1Der)
		if _, err := law.CheckLaw1D(sys); err != nil {
			t.Fatal(err)
		}
		c := sys.Method.(update.AgentRule[softclip.SoftClip]).Map.Clip
		mut := sys
		mut.Method = update.AgentRule[badInverse]{Map: badInverse{softclip.SoftClip{Clip: c}}}
		for _, g := range tc.grads {
			m, sigma := sys.Method.(model.SDE1Der).SDE1D(sys, g)
			v := sigma / float64(len(sys.Agents))
			_, mean2, v2 := lawMoments(law, sys, g, 2)
			w3, mean3, v3 := lawMoments(law, sys, g, 3)
			w5, mean5, v5 := lawMoments(law, sys, g, 5)
			msg := fmt.Sprintf("%s grad %g: SDE m %.10g, Sigma/N %.10g; law level 2, 3, 5: mean %.10g, %.10g, %.10g, var %.10g, %.10g, %.10g, weights %v, %v",
				tc.agents, g, m, v, mean2, mean3, mean5, v2, v3, v5, w3, w5)
			if math.Abs(w3-1) > 1e-12 || math.Abs(w5-1) > 1e-12 ||
				math.Abs(mean3-m) > math.Abs(mean3-mean2)+1e-8 || math.Abs(v3-v) > math.Abs(v3-v2)+1e-8 ||
				math.Abs(mean5-m) > 1e-6 || math.Abs(v5-v) > 1e-6 {
				t.Error(msg)
			} else {
				t.Log(msg)
			}
			if mm, _ := mut.Method.(model.SDE1Der).SDE1D(mut, g); g != 0 && !(math.Abs(mean5-mm) > 1e-3) {
				t.Errorf("the wrong inverse's m %.10g matches the law's mean %.10g", mm, mean5)
			}
		}
	}
}

// TestStepNoAlloc (deterministic): AgentRule's discrete step allocates
// nothing per step (d = 3, two agents), for softclip-sgd and for the
// built-in clipped-sgd, which calls the same adapter.
func TestStepNoAlloc(t *testing.T) {
	run, err := config(t, `[{"noise":{"kind":"gaussian","sigma0":1},"count":2}]`, `{"clip":0.5}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []model.Method{run.System.Method, update.ClippedSGD{Clip: 0.5}} {
		sys := run.System
		sys.Method = method
		x, grad := []float64{1, 2, 3}, []float64{0.5, -1, 2}
		ws, r := model.NewWorkspace(3), model.NewRand(1)
		if a := testing.AllocsPerRun(100, func() { method.Step(sys, x, grad, 5.25, 0.01, ws, r) }); a != 0 {
			t.Errorf("%s: %v allocations per step", method, a)
		}
	}
}
