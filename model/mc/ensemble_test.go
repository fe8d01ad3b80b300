package mc_test

import (
	"encoding/json"
	"math"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/schedule"
	"github.com/sdeverify/sdeverify/model/update"
)

// ouRun is Ornstein-Uhlenbeck: f = a x^2/2, N agents with additive N(0, s^2)
// noise, constant schedule.
func ouRun(a, s float64, n int, m mc.Model, in model.Integrator, paths int, seed uint64) mc.Run {
	agents := make([]model.Agent, n)
	for i := range agents {
		agents[i] = model.Agent{Noise: noise.Gaussian{Sigma0: s}}
	}
	return mc.Run{
		System:      model.System{F: objective.DiagonalQuadratic([]float64{a}), Agents: agents, Method: update.DSGD},
		Model:       m,
		Integrator:  in,
		Eta:         0.1,
		Schedule:    schedule.Constant{},
		X0:          []float64{1},
		Steps:       40,
		Paths:       paths,
		Seed:        seed,
		Checkpoints: []int{0, 5, 20, 40},
	}
}

// TestOrnsteinUhlenbeck checks the engine against docs/math.md section 5's exact
// oracles. Discrete: E x_k = q^k x0 with q = 1 - eta a, and
// Var x_k = eta^2 s^2/N (1 - q^(2k))/(1 - q^2). SDE (EM with 100 substeps,
// whose own bias is ~a^2 h t/2 = 1e-3 relative, far below the Monte Carlo
// error): E X_t = x0 e^(-a t), Var X_t = eta s^2/(2 a N) (1 - e^(-2 a t)).
// The law is Gaussian, so the sample variance has standard error
// sigma^2 sqrt(2/(n-1)). 2 models x 3 checkpoints x 2 moments = 12 z tests
// at level 1e-6/12 each.
func TestOrnsteinUhlenbeck(t *testing.T) {
	t.Parallel()
	const a, s, n, paths = 1.5, 2.0, 3, 20000
	alpha := 1e-6 / 12
	eta := 0.1
	for _, m := range []mc.Model{mc.Discrete, mc.SDE} {
		in := model.Integrator{Scheme: model.EulerMaruyama, Substeps: 100, MaxSubsteps: 100}
		res, err := mc.Simulate(ouRun(a, s, n, m, in, paths, 7))
		require.NoError(t, err)
		for _, c := range res.Checkpoints[1:] {
			var mean, vr float64
			if m == mc.Discrete {
				q := 1 - eta*a
				mean = math.Pow(q, float64(c.Step))
				vr = eta * eta * s * s / n * (1 - math.Pow(q, 2*float64(c.Step))) / (1 - q*q)
			} else {
				mean = math.Exp(-a * c.Time)
				vr = eta * s * s / (2 * a * n) * (1 - math.Exp(-2*a*c.Time))
			}
			zm := mc.ZTestSE(c.X.Mean, c.X.SE, c.X.N, mean, alpha)
			require.False(t, zm.Reject, "%v step %d mean: %v", m, c.Step, zm)
			sampleVar := c.X.SE * c.X.SE * float64(c.X.N)
			zv := mc.ZTestSE(sampleVar, vr*math.Sqrt(2/float64(c.X.N-1)), c.X.N, vr, alpha)
			require.False(t, zv.Reject, "%v step %d variance: %v", m, c.Step, zv)
		}
	}
}

// TestOrnsteinUhlenbeckDetectsWrongDiffusion shows the OU test has power:
// the SDE with the noise scaled by 1.5 (simulated here as noise s*1.5)
// fails the variance check against the right closed form.
func TestOrnsteinUhlenbeckDetectsWrongDiffusion(t *testing.T) {
	t.Parallel()
	const a, s, n = 1.5, 2.0, 3
	in := model.Integrator{Scheme: model.EulerMaruyama, Substeps: 100, MaxSubsteps: 100}
	res, err := mc.Simulate(ouRun(a, 1.5*s, n, mc.SDE, in, 20000, 7))
	require.NoError(t, err)
	c := res.Checkpoints[len(res.Checkpoints)-1]
	vr := 0.1 * s * s / (2 * a * n) * (1 - math.Exp(-2*a*c.Time))
	sampleVar := c.X.SE * c.X.SE * float64(c.X.N)
	zv := mc.ZTestSE(sampleVar, vr*math.Sqrt(2/float64(c.X.N-1)), c.X.N, vr, 1e-6/12)
	require.True(t, zv.Reject, "a diffusion 1.5x too large went unnoticed: %v", zv)
}

