package model

// An Objective is a twice-differentiable f: R^d -> R, bounded below, with a
// claimed (L0,L1) certificate.
//
// Grad, Value and HessNorm are called in the per-step loop: they must not
// allocate (combinators that need scratch take it from a sync.Pool, which
// does not allocate in steady state).
type Objective interface {
	Dim() int
	Value(x []float64) float64
	// Grad writes grad f(x) into dst (len Dim).
	Grad(dst, x []float64)
	// HessNorm returns ||Hess f(x)||_op.
	HessNorm(x []float64) float64
	// Inf returns f* = inf f.
	Inf() float64
	// Minimizer writes a point where f attains f* into dst.
	Minimizer(dst []float64)
	// Certificate returns the (L0,L1) pair the code claims for f.
	Certificate() Certificate
	Validate() error
}

// BatchGrader is implemented by objectives that compute the gradients of many
// points in one call: xs holds n points of dimension Dim() back to back, and
// dst receives their gradients in the same layout. GradBatch computes the
// gradient of every point, whichever way it is implemented.
type BatchGrader interface {
	GradBatch(dst, xs []float64)
}

// GradBatch writes the gradients of the points in xs (back to back) into
// dst, in one call when f is a BatchGrader.
func GradBatch(f Objective, dst, xs []float64) {
	if b, ok := f.(BatchGrader); ok {
		b.GradBatch(dst, xs)
		return
	}
	d := f.Dim()
	for i := 0; i < len(xs); i += d {
		f.Grad(dst[i:i+d], xs[i:i+d])
	}
}

// BatchValuer is implemented by objectives that compute the values at many
// points in one call: xs holds n points back to back, dst receives n values.
type BatchValuer interface {
	ValueBatch(dst, xs []float64)
}

// ValueBatch writes f's values at the points in xs (back to back, Dim()
// coordinates each) into dst, in one call when f is a BatchValuer; the
// same values as Value point by point.
func ValueBatch(f Objective, dst, xs []float64) {
	if b, ok := f.(BatchValuer); ok {
		b.ValueBatch(dst, xs)
		return
	}
	d := f.Dim()
	for i := 0; i < len(xs)/d; i++ {
		dst[i] = f.Value(xs[i*d : (i+1)*d])
	}
}
