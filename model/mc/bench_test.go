package mc_test

import (
	"fmt"
	"testing"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/schedule"
	"github.com/sdeverify/sdeverify/model/update"
)

// benchSystems are one system per method at d = 100 with Figure 1's noise
// types: affine Gaussian for DSGD, rand-k (omega = 1) for DCSGD, Cauchy for
// DSignSGD.
func benchSystems(d int) []model.System {
	f := objective.Homogeneous{Atom: objective.Quartic{}, D: d}
	return []model.System{
		{F: f, Method: update.DSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 1}}}},
		{F: f, Method: update.DCSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 0.1}, Compressor: compress.RandK{K: d / 2}}}},
		{F: f, Method: update.DSignSGD, Agents: []model.Agent{{Noise: noise.StudentT{Nu: 1, Scale: []float64{1}}}}},
	}
}

// BenchmarkStep times one path-step of each method and model and reports
// ns per coordinate; allocs/op must be 0 (the per-step loop does not allocate).
func BenchmarkStep(b *testing.B) {
	const d = 100
	for _, sys := range benchSystems(d) {
		for _, m := range []mc.Model{mc.Discrete, mc.SDE} {
			b.Run(fmt.Sprintf("%s/%s", sys.Method, m), func(b *testing.B) {
				x, g := make([]float64, d), make([]float64, d)
				for j := range x {
					x[j] = 0.5
				}
				sys.F.Grad(g, x)
				ws := model.NewWorkspace(d)
				r := mc.Stream(1, 0)
				in := model.Integrator{Scheme: model.TamedEuler, Substeps: 1, MaxSubsteps: 1}
				b.ReportAllocs()
				for b.Loop() {
					if m == mc.Discrete {
						sys.DiscreteStep(x, g, 1, 1e-3, ws, r)
						sys.F.Grad(g, x)
					} else {
						sys.SDEStep(x, g, 1, 1e-3, 1, in, ws, r)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/d, "ns/coord")
			})
		}
	}
}

// BenchmarkEnsemble runs Figure 1's left panel (sigma = 1, d = 1, ensemble
// schedule of Eq. 1) at 1000 paths x 500 steps on 1 and 2 workers: the
// ratio of the two is the parallel speed-up.
func BenchmarkEnsemble(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			run := figure1LeftRun(1000, 500)
			run.Workers = w
			for b.Loop() {
				if _, err := mc.Simulate(run); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(run.Paths*run.Steps), "ns/path-step")
		})
	}
}

// BenchmarkEnsembleWide is the DCSGD panel's shape (d = 1000, rand-k) at 64
// paths x 200 steps, on 1 and 2 workers.
func BenchmarkEnsembleWide(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			sys := benchSystems(1000)[1]
			x0 := make([]float64, 1000)
			for j := range x0 {
				x0[j] = 0.5
			}
			run := mc.Run{System: sys, Eta: 0.1, Schedule: schedule.Constant{}, X0: x0, Steps: 200, Paths: 128, Seed: 1, Workers: w, Checkpoints: []int{200}}
			for b.Loop() {
				if _, err := mc.Simulate(run); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(run.Paths*run.Steps*1000), "ns/path-step-coord")
		})
	}
}

// BenchmarkFloor draws only the random numbers BenchmarkEnsemble's run needs
// (one standard normal per path-step from the per-path streams, on one
// core): the cost floor of that run. Compare ns/path-step with
// BenchmarkEnsemble/workers=1.
func BenchmarkFloor(b *testing.B) {
	const paths, steps = 1000, 500
	var sink float64
	for b.Loop() {
		for p := range paths {
			r := mc.Stream(1, p)
			for range steps {
				sink += r.NormFloat64()
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(paths*steps), "ns/path-step")
	_ = sink
}

func figure1LeftRun(paths, steps int) mc.Run {
	return mc.Run{
		System: model.System{F: objective.Homogeneous{Atom: objective.Quartic{}, D: 1}, Method: update.DSGD,
			Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 1}}}},
		Eta: 0.01, Schedule: schedule.Normalized{Num: 1, A: 3, B: 3, Reading: model.ReadsEnsemble},
		X0: []float64{3}, Steps: steps, Paths: paths, Seed: 1, Checkpoints: []int{0, steps},
	}
}

// signRun is Figure 1's right panel at 2048 paths x 500 steps on w workers.
func signRun(w int) mc.Run {
	return mc.Run{
		System: model.System{F: objective.Homogeneous{Atom: objective.Quartic{}, D: 1}, Method: update.DSignSGD,
			Agents: []model.Agent{{Noise: noise.StudentT{Nu: 1, Scale: []float64{1}}}}},
		Eta: 0.1, Schedule: schedule.Constant{}, X0: []float64{2}, Steps: 500, Paths: 2048, Seed: 1, Workers: w,
		Checkpoints: []int{0, 250, 500},
	}
}

// BenchmarkEnsembleSign is Figure 1's right panel (DSignSGD on x^4/4,
// Cauchy noise of scale 1, eta = 0.1, x0 = 2, constant step) at 2048 paths
// x 500 steps on 1 and 2 workers. Its floor is two normals per path-step
// (rng.FloorNormals).
func BenchmarkEnsembleSign(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			run := signRun(w)
			for b.Loop() {
				if _, err := mc.Simulate(run); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(run.Paths*run.Steps), "ns/path-step")
		})
	}
}

// BenchmarkEnsembleSignSDE is BenchmarkEnsembleSign's SDE (Figure 1's right
// panel overlay: Euler-Maruyama, one substep refined adaptively at
// stiffness 0.1), on 1 and 2 workers, in ns per substep.
func BenchmarkEnsembleSignSDE(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			run := signRun(w)
			run.Model = mc.SDE
			run.Integrator = model.Integrator{Scheme: model.EulerMaruyama, Substeps: 1, Stiffness: 0.1, MaxSubsteps: 1000}
			var substeps int64
			for b.Loop() {
				res, err := mc.Simulate(run)
				if err != nil {
					b.Fatal(err)
				}
				substeps = res.Substeps.Total
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(substeps), "ns/substep")
		})
	}
}
