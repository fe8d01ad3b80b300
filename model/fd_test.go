package model_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/gen"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
)

// TestFiniteDifferences compares Grad with central differences of Value and
// HessNorm with the operator norm of the central-difference Jacobian of Grad,
// on 300 generated objectives of dimension <= 12 at points within distance 2
// of the minimiser. Central differences with gonum's default step (~6e-6)
// have truncation error ~h^2 |f_xxx| and rounding error ~1e-16 |f| / h; on
// these points both are below 1e-7 relative, so the tolerance 1e-5 (absolute
// or relative) is loose for correct code and tight for a wrong derivative.
// Deterministic: no false-alarm probability.
func TestFiniteDifferences(t *testing.T) {
	t.Parallel()
	const tol = 1e-5
	central := &fd.Settings{Formula: fd.Central}
	for i := range 300 {
		rng := rand.New(rand.NewPCG(uint64(i), 11))
		s := gen.Objective(gen.RandDrawer{R: rng}, gen.Options{MaxDim: 12, MaxRotateDim: 12})
		f, err := s.Build()
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		d := f.Dim()
		x := make([]float64, d)
		f.Minimizer(x)
		for j := range x {
			x[j] += 2 * rng.Float64() * rng.NormFloat64() / math.Sqrt(float64(d))
		}
		g := make([]float64, d)
		f.Grad(g, x)
		gfd := fd.Gradient(nil, f.Value, x, central)
		for j := range g {
			if !scalar.EqualWithinAbsOrRel(g[j], gfd[j], tol, tol) {
				t.Fatalf("case %d (%s, d=%d): grad[%d] = %v, finite difference %v", i, s.Kind, d, j, g[j], gfd[j])
			}
		}
		jac := mat.NewDense(d, d, nil)
		fd.Jacobian(jac, f.Grad, x, &fd.JacobianSettings{Formula: fd.Central})
		sym := mat.NewSymDense(d, nil)
		for a := range d {
			for b := a; b < d; b++ {
				sym.SetSym(a, b, (jac.At(a, b)+jac.At(b, a))/2)
			}
		}
		var eig mat.EigenSym
		if !eig.Factorize(sym, false) {
			t.Fatalf("case %d: eigen failed", i)
		}
		var want float64
		for _, v := range eig.Values(nil) {
			want = math.Max(want, math.Abs(v))
		}
		if got := f.HessNorm(x); !scalar.EqualWithinAbsOrRel(got, want, tol, tol) {
			t.Fatalf("case %d (%s, d=%d): HessNorm = %v, finite difference %v", i, s.Kind, d, got, want)
		}
	}
}

// TestCurvMatchesEval: every atom's Curv is Eval's h_xx to the bit (HessNorm
// uses it at every SDE substep; the runs must not change).
func TestCurvMatchesEval(t *testing.T) {
	t.Parallel()
	atoms := []model.Atom{objective.Quartic{}, objective.Power{P: 2.7}, objective.Cosh{}, objective.LogCosh{}, objective.Square{}, objective.ExpLinear{},
		model.Scaled{Atom: objective.LogCosh{}, C: 1.7, A: -2.3}, model.Scaled{Atom: model.Scaled{Atom: objective.Cosh{}, C: 2, A: 0.5}, C: 0.3, A: 3}}
	for _, a := range atoms {
		c, ok := a.(interface{ Curv(float64) float64 })
		require.Truef(t, ok, "%T has no Curv", a)
		for _, x := range []float64{-30, -2.5, -1, -1e-3, 0, 1e-7, 0.4, 1, 3.3, 20} {
			_, _, d2 := a.Eval(x)
			require.Equalf(t, math.Float64bits(d2), math.Float64bits(c.Curv(x)), "%T at %v", a, x)
		}
	}
}
