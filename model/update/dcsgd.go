package update

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// DCSGD is distributed compressed SGD: x+ = x - eta eta_k (1/N) sum_i
// C_i(g_i(x)), with each agent's unbiased compressor C_i. Its SDE (the
// paper's restatement of Thm 3.6 of its reference [7]) has drift grad f
// and covariance (1/N) sum_i (E[Phi_i Phi_i^T] + Sigma_i), Phi_i the
// compression error.
var DCSGD model.Method = dcsgd{}

type dcsgd struct{}

func init() {
	model.Register(model.Kind[dcsgd, model.Method]{
		Name: "dcsgd",
		Doc:  "Distributed compressed SGD: x+ = x - eta eta_k (1/N) sum_i C_i(g_i), each agent's unbiased compressor C_i.",
		Draw: func(model.Drawer, model.DrawOptions) dcsgd { return dcsgd{} },
	})
}

func (dcsgd) String() string                   { return "dcsgd" }
func (dcsgd) NeedsCompressor() bool            { return true }
func (dcsgd) GradientDrift() bool              { return true }
func (dcsgd) NormalsApart() bool               { return true }
func (dcsgd) ValidateSDE(s model.System) error { return finiteVariance(s) }

// ValidateAgent implements Method: an unbiased compressor.
func (dcsgd) ValidateAgent(prefix string, a model.Agent, d int) error {
	c, ok := a.Compressor.(model.Unbiased)
	if !ok {
		return model.Invalid(prefix+".compressor", fmt.Sprintf("%T", a.Compressor), "dcsgd needs an unbiased compressor (model.Unbiased: omega and the error covariance)")
	}
	if err := c.Validate(d); err != nil {
		return model.Prefix(prefix+".compressor", err)
	}
	return nil
}

// Step implements Method. Sparsifying compressors with Gaussian noise draw
// noise only for the kept coordinates (sparseGaussian).
func (dcsgd) Step(s model.System, x, grad []float64, gn2, h float64, ws *model.Workspace, r *model.Rand) {
	if len(s.Agents) == 1 && sparseGaussian(s.Agents[0], grad, gn2, h, x, ws, r) {
		return // one agent: the sparse update went straight into x
	}
	n := float64(len(s.Agents))
	clear(ws.Acc)
	for _, a := range s.Agents {
		if sparseGaussian(a, grad, gn2, -1, ws.Acc, ws, r) {
			continue
		}
		a.Noise.Sample(ws.Z, grad, gn2, r)
		for j, g := range grad {
			ws.Z[j] += g
		}
		a.Compressor.Compress(ws.C, ws.Z, r)
		for j, c := range ws.C {
			ws.Acc[j] += c
		}
	}
	for j := range x {
		x[j] -= h * ws.Acc[j] / n
	}
}

// Drift implements Method: grad f (the compressors are unbiased).
func (dcsgd) Drift(_ model.System, dst, grad []float64, _ float64) { copy(dst, grad) }

// Diffuse implements Method (see System.Diffusion for the covariance and
// the QSGD mixture).
func (dcsgd) Diffuse(s model.System, dst, z, grad []float64, gn2 float64, ws *model.Workspace, r *model.Rand, _ []float64) bool {
	n := float64(len(s.Agents))
	if linearGaussian(s, len(grad)) {
		// Isotropic agents and linear compressors: the diagonal's
		// agent sum is one number (the same additions, in the same
		// order, as the general loop below does per coordinate).
		var sum, alpha, beta float64
		for _, a := range s.Agents {
			al, be, _ := a.Compressor.(model.Unbiased).Linear(len(grad))
			sum += (1 + al - be) * a.Noise.(kit.GaussianLaw).Variance(gn2)
			alpha += al
			beta += be
		}
		for j, g := range grad {
			ws.Diag[j] = (sum + alpha*g*g) / n
		}
		sampleDiagMinusRankOne(dst, ws.Diag[:len(grad)], grad, beta/n, z)
		return false
	}
	clear(ws.Diag)
	var alpha, beta float64
	mixture := false
	for _, a := range s.Agents {
		al, be, ok := a.Compressor.(model.Unbiased).Linear(len(grad))
		if !ok {
			mixture = true
			continue
		}
		clear(ws.Tmp)
		a.Noise.AddVariance(ws.Tmp, grad, gn2)
		for j, v := range ws.Tmp {
			ws.Diag[j] += (1 + al - be) * v
		}
		alpha += al
		beta += be
	}
	for j, g := range grad {
		ws.Diag[j] = (ws.Diag[j] + alpha*g*g) / n
	}
	sampleDiagMinusRankOne(dst, ws.Diag, grad, beta/n, z)
	if !mixture {
		return false
	}
	for _, a := range s.Agents {
		c := a.Compressor.(model.Unbiased)
		if _, _, ok := c.Linear(len(grad)); ok {
			continue
		}
		a.Noise.Sample(ws.Z, grad, gn2, r)
		for j, g := range grad {
			ws.Z[j] += g
		}
		c.ErrorCov(ws.Diag, ws.Z)
		clear(ws.Tmp)
		a.Noise.AddVariance(ws.Tmp, grad, gn2)
		for j := range dst {
			dst[j] += math.Sqrt((ws.Diag[j]+ws.Tmp[j])/n) * r.NormFloat64()
		}
	}
	return false
}

