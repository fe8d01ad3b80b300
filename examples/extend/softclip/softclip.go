// Package softclip adds smooth-clipped SGD to sdeverify, an update rule
// defined outside the core by its agent map alone: each agent applies
//
//	T(g) = g / sqrt(1 + (||g||/c)^2)
//
// to its own noisy gradient and the server averages, x+ = x - eta eta_k
// (1/N) sum_i T(g_i). T is bounded by c (T -> c g/||g|| as ||g|| -> inf),
// smooth (no kink: T(g) ~ g near 0), and on [0, inf) in d = 1 its inverse
// is T^{-1}(t) = t / sqrt(1 - (t/c)^2) on [0, c).
//
// update.AgentRule turns the map into a Method: the discrete step in any d,
// the first-order SDE's m(x) = (1/N) sum_i E T(g_i) and Sigma(x) = (1/N)
// sum_i Var T(g_i) in d = 1 (quadrature over the noise's CDF), and the
// exact one-step law in d = 1 (model/exact, `weak`).
//
// Importing the package registers the method "softclip-sgd"; a
// configuration names it as "method": "softclip-sgd", "method_params":
// {"clip": 0.5}.
package softclip

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/update"
)

func init() {
	model.Register(model.Kind[SoftClip, model.Method]{
		Name: "softclip-sgd",
		Doc:  "Smooth-clipped SGD, each agent: x+ = x - eta eta_k (1/N) sum_i g_i/sqrt(1 + (||g_i||/clip)^2).",
		Build: func(p SoftClip, _ int) (model.Method, error) {
			if !(p.Clip > 0) || math.IsInf(p.Clip, 1) {
				return nil, model.Invalid("clip", p.Clip, "must be finite and > 0")
			}
			return update.AgentRule[SoftClip]{Map: p}, nil
		},
		Draw: func(dr model.Drawer, _ model.DrawOptions) SoftClip {
			return SoftClip{Clip: math.Exp(dr.Float("log clip", math.Log(0.05), math.Log(20)))}
		},
	})
}

var _ update.AgentMap = SoftClip{}

// SoftClip is the map T(g) = g / sqrt(1 + (||g||/Clip)^2).
type SoftClip struct {
	Clip float64 `json:"clip" doc:"the bound c > 0 of the smooth clipping g/sqrt(1 + (||g||/c)^2)"`
}

func (SoftClip) String() string { return "softclip-sgd" }

// Apply implements update.AgentMap.
func (s SoftClip) Apply(g []float64) {
	var n2 float64
	for _, v := range g {
		n2 += v * v
	}
	k := 1 / math.Sqrt(1+n2/(s.Clip*s.Clip))
	for j := range g {
		g[j] *= k
	}
}

// Forward implements update.AgentMap: T(y) for y >= 0.
func (s SoftClip) Forward(y float64) float64 {
	u := y / s.Clip
	return y / math.Sqrt(1+u*u)
}

// Inverse implements update.AgentMap: T^{-1}(t) = t / sqrt(1 - (t/c)^2)
// for t in [0, c).
func (s SoftClip) Inverse(t float64) float64 {
	u := t / s.Clip
	return t / math.Sqrt(1-u*u)
}

// Sup implements update.AgentMap: T < c.
func (s SoftClip) Sup() float64 { return s.Clip }

// Kink implements update.AgentMap: T is smooth.
func (SoftClip) Kink() float64 { return 0 }

// Moments1 implements update.AgentMap: no closed form (quadrature).
func (SoftClip) Moments1(model.Noise, float64, float64) (mean, second float64, ok bool) {
	return 0, 0, false
}
