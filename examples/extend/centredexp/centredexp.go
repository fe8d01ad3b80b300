// Package centredexp adds an asymmetric noise law to sdeverify: the centred
// exponential Z_j = scale (E_j - 1), E_j i.i.d. Exp(1). It has mean 0 and
// variance scale^2 (so it is in the (sigma0,sigma1)-variance class of paper
// Def. 2 with sigma0 = scale, sigma1 = 0), but it is skewed: P(Z_j > 0) =
// 1/e, and a large negative value is impossible (Z_j >= -scale) while a
// large positive one is not. Clipped methods are biased only under such
// noise.
//
// Importing the package registers the kind "centred-exp"; a configuration
// names it as {"kind": "centred-exp", "scale": 0.5}.
package centredexp

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/update"
)

func init() {
	model.Register(model.Kind[CentredExp, model.Noise]{
		Name: "centred-exp",
		Doc:  "Asymmetric noise Z_j = scale (E_j - 1), E_j i.i.d. Exp(1): mean 0, variance scale^2, skewed to the right.",
		Draw: func(dr model.Drawer, _ model.DrawOptions) CentredExp {
			return CentredExp{Scale: dr.Float("scale", 0, 2)}
		},
	})
}

var (
	_ model.Noise           = CentredExp{}
	_ model.VarianceBounder = CentredExp{}
	_ update.CDFer          = CentredExp{}
	_ model.Quantiler       = CentredExp{}
)

// CentredExp is Z_j = Scale (E_j - 1) with E_j i.i.d. Exp(1), independent
// of the gradient.
type CentredExp struct {
	Scale float64 `json:"scale" doc:"scale >= 0: the standard deviation of every coordinate"`
}

// Sample implements model.Noise.
func (c CentredExp) Sample(dst, _ []float64, _ float64, r *model.Rand) {
	for j := range dst {
		dst[j] = c.Scale * (r.ExpFloat64() - 1)
	}
}

// AddVariance implements model.Noise: Scale^2 on every coordinate.
func (c CentredExp) AddVariance(dst, _ []float64, _ float64) bool {
	for j := range dst {
		dst[j] += c.Scale * c.Scale
	}
	return true
}

// signMean is E sign(g + Scale (E - 1)) = P(E > u) - P(E < u) with
// u = 1 - g/Scale: 2 e^(-u) - 1 for u > 0, and 1 for u <= 0.
func (c CentredExp) signMean(g float64) float64 {
	if c.Scale == 0 {
		switch {
		case g > 0:
			return 1
		case g < 0:
			return -1
		}
		return 0
	}
	u := 1 - g/c.Scale
	if u <= 0 {
		return 1
	}
	return 2*math.Exp(-u) - 1
}

// AddSignMean implements model.Noise.
func (c CentredExp) AddSignMean(dst, grad []float64, _ float64) {
	for j, g := range grad {
		dst[j] += c.signMean(g)
	}
}

// AddSignVar implements model.Noise: 1 - (E sign)^2, the law being
// continuous (0 where Scale = 0: the sign is deterministic).
func (c CentredExp) AddSignVar(dst, grad []float64, _ float64) {
	if c.Scale == 0 {
		return
	}
	for j, g := range grad {
		m := c.signMean(g)
		dst[j] += 1 - m*m
	}
}

// VarianceBound implements model.VarianceBounder: (Scale^2, 0).
func (c CentredExp) VarianceBound() (sigma0Sq, sigma1Sq float64, ok bool) {
	return c.Scale * c.Scale, 0, true
}

// Validate implements model.Noise.
func (c CentredExp) Validate(int) error {
	if math.IsNaN(c.Scale) || math.IsInf(c.Scale, 0) || c.Scale < 0 {
		return model.Invalid("scale", c.Scale, "must be finite and >= 0")
	}
	return nil
}

// CDF implements update.CDFer: P(Scale (E - 1) <= z) = 1 - e^-(1 + z/Scale)
// for z > -Scale, else 0 (a step at 0 for Scale = 0). Clipped SGD's SDE
// and its exact law in d = 1 integrate over it.
func (c CentredExp) CDF(_ int, z, _ float64) float64 {
	if c.Scale == 0 {
		if z >= 0 {
			return 1
		}
		return 0
	}
	u := 1 + z/c.Scale
	if !(u > 0) {
		return 0
	}
	return -math.Expm1(-u)
}

// Quantile implements model.Quantiler: Scale (-log(1 - p) - 1).
func (c CentredExp) Quantile(_ int, p, _ float64) float64 {
	return c.Scale * (-math.Log1p(-p) - 1)
}