// TestEulerMaruyamaIsDSGD: with Gaussian noise on every agent, EM with one
// substep of length eta draws the same normals as DSGD and applies the same
// increment, so the two runs agree path by path up to rounding; the
// ensemble means must agree to 1e-12 relative (a Monte Carlo difference
// would be ~1e-2). (The integrals I1, I2 differ by design: left-point sums
// for the discrete method, trapezoidal over the SDE's substeps.)
// Deterministic: no false-alarm probability.
func TestEulerMaruyamaIsDSGD(t *testing.T) {
	t.Parallel()
	run := mc.Run{
		System: model.System{
			F: objective.Homogeneous{Atom: objective.Quartic{}, D: 3},
			Agents: []model.Agent{
				{Noise: noise.Gaussian{Sigma0: 0.3, Sigma1: 0.5}},
				{Noise: noise.Gaussian{Sigma1: 1}},
				{Noise: noise.Gaussian{Sigma0: 0.2}},
			},
			Method: update.DSGD,
		},
		Eta: 0.05, Schedule: schedule.InvSqrt{}, X0: []float64{1, -0.5, 0.2},
		Steps: 200, Paths: 500, Seed: 3, Checkpoints: []int{0, 10, 200},
	}
	dis, err := mc.Simulate(run)
	require.NoError(t, err)
	run.Model = mc.SDE
	run.Integrator = model.Integrator{Scheme: model.EulerMaruyama, Substeps: 1, MaxSubsteps: 1}
	sde, err := mc.Simulate(run)
	require.NoError(t, err)
	for i := range dis.Checkpoints {
		a, b := dis.Checkpoints[i], sde.Checkpoints[i]
		require.Equal(t, a.Live, b.Live)
		require.InEpsilon(t, a.F.Mean, b.F.Mean, 1e-12, "step %d", a.Step)
	}
	require.Equal(t, int64(200*500), sde.Substeps.Total)
}

// TestDivergedPathsExcluded: paths past the threshold are frozen and
// counted once; every statistic covers exactly the live paths and stays
// finite. Deterministic invariants.
func TestDivergedPathsExcluded(t *testing.T) {
	t.Parallel()
	run := ouRun(1, 3, 1, mc.Discrete, model.Integrator{}, 1000, 11)
	run.DivergeAt = 1.5
	run.Checkpoints = []int{0, 1, 2, 5, 10, 20, 40}
	res, err := mc.Simulate(run)
	require.NoError(t, err)
	prev := 0
	for _, c := range res.Checkpoints {
		require.Equal(t, run.Paths, c.Live+c.Diverged, "step %d", c.Step)
		require.GreaterOrEqual(t, c.Diverged, prev)
		prev = c.Diverged
		for _, s := range []mc.Stat{c.F, c.GradNorm2, c.Dist2, c.I1, *c.X} {
			require.Equal(t, c.Live, s.N)
			require.False(t, math.IsNaN(s.Mean) || math.IsInf(s.Mean, 0), "step %d", c.Step)
		}
	}
	require.Greater(t, res.Diverged, 100, "the threshold should catch many paths")
	require.Less(t, res.Diverged, run.Paths)
	require.Equal(t, res.Diverged, res.Checkpoints[len(res.Checkpoints)-1].Diverged)

	// Overflow (not a threshold) is caught too: x^4/4 from x0 = 100 with
	// eta = 0.1 overshoots to -1e5 and then to infinity on every path.
	run.System.F = objective.Homogeneous{Atom: objective.Quartic{}, D: 1}
	run.X0, run.DivergeAt = []float64{100}, math.MaxFloat64
	res, err = mc.Simulate(run)
	require.NoError(t, err)
	last := res.Checkpoints[len(res.Checkpoints)-1]
	require.Equal(t, run.Paths, last.Diverged)
	require.Equal(t, 0, last.F.N)
	_, err = json.Marshal(res)
	require.NoError(t, err, "NaN statistics must still encode")
}

