package model_test

import (
	"testing"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
)

const benchDim = 1000

func perCoord(b *testing.B, d int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(d), "ns/coord")
}

func BenchmarkGrad(b *testing.B) {
	mixed, _ := model.ObjectiveSpec{Kind: "separable", Atoms: func() []model.AtomSpec {
		a := make([]model.AtomSpec, benchDim)
		for j := range a {
			a[j] = model.AtomSpec{Kind: []string{"quartic", "cosh", "logcosh", "explinear"}[j%4], C: 2, A: 0.5}
		}
		return a
	}()}.Build()
	rot, _ := model.ObjectiveSpec{Kind: "separable", Dim: 100, Atom: &model.AtomSpec{Kind: "quartic"}, Shift: make([]float64, 100), RotationSeed: 3}.Build()
	cases := []struct {
		name string
		f    model.Objective
	}{
		{"quartic-sum", model.Homogeneous{Atom: model.Quartic{}, D: benchDim}},
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
		{"gaussian", model.Gaussian{Sigma0: 0.1, Sigma1: 1}},
		{"cauchy", model.StudentT{Nu: 1, Scale: []float64{1}}},
		{"student-t-3", model.StudentT{Nu: 3, Scale: []float64{1}}},
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
		{"bernoulli-0.5", model.Bernoulli{P: 0.5}},
		{"randk-200", model.RandK{K: 200}},
		{"qsgd-4", model.QSGD{S: 4}},
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
