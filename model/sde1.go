package model

import "math"

// ScalarSDEr is a Method with a one-dimensional SDE path (sdeStep1) for
// some systems (model/update: dsgd.go, Gaussian agents; dsignsgd.go, agents with a
// one-pass E sign and Var sign).
type ScalarSDEr interface {
	// scalarSDE reports whether the path takes s's agents.
	ScalarSDE(s System) bool
	// scalarPrepare readies ws for scalarCoeffs on s, once per step (the
	// agents' capabilities or constants, so that the substeps assert
	// nothing).
	ScalarPrepare(s System, ws *Workspace)
	// scalarCoeffs returns, in d = 1 at gradient grad[0] with gn2 =
	// grad[0]^2, the SDE's drift m(x) and N times its variance, with the
	// same operations in the same order as the method's Drift and Diffuse.
	ScalarCoeffs(s System, grad []float64, gn2 float64, ws *Workspace) (drift, v float64)
}

// scalarSDE reports whether SDEStep may take the one-dimensional path
// sdeStep1: d = 1, a method with the path for these agents (ScalarSDEr),
// and no perturbation.
func (s System) scalarSDE(d int, in Integrator) bool {
	if d != 1 || in.Perturb != (Perturbation{}) {
		return false
	}
	m, ok := s.Method.(ScalarSDEr)
	return ok && m.ScalarSDE(s)
}

// sdeStep1 is SDEStep in one dimension (see scalarSDE): the same draws and
// the same floating-point operations in the same order, so the same bits
// (TestSDEStep1IsSDEStep), on scalars instead of one-element slices and
// without the general path's loops over d: about half its cost per substep on Figure 1's right panel (the suite's largest
// SDE ensemble, 85 million substeps at the small scale).
func (s System) sdeStep1(x, grad []float64, gn2, eta, rate float64, in Integrator, ws *Workspace, r *Rand) SDEStepResult {
	var res SDEStepResult
	n := float64(len(s.Agents))
	z := ws.DW[:1]
	remaining := eta
	m := s.Method.(ScalarSDEr) // one assertion per step
	m.ScalarPrepare(s, ws)
	for remaining > 0 {
		h, capped := s.substep(x, gn2, eta, rate, remaining, in)
		res.Capped = res.Capped || capped
		r.Normals(z)
		drift, v := m.ScalarCoeffs(s, grad, gn2, ws)
		dw := z[0] * math.Sqrt(v/n)
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