// TestDeterministicAcrossWorkers: the same seed gives identical JSON for 1
// and 2 workers and for GOMAXPROCS 1 and 2, for a discrete run with an
// ensemble-reading schedule, an adaptive SDE run with several agents, the
// batched one-dimensional steps and the fused rand-k kernel.
func TestDeterministicAcrossWorkers(t *testing.T) {
	cfgs := []string{
		`{"objective":{"kind":"separable","dim":5,"atom":{"kind":"quartic"}},"x0":[1.5],
		  "agents":[{"noise":{"kind":"gaussian","sigma1":2}},{"noise":{"kind":"gaussian","sigma0":0.5},"count":2}],
		  "method":"dsgd","model":{"kind":"discrete"},"eta":0.05,
		  "schedule":{"kind":"normalized","num":1,"a":3,"b":3,"reading":"ensemble"},
		  "steps":300,"paths":300,"seed":99,"checkpoints":{"every":50},"quantiles":[0.1,0.5,0.9]}`,
		`{"objective":{"kind":"separable","dim":4,"atom":{"kind":"cosh","a":2}},"x0":[1],
		  "agents":[{"noise":{"kind":"gaussian","sigma1":0.5},"compressor":{"kind":"randk","k":2}},
		            {"noise":{"kind":"student-t","nu":5,"scale":[0.3]},"compressor":{"kind":"qsgd","s":2}}],
		  "method":"dcsgd","model":{"kind":"sde"},"eta":0.2,
		  "schedule":{"kind":"normalized","num":1,"a":1,"b":1,"reading":"pathwise","decay":{"kind":"inv-sqrt"}},
		  "steps":60,"paths":200,"seed":5,"checkpoints":{"count":5}}`,
		// The batched one-dimensional path (Figure 1 right's shape).
		`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"quartic"},"certificate":{"l0":3,"l1":3}},"x0":[2],
		  "agents":[{"noise":{"kind":"student-t","nu":1,"scale":[1]}}],
		  "method":"dsignsgd","model":{"kind":"discrete"},"eta":0.1,"schedule":{"kind":"inv-sqrt"},
		  "steps":200,"paths":300,"seed":7,"checkpoints":{"count":4}}`,
		// The fused rand-k kernel (Figure 1 centre's shape), with steps
		// large enough that 253 of the 300 paths diverge.
		`{"objective":{"kind":"separable","dim":50,"atom":{"kind":"quartic"},"certificate":{"l0":3,"l1":3}},"x0":[0.9],
		  "agents":[{"noise":{"kind":"gaussian","sigma1":0.3},"compressor":{"kind":"randk","omega":4}}],
		  "method":"dcsgd","model":{"kind":"discrete"},"eta":0.05,"schedule":{"kind":"constant"},
		  "steps":200,"paths":300,"seed":8,"checkpoints":{"count":4}}`,
	}
	for i, cfg := range cfgs {
		var outs [][]byte
		for _, procs := range []int{1, 2} {
			old := runtime.GOMAXPROCS(procs)
			for _, w := range []int{0, 1, 2} {
				c, err := mc.ParseConfig([]byte(cfg))
				require.NoError(t, err, "case %d", i)
				run, err := c.Resolve()
				require.NoError(t, err, "case %d", i)
				run.Workers = w
				res, err := mc.Simulate(run)
				require.NoError(t, err)
				bitsOf := func(v []float64) []uint64 { // NaN-safe
					u := make([]uint64, len(v))
					for i, f := range v {
						u[i] = math.Float64bits(f)
					}
					return u
				}
				b, err := json.Marshal(struct {
					R *mc.Result
					G []uint64
					L []int
					K []uint64
				}{res, bitsOf(res.EnsembleGradNorm), res.Live, bitsOf(res.Rate)})
				require.NoError(t, err)
				outs = append(outs, b)
			}
			runtime.GOMAXPROCS(old)
		}
		for j := 1; j < len(outs); j++ {
			require.Equal(t, string(outs[0]), string(outs[j]), "case %d: run %d differs from run 0", i, j)
		}
	}
}

// TestPathValuesAndCheck: KeepPathValues reproduces the checkpoint means,
// marks diverged paths with NaN, and Check counts the path-steps it rejects.
func TestPathValuesAndCheck(t *testing.T) {
	t.Parallel()
	run := ouRun(1, 3, 1, mc.Discrete, model.Integrator{}, 300, 12)
	run.DivergeAt = 1.5
	run.Checkpoints = []int{0, 7, 40}
	run.KeepPathValues = true
	run.Check = func(s model.StepInfo, rate float64) bool { return s.K < 5 } // fails from step 5 on
	res, err := mc.Simulate(run)
	require.NoError(t, err)
	for _, c := range res.Checkpoints {
		var m mc.Moments
		nan := 0
		for _, v := range c.Paths {
			if math.IsNaN(v.I1) {
				nan++
				continue
			}
			m.Add(v.I1)
		}
		require.Equal(t, c.Diverged, nan, "step %d", c.Step)
		require.InDelta(t, c.I1.Mean, m.Mean, 1e-12*math.Max(1, math.Abs(m.Mean)), "step %d", c.Step)
	}
	require.Equal(t, 5, res.FirstCheckFailure)
	var want int64
	for k := 5; k < run.Steps; k++ {
		want += int64(res.Live[k])
	}
	require.Equal(t, want, res.CheckFailures)
}
