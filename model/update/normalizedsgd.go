package update

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// NormalizedSGD is distributed normalised SGD with agent-side
// normalisation:
//
//	x+ = x - eta eta_k (1/N) sum_i g_i/(||g_i|| + beta),
//
// beta >= 0 (beta = 0 is g/||g||, and 0 at g = 0; in d = 1 that is
// SignSGD). Its first-order SDE (docs/math.md section 10) has drift and
// covariance from the map's moments, in d = 1 by quadrature over the
// noise's CDF (closed form for beta = 0 under Gaussian noise: the sign's).
type NormalizedSGD struct {
	Beta float64 `json:"beta" doc:"beta >= 0 in g/(||g|| + beta) (omitted: 0, g/||g||)"`
}

func init() {
	model.Register(model.Kind[NormalizedSGD, model.Method]{
		Name:  "normalized-sgd",
		Doc:   "Normalised SGD, each agent normalising: x+ = x - eta eta_k (1/N) sum_i g_i/(||g_i|| + beta).",
		Build: func(p NormalizedSGD, _ int) (model.Method, error) { return p, kit.CheckNonNeg("beta", p.Beta) },
		Draw: func(dr model.Drawer, _ model.DrawOptions) NormalizedSGD {
			if dr.Int("beta_zero", 0, 3) == 0 {
				return NormalizedSGD{}
			}
			return NormalizedSGD{Beta: kit.LogUniform(dr, "beta", 0.01, 10)}
		},
	})
}

func (NormalizedSGD) String() string { return "normalized-sgd" }

// ValidateAgent implements Method: no compressor.
func (m NormalizedSGD) ValidateAgent(prefix string, a model.Agent, _ int) error {
	return AgentRule[NormalizedSGD]{Map: m}.ValidateAgent(prefix, a, 0)
}

// ValidateSDE implements Method.
func (m NormalizedSGD) ValidateSDE(s model.System) error {
	if err := kit.CheckNonNeg("method_params.beta", m.Beta); err != nil {
		return err
	}
	return AgentRule[NormalizedSGD]{Map: m}.ValidateSDE(s)
}

// Step implements Method.
func (m NormalizedSGD) Step(s model.System, x, grad []float64, gn2, h float64, ws *model.Workspace, r *model.Rand) {
	AgentRule[NormalizedSGD]{Map: m}.Step(s, x, grad, gn2, h, ws, r)
}

// Drift implements Method (d = 1).
func (m NormalizedSGD) Drift(s model.System, dst, grad []float64, gn2 float64) {
	AgentRule[NormalizedSGD]{Map: m}.Drift(s, dst, grad, gn2)
}

// Diffuse implements Method (d = 1).
func (m NormalizedSGD) Diffuse(s model.System, dst, z, grad []float64, gn2 float64, _ *model.Workspace, _ *model.Rand, drift []float64) bool {
	return AgentRule[NormalizedSGD]{Map: m}.Diffuse(s, dst, z, grad, gn2, nil, nil, drift)
}

// Apply implements AgentMap.
func (m NormalizedSGD) Apply(g []float64) {
	var n2 float64
	for _, v := range g {
		n2 += v * v
	}
	den := math.Sqrt(n2) + m.Beta
	if den == 0 {
		return // g = 0 and beta = 0: the update is 0
	}
	for j := range g {
		g[j] /= den
	}
}

// Forward implements AgentMap.
func (m NormalizedSGD) Forward(y float64) float64 {
	if y == 0 {
		return 0
	}
	return y / (y + m.Beta)
}

// Inverse implements AgentMap: t = y/(y + beta) on y >= 0 gives y = beta t/(1 - t).
func (m NormalizedSGD) Inverse(t float64) float64 {
	if m.Beta == 0 {
		return 0
	}
	return m.Beta * t / (1 - t)
}

// Sup implements AgentMap.
func (NormalizedSGD) Sup() float64 { return 1 }

// Moments1 implements AgentMap: for beta = 0 under Gaussian noise the
// map is the sign, E = erf(mu/(sqrt 2 s)) and E T^2 = 1 (0 when g = 0
// surely).
func (m NormalizedSGD) Moments1(nz model.Noise, mu, gn2 float64) (mean, second float64, ok bool) {
	g, isG := nz.(kit.GaussianLaw)
	if !isG || m.Beta != 0 {
		return 0, 0, false
	}
	s := g.Std(gn2)
	if s == 0 {
		v := kit.Sign(mu)
		return v, v * v, true
	}
	return math.Erf(mu / (math.Sqrt2 * s)), 1, true
}

// Kink implements AgentMap.
func (m NormalizedSGD) Kink() float64 { return 0 }

// CheckLaw1D implements Law1Der: a quadrature over the noise's quantiles
// (AgentRule, model/update/agentmap.go).
func (m NormalizedSGD) CheckLaw1D(s model.System) (bool, error) {
	return AgentRule[NormalizedSGD]{Map: m}.CheckLaw1D(s)
}

// Law1D implements Law1Der.
func (m NormalizedSGD) Law1D(s model.System, x, g, h float64, level int, add func(w, mean, sd float64)) {
	AgentRule[NormalizedSGD]{Map: m}.Law1D(s, x, g, h, level, add)
}

// CheckSDE1D implements SDE1Der (ValidateSDE has checked d = 1 and the
// noise).
func (m NormalizedSGD) CheckSDE1D(model.System) error { return nil }

// SDE1D implements SDE1Der: the map's moments (closed form or adaptive
// Simpson over the CDF; NaN beyond its error bound).
func (m NormalizedSGD) SDE1D(s model.System, g float64) (drift, sigma float64) {
	return AgentRule[NormalizedSGD]{Map: m}.SDE1D(s, g)
}

// Width1D implements Width1Der: T rises to 1/2 over |y| <= beta (a jump
// for beta = 0, the sign), smoothed by the noise (mapWidth1D). Without it
// the interpolation grid was blind to the feature: against DSignSGD's
// exact lattice (the same law for beta = 0), 9.4 error bars off with two
// agents of sigma0 = 1/1024.
func (m NormalizedSGD) Width1D(s model.System) (float64, error) { return mapWidth1D(m.Beta, s), nil }

// UpdateBound implements UpdateBounder: |g|/(|g| + beta) < 1.
func (NormalizedSGD) UpdateBound(model.System) float64 { return 1 }

// NormBeta returns beta in g/(||g|| + beta) (the normalised-GD bound,
// theorems.NormalizedGD, asks it).
func (n NormalizedSGD) NormBeta() float64 { return n.Beta }
