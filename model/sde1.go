package model

import "math"

// scalarSDE reports whether SDEStep may take the one-dimensional path
// sdeStep1: d = 1, DSGD with Gaussian agents or DSignSGD with Gaussian and
// Student-t agents, and no perturbation.
func (s System) scalarSDE(d int, in Integrator) bool {
	if d != 1 || in.Perturb != (Perturbation{}) {
		return false
	}
	switch s.Method {
	case DSGD:
		for _, a := range s.Agents {
			if _, ok := a.Noise.(Gaussian); !ok {
				return false
			}
		}
		return true
	case DSignSGD:
		for _, a := range s.Agents {
			switch a.Noise.(type) {
			case Gaussian, StudentT:
			default:
				return false
			}
		}
		return true
	}
	return false
}

// sdeStep1 is SDEStep in one dimension (see scalarSDE): the same draws and
// the same floating-point operations in the same order, so the same bits
// (TestSDEStep1IsSDEStep), on scalars instead of one-element slices and
// without the per-substep interface assertions of the general path: about
// half its cost per substep on Figure 1's right panel (the suite's largest
// SDE ensemble, 85 million substeps at the small scale).
func (s System) sdeStep1(x, grad []float64, gn2, eta, rate float64, in Integrator, ws *Workspace, r *Rand) SDEStepResult {
	var res SDEStepResult
	n := float64(len(s.Agents))
	z := ws.dw[:1]
	remaining := eta
	isDSGD := s.Method == DSGD // an interface comparison, once per step
	for remaining > 0 {
		h, capped := s.substep(x, gn2, eta, rate, remaining, in)
		res.Capped = res.Capped || capped
		r.Normals(z)
		g := grad[0]
		var drift, dw float64
		if isDSGD {
			var v float64
			for _, a := range s.Agents {
				gs := a.Noise.(Gaussian)
				v += gs.Sigma0*gs.Sigma0 + gs.Sigma1*gs.Sigma1*gn2
			}
			dw = z[0] * math.Sqrt(v/n)
			drift = g
		} else {
			var mean, vr float64
			for _, a := range s.Agents {
				switch nz := a.Noise.(type) {
				case StudentT:
					c := nz.scale(0)
					if c == 0 {
						mean += sign(g)
						continue
					}
					m := 2 * Xi(nz.Nu, g/c)
					mean += m
					vr += 1 - m*m
				case Gaussian:
					sd := nz.Std(gn2)
					if sd == 0 {
						mean += sign(g)
						continue
					}
					m := math.Erf(g * (1 / (math.Sqrt2 * sd)))
					mean += m
					vr += 1 - m*m
				}
			}
			dw = z[0] * math.Sqrt(math.Max(0, vr)/n)
			drift = mean / n
		}
		gn2Start := gn2
		tame := 1.0
		if in.Scheme == TamedEuler {
			tame = 1 / (1 + h*rate*math.Sqrt(drift*drift))
		}
		sd := math.Sqrt(h*eta/n) * rate
		x[0] -= rate*h*tame*drift + sd*dw
		s.F.Grad(grad, x)
		gn2 = grad[0] * grad[0]
		res.add(h, rate, gn2Start, gn2)
		remaining -= h
		if math.IsNaN(gn2) || math.IsInf(gn2, 0) {
			break
		}
	}
	res.GradNorm2 = gn2
	return res
}
