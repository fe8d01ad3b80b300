package update

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// DSGD is distributed SGD: x+ = x - eta eta_k (1/N) sum_i g_i(x). Its SDE
// (the paper's restatement of Thm 3.2 of its reference [7]) has drift
// grad f and covariance (1/N) sum_i Sigma_i, the agents' noise covariances.
var DSGD model.Method = dsgd{}

type dsgd struct{}

func init() {
	model.Register(model.Kind[dsgd, model.Method]{
		Name: "dsgd",
		Doc:  "Distributed SGD: x+ = x - eta eta_k (1/N) sum_i g_i, g_i = grad f + Z_i.",
		Draw: func(model.Drawer, model.DrawOptions) dsgd { return dsgd{} },
	})
}

func (dsgd) String() string                   { return "dsgd" }
func (dsgd) GradientDrift() bool              { return true }
func (dsgd) GaussianStep() bool               { return true }
func (dsgd) ValidateSDE(s model.System) error { return finiteVariance(s) }

func (m dsgd) ValidateAgent(prefix string, a model.Agent, _ int) error {
	return noCompressor(m, prefix, a)
}

// Step implements Method. With Gaussian noise on every agent it draws the
// average noise (1/N) sum_i Z_i directly, d normals instead of N d (the
// same law).
func (dsgd) Step(s model.System, x, grad []float64, gn2, h float64, ws *model.Workspace, r *model.Rand) {
	if a, b, ok := s.AverageNoiseAffine(); ok {
		sd := noiseStd(a, b, gn2)
		z := ws.Z[:len(grad)]
		r.Normals(z)
		for j, g := range grad {
			x[j] -= h * (g + sd*z[j])
		}
		return
	}
	n := float64(len(s.Agents))
	clear(ws.Acc)
	for _, a := range s.Agents {
		a.Noise.Sample(ws.Z, grad, gn2, r)
		for j, z := range ws.Z {
			ws.Acc[j] += z
		}
	}
	for j, g := range grad {
		x[j] -= h * (g + ws.Acc[j]/n)
	}
}

// Drift implements Method: grad f.
func (dsgd) Drift(_ model.System, dst, grad []float64, _ float64) { copy(dst, grad) }

// Diffuse implements Method: diag((1/N) sum_i Var Z_i)^{1/2} z.
func (dsgd) Diffuse(s model.System, dst, z, grad []float64, gn2 float64, ws *model.Workspace, _ *model.Rand, _ []float64) bool {
	n := float64(len(s.Agents))
	if v, ok := gaussianVar(s, gn2); ok {
		// Isotropic agents: one scale for every coordinate (the same
		// sums as below, once instead of d times).
		sd := math.Sqrt(v / n)
		for j := range grad {
			dst[j] = z[j] * sd
		}
		return false
	}
	clear(ws.Diag)
	for _, a := range s.Agents {
		a.Noise.AddVariance(ws.Diag, grad, gn2)
	}
	for j, v := range ws.Diag {
		dst[j] = z[j] * math.Sqrt(v/n)
	}
	return false
}

// stepScalar implements ScalarBatcher (System.DiscreteStepScalar): with
// Gaussian noise on every agent, Step's draws and operations path by path.
func (dsgd) StepScalar(s model.System, xs, gs, gn2s, hs []float64, live []bool, rs []model.Rand) bool {
	n := len(xs)
	gs, gn2s, hs, live, rs = gs[:n], gn2s[:n], hs[:n], live[:n], rs[:n]
	if a, b, ok := s.AverageNoiseAffine(); ok {
		for p := range xs {
			if !live[p] {
				continue
			}
			z := rs[p].NormFloat64()
			xs[p] -= hs[p] * (gs[p] + noiseStd(a, b, gn2s[p])*z)
		}
		return true
	}
	return false
}

// scalarSDE implements ScalarSDEr: Gaussian agents.
func (dsgd) ScalarSDE(s model.System) bool {
	for _, a := range s.Agents {
		if _, ok := a.Noise.(kit.GaussianLaw); !ok {
			return false
		}
	}
	return true
}

// scalarPrepare implements ScalarSDEr: the agents' (sigma0^2, sigma1^2).
func (dsgd) ScalarPrepare(s model.System, ws *model.Workspace) {
	ws.Aff = ws.Aff[:0]
	for _, a := range s.Agents {
		s0, s1 := a.Noise.(kit.GaussianLaw).AffineVariance()
		ws.Aff = append(ws.Aff, s0, s1)
	}
}

// scalarCoeffs implements ScalarSDEr: grad f and sum_i Var Z_i (Diffuse's
// sum, the same operations as Gaussian.variance).
func (dsgd) ScalarCoeffs(_ model.System, grad []float64, gn2 float64, ws *model.Workspace) (drift, v float64) {
	for i := 0; i+1 < len(ws.Aff); i += 2 {
		v += ws.Aff[i] + ws.Aff[i+1]*gn2
	}
	return grad[0], v
}

// CheckLaw1D implements Law1Der: every agent's noise normal in d = 1
// (Normal1Der; E g(x_k) under another law would need its moments, the SDE
// only its variance).
func (m dsgd) CheckLaw1D(s model.System) (bool, error) {
	for i, a := range s.Agents {
		if _, ok := a.Noise.(model.Normal1Der); !ok {
			return false, noLaw1D(m, fmt.Sprintf("agents[%d].noise", i), a.Noise, "normal noise (model.Normal1Der)")
		}
	}
	return false, nil
}

// Law1D implements Law1Der: x+ ~ N(x - h g, h^2 v/N^2), v the sum of the
// agents' variances.
func (dsgd) Law1D(s model.System, x, g, h float64, _ int, add func(w, mean, sd float64)) {
	var v float64
	for _, a := range s.Agents {
		v += a.Noise.(model.Normal1Der).Normal1D(g, g*g)
	}
	n := float64(len(s.Agents))
	add(1, x-h*g, h*math.Sqrt(v)/n)
}

// CheckSDE1D implements SDE1Der: the variance is every law's (ValidateSDE
// has checked that it is finite).
func (dsgd) CheckSDE1D(model.System) error { return nil }

// SDE1D implements SDE1Der: m = g, Sigma = (1/N) sum_i Var Z_i.
func (m dsgd) SDE1D(s model.System, g float64) (drift, sigma float64) {
	grad, dst := []float64{g}, []float64{0}
	m.Drift(s, dst, grad, g*g)
	for _, a := range s.Agents {
		sigma += noiseVar1D(a.Noise, g)
	}
	return dst[0], sigma / float64(len(s.Agents))
}

// stepDraws implements StepDrawer: d normals for the agents' average when
// every agent's noise is Gaussian (Step's fast path).
func (dsgd) StepDraws(s model.System) (normals, indices int, ok bool) {
	if _, _, ok := s.AverageNoiseAffine(); !ok {
		return 0, 0, false
	}
	return s.F.Dim(), 0, true
}

// AgentCompressor implements CompressedMeaner: DSGD sends every noisy
// gradient as it is.
func (dsgd) AgentCompressor(model.Agent) model.Compressor { return compress.Identity{} }
