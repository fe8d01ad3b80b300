package model

import (
	"fmt"
	"math"
)

// DCSGD is distributed compressed SGD: x+ = x - eta eta_k (1/N) sum_i
// C_i(g_i(x)), with each agent's unbiased compressor C_i. Its SDE (the
// paper's restatement of Thm 3.6 of its reference [7]) has drift grad f
// and covariance (1/N) sum_i (E[Phi_i Phi_i^T] + Sigma_i), Phi_i the
// compression error.
var DCSGD Method = dcsgd{}

type dcsgd struct{}

func init() {
	Register(Kind[dcsgd, Method]{
		Name: "dcsgd",
		Doc:  "Distributed compressed SGD: x+ = x - eta eta_k (1/N) sum_i C_i(g_i), each agent's unbiased compressor C_i.",
		Draw: func(Drawer, DrawOptions) dcsgd { return dcsgd{} },
	})
}

func (dcsgd) String() string             { return "dcsgd" }
func (dcsgd) needsCompressor() bool      { return true }
func (dcsgd) gradientDrift() bool        { return true }
func (dcsgd) normalsApart() bool         { return true }
func (dcsgd) ValidateSDE(s System) error { return finiteVariance(s) }

// ValidateAgent implements Method: an unbiased compressor.
func (dcsgd) ValidateAgent(prefix string, a Agent, d int) error {
	c, ok := a.Compressor.(Unbiased)
	if !ok {
		return Invalid(prefix+".compressor", fmt.Sprintf("%T", a.Compressor), "dcsgd needs an unbiased compressor (model.Unbiased: omega and the error covariance)")
	}
	if err := c.Validate(d); err != nil {
		return Prefix(prefix+".compressor", err)
	}
	return nil
}

// Step implements Method. Sparsifying compressors with Gaussian noise draw
// noise only for the kept coordinates (sparseGaussian).
func (dcsgd) Step(s System, x, grad []float64, gn2, h float64, ws *Workspace, r *Rand) {
	if len(s.Agents) == 1 && sparseGaussian(s.Agents[0], grad, gn2, h, x, ws, r) {
		return // one agent: the sparse update went straight into x
	}
	n := float64(len(s.Agents))
	clear(ws.acc)
	for _, a := range s.Agents {
		if sparseGaussian(a, grad, gn2, -1, ws.acc, ws, r) {
			continue
		}
		a.Noise.Sample(ws.z, grad, gn2, r)
		for j, g := range grad {
			ws.z[j] += g
		}
		a.Compressor.Compress(ws.c, ws.z, r)
		for j, c := range ws.c {
			ws.acc[j] += c
		}
	}
	for j := range x {
		x[j] -= h * ws.acc[j] / n
	}
}

// Drift implements Method: grad f (the compressors are unbiased).
func (dcsgd) Drift(_ System, dst, grad []float64, _ float64) { copy(dst, grad) }

// Diffuse implements Method (see System.Diffusion for the covariance and
// the QSGD mixture).
func (dcsgd) Diffuse(s System, dst, z, grad []float64, gn2 float64, ws *Workspace, r *Rand, _ []float64) bool {
	n := float64(len(s.Agents))
	if s.linearGaussian(len(grad)) {
		// Isotropic agents and linear compressors: the diagonal's
		// agent sum is one number (the same additions, in the same
		// order, as the general loop below does per coordinate).
		var sum, alpha, beta float64
		for _, a := range s.Agents {
			al, be, _ := a.Compressor.(Unbiased).Linear(len(grad))
			sum += (1 + al - be) * a.Noise.(gaussianLaw).variance(gn2)
			alpha += al
			beta += be
		}
		for j, g := range grad {
			ws.diag[j] = (sum + alpha*g*g) / n
		}
		SampleDiagMinusRankOne(dst, ws.diag[:len(grad)], grad, beta/n, z)
		return false
	}
	clear(ws.diag)
	var alpha, beta float64
	mixture := false
	for _, a := range s.Agents {
		al, be, ok := a.Compressor.(Unbiased).Linear(len(grad))
		if !ok {
			mixture = true
			continue
		}
		clear(ws.tmp)
		a.Noise.AddVariance(ws.tmp, grad, gn2)
		for j, v := range ws.tmp {
			ws.diag[j] += (1 + al - be) * v
		}
		alpha += al
		beta += be
	}
	for j, g := range grad {
		ws.diag[j] = (ws.diag[j] + alpha*g*g) / n
	}
	SampleDiagMinusRankOne(dst, ws.diag, grad, beta/n, z)
	if !mixture {
		return false
	}
	for _, a := range s.Agents {
		c := a.Compressor.(Unbiased)
		if _, _, ok := c.Linear(len(grad)); ok {
			continue
		}
		a.Noise.Sample(ws.z, grad, gn2, r)
		for j, g := range grad {
			ws.z[j] += g
		}
		c.ErrorCov(ws.diag, ws.z)
		clear(ws.tmp)
		a.Noise.AddVariance(ws.tmp, grad, gn2)
		for j := range dst {
			dst[j] += math.Sqrt((ws.diag[j]+ws.tmp[j])/n) * r.NormFloat64()
		}
	}
	return false
}

// stepGrad implements gradStepper (System.DiscreteStepGrad): one agent
// with Gaussian noise and a compressor that fuses its step with the
// gradient (rand-k), on a sum of quartics (Homogeneous{Quartic}, certified
// or not: Figure 1's centre), where only the kept coordinates move, so
// only their gradient changes.
func (dcsgd) stepGrad(s System, x, grad []float64, gn2, h float64, tb uint64, ws *Workspace, r *Rand) (over, ok bool) {
	if len(s.Agents) != 1 || h < 0 {
		return false, false
	}
	if cg, isC := Uncertified(s.F).(cubeGradient); !isC || !cg.cubeGrad() {
		return false, false
	}
	g, isG := s.Agents[0].Noise.(gaussianLaw)
	c, isK := s.Agents[0].Compressor.(cubeStepper)
	if !isG || !isK {
		return false, false
	}
	return c.addSparseGaussianCube(x, grad, -h, g.Std(gn2), tb, ws, r), true
}
