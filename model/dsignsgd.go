package model

import "math"

// DSignSGD is distributed SignSGD: x+ = x - eta eta_k (1/N) sum_i
// sign(g_i(x)), coordinate-wise. Its SDE (the paper's restatement of Thm
// 3.10 of its reference [7], eq. 49) has drift (1/N) sum_i E sign(g_i) and
// diagonal covariance (1/N) sum_i Var sign(g_ij); the sign is bounded, so
// the SDE exists for noise of any tails.
var DSignSGD Method = dsignsgd{}

type dsignsgd struct{}

func init() {
	Register(Kind[dsignsgd, Method]{
		Name: "dsignsgd",
		Doc:  "Distributed SignSGD: x+ = x - eta eta_k (1/N) sum_i sign(g_i), coordinate-wise.",
		Draw: func(Drawer, DrawOptions) dsignsgd { return dsignsgd{} },
	})
}

func (dsignsgd) String() string           { return "dsignsgd" }
func (dsignsgd) ValidateSDE(System) error { return nil }

func (m dsignsgd) ValidateAgent(prefix string, a Agent, _ int) error {
	return noCompressor(m, prefix, a)
}

// Step implements Method.
func (dsignsgd) Step(s System, x, grad []float64, gn2, h float64, ws *Workspace, r *Rand) {
	if len(s.Agents) == 1 {
		// One agent: update x directly (same draws, no accumulator).
		s.Agents[0].Noise.Sample(ws.z, grad, gn2, r)
		for j, g := range grad {
			x[j] -= h * sign(g+ws.z[j])
		}
		return
	}
	n := float64(len(s.Agents))
	clear(ws.acc)
	for _, a := range s.Agents {
		a.Noise.Sample(ws.z, grad, gn2, r)
		for j, g := range grad {
			ws.acc[j] += sign(g + ws.z[j])
		}
	}
	for j := range x {
		x[j] -= h * ws.acc[j] / n
	}
}

// Drift implements Method: (1/N) sum_i E sign(g_i) (eq. 49).
func (dsignsgd) Drift(s System, dst, grad []float64, gn2 float64) {
	clear(dst)
	for _, a := range s.Agents {
		a.Noise.AddSignMean(dst, grad, gn2)
	}
	divideBy(dst, float64(len(s.Agents)))
}

// Diffuse implements Method; with drift not nil it writes the drift too
// (the same additions in the same order as Drift) from the same
// evaluations of E sign.
func (dsignsgd) Diffuse(s System, dst, z, grad []float64, gn2 float64, ws *Workspace, _ *Rand, drift []float64) bool {
	n := float64(len(s.Agents))
	clear(ws.diag)
	if drift != nil {
		clear(drift)
	}
	for _, a := range s.Agents {
		if sm, ok := a.Noise.(signMomenter); ok && drift != nil {
			sm.addSignMoments(drift, ws.diag, grad, gn2)
			continue
		}
		if drift != nil {
			a.Noise.AddSignMean(drift, grad, gn2)
		}
		a.Noise.AddSignVar(ws.diag, grad, gn2)
	}
	for j, v := range ws.diag {
		dst[j] = z[j] * math.Sqrt(math.Max(0, v)/n)
	}
	if drift != nil {
		divideBy(drift, n)
		return true
	}
	return false
}

// stepScalar implements scalarBatcher (System.DiscreteStepScalar): one
// agent with Gaussian or Cauchy (Student-t, nu = 1) noise, Step's draws and
// operations path by path.
func (dsignsgd) stepScalar(s System, xs, gs, gn2s, hs []float64, live []bool, rs []Rand) bool {
	n := len(xs)
	gs, gn2s, hs, live, rs = gs[:n], gn2s[:n], hs[:n], live[:n], rs[:n]
	if len(s.Agents) != 1 {
		return false
	}
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
		return true
	case Gaussian:
		for p := range xs {
			if !live[p] {
				continue
			}
			z := rs[p].NormFloat64()
			xs[p] -= hs[p] * sign(gs[p]+nz.Std(gn2s[p])*z)
		}
		return true
	}
	return false
}
