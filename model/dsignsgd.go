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
// agent whose noise has a batched sign step (signStepper: Gaussian, Cauchy),
// Step's draws and operations path by path.
func (dsignsgd) stepScalar(s System, xs, gs, gn2s, hs []float64, live []bool, rs []Rand) bool {
	if len(s.Agents) != 1 {
		return false
	}
	nz, ok := s.Agents[0].Noise.(signStepper)
	return ok && nz.signStepScalar(xs, gs, gn2s, hs, live, rs)
}

// signStepper is a Noise with a batched one-agent DSignSGD step in d = 1
// (gaussian.go; studentt.go for nu = 1): xs[p] -= hs[p] sign(gs[p] + Z_p)
// for the live paths, each Z_p drawn from rs[p] as Sample draws it. It
// reports false, doing nothing, for parameters it does not batch.
type signStepper interface {
	signStepScalar(xs, gs, gn2s, hs []float64, live []bool, rs []Rand) bool
}

// scalarSDE implements scalarSDEr: agents with E sign and Var sign in d =
// 1 (scalarSignMomenter: Gaussian, Student-t).
func (dsignsgd) scalarSDE(s System) bool {
	for _, a := range s.Agents {
		if _, ok := a.Noise.(scalarSignMomenter); !ok {
			return false
		}
	}
	return true
}

// scalarPrepare implements scalarSDEr: the agents' scalarSignMomenters.
func (dsignsgd) scalarPrepare(s System, ws *Workspace) {
	ws.sm = ws.sm[:0]
	for _, a := range s.Agents {
		ws.sm = append(ws.sm, a.Noise.(scalarSignMomenter))
	}
}

// scalarCoeffs implements scalarSDEr: (1/N) sum_i E sign(g_i) and
// sum_i Var sign(g_i), clamped at 0.
func (dsignsgd) scalarCoeffs(s System, grad []float64, gn2 float64, ws *Workspace) (drift, v float64) {
	var mean, vr float64
	for _, a := range ws.sm {
		m, v := a.signMoments1(grad[0], gn2)
		mean += m
		vr += v
	}
	return mean / float64(len(s.Agents)), math.Max(0, vr)
}