// stepGrad implements GradStepper (System.DiscreteStepGrad): one agent
// with Gaussian noise and a compressor that fuses its step with the
// gradient (rand-k), on a sum of quartics (Homogeneous{Quartic}, certified
// or not: Figure 1's centre), where only the kept coordinates move, so
// only their gradient changes.
func (dcsgd) StepGrad(s model.System, x, grad []float64, gn2, h float64, tb uint64, ws *model.Workspace, r *model.Rand) (over, ok bool) {
	if len(s.Agents) != 1 || h < 0 {
		return false, false
	}
	if cg, isC := model.Uncertified(s.F).(kit.CubeGradient); !isC || !cg.CubeGrad() {
		return false, false
	}
	g, isG := s.Agents[0].Noise.(kit.GaussianLaw)
	c, isK := s.Agents[0].Compressor.(kit.CubeStepper)
	if !isG || !isK {
		return false, false
	}
	return c.AddSparseGaussianCube(x, grad, -h, g.Std(gn2), tb, ws, r), true
}

// maxLaw1DAgents is the most agents DCSGD's exact law takes: it
// enumerates the 2^N sets of agents whose compressor keeps the coordinate.
const maxLaw1DAgents = 12

// CheckLaw1D implements Law1Der: every agent's noise normal (Normal1Der),
// its compressor a keep-or-drop law in d = 1 (Keeper1D), at most 12 agents.
func (m dcsgd) CheckLaw1D(s model.System) (bool, error) {
	for i, a := range s.Agents {
		if _, ok := a.Noise.(model.Normal1Der); !ok {
			return false, noLaw1D(m, fmt.Sprintf("agents[%d].noise", i), a.Noise, "normal noise (model.Normal1Der)")
		}
	}
	if err := m.CheckSDE1D(s); err != nil {
		return false, err
	}
	if n := len(s.Agents); n > maxLaw1DAgents {
		return false, model.Invalid("agents", n, fmt.Sprintf("the exact DCSGD kernel enumerates the 2^N kept sets: at most %d agents", maxLaw1DAgents))
	}
	return false, nil
}

// Law1D implements Law1Der: for every set S of agents whose compressor
// keeps the coordinate (probability prod p_i over S times prod (1 - p_i)
// off it), x+ ~ N(x - h g sum_S 1/p_i / N, h^2 sum_S v_i/p_i^2 / N^2).
func (dcsgd) Law1D(s model.System, x, g, h float64, _ int, add func(w, mean, sd float64)) {
	na := len(s.Agents)
	n := float64(na)
	for set := 0; set < 1<<na; set++ {
		pw, scale, v := 1.0, 0.0, 0.0
		for i, a := range s.Agents {
			p := a.Compressor.(model.Keeper1D).Keep1D()
			if set>>i&1 == 1 {
				pw *= p
				scale += 1 / p
				v += a.Noise.(model.Normal1Der).Normal1D(g, g*g) / (p * p)
			} else {
				pw *= 1 - p
			}
		}
		add(pw, x-h*g*scale/n, h*math.Sqrt(v)/n)
	}
}

// CheckSDE1D implements SDE1Der: every compressor a keep-or-drop law in
// d = 1 (Keeper1D).
func (m dcsgd) CheckSDE1D(s model.System) error {
	for i, a := range s.Agents {
		if _, ok := a.Compressor.(model.Keeper1D); !ok {
			return noLaw1D(m, fmt.Sprintf("agents[%d].compressor", i), a.Compressor, "a compressor that keeps or drops the coordinate (model.Keeper1D)")
		}
	}
	return nil
}

// SDE1D implements SDE1Der: m = g, Sigma = (1/N) sum_i (omega_i g^2 +
// (1 + omega_i) Var Z_i), omega_i = 1/p_i - 1.
func (m dcsgd) SDE1D(s model.System, g float64) (drift, sigma float64) {
	grad, dst := []float64{g}, []float64{0}
	m.Drift(s, dst, grad, g*g)
	for _, a := range s.Agents {
		p := a.Compressor.(model.Keeper1D).Keep1D()
		om := 1/p - 1
		sigma += om*g*g + (1+om)*noiseVar1D(a.Noise, g)
	}
	return dst[0], sigma / float64(len(s.Agents))
}

// stepDraws implements StepDrawer: one agent with Gaussian noise and a
// compressor that keeps a fixed number of coordinates (kit.SparseDrawer), a
// normal and an index for each.
func (dcsgd) StepDraws(s model.System) (normals, indices int, ok bool) {
	if len(s.Agents) != 1 {
		return 0, 0, false
	}
	_, isG := s.Agents[0].Noise.(kit.GaussianLaw)
	c, isS := s.Agents[0].Compressor.(kit.SparseDrawer)
	if !isG || !isS {
		return 0, 0, false
	}
	k := c.Kept(s.F.Dim())
	return k, k, true
}

// AgentCompressor implements CompressedMeaner: the agent's compressor.
func (dcsgd) AgentCompressor(a model.Agent) model.Compressor { return a.Compressor }
