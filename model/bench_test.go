package model_test

import (
	"fmt"
	"testing"

	"github.com/sdeverify/sdeverify/internal/rng"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

const benchDim = 1000

func perCoord(b *testing.B, d int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(d), "ns/coord")
}

func BenchmarkGrad(b *testing.B) {
	mixed, _ := objective.Spec{Kind: "separable", Atoms: func() []model.AtomSpec {
		a := make([]model.AtomSpec, benchDim)
		for j := range a {
			a[j] = model.AtomSpec{Kind: []string{"quartic", "cosh", "logcosh", "explinear"}[j%4], C: 2, A: 0.5}
		}
		return a
	}()}.Build()
	rot, _ := objective.Spec{Kind: "separable", Dim: 100, Atom: &model.AtomSpec{Kind: "quartic"}, Shift: make([]float64, 100), RotationSeed: 3}.Build()
	cases := []struct {
		name string
		f    model.Objective
	}{
		{"quartic-sum", objective.Homogeneous{Atom: objective.Quartic{}, D: benchDim}},
		{"mixed-atoms", mixed},
		{"shifted-rotated-d100", rot},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			d := c.f.Dim()
			x, g := make([]float64, d), make([]float64, d)
			for j := range x {
				x[j] = 0.3
			}
			b.ReportAllocs()
			for b.Loop() {
				c.f.Grad(g, x)
			}
			perCoord(b, d)
		})
	}
}

func BenchmarkNoise(b *testing.B) {
	cases := []struct {
		name string
		n    model.Noise
	}{
		{"gaussian", noise.Gaussian{Sigma0: 0.1, Sigma1: 1}},
		{"cauchy", noise.StudentT{Nu: 1, Scale: []float64{1}}},
		{"student-t-3", noise.StudentT{Nu: 3, Scale: []float64{1}}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			z, g := make([]float64, benchDim), make([]float64, benchDim)
			r := mc.Stream(1, 0)
			b.ReportAllocs()
			for b.Loop() {
				c.n.Sample(z, g, 1, r)
			}
			perCoord(b, benchDim)
		})
	}
}

func BenchmarkCompress(b *testing.B) {
	cases := []struct {
		name string
		c    model.Compressor
	}{
		{"bernoulli-0.5", compress.Bernoulli{P: 0.5}},
		{"randk-200", compress.RandK{K: 200}},
		{"qsgd-4", compress.QSGD{S: 4}},
		{"sign", model.Sign{}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			v, out := make([]float64, benchDim), make([]float64, benchDim)
			for j := range v {
				v[j] = float64(j%7) - 3
			}
			r := mc.Stream(1, 0)
			b.ReportAllocs()
			for b.Loop() {
				c.c.Compress(out, v, r)
			}
			perCoord(b, benchDim)
		})
	}
}

// BenchmarkSamplers times the random numbers every kernel is built from, as
// the kernels draw them (ns per variate): the floor `sdeverify figure1
// -bench` divides by. normal-call is NormFloat64 (a direct call per draw),
// normals-inline is Rand.Normals and FloorNormals (the generator's state in
// locals), index-inline is FloorIndices (Floyd's bounds, below 1000).
func BenchmarkSamplers(b *testing.B) {
	const n = 1000
	r := model.NewRand(1)
	buf := make([]float64, n)
	var sink uint64
	b.Run("normal-call", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for range n {
				s += r.NormFloat64()
			}
		}
		perCoord(b, n)
		_ = s
	})
	b.Run("normals-inline", func(b *testing.B) {
		for b.Loop() {
			r.Normals(buf)
		}
		perCoord(b, n)
	})
	b.Run("floor-normals", func(b *testing.B) {
		for b.Loop() {
			sink ^= rng.FloorNormals(r, n)
		}
		perCoord(b, n)
	})
	b.Run("floor-indices", func(b *testing.B) {
		for b.Loop() {
			sink ^= rng.FloorIndices(r, n, n)
		}
		perCoord(b, n)
	})
	b.Run("intn-call", func(b *testing.B) {
		for b.Loop() {
			for j := range n {
				sink += uint64(r.IntN(j + 1))
			}
		}
		perCoord(b, n)
	})
	_ = sink
}

// BenchmarkKernels times the step kernels Figure 1 runs, per coordinate
// moved or per path, against BenchmarkSamplers' floors: rand-k on a sum of
// quartics with its gradient refresh (d = 1000, k = 500: per kept
// coordinate; floor one normal and one index) and the batched d = 1
// DSignSGD step with Cauchy noise (per path, over a block of 64 paths and
// over 1024: the per-call cost is negligible; floor two normals). 0
// allocs/op.
func BenchmarkKernels(b *testing.B) {
	b.Run("randk-quartic-k500", func(b *testing.B) {
		const d, k = 1000, 500
		f := objective.Homogeneous{Atom: objective.Quartic{}, D: d}
		sys := model.System{F: f, Method: update.DCSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 0.1}, Compressor: compress.RandK{K: k}}}}
		x, g := make([]float64, d), make([]float64, d)
		for j := range x {
			x[j] = 0.5
		}
		f.Grad(g, x)
		ws, r := model.NewWorkspace(d), model.NewRand(2)
		b.ReportAllocs()
		for b.Loop() {
			// A tiny step keeps x near its start over many iterations.
			if _, ok := sys.DiscreteStepGrad(x, g, 15, 1e-9, 1<<62, ws, r); !ok {
				b.Fatal("not the fused kernel")
			}
		}
		perCoord(b, k)
	})
	for _, n := range []int{64, 1024} {
		b.Run(fmt.Sprintf("sign-cauchy-%d-paths", n), func(b *testing.B) {
			signCauchyBench(b, n)
		})
	}
}

// signCauchyBench times DiscreteStepScalar's Cauchy sign step over n paths.
func signCauchyBench(b *testing.B, n int) {
	sys := model.System{F: objective.Homogeneous{Atom: objective.Quartic{}, D: 1}, Method: update.DSignSGD,
		Agents: []model.Agent{{Noise: noise.StudentT{Nu: 1, Scale: []float64{1}}}}}
	xs, gs, gn2s, hs := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	live, rs := make([]bool, n), make([]model.Rand, n)
	for p := range n {
		xs[p], gs[p], gn2s[p], hs[p], live[p] = 1, 1, 1, 1e-9, true
		rs[p].Seed(uint64(p))
	}
	ws := model.NewWorkspace(1)
	b.ReportAllocs()
	for b.Loop() {
		sys.DiscreteStepScalar(xs, gs, gn2s, hs, live, rs, ws)
	}
	perCoord(b, n)
}
