package properties

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"pgregory.net/rapid"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/gen"
	"github.com/sdeverify/sdeverify/model/mc"
)

// componentAlpha is the level of each component property's statistical
// check; 3 properties x defaultChecks checks x ~10 tests each stay below
// the 3e-6 the budget states.
const componentAlpha = 1e-8

// genCompressor draws an unbiased compressor for dimension d.
func genCompressor(t *rapid.T, d int) model.Unbiased {
	switch rapid.IntRange(0, 3).Draw(t, "compressor") {
	case 0:
		return model.Bernoulli{P: rapid.Float64Range(0.1, 1).Draw(t, "p")}
	case 1:
		return model.RandK{K: rapid.IntRange(1, d).Draw(t, "k")}
	case 2:
		return model.QSGD{S: rapid.IntRange(1, 8).Draw(t, "s")}
	}
	return model.Identity{}
}

// compressorProperty: every unbiased compressor has E C(v) = v and
// E||C(v)-v||^2 <= omega ||v||^2 on a random v (z tests, 5000 draws).
func compressorProperty(t *rapid.T) {
	d := rapid.IntRange(1, 6).Draw(t, "d")
	c := genCompressor(t, d)
	v := make([]float64, d)
	for j := range v {
		// 0 or |v_j| in [1e-3, 5]: below ~1e-154 the squared deviations
		// underflow and the standard error would be 0.
		if !rapid.Bool().Draw(t, "v zero") {
			v[j] = rapid.Float64Range(1e-3, 5).Draw(t, "|v|")
			if rapid.Bool().Draw(t, "v sign") {
				v[j] = -v[j]
			}
		}
	}
	seed := rapid.Uint64().Draw(t, "seed")
	if err := c.Validate(d); err != nil {
		t.Fatalf("generated an invalid compressor: %v", err)
	}
	r := mc.Stream(seed, 0)
	out := make([]float64, d)
	mean := make([]mc.Moments, d)
	var err2 mc.Moments
	var vv float64
	for _, x := range v {
		vv += x * x
	}
	const n = 5000
	for range n {
		c.Compress(out, v, r)
		var e float64
		for j := range d {
			mean[j].Add(out[j] - v[j])
			e += (out[j] - v[j]) * (out[j] - v[j])
		}
		err2.Add(e - c.Omega(d)*vv)
	}
	alpha := componentAlpha / float64(d+1)
	diag := make([]float64, d)
	beta := c.ErrorCov(diag, v)
	for j := range d {
		// A sample without spread does not show the variance (QSGD with a
		// fractional level of 1e-7 rounds up too rarely for 5000 draws), so
		// the z test uses the variance the compressor's law implies,
		// Var C_j = D_j - beta v_j^2, whenever the sample shows none; a
		// rounding tolerance of 1e-12 ||v|| covers exact cases.
		se := mean[j].SE()
		if se == 0 {
			se = math.Sqrt(math.Max(0, diag[j]-beta*v[j]*v[j]) / n)
		}
		if z := mc.ZTestSE(mean[j].Mean, se+1e-12*math.Sqrt(vv), n, 0, alpha); z.Reject {
			t.Fatalf("%T biased in coordinate %d: %v", c, j, z)
		}
	}
	if z := mc.ZTest(err2, 0, alpha); z.Z > z.Crit && !(err2.SE() == 0 && err2.Mean <= 1e-12*(vv+1e-300)) {
		t.Fatalf("%T exceeds its omega = %v: %v", c, c.Omega(d), z)
	}
}

func TestCompressorsUnbiased(t *testing.T) { t.Parallel(); rapid.Check(t, compressorProperty) }

// genSystem draws a system of 1-3 agents on a random objective of dimension
// <= 3 whose SDE exists (finite variance for DSGD and DCSGD).
func genSystem(t *rapid.T) model.System {
	spec := gen.Objective(Drawer{t}, gen.Options{MaxDim: 3, MaxRotateDim: 3})
	f, err := spec.Build()
	if err != nil {
		t.Fatalf("objective: %v", err)
	}
	d := f.Dim()
	method := model.Method(rapid.IntRange(0, 2).Draw(t, "method"))
	n := rapid.IntRange(1, 3).Draw(t, "agents")
	sys := model.System{F: f, Method: method}
	for range n {
		var a model.Agent
		if rapid.Bool().Draw(t, "student") {
			nu := rapid.Float64Range(9, 20).Draw(t, "nu") // 4th moments exist: the z tests need them
			if method == model.DSignSGD {
				nu = rapid.Float64Range(1, 20).Draw(t, "nu")
			}
			a.Noise = model.StudentT{Nu: nu, Scale: []float64{rapid.Float64Range(0.05, 2).Draw(t, "scale")}}
		} else {
			a.Noise = model.Gaussian{Sigma0: rapid.Float64Range(0, 2).Draw(t, "sigma0"), Sigma1: rapid.Float64Range(0, 1).Draw(t, "sigma1")}
		}
		if method == model.DCSGD {
			a.Compressor = genCompressor(t, d)
		}
		sys.Agents = append(sys.Agents, a)
	}
	if err := sys.ValidateSDE(); err != nil {
		t.Fatalf("generated an invalid system: %v", err)
	}
	return sys
}

