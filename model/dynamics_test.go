package model_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

// oneStepCases are the systems whose one-step moments are compared, covering
// every method, both noise models, the aggregated and per-agent DSGD
// samplers, and the closed-form and mixture DCSGD diffusions.
func oneStepCases() []struct {
	name string
	sys  model.System
} {
	f := objective.Spec{Kind: "separable", Atoms: []model.AtomSpec{{Kind: "quartic"}, {Kind: "cosh", A: 0.7}, {Kind: "logcosh", C: 2}}}
	obj, err := f.Build()
	if err != nil {
		panic(err)
	}
	tn := func(nu float64, sc ...float64) model.Noise { return noise.StudentT{Nu: nu, Scale: sc} }
	return []struct {
		name string
		sys  model.System
	}{
		{"dsgd-gaussian", model.System{F: obj, Method: update.DSGD, Agents: []model.Agent{
			{Noise: noise.Gaussian{Sigma0: 0.5, Sigma1: 0.2}}, {Noise: noise.Gaussian{Sigma1: 1}}, {Noise: noise.Gaussian{Sigma0: 1}}}}},
		{"dsgd-student", model.System{F: obj, Method: update.DSGD, Agents: []model.Agent{
			{Noise: tn(9, 0.5, 1, 0.2)}, {Noise: noise.Gaussian{Sigma0: 0.3}}}}},
		{"dcsgd-linear", model.System{F: obj, Method: update.DCSGD, Agents: []model.Agent{
			{Noise: noise.Gaussian{Sigma0: 0.3, Sigma1: 0.4}, Compressor: compress.Bernoulli{P: 0.4}},
			{Noise: noise.Gaussian{Sigma0: 0.2}, Compressor: compress.RandK{K: 2}},
			{Noise: tn(9, 0.4), Compressor: compress.Identity{}}}}},
		{"dcsgd-qsgd", model.System{F: obj, Method: update.DCSGD, Agents: []model.Agent{
			{Noise: noise.Gaussian{Sigma0: 0.3, Sigma1: 0.2}, Compressor: compress.QSGD{S: 2}},
			{Noise: tn(10, 0.3, 0.1, 0.5), Compressor: compress.Bernoulli{P: 0.7}}}}},
		{"dcsgd-randk-one-agent", model.System{F: obj, Method: update.DCSGD, Agents: []model.Agent{
			{Noise: noise.Gaussian{Sigma0: 0.4, Sigma1: 0.3}, Compressor: compress.RandK{K: 2}}}}},
		{"dcsgd-bernoulli-one-agent", model.System{F: obj, Method: update.DCSGD, Agents: []model.Agent{
			{Noise: noise.Gaussian{Sigma0: 0.4, Sigma1: 0.3}, Compressor: compress.Bernoulli{P: 0.3}}}}},
		{"dsignsgd-gaussian", model.System{F: obj, Method: update.DSignSGD, Agents: []model.Agent{
			{Noise: noise.Gaussian{Sigma0: 0.5, Sigma1: 0.5}}, {Noise: noise.Gaussian{Sigma0: 2}}}}},
		{"dsignsgd-cauchy", model.System{F: obj, Method: update.DSignSGD, Agents: []model.Agent{
			{Noise: tn(1, 0.25, 1, 4)}, {Noise: tn(1, 2)}, {Noise: tn(3, 0.5)}}}},
	}
}

// TestOneStepMoments checks docs/math.md's consistency requirement: one SDE step
// of length eta (EM, one substep) has the mean -eta eta_k b and covariance
// eta^2 eta_k^2 Sigma/N of one discrete step. For each case, two
// independent samples of n increments (discrete and SDE) are compared by
// two-sample z tests on the 3 means and the 6 raw second moments
// E[D_j D_l] (the Student-t cases have nu > 8 so that these have finite
// variance). 8 cases x 9 tests = 72 tests at level 1e-6/72.
func TestOneStepMoments(t *testing.T) {
	t.Parallel()
	const n, eta, rate = 200000, 0.1, 1.5
	alpha := 1e-6 / 72
	x0 := []float64{0.8, -0.6, 1.1}
	one := model.Integrator{Scheme: model.EulerMaruyama, Substeps: 1, MaxSubsteps: 1}
	for i, c := range oneStepCases() {
		require.NoError(t, c.sys.ValidateSDE(), c.name)
		d := len(x0)
		g0 := make([]float64, d)
		c.sys.F.Grad(g0, x0)
		var gn2 float64
		for _, g := range g0 {
			gn2 += g * g
		}
		ws := model.NewWorkspace(d)
		x, g := make([]float64, d), make([]float64, d)
		var mom [2][9]mc.Moments
		for m := range 2 {
			r := mc.Stream(uint64(100+i), m)
			for range n {
				copy(x, x0)
				copy(g, g0)
				if m == 0 {
					c.sys.DiscreteStep(x, g, gn2, eta*rate, ws, r)
				} else {
					c.sys.SDEStep(x, g, gn2, eta, rate, one, ws, r)
				}
				k := 0
				for j := range d {
					mom[m][k].Add(x[j] - x0[j])
					k++
				}
				for j := range d {
					for l := j; l < d; l++ {
						mom[m][k].Add((x[j] - x0[j]) * (x[l] - x0[l]))
						k++
					}
				}
			}
		}
		for k := range 9 {
			a, b := mom[0][k], mom[1][k]
			z := mc.ZTestSE(a.Mean-b.Mean, math.Hypot(a.SE(), b.SE()), n, 0, alpha)
			require.False(t, z.Reject, "case %d (%s) moment %d: discrete %v vs SDE %v: %v", i, c.name, k, a.Mean, b.Mean, z)
		}
	}
}
