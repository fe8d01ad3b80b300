package update

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// What the built-in methods share (model/update).

// divideBy divides v by n in place.
func divideBy(v []float64, n float64) {
	for j := range v {
		v[j] /= n
	}
}

// finiteVariance is ValidateSDE for the methods whose SDE's covariance is
// the noise's (DSGD, DCSGD): it refuses a law whose VarianceBound reports
// no finite variance (a Student-t law by its nu, TScaler; another by its
// type). A law without VarianceBounder is taken as it is.
func finiteVariance(s model.System) error {
	for i, a := range s.Agents {
		vb, ok := a.Noise.(model.VarianceBounder)
		if !ok {
			continue
		}
		if _, _, finite := vb.VarianceBound(); finite {
			continue
		}
		if t, ok := a.Noise.(model.TScaler); ok {
			nu, _ := t.TScale()
			return model.Invalid(fmt.Sprintf("agents[%d].noise.nu", i), nu, fmt.Sprintf("the %s SDE needs finite noise variance (nu > 2)", s.Method))
		}
		return model.Invalid(fmt.Sprintf("agents[%d].noise", i), fmt.Sprintf("%T", a.Noise), fmt.Sprintf("the %s SDE needs finite noise variance", s.Method))
	}
	return nil
}

// noCompressor is ValidateAgent for the methods that take no compressor.
func noCompressor(m model.Method, prefix string, a model.Agent) error {
	if a.Compressor != nil {
		return model.Invalid(prefix+".compressor", fmt.Sprintf("%T", a.Compressor), fmt.Sprintf("%s takes no compressor", m))
	}
	return nil
}

// noLaw1D is the error of a system whose agent lacks a capability the
// exact law needs: the field is the agent's noise or compressor.
func noLaw1D(m model.Method, field string, value any, capability string) error {
	return model.Invalid(field, fmt.Sprintf("%T", value), fmt.Sprintf("the exact engine does not apply: %s's one-dimensional law needs %s", m, capability))
}

// noiseVar1D is agent noise nz's variance in d = 1 at gradient g (NaN if
// the law reports it infinite).
func noiseVar1D(nz model.Noise, g float64) float64 {
	v := []float64{0}
	if !nz.AddVariance(v, []float64{g}, g*g) {
		return math.NaN()
	}
	return v[0]
}

// noiseStd is the averaged Gaussian noise's standard deviation
// sqrt(a + b gn2), for a and b from AverageNoiseAffine (one formula, so the
// per-path and the batched steps round alike).
func noiseStd(a, b, gn2 float64) float64 { return math.Sqrt(a + b*gn2) }

// sparseGaussian applies C(grad + Z) for a sparsifying compressor (rand-k,
// Bernoulli) with Gaussian noise, drawing noise only for the coordinates
// the compressor keeps (a dropped coordinate is multiplied by 0, so its
// noise does not change the law). With h < 0 it adds C(grad + Z) to dst;
// otherwise it subtracts h C(grad + Z) from dst (dst = x, one agent). Rand-k
// selects its K coordinates by Floyd's algorithm, marking them with a
// generation stamp (no O(d) clearing), and draws each one's normal as it is
// selected (i.i.d. normals in any order give the same law); Bernoulli draws
// each coordinate's keep decision and, if kept, its normal. It reports false
// for other agents.
func sparseGaussian(a model.Agent, grad []float64, gn2, h float64, dst []float64, ws *model.Workspace, r *model.Rand) bool {
	g, ok := a.Noise.(kit.GaussianLaw)
	if !ok {
		return false
	}
	c, ok := a.Compressor.(kit.SparseCompressor)
	if !ok {
		return false
	}
	sd := g.Std(gn2)
	sign := 1.0
	if h >= 0 {
		sign = -h
	}
	c.AddSparseGaussian(dst, grad, sign, sd, ws, r)
	return true
}

// linearGaussian reports whether every agent has Gaussian noise and a
// compressor with a linear D(v) in dimension d.
func linearGaussian(s model.System, d int) bool {
	for _, a := range s.Agents {
		if _, ok := a.Noise.(kit.GaussianLaw); !ok {
			return false
		}
		u, ok := a.Compressor.(model.Unbiased)
		if !ok {
			return false
		}
		if _, _, ok := u.Linear(d); !ok {
			return false
		}
	}
	return true
}

// sampleDiagMinusRankOne writes into dst a draw of N(0, diag(D) - beta v v^T)
// in O(d), using the standard normals z (len d, overwritten). The matrix must
// be positive semidefinite, which requires D_j = 0 only where v_j = 0 and
// beta sum_j v_j^2/D_j <= 1. Writing u = D^(-1/2) v,
//
//	diag(D) - beta v v^T = D^(1/2) (I - beta u u^T) D^(1/2),
//	(I - beta u u^T)^(1/2) = I - gamma u u^T / ||u||^2,  gamma = 1 - sqrt(1 - beta ||u||^2).
func sampleDiagMinusRankOne(dst, diag, v []float64, beta float64, z []float64) {
	if beta == 0 {
		for j, dj := range diag {
			dst[j] = math.Sqrt(dj) * z[j]
		}
		return
	}
	var uu, uz float64
	for j, dj := range diag {
		if dj > 0 {
			u := v[j] / math.Sqrt(dj)
			uu += u * u
			uz += u * z[j]
		}
	}
	c := 0.0
	if uu > 0 {
		gamma := 1 - math.Sqrt(math.Max(0, 1-beta*uu))
		c = gamma * uz / uu
	}
	for j, dj := range diag {
		if dj > 0 {
			sd := math.Sqrt(dj)
			dst[j] = sd*z[j] - c*v[j]
		} else {
			dst[j] = 0
		}
	}
}

// gaussianVar returns sum_i (sigma0_i^2 + sigma1_i^2 gn2), in agent order,
// and true when every agent's noise is Gaussian (isotropic).
func gaussianVar(s model.System, gn2 float64) (float64, bool) {
	var v float64
	for _, a := range s.Agents {
		g, ok := a.Noise.(kit.GaussianLaw)
		if !ok {
			return 0, false
		}
		v += g.Variance(gn2)
	}
	return v, true
}
