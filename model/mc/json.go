package mc

import "math"

// JSON has no NaN or infinity: results write a non-finite number as null
// and read null back as NaN. Finite and OrNaN are the two halves, shared by
// every JSON form of the engine's, the theorems' and the command line's
// results.

// Finite returns a pointer to x, or nil (JSON null) when x is NaN or
// infinite.
func Finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// OrNaN returns *p, or NaN when p is nil (JSON null).
func OrNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// Finites maps Finite over xs.
func Finites(xs []float64) []*float64 {
	out := make([]*float64, len(xs))
	for i, x := range xs {
		out[i] = Finite(x)
	}
	return out
}
