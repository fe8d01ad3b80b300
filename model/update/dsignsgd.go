package update

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// DSignSGD is distributed SignSGD: x+ = x - eta eta_k (1/N) sum_i
// sign(g_i(x)), coordinate-wise. Its SDE (the paper's restatement of Thm
// 3.10 of its reference [7], eq. 49) has drift (1/N) sum_i E sign(g_i) and
// diagonal covariance (1/N) sum_i Var sign(g_ij); the sign is bounded, so
// the SDE exists for noise of any tails.
var DSignSGD model.Method = dsignsgd{}

type dsignsgd struct{}

func init() {
	model.Register(model.Kind[dsignsgd, model.Method]{
		Name: "dsignsgd",
		Doc:  "Distributed SignSGD: x+ = x - eta eta_k (1/N) sum_i sign(g_i), coordinate-wise.",
		Draw: func(model.Drawer, model.DrawOptions) dsignsgd { return dsignsgd{} },
	})
}

func (dsignsgd) String() string                 { return "dsignsgd" }
func (dsignsgd) ValidateSDE(model.System) error { return nil }

func (m dsignsgd) ValidateAgent(prefix string, a model.Agent, _ int) error {
	return noCompressor(m, prefix, a)
}

// Step implements Method.
func (dsignsgd) Step(s model.System, x, grad []float64, gn2, h float64, ws *model.Workspace, r *model.Rand) {
	if len(s.Agents) == 1 {
		// One agent: update x directly (same draws, no accumulator).
		s.Agents[0].Noise.Sample(ws.Z, grad, gn2, r)
		for j, g := range grad {
			x[j] -= h * kit.Sign(g+ws.Z[j])
		}
		return
	}
	n := float64(len(s.Agents))
	clear(ws.Acc)
	for _, a := range s.Agents {
		a.Noise.Sample(ws.Z, grad, gn2, r)
		for j, g := range grad {
			ws.Acc[j] += kit.Sign(g + ws.Z[j])
		}
	}
	for j := range x {
		x[j] -= h * ws.Acc[j] / n
	}
}

// Drift implements Method: (1/N) sum_i E sign(g_i) (eq. 49).
func (dsignsgd) Drift(s model.System, dst, grad []float64, gn2 float64) {
	clear(dst)
	for _, a := range s.Agents {
		a.Noise.AddSignMean(dst, grad, gn2)
	}
	divideBy(dst, float64(len(s.Agents)))
}

// Diffuse implements Method; with drift not nil it writes the drift too
// (the same additions in the same order as Drift) from the same
// evaluations of E sign.
func (dsignsgd) Diffuse(s model.System, dst, z, grad []float64, gn2 float64, ws *model.Workspace, _ *model.Rand, drift []float64) bool {
	n := float64(len(s.Agents))
	clear(ws.Diag)
	if drift != nil {
		clear(drift)
	}
	for _, a := range s.Agents {
		if sm, ok := a.Noise.(kit.SignMomenter); ok && drift != nil {
			sm.AddSignMoments(drift, ws.Diag, grad, gn2)
			continue
		}
		if drift != nil {
			a.Noise.AddSignMean(drift, grad, gn2)
		}
		a.Noise.AddSignVar(ws.Diag, grad, gn2)
	}
	for j, v := range ws.Diag {
		dst[j] = z[j] * math.Sqrt(math.Max(0, v)/n)
	}
	if drift != nil {
		divideBy(drift, n)
		return true
	}
	return false
}

// stepScalar implements ScalarBatcher (System.DiscreteStepScalar): one
// agent whose noise has a batched sign step (signStepper: Gaussian, Cauchy),
// Step's draws and operations path by path.
func (dsignsgd) StepScalar(s model.System, xs, gs, gn2s, hs []float64, live []bool, rs []model.Rand) bool {
	if len(s.Agents) != 1 {
		return false
	}
	nz, ok := s.Agents[0].Noise.(kit.SignStepper)
	return ok && nz.SignStepScalar(xs, gs, gn2s, hs, live, rs)
}

// scalarSDE implements ScalarSDEr: agents with E sign and Var sign in d =
// 1 (kit.ScalarSignMomenter: Gaussian, Student-t).
func (dsignsgd) ScalarSDE(s model.System) bool {
	for _, a := range s.Agents {
		if _, ok := a.Noise.(kit.ScalarSignMomenter); !ok {
			return false
		}
	}
	return true
}

// scalarPrepare implements ScalarSDEr: the agents' scalarSignMomenters.
func (dsignsgd) ScalarPrepare(s model.System, ws *model.Workspace) {
	ws.SM = ws.SM[:0]
	for _, a := range s.Agents {
		ws.SM = append(ws.SM, a.Noise.(kit.ScalarSignMomenter))
	}
}

