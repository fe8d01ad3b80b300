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
	"github.com/sdeverify/sdeverify/model/schedule"
	"github.com/sdeverify/sdeverify/model/update"
)

// componentAlpha is the level of each component property's statistical
// check; 3 properties x defaultChecks checks x ~10 tests each stay below
// the 3e-6 the budget states.
const componentAlpha = 1e-8

// genCompressor draws an unbiased compressor of a registered kind for
// dimension d (a biased kind skips the case).
func genCompressor(t *rapid.T, d int) model.Unbiased {
	spec := CompressorSpecs(model.DrawOptions{Dim: d}).Draw(t, "compressor")
	c, err := spec.Build(d)
	if err != nil {
		t.Fatalf("compressor %+v: %v", spec, err)
	}
	u, ok := c.(model.Unbiased)
	if !ok {
		t.Skipf("%s is not unbiased", spec.Kind)
	}
	return u
}

// TestCompressorsUnbiased, TestNoiseLaws, TestAtoms and TestSchedules run
// the kind properties (kinds.go) over every registered kind.
func TestCompressorsUnbiased(t *testing.T) {
	t.Parallel()
	rapid.Check(t, CompressorProperty())
}

func TestNoiseLaws(t *testing.T) { t.Parallel(); rapid.Check(t, NoiseLawProperty()) }
func TestAtoms(t *testing.T)     { t.Parallel(); rapid.Check(t, AtomProperty()) }
func TestSchedules(t *testing.T) { t.Parallel(); rapid.Check(t, ScheduleProperty()) }

// TestGeneratorsDrawEveryKind: in 400 examples the generators draw every
// registered, drawable kind of each sort.
func TestGeneratorsDrawEveryKind(t *testing.T) {
	t.Parallel()
	drawn := DrawnKinds(400)
	for sort, got := range drawn {
		for _, name := range gen.Drawable(sort) {
			if got[name] == 0 {
				t.Errorf("%s kind %s never drawn in 400 examples: %v", sort, name, got)
			}
		}
	}
}

// genSystem draws a system of 1-3 agents on a random objective of dimension
// <= 3 whose SDE exists (finite variance for DSGD and DCSGD).
func genSystem(t *rapid.T) model.System {
	spec := gen.Objective(Drawer{t}, gen.Options{MaxDim: 3, MaxRotateDim: 3})
	f, err := spec.Build()
	if err != nil {
		t.Fatalf("objective: %v", err)
	}
	d := f.Dim()
	method := []model.Method{update.DSGD, update.DCSGD, update.DSignSGD}[rapid.IntRange(0, 2).Draw(t, "method")]
	n := rapid.IntRange(1, 3).Draw(t, "agents")
	sys := model.System{F: f, Method: method}
	// The z tests of one step's second moments need the noise's fourth
	// moments, except under DSignSGD (the sign is bounded).
	moments := 4
	if method == update.DSignSGD {
		moments = 0
	}
	for range n {
		var a model.Agent
		spec := NoiseSpecs(model.DrawOptions{Dim: d, Moments: moments}).Draw(t, "noise")
		var err error
		if a.Noise, err = spec.Build(); err != nil {
			t.Fatalf("noise %+v: %v", spec, err)
		}
		if model.NeedsCompressor(method) {
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
	run := mc.Run{System: sys, Eta: 0.05, Schedule: schedule.Normalized{Num: 1, A: 1, B: 1, Reading: model.ReadsEnsemble},
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
func FuzzCompressorsUnbiased(f *testing.F) { f.Fuzz(rapid.MakeFuzz(CompressorProperty())) }
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
