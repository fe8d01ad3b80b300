package update

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// L0L1GD is the (L0,L1)-GD step of Gorbunov et al. (2024), "Methods for
// convex (L0,L1)-smooth optimization", taken stochastically with each
// agent stepping on its own noisy gradient:
//
//	x+ = x - eta eta_k (1/N) sum_i g_i/(L0 + L1 ||g_i||),
//
// L0 > 0, L1 >= 0 (L1 = 0 is SGD with step eta/L0). Its first-order SDE
// (docs/math.md section 10) comes from the map's moments: for L1 = 0 in
// closed form (mean grad/L0, variance Var Z/L0^2), for L1 > 0 by quadrature
// over the noise's CDF in d = 1.
type L0L1GD struct {
	L0 float64 `json:"l0" doc:"L0 > 0 in the step eta/(L0 + L1 ||g||)"`
	L1 float64 `json:"l1" doc:"L1 >= 0 in the step eta/(L0 + L1 ||g||)"`
}

func init() {
	model.Register(model.Kind[L0L1GD, model.Method]{
		Name: "l0l1-gd",
		Doc:  "(L0,L1)-GD (Gorbunov et al. 2024), each agent stepping on its own gradient: x+ = x - eta eta_k (1/N) sum_i g_i/(l0 + l1 ||g_i||).",
		Build: func(p L0L1GD, _ int) (model.Method, error) {
			if err := kit.CheckPos("l0", p.L0); err != nil {
				return nil, err
			}
			return p, kit.CheckNonNeg("l1", p.L1)
		},
		Draw: func(dr model.Drawer, _ model.DrawOptions) L0L1GD {
			m := L0L1GD{L0: kit.LogUniform(dr, "l0", 0.1, 10)}
			if dr.Int("l1_zero", 0, 3) > 0 {
				m.L1 = kit.LogUniform(dr, "l1", 0.1, 10)
			}
			return m
		},
	})
}

func (L0L1GD) String() string { return "l0l1-gd" }

// ValidateAgent implements Method: no compressor.
func (m L0L1GD) ValidateAgent(prefix string, a model.Agent, _ int) error {
	return AgentRule[L0L1GD]{Map: m}.ValidateAgent(prefix, a, 0)
}

// ValidateSDE implements Method.
func (m L0L1GD) ValidateSDE(s model.System) error {
	if err := kit.CheckPos("method_params.l0", m.L0); err != nil {
		return err
	}
	if err := kit.CheckNonNeg("method_params.l1", m.L1); err != nil {
		return err
	}
	return AgentRule[L0L1GD]{Map: m}.ValidateSDE(s)
}

// Step implements Method.
func (m L0L1GD) Step(s model.System, x, grad []float64, gn2, h float64, ws *model.Workspace, r *model.Rand) {
	AgentRule[L0L1GD]{Map: m}.Step(s, x, grad, gn2, h, ws, r)
}

// Drift implements Method (d = 1).
func (m L0L1GD) Drift(s model.System, dst, grad []float64, gn2 float64) {
	AgentRule[L0L1GD]{Map: m}.Drift(s, dst, grad, gn2)
}

// Diffuse implements Method (d = 1).
func (m L0L1GD) Diffuse(s model.System, dst, z, grad []float64, gn2 float64, _ *model.Workspace, _ *model.Rand, drift []float64) bool {
	return AgentRule[L0L1GD]{Map: m}.Diffuse(s, dst, z, grad, gn2, nil, nil, drift)
}

// Apply implements AgentMap.
func (m L0L1GD) Apply(g []float64) {
	var n2 float64
	for _, v := range g {
		n2 += v * v
	}
	k := 1 / (m.L0 + m.L1*math.Sqrt(n2))
	for j := range g {
		g[j] *= k
	}
}

// Forward implements AgentMap.
func (m L0L1GD) Forward(y float64) float64 { return y / (m.L0 + m.L1*y) }

// Inverse implements AgentMap: t = y/(L0 + L1 y) on y >= 0 gives y = L0 t/(1 - L1 t).
func (m L0L1GD) Inverse(t float64) float64 { return m.L0 * t / (1 - m.L1*t) }

