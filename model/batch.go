package model

// DiscreteStepScalar applies DiscreteStep to the one-dimensional paths p
// with live[p] (d = 1): path p has state xs[p], gradient gs[p] with squared
// norm gn2s[p], step size hs[p] and stream rs[p]. Each path draws the same
// numbers in the same order and takes the same floating-point operations as
// DiscreteStep(xs[p:p+1], gs[p:p+1], gn2s[p], hs[p], ws, &rs[p]), so the
// results are bit-identical (tested); the loop over paths is hoisted out of
// the method and noise dispatch, and each path's stream is a value in rs
// (no pointer to chase).
// The fast cases are Figure 1's: DSGD with Gaussian noise on every agent,
// and DSignSGD with one agent and Gaussian or Cauchy (Student-t, nu = 1)
// noise. Other systems step path by path through DiscreteStep.
func (s System) DiscreteStepScalar(xs, gs, gn2s, hs []float64, live []bool, rs []Rand, ws *Workspace) {
	n := len(xs)
	gs, gn2s, hs, live, rs = gs[:n], gn2s[:n], hs[:n], live[:n], rs[:n]
	switch {
	case s.Method == DSGD:
		if a, b, ok := s.AverageNoiseAffine(); ok {
			for p := range xs {
				if !live[p] {
					continue
				}
				z := rs[p].NormFloat64()
				xs[p] -= hs[p] * (gs[p] + noiseStd(a, b, gn2s[p])*z)
			}
			return
		}
	case s.Method == DSignSGD && len(s.Agents) == 1:
		switch nz := s.Agents[0].Noise.(type) {
		case StudentT:
			if nz.Nu != 1 {
				break
			}
			c := nz.scale(0)
			for p := range xs {
				if !live[p] {
					continue
				}
				// Two NormFloat64 draws with the stream's state in locals.
				r := &rs[p]
				st, u := r.next()
				z1, ok := zigFast(u)
				if !ok {
					st, z1 = r.normSlowAt(st, u)
				}
				st, u = st.next()
				z2, ok := zigFast(u)
				if !ok {
					st, z2 = r.normSlowAt(st, u)
				}
				r.xo = st
				xs[p] -= hs[p] * sign(gs[p]+c*(z1/z2))
			}
			return
		case Gaussian:
			for p := range xs {
				if !live[p] {
					continue
				}
				z := rs[p].NormFloat64()
				xs[p] -= hs[p] * sign(gs[p]+nz.Std(gn2s[p])*z)
			}
			return
		}
	}
	for p := range xs {
		if live[p] {
			s.DiscreteStep(xs[p:p+1], gs[p:p+1], gn2s[p], hs[p], ws, &rs[p])
		}
	}
}