// oneStepProperty: one SDE step (EM, one substep) has the mean and second
// moments of one discrete step (two-sample z tests, 20000 draws each), for
// random systems, points and rates.
func oneStepProperty(t *rapid.T) {
	sys := genSystem(t)
	d := sys.F.Dim()
	x0 := make([]float64, d)
	sys.F.Minimizer(x0)
	for j := range x0 {
		x0[j] += rapid.Float64Range(-1, 1).Draw(t, "x0")
	}
	eta, rate := rapid.Float64Range(0.01, 0.2).Draw(t, "eta"), rapid.Float64Range(0.1, 2).Draw(t, "rate")
	seed := rapid.Uint64().Draw(t, "seed")
	if msg := oneStepMismatch(sys, x0, eta, rate, seed, model.Perturbation{}, componentAlpha); msg != "" {
		t.Fatal(msg)
	}
}

// oneStepMismatch compares one discrete step with one SDE step (20000 draws
// each) and returns a description of the first moment that differs
// significantly (Bonferroni over d means and d(d+1)/2 second moments), or "".
func oneStepMismatch(sys model.System, x0 []float64, eta, rate float64, seed uint64, pert model.Perturbation, alpha float64) string {
	return oneStepMismatchN(sys, x0, eta, rate, seed, pert, alpha, 20000)
}

func oneStepMismatchN(sys model.System, x0 []float64, eta, rate float64, seed uint64, pert model.Perturbation, alpha float64, n int) string {
	d := len(x0)
	g0 := make([]float64, d)
	sys.F.Grad(g0, x0)
	var gn2 float64
	for _, g := range g0 {
		gn2 += g * g
	}
	k := d + d*(d+1)/2
	mom := [2][]mc.Moments{make([]mc.Moments, k), make([]mc.Moments, k)}
	ws := model.NewWorkspace(d)
	x, g := make([]float64, d), make([]float64, d)
	in := model.Integrator{Scheme: model.EulerMaruyama, Substeps: 1, MaxSubsteps: 1, Perturb: pert}
	for m := range 2 {
		r := mc.Stream(seed, m)
		for range n {
			copy(x, x0)
			copy(g, g0)
			if m == 0 {
				sys.DiscreteStep(x, g, gn2, eta*rate, ws, r)
			} else {
				sys.SDEStep(x, g, gn2, eta, rate, in, ws, r)
			}
			i := 0
			for j := range d {
				mom[m][i].Add(x[j] - x0[j])
				i++
			}
			for j := range d {
				for l := j; l < d; l++ {
					mom[m][i].Add((x[j] - x0[j]) * (x[l] - x0[l]))
					i++
				}
			}
		}
	}
	for i := range k {
		a, b := mom[0][i], mom[1][i]
		se := math.Hypot(a.SE(), b.SE())
		if z := mc.ZTestSE(a.Mean-b.Mean, se, n, 0, alpha/float64(k)); z.Reject {
			return fmt.Sprintf("%s: one-step moment %d: discrete %v vs SDE %v: %v", sys.Method, i, a.Mean, b.Mean, z)
		}
	}
	return ""
}

func TestOneStepMoments(t *testing.T) { t.Parallel(); rapid.Check(t, oneStepProperty) }

// determinismProperty: a random campaign case gives identical JSON results
// on 1 and 2 workers.
func determinismProperty(t *rapid.T) {
	sys := genSystem(t)
	x0 := make([]float64, sys.F.Dim())
	for j := range x0 {
		x0[j] = rapid.Float64Range(-2, 2).Draw(t, "x0")
	}
	run := mc.Run{System: sys, Eta: 0.05, Schedule: model.Normalized{Num: 1, A: 1, B: 1, Reading: model.ReadsEnsemble},
		X0: x0, Steps: 30, Paths: rapid.IntRange(2, 200).Draw(t, "paths"), Seed: rapid.Uint64().Draw(t, "seed"), Checkpoints: []int{0, 10, 30}}
	if rapid.Bool().Draw(t, "sde") {
		run.Model, run.Integrator = mc.SDE, model.Integrator{Scheme: model.TamedEuler, Substeps: 2, Stiffness: 0.1, MaxSubsteps: 100}
	}
	var outs []string
	for _, w := range []int{1, 2} {
		run.Workers = w
		res, err := mc.Simulate(run)
		if err != nil {
			t.Fatalf("simulate: %v", err)
		}
		b, _ := json.Marshal(struct {
			R *mc.Result
			G []float64
		}{res, res.EnsembleGradNorm})
		outs = append(outs, string(b))
	}
	if outs[0] != outs[1] {
		t.Fatalf("1 and 2 workers differ")
	}
}

func TestDeterministic(t *testing.T) { t.Parallel(); rapid.Check(t, determinismProperty) }

// Fuzz targets: every property through rapid.MakeFuzz (make fuzz runs them).
func FuzzCompressorsUnbiased(f *testing.F) { f.Fuzz(rapid.MakeFuzz(compressorProperty)) }
func FuzzOneStepMoments(f *testing.F)      { f.Fuzz(rapid.MakeFuzz(oneStepProperty)) }
func FuzzDeterministic(f *testing.F)       { f.Fuzz(rapid.MakeFuzz(determinismProperty)) }
func FuzzTheoremThm4Pathwise(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(theoremProperty("FuzzTheoremThm4Pathwise", "thm4", "pathwise")))
}
func FuzzTheoremThm6Corrected(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(theoremProperty("FuzzTheoremThm6Corrected", "thm6-corrected", "pathwise")))
}
func FuzzTheoremThm7Ensemble(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(theoremProperty("FuzzTheoremThm7Ensemble", "thm7", "ensemble")))
}
