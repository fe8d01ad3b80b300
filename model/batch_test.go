package model_test

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

// TestDiscreteStepScalarMatchesPerPath: the batched one-dimensional step
// takes the same draws and operations as DiscreteStep path by path, so
// after 50 steps every path agrees bit for bit, for each fast case (DSGD
// with Gaussian agents, DSignSGD with Cauchy or Gaussian noise) and for
// the fallback (DCSGD, Student-t nu = 3); dead paths are not touched.
func TestDiscreteStepScalarMatchesPerPath(t *testing.T) {
	t.Parallel()
	f := objective.Homogeneous{Atom: objective.Quartic{}, D: 1}
	systems := []model.System{
		{F: f, Method: update.DSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma0: 0.3, Sigma1: 1}}, {Noise: noise.Gaussian{Sigma1: 2}}}},
		{F: f, Method: update.DSignSGD, Agents: []model.Agent{{Noise: noise.StudentT{Nu: 1, Scale: []float64{0.7}}}}},
		{F: f, Method: update.DSignSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma0: 0.2, Sigma1: 0.5}}}},
		{F: f, Method: update.DCSGD, Agents: []model.Agent{{Noise: noise.StudentT{Nu: 3, Scale: []float64{1}}, Compressor: compress.Bernoulli{P: 0.5}}}},
	}
	const n = 37
	for i, sys := range systems {
		xs, gs, gn2s, hs := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		live := make([]bool, n)
		rs := make([]model.Rand, n)
		ys := make([]float64, n)
		refs := make([]*model.Rand, n)
		for p := range n {
			xs[p] = 0.1*float64(p) - 1.5
			ys[p] = xs[p]
			hs[p] = 0.01 * (1 + float64(p%3))
			live[p] = p%5 != 4
			rs[p].Seed(uint64(100*i + p))
			refs[p] = model.NewRand(uint64(100*i + p))
		}
		ws := model.NewWorkspace(1)
		g1 := make([]float64, 1)
		for range 50 {
			for p := range n {
				gs[p] = xs[p] * xs[p] * xs[p]
				gn2s[p] = gs[p] * gs[p]
			}
			sys.DiscreteStepScalar(xs, gs, gn2s, hs, live, rs, ws)
			for p := range n {
				if !live[p] {
					continue
				}
				y := ys[p : p+1]
				f.Grad(g1, y)
				sys.DiscreteStep(y, g1, g1[0]*g1[0], hs[p], ws, refs[p])
			}
		}
		for p := range n {
			require.Equal(t, math.Float64bits(ys[p]), math.Float64bits(xs[p]), "system %d (%s), path %d: %v vs %v", i, sys.Method, p, xs[p], ys[p])
			if !live[p] {
				require.Equal(t, 0.1*float64(p)-1.5, xs[p], "system %d: dead path %d moved", i, p)
			}
		}
	}
}

// TestDiscreteStepGradMatches: the fused rand-k step with its gradient
// refresh draws the same numbers and gives the same state and gradient, to
// the bit, as DiscreteStep followed by Grad; it reports a moved coordinate
// beyond the threshold; and it declines systems it does not cover.
func TestDiscreteStepGradMatches(t *testing.T) {
	t.Parallel()
	const d = 50
	f, err := model.WithCertificate(objective.Homogeneous{Atom: objective.Quartic{}, D: d}, model.Certificate{L0: 3, L1: 3})
	require.NoError(t, err) // Figure 1's form: a certified sum of quartics
	sys := model.System{F: f, Method: update.DCSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma0: 0.1, Sigma1: 0.3}, Compressor: compress.RandK{K: 17}}}}
	x, y := make([]float64, d), make([]float64, d)
	for j := range x {
		x[j] = 0.05*float64(j) - 1
		y[j] = x[j]
	}
	g, gy := make([]float64, d), make([]float64, d)
	f.Grad(g, x)
	f.Grad(gy, y)
	ws, wy := model.NewWorkspace(d), model.NewWorkspace(d)
	r, ry := model.NewRand(5), model.NewRand(5)
	tb := math.Float64bits(1e10)
	for k := range 200 {
		gn2 := 0.0
		for _, v := range g {
			gn2 += v * v
		}
		over, ok := sys.DiscreteStepGrad(x, g, gn2, 0.01, tb, ws, r)
		require.True(t, ok)
		require.False(t, over, "step %d", k)
		sys.DiscreteStep(y, gy, gn2, 0.01, wy, ry)
		f.Grad(gy, y)
		for j := range x {
			require.Equal(t, math.Float64bits(y[j]), math.Float64bits(x[j]), "step %d, x[%d]", k, j)
			require.Equal(t, math.Float64bits(gy[j]), math.Float64bits(g[j]), "step %d, grad[%d]", k, j)
		}
	}
	// A huge step sends the moved coordinates past a threshold of 2.
	over, ok := sys.DiscreteStepGrad(x, g, 1, 1e6, math.Float64bits(2), ws, r)
	require.True(t, ok)
	require.True(t, over)

	for i, other := range []model.System{
		{F: f, Method: update.DSGD, Agents: sys.Agents},
		{F: f, Method: update.DCSGD, Agents: []model.Agent{{Noise: noise.StudentT{Nu: 3, Scale: []float64{1}}, Compressor: compress.RandK{K: 17}}}},
		{F: f, Method: update.DCSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 1}, Compressor: compress.Bernoulli{P: 0.5}}}},
		{F: objective.Homogeneous{Atom: objective.Cosh{}, D: d}, Method: update.DCSGD, Agents: sys.Agents},
		{F: objective.Separable{Atoms: slices.Repeat([]model.Atom{objective.Quartic{}}, d)}, Method: update.DCSGD, Agents: sys.Agents},
		{F: f, Method: update.DCSGD, Agents: []model.Agent{sys.Agents[0], sys.Agents[0]}},
	} {
		before := append([]float64(nil), x...)
		_, ok := other.DiscreteStepGrad(x, g, 1, 0.01, tb, ws, r)
		require.False(t, ok, "system %d", i)
		require.Equal(t, before, x, "system %d: declined but moved x", i)
	}
}

// TestValueBatchMatchesValue: batched values equal Value point by point, for
// the quartic fast path, another atom, a certified objective and a
// non-batch objective (the fallback).
func TestValueBatchMatchesValue(t *testing.T) {
	t.Parallel()
	cert, err := model.WithCertificate(objective.Homogeneous{Atom: objective.Quartic{}, D: 1}, model.Certificate{L0: 3, L1: 3})
	require.NoError(t, err)
	for i, f := range []model.Objective{
		objective.Homogeneous{Atom: objective.Quartic{}, D: 1},
		objective.Homogeneous{Atom: objective.Quartic{}, D: 3},
		objective.Homogeneous{Atom: objective.Cosh{}, D: 2},
		cert,
		objective.Separable{Atoms: []model.Atom{objective.Quartic{}, objective.Cosh{}}},
	} {
		d := f.Dim()
		xs := make([]float64, 7*d)
		for j := range xs {
			xs[j] = 0.37*float64(j) - 1.1
		}
		got := make([]float64, 7)
		model.ValueBatch(f, got, xs)
		for p := range got {
			require.Equal(t, math.Float64bits(f.Value(xs[p*d:(p+1)*d])), math.Float64bits(got[p]), "objective %d, point %d", i, p)
		}
	}
}
