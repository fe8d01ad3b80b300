package properties

import (
	"math"
	"testing"

	"pgregory.net/rapid"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/gen"
	"github.com/sdeverify/sdeverify/model/update"
)

// agentMapMethods are the registered methods with an agent-side map whose
// first-order SDE is derived from the map's law (docs/math.md section 10).
var agentMapMethods = []string{"clipped-sgd", "normalized-sgd", "l0l1-gd"}

// genMapSystem draws a one-dimensional system running one of
// agentMapMethods (its parameters drawn by its registered Draw) with 1-3
// agents, each with Gaussian or Student-t noise (the laws that give their
// CDF, over which the SDE's coefficients are integrated).
func genMapSystem(t *rapid.T) model.System {
	spec := gen.Objective(Drawer{t}, gen.Options{MaxDim: 1, MaxRotateDim: 1})
	f, err := spec.Build()
	if err != nil {
		t.Fatalf("objective: %v", err)
	}
	name := rapid.SampledFrom(agentMapMethods).Draw(t, "method")
	var params []byte
	for _, k := range model.Kinds("method") {
		if k.Name == name {
			params, _ = k.Draw(Drawer{t}, model.DrawOptions{Dim: 1})
		}
	}
	m, err := model.BuildMethod(name, params)
	if err != nil {
		t.Fatalf("method %s %s: %v", name, params, err)
	}
	sys := model.System{F: f, Method: m}
	for range rapid.IntRange(1, 3).Draw(t, "agents") {
		ns := NoiseSpecs(model.DrawOptions{Dim: 1, Moments: 4}, "gaussian", "student-t").Draw(t, "noise")
		nz, err := ns.Build()
		if err != nil {
			t.Fatalf("noise %+v: %v", ns, err)
		}
		sys.Agents = append(sys.Agents, model.Agent{Noise: nz})
	}
	if err := sys.ValidateSDE(); err != nil {
		t.Fatalf("generated a system without an SDE: %v", err)
	}
	return sys
}

// TestDerivedSDEOneStepMoments: for clipped SGD, normalised SGD and
// (L0,L1)-GD on random one-dimensional systems and points, the derived
// SDE's coefficients (drift m and covariance Sigma from the closed forms or
// the quadrature over the noise's CDF, as SDEStep uses them: one EM step is
// x - eta rate m - rate eta sqrt(Sigma/N) xi) equal the first two moments of
// the method's discrete update U (E U = m, Var U = Sigma/N), checked on
// 20000 draws of U (update.EstimateMoments, the method's own Step) at level
// 1e-8 each, two tests per case. The update is bounded, |U| <= S = sup T
// (clip, 1, 1/L1), and may put a tiny probability on a distant value (a
// clipped gradient that is almost never inside the ball), where a z test
// with an estimated standard error is not valid; so the tests are the
// empirical Bernstein bounds of Maurer and Pontil (2009, Thms 4 and 10)
// for variables of range R = 2S:
//
//	|mean - m| <= sqrt(2 V ln(4/a)/n) + 7 R ln(4/a)/(3(n - 1)),
//	|sqrt V - sqrt(Sigma/N)| <= R sqrt(2 ln(4/a)/(n - 1)),
//
// V the sample variance. (L0,L1)-GD with L1 = 0 is unbounded (g/L0): there
// a z test at |z| > 5.73 (two-sided 1e-8) on the mean and on N Var U.
func TestDerivedSDEOneStepMoments(t *testing.T) {
	t.Parallel()
	const (
		alpha = 1e-8
		zCrit = 5.73 // P(|N(0,1)| > 5.73) = 1.0e-8
		n     = 20000
	)
	rapid.Check(t, func(t *rapid.T) {
		sys := genMapSystem(t)
		x := make([]float64, 1)
		sys.F.Minimizer(x)
		x[0] += rapid.Float64Range(-2, 2).Draw(t, "x0")
		g := make([]float64, 1)
		sys.F.Grad(g, x)
		gn2 := g[0] * g[0]
		m, sd := make([]float64, 1), make([]float64, 1)
		sys.Drift(m, g, gn2)
		sys.DiffusionFrom(sd, []float64{1}, g, gn2, model.NewWorkspace(1), nil)
		est, err := update.EstimateMoments(sys, g, gn2, n, model.NewRand(rapid.Uint64().Draw(t, "seed")))
		if err != nil {
			t.Fatal(err)
		}
		agents := float64(len(sys.Agents))
		sigma := sd[0] * sd[0]
		var bound float64
		switch mt := sys.Method.(type) {
		case update.ClippedSGD:
			bound = mt.Clip
		case update.NormalizedSGD:
			bound = 1
		case update.L0L1GD:
			if mt.L1 > 0 {
				bound = 1 / mt.L1
			}
		}
		if bound == 0 {
			for _, c := range []struct {
				what           string
				got, se, model float64
			}{{"mean E U", est.Mean[0], est.MeanSE[0], m[0]}, {"N Var U", est.Sigma[0], est.SigmaSE[0], sigma}} {
				if z := (c.got - c.model) / c.se; !(math.Abs(z) <= zCrit) {
					t.Fatalf("%v at grad %g: discrete %g +- %g, derived SDE %g (z = %.2f)", c.what, g[0], c.got, c.se, c.model, z)
				}
			}
			return
		}
		R, l := 2*bound, math.Log(4/alpha)
		v := est.Sigma[0] / agents
		if dev, tol := math.Abs(est.Mean[0]-m[0]), math.Sqrt(2*v*l/n)+7*R*l/(3*(n-1)); dev > tol {
			t.Fatalf("mean E U at grad %g: discrete %g, derived SDE %g: |difference| %g > %g (empirical Bernstein)", g[0], est.Mean[0], m[0], dev, tol)
		}
		if dev, tol := math.Abs(math.Sqrt(v)-math.Sqrt(sigma/agents)), R*math.Sqrt(2*l/(n-1)); dev > tol {
			t.Fatalf("sd of U at grad %g: discrete %g, derived SDE %g: |difference| %g > %g (Maurer-Pontil)", g[0], math.Sqrt(v), math.Sqrt(sigma/agents), dev, tol)
		}
	})
}
