package model_test

import (
	"math"
	"testing"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
	"pgregory.net/rapid"
)

// TestSDEStep1IsSDEStep: the one-dimensional path of SDEStep gives the
// general path's bits (positions, gradients, integrals, substep counts and
// flags) step after step, over random systems of the kinds it takes (DSGD
// with Gaussian agents; DSignSGD with Gaussian and Student-t agents, zero
// scales included), objectives, schedules and both integrators.
func TestSDEStep1IsSDEStep(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		method := rapid.SampledFrom([]model.Method{update.DSGD, update.DSignSGD}).Draw(t, "method")
		var agents []model.Agent
		for range rapid.IntRange(1, 4).Draw(t, "agents") {
			var nz model.Noise = noise.Gaussian{Sigma0: rapid.Float64Range(0, 2).Draw(t, "s0"), Sigma1: rapid.Float64Range(0, 2).Draw(t, "s1")}
			if method == update.DSignSGD && rapid.Bool().Draw(t, "t") {
				scale := rapid.SampledFrom([]float64{0, 0.3, 1, 5}).Draw(t, "scale")
				nz = noise.StudentT{Nu: rapid.SampledFrom([]float64{1, 2, 3, 4, 2.5, 7}).Draw(t, "nu"), Scale: []float64{scale}}
			}
			agents = append(agents, model.Agent{Noise: nz})
		}
		atom := rapid.SampledFrom([]model.Atom{objective.Quartic{}, objective.LogCosh{}, objective.Square{}}).Draw(t, "atom")
		sys := model.System{F: objective.Homogeneous{Atom: atom, D: 1}, Method: method, Agents: agents}
		in := model.Integrator{Scheme: rapid.SampledFrom([]model.Scheme{model.EulerMaruyama, model.TamedEuler}).Draw(t, "scheme"),
			Substeps: rapid.IntRange(1, 4).Draw(t, "substeps"), Stiffness: rapid.SampledFrom([]float64{0, 0.1}).Draw(t, "stiffness"), MaxSubsteps: 50}
		eta := rapid.Float64Range(0.01, 0.5).Draw(t, "eta")
		x0 := rapid.Float64Range(-3, 3).Draw(t, "x0")
		a, b := []float64{x0}, []float64{x0}
		ga, gb := []float64{0}, []float64{0}
		sys.F.Grad(ga, a)
		sys.F.Grad(gb, b)
		gna, gnb := ga[0]*ga[0], gb[0]*gb[0]
		wa, wb := model.NewWorkspace(1), model.NewWorkspace(1)
		seed := rapid.Uint64().Draw(t, "seed")
		ra, rb := model.NewRand(seed), model.NewRand(seed)
		for k := range 30 {
			rate := 1 / math.Sqrt(float64(k+1))
			fa := model.SDEStep1(sys, a, ga, gna, eta, rate, in, wa, ra)
			fb := model.SDEStepGeneral(sys, b, gb, gnb, eta, rate, in, wb, rb)
			if math.Float64bits(a[0]) != math.Float64bits(b[0]) || math.Float64bits(ga[0]) != math.Float64bits(gb[0]) {
				t.Fatalf("step %d: x %v / %v, grad %v / %v", k, a[0], b[0], ga[0], gb[0])
			}
			if !same(fa.I1, fb.I1) || !same(fa.I2, fb.I2) || !same(fa.GradNorm2, fb.GradNorm2) || !same(fa.MaxGradNorm2, fb.MaxGradNorm2) || fa.Substeps != fb.Substeps || fa.Capped != fb.Capped {
				t.Fatalf("step %d: %+v / %+v", k, fa, fb)
			}
			gna, gnb = fa.GradNorm2, fb.GradNorm2
			if math.IsNaN(gna) || math.IsInf(gna, 0) {
				break
			}
		}
	})
}

func same(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }
