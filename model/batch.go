package model

// DiscreteStepScalar applies DiscreteStep to the one-dimensional paths p
// with live[p] (d = 1): path p has state xs[p], gradient gs[p] with squared
// norm gn2s[p], step size hs[p] and stream rs[p]. Each path draws the same
// numbers in the same order and takes the same floating-point operations as
// DiscreteStep(xs[p:p+1], gs[p:p+1], gn2s[p], hs[p], ws, &rs[p]), so the
// results are bit-identical (tested); the loop over paths is hoisted out of
// the method and noise dispatch, and each path's stream is a value in rs
// (no pointer to chase).
// The fast cases are Figure 1's, each in its method's file (a
// ScalarBatcher): DSGD with Gaussian noise on every agent, and DSignSGD
// with one agent and Gaussian or Cauchy (Student-t, nu = 1) noise. Other
// systems step path by path through DiscreteStep.
func (s System) DiscreteStepScalar(xs, gs, gn2s, hs []float64, live []bool, rs []Rand, ws *Workspace) {
	n := len(xs)
	gs, gn2s, hs, live, rs = gs[:n], gn2s[:n], hs[:n], live[:n], rs[:n]
	if b, ok := s.Method.(ScalarBatcher); ok && b.StepScalar(s, xs, gs, gn2s, hs, live, rs) {
		return
	}
	for p := range xs {
		if live[p] {
			s.DiscreteStep(xs[p:p+1], gs[p:p+1], gn2s[p], hs[p], ws, &rs[p])
		}
	}
}

// ScalarBatcher is a Method with a fast DiscreteStepScalar for some
// systems: stepScalar steps every live path and reports true, or does
// nothing and reports false.
type ScalarBatcher interface {
	StepScalar(s System, xs, gs, gn2s, hs []float64, live []bool, rs []Rand) bool
}
