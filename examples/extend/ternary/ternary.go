// Package ternary adds TernGrad's ternary compressor (Wen et al. 2017) to
// sdeverify: with M = ||v||_inf,
//
//	C(v)_j = M sign(v_j) b_j,  b_j ~ Bernoulli(|v_j|/M) independently,
//
// so E C(v) = v and the error is diagonal, Var C_j = M |v_j| - v_j^2. Its
// omega: E||C(v) - v||^2 = M ||v||_1 - ||v||^2 <= (sqrt(d) - 1) ||v||^2,
// since M ||v||_1 <= ||v||_2 sqrt(d) ||v||_2.
//
// Importing the package registers the kind "ternary"; a configuration
// names it as {"kind": "ternary"} (it has no parameters).
package ternary

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
)

func init() {
	model.Register(model.Kind[Ternary, model.Compressor]{
		Name: "ternary",
		Doc:  "TernGrad's ternary compressor: C(v)_j = ||v||_inf sign(v_j) b_j with b_j ~ Bernoulli(|v_j|/||v||_inf); omega = sqrt(d) - 1.",
		Draw: func(model.Drawer, model.DrawOptions) Ternary { return Ternary{} },
	})
}

var _ model.Unbiased = Ternary{}

// Ternary is TernGrad's compressor. It has no parameters.
type Ternary struct{}

func maxAbs(v []float64) float64 {
	var m float64
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// Compress implements model.Compressor.
func (Ternary) Compress(dst, v []float64, r *model.Rand) {
	m := maxAbs(v)
	for j, x := range v {
		dst[j] = 0
		if m > 0 && r.Float64()*m < math.Abs(x) {
			dst[j] = math.Copysign(m, x)
		}
	}
}

// Omega implements model.Unbiased: sqrt(d) - 1.
func (Ternary) Omega(d int) float64 { return math.Sqrt(float64(d)) - 1 }

// ErrorCov implements model.Unbiased: diag M |v_j| - v_j^2, beta 0.
func (Ternary) ErrorCov(diag, v []float64) float64 {
	m := maxAbs(v)
	for j, x := range v {
		diag[j] = math.Max(0, m*math.Abs(x)-x*x)
	}
	return 0
}

// Linear implements model.Unbiased: D(v) is not proportional to v^2.
func (Ternary) Linear(int) (alpha, beta float64, ok bool) { return 0, 0, false }

// Validate implements model.Compressor.
func (Ternary) Validate(int) error { return nil }