// Sup implements AgentMap.
func (m L0L1GD) Sup() float64 {
	if m.L1 == 0 {
		return math.Inf(1)
	}
	return 1 / m.L1
}

// Moments1 implements AgentMap: for L1 = 0 the map is g/L0, with mean
// mu/L0 and second moment (mu^2 + Var Z)/L0^2 (ok false if the variance is
// infinite).
func (m L0L1GD) Moments1(nz model.Noise, mu, gn2 float64) (mean, second float64, ok bool) {
	if m.L1 != 0 {
		return 0, 0, false
	}
	var v, g [1]float64
	g[0] = mu
	if !nz.AddVariance(v[:], g[:], gn2) || math.IsInf(v[0], 0) {
		return 0, 0, false
	}
	return mu / m.L0, (mu*mu + v[0]) / (m.L0 * m.L0), true
}

// Kink implements AgentMap.
func (m L0L1GD) Kink() float64 { return 0 }

// CheckLaw1D implements Law1Der: for L1 > 0 a quadrature over the
// noise's quantiles (AgentRule, model/update/agentmap.go); for L1 = 0 (the map g/L0) every
// agent's noise normal (Normal1Der), and the law is that normal.
func (m L0L1GD) CheckLaw1D(s model.System) (bool, error) {
	if m.L1 > 0 {
		return AgentRule[L0L1GD]{Map: m}.CheckLaw1D(s)
	}
	for i, a := range s.Agents {
		if _, ok := a.Noise.(model.Normal1Der); !ok {
			return false, noLaw1D(m, fmt.Sprintf("agents[%d].noise", i), a.Noise, "for l1 = 0 (an unbounded map, no quadrature) normal noise (model.Normal1Der)")
		}
	}
	return false, nil
}

// Law1D implements Law1Der (for L1 = 0: x+ ~ N(x - h g/L0,
// h^2 sum_i v_i/(L0 N)^2)).
func (m L0L1GD) Law1D(s model.System, x, g, h float64, level int, add func(w, mean, sd float64)) {
	if m.L1 > 0 {
		AgentRule[L0L1GD]{Map: m}.Law1D(s, x, g, h, level, add)
		return
	}
	var v float64
	for _, a := range s.Agents {
		v += a.Noise.(model.Normal1Der).Normal1D(g, g*g)
	}
	n := float64(len(s.Agents))
	add(1, x-h*g/m.L0, h*math.Sqrt(v)/(m.L0*n))
}

// CheckSDE1D implements SDE1Der (ValidateSDE has checked d = 1 and the
// noise).
func (m L0L1GD) CheckSDE1D(model.System) error { return nil }

// SDE1D implements SDE1Der: the map's moments (closed form or adaptive
// Simpson over the CDF; NaN beyond its error bound).
func (m L0L1GD) SDE1D(s model.System, g float64) (drift, sigma float64) {
	return AgentRule[L0L1GD]{Map: m}.SDE1D(s, g)
}

// Width1D implements Width1Der: T rises to half its bound 1/L1 over
// |y| <= L0/L1, smoothed by the noise (mapWidth1D); +Inf for L1 = 0 (the
// map g/L0, no feature).
func (m L0L1GD) Width1D(s model.System) (float64, error) {
	if m.L1 == 0 {
		return math.Inf(1), nil
	}
	return mapWidth1D(m.L0/m.L1, s), nil
}

// (No UpdateBound: the update is bounded by 1/L1 only for L1 > 0, and the
// callers of UpdateBounder take every implementer as bounded. Without it
// simulate's exact grid, which needs the law's reach, is not offered for
// l0l1-gd with L1 > 0: Monte Carlo instead.)

// StepConstants returns (l0, l1) in the step eta/(l0 + l1 ||g||) (the
// (L0,L1)-GD bounds, theorems.L0L1GDBound and theorems.VankovBound, ask
// them).
func (p L0L1GD) StepConstants() (l0, l1 float64) { return p.L0, p.L1 }