// scalarCoeffs implements ScalarSDEr: (1/N) sum_i E sign(g_i) and
// sum_i Var sign(g_i), clamped at 0.
func (dsignsgd) ScalarCoeffs(s model.System, grad []float64, gn2 float64, ws *model.Workspace) (drift, v float64) {
	var mean, vr float64
	for _, a := range ws.SM {
		m, v := a.SignMoments1(grad[0], gn2)
		mean += m
		vr += v
	}
	return mean / float64(len(s.Agents)), math.Max(0, vr)
}

// CheckLaw1D implements Law1Der: every agent's noise with a scale at
// grad f = 0 (Width1D).
func (m dsignsgd) CheckLaw1D(s model.System) (bool, error) {
	_, err := m.Width1D(s)
	return false, err
}

// Law1D implements Law1Der: x+ = x - h S/N with S the sum of the agents'
// signs (signSum), point masses on the lattice x - h j/N.
func (dsignsgd) Law1D(s model.System, x, g, h float64, _ int, add func(w, mean, sd float64)) {
	na := len(s.Agents)
	n := float64(na)
	for k, pk := range signSum(s, g) {
		add(pk, x-h*float64(k-na)/n, 0)
	}
}

// signSum returns the law of the sum of the agents' signs at gradient gx
// (index s + N for the sum s), by dynamic programming over the agents;
// sign(0) = 0.
func signSum(sys model.System, gx float64) []float64 {
	na := len(sys.Agents)
	g := []float64{gx}
	dist := make([]float64, 2*na+1)
	dist[na] = 1
	m, vs := []float64{0}, []float64{0}
	for _, a := range sys.Agents {
		m[0], vs[0] = 0, 0
		a.Noise.AddSignMean(m, g, gx*gx)
		a.Noise.AddSignVar(vs, g, gx*gx)
		var pp, p0, pm float64
		if vs[0] == 0 { // deterministic sign, sign(0) = 0
			switch {
			case gx > 0:
				pp = 1
			case gx < 0:
				pm = 1
			default:
				p0 = 1
			}
		} else {
			pp, pm = (1+m[0])/2, (1-m[0])/2
		}
		next := make([]float64, len(dist))
		for s, ps := range dist {
			if ps == 0 {
				continue
			}
			if s+1 < len(dist) {
				next[s+1] += ps * pp
			}
			if s > 0 {
				next[s-1] += ps * pm
			}
			next[s] += ps * p0
		}
		dist = next
	}
	return dist
}

// Lattice1D implements Lattice1Der: a mean of N signs is a multiple of 1/N.
func (dsignsgd) Lattice1D(s model.System) int { return len(s.Agents) }

// Width1D implements Width1Der: the sign probabilities change over the
// agents' smallest noise scale at grad f = 0 (ZeroScaler).
func (m dsignsgd) Width1D(s model.System) (float64, error) {
	smin := math.Inf(1)
	for i, a := range s.Agents {
		z, ok := a.Noise.(model.ZeroScaler)
		if !ok {
			return 0, noLaw1D(m, fmt.Sprintf("agents[%d].noise", i), a.Noise, "the noise's scale at grad f = 0 (model.ZeroScaler), over which the sign probabilities change")
		}
		smin = math.Min(smin, z.ZeroScale())
	}
	return smin, nil
}

// UpdateBound implements UpdateBounder: a mean of signs.
func (dsignsgd) UpdateBound(model.System) float64 { return 1 }

// CheckSDE1D implements SDE1Der: E sign and Var sign are every law's.
func (dsignsgd) CheckSDE1D(model.System) error { return nil }

// SDE1D implements SDE1Der: m = (1/N) sum_i E sign(g_i) (Drift), Sigma =
// (1/N) sum_i Var sign(g_i), clamped at 0.
func (m dsignsgd) SDE1D(s model.System, g float64) (drift, sigma float64) {
	grad, dst := []float64{g}, []float64{0}
	m.Drift(s, dst, grad, g*g)
	v := []float64{0}
	for _, a := range s.Agents {
		a.Noise.AddSignVar(v, grad, g*g)
	}
	return dst[0], math.Max(0, v[0]) / float64(len(s.Agents))
}

// stepDraws implements StepDrawer: one agent whose noise draws only
// normals (kit.NormalDrawer).
func (dsignsgd) StepDraws(s model.System) (normals, indices int, ok bool) {
	if len(s.Agents) != 1 {
		return 0, 0, false
	}
	nd, isN := s.Agents[0].Noise.(kit.NormalDrawer)
	if !isN || nd.NormalsPerCoord() == 0 {
		return 0, 0, false
	}
	return s.F.Dim() * nd.NormalsPerCoord(), 0, true
}
