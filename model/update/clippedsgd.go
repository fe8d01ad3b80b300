package update

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// ClippedSGD is distributed clipped SGD with agent-side clipping:
//
//	x+ = x - eta eta_k (1/N) sum_i clip_c(g_i),  clip_c(g) = min(1, c/||g||) g,
//
// each agent clipping its own noisy gradient g_i = grad f + Z_i before the
// server averages (Zhang, He, Sra and Jadbabaie 2020; Koloskova, Hendrikx
// and Stich 2023). Its first-order SDE (docs/math.md section 10) has drift
// (1/N) sum_i E clip_c(g_i) and covariance (1/N) sum_i Var clip_c(g_i): in
// d = 1 in closed form under Gaussian noise (MATH.md 8), by quadrature over
// the CDF for other laws that give it. Under asymmetric noise E clip_c(g)
// need not vanish where grad f does: the method can settle away from a
// stationary point.
type ClippedSGD struct {
	Clip float64 `json:"clip" doc:"clipping radius c > 0"`
}

func init() {
	model.Register(model.Kind[ClippedSGD, model.Method]{
		Name:  "clipped-sgd",
		Doc:   "Clipped SGD, each agent clipping: x+ = x - eta eta_k (1/N) sum_i clip_c(g_i), clip_c(g) = min(1, clip/||g||) g.",
		Build: func(p ClippedSGD, _ int) (model.Method, error) { return p, kit.CheckPos("clip", p.Clip) },
		Draw: func(dr model.Drawer, _ model.DrawOptions) ClippedSGD {
			return ClippedSGD{Clip: kit.LogUniform(dr, "clip", 0.05, 20)}
		},
	})
}

func (ClippedSGD) String() string { return "clipped-sgd" }

// ValidateAgent implements Method: no compressor.
func (m ClippedSGD) ValidateAgent(prefix string, a model.Agent, _ int) error {
	return AgentRule[ClippedSGD]{Map: m}.ValidateAgent(prefix, a, 0)
}

// ValidateSDE implements Method.
func (m ClippedSGD) ValidateSDE(s model.System) error {
	if err := kit.CheckPos("method_params.clip", m.Clip); err != nil {
		return err
	}
	return AgentRule[ClippedSGD]{Map: m}.ValidateSDE(s)
}

// Step implements Method.
func (m ClippedSGD) Step(s model.System, x, grad []float64, gn2, h float64, ws *model.Workspace, r *model.Rand) {
	AgentRule[ClippedSGD]{Map: m}.Step(s, x, grad, gn2, h, ws, r)
}

// Drift implements Method (d = 1).
func (m ClippedSGD) Drift(s model.System, dst, grad []float64, gn2 float64) {
	AgentRule[ClippedSGD]{Map: m}.Drift(s, dst, grad, gn2)
}

// Diffuse implements Method (d = 1).
func (m ClippedSGD) Diffuse(s model.System, dst, z, grad []float64, gn2 float64, _ *model.Workspace, _ *model.Rand, drift []float64) bool {
	return AgentRule[ClippedSGD]{Map: m}.Diffuse(s, dst, z, grad, gn2, nil, nil, drift)
}

// Apply implements AgentMap.
func (m ClippedSGD) Apply(g []float64) {
	var n2 float64
	for _, v := range g {
		n2 += v * v
	}
	if n2 <= m.Clip*m.Clip {
		return
	}
	k := m.Clip / math.Sqrt(n2)
	for j := range g {
		g[j] *= k
	}
}

// Forward implements AgentMap.
func (m ClippedSGD) Forward(y float64) float64 { return math.Min(y, m.Clip) }

// Inverse implements AgentMap.
func (m ClippedSGD) Inverse(t float64) float64 { return t }

// Sup implements AgentMap.
func (m ClippedSGD) Sup() float64 { return m.Clip }

// Moments1 implements AgentMap: under Gaussian noise g = mu + s Z, with
// a = (c - mu)/s and b = (-c - mu)/s (MATH.md 8),
//
//	E clip   = c (1 - Phi(a)) - c Phi(b) + mu (Phi(a) - Phi(b)) - s (phi(a) - phi(b))
//	E clip^2 = c^2 (1 - Phi(a) + Phi(b)) + mu^2 (Phi(a) - Phi(b))
//	           + 2 mu s (phi(b) - phi(a)) + s^2 (Phi(a) - Phi(b) - a phi(a) + b phi(b)).
func (m ClippedSGD) Moments1(nz model.Noise, mu, gn2 float64) (mean, second float64, ok bool) {
	g, isG := nz.(kit.GaussianLaw)
	if !isG {
		return 0, 0, false
	}
	c, s := m.Clip, g.Std(gn2)
	if s == 0 {
		v := math.Max(-c, math.Min(c, mu))
		return v, v * v, true
	}
	a, b := (c-mu)/s, (-c-mu)/s
	upper, lower := normSurvival(a), normCDF(b) // P(Z > a), P(Z < b)
	inside := 1 - upper - lower
	pa, pb := normPDF(a), normPDF(b)
	mean = c*upper - c*lower + mu*inside - s*(pa-pb)
	second = c*c*(upper+lower) + mu*mu*inside + 2*mu*s*(pb-pa) + s*s*(inside-a*pa+b*pb)
	return mean, second, true
}

// normCDF, normSurvival and normPDF are the standard normal's CDF, 1 - CDF
// and density.
func normCDF(x float64) float64      { return math.Erfc(-x/math.Sqrt2) / 2 }
func normSurvival(x float64) float64 { return math.Erfc(x/math.Sqrt2) / 2 }
func normPDF(x float64) float64      { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }

// Kink implements AgentMap.
func (m ClippedSGD) Kink() float64 { return m.Clip }

// CheckLaw1D implements Law1Der: a quadrature over the noise's quantiles
// (AgentRule, model/update/agentmap.go).
func (m ClippedSGD) CheckLaw1D(s model.System) (bool, error) {
	return AgentRule[ClippedSGD]{Map: m}.CheckLaw1D(s)
}

// Law1D implements Law1Der.
func (m ClippedSGD) Law1D(s model.System, x, g, h float64, level int, add func(w, mean, sd float64)) {
	AgentRule[ClippedSGD]{Map: m}.Law1D(s, x, g, h, level, add)
}

// CheckSDE1D implements SDE1Der (ValidateSDE has checked d = 1 and the
// noise).
func (m ClippedSGD) CheckSDE1D(model.System) error { return nil }

// SDE1D implements SDE1Der: the map's moments (closed form or adaptive
// Simpson over the CDF; NaN beyond its error bound).
func (m ClippedSGD) SDE1D(s model.System, g float64) (drift, sigma float64) {
	return AgentRule[ClippedSGD]{Map: m}.SDE1D(s, g)
}

// ClipRadius returns the clipping radius c (the clipped-GD bound,
// theorems.ClippedGD, asks it).
func (c ClippedSGD) ClipRadius() float64 { return c.Clip }
