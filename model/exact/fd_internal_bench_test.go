package exact

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSweep2 and BenchmarkSweepPlain time the finite differences'
// two-right-hand-side tridiagonal sweeps on 4800 nodes (BENCHMARKS.md):
// sweep2's four independent chains against the plain forward and back
// substitutions (TestSweep2 checks that they agree).
func BenchmarkSweep2(b *testing.B) {
	fa, u := sweepSystem(4800)
	b.ResetTimer()
	for b.Loop() {
		sweep2(u, len(fa.inv), fa.li, fa.inv, fa.cp, fa.ll, fa.cc)
	}
}

func BenchmarkSweepPlain(b *testing.B) {
	fa, u := sweepSystem(4800)
	n := len(fa.inv)
	b.ResetTimer()
	for b.Loop() {
		for i := 1; i < n; i++ {
			u[2*i] = u[2*i]*fa.inv[i] - fa.li[i]*u[2*(i-1)]
			u[2*i+1] = u[2*i+1]*fa.inv[i] - fa.li[i]*u[2*(i-1)+1]
		}
		for i := n - 2; i >= 0; i-- {
			u[2*i] -= fa.cp[i] * u[2*(i+1)]
			u[2*i+1] -= fa.cp[i] * u[2*(i+1)+1]
		}
	}
}

// sweepSystem is a diagonally dominant tridiagonal system of n rows,
// factored, and two right-hand sides interleaved.
func sweepSystem(n int) (tridiag, []float64) {
	r := rand.New(rand.NewPCG(1, 2))
	lower, diag, upper := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		if i > 0 {
			lower[i] = -r.Float64()
		}
		if i < n-1 {
			upper[i] = -r.Float64()
		}
		diag[i] = 1 - lower[i] - upper[i]
	}
	u := make([]float64, 2*n)
	for i := range u {
		u[i] = r.NormFloat64()
	}
	return factorTridiag(lower, diag, upper), u
}
