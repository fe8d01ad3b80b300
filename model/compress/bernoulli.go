package compress

import (
	"math"

	"github.com/sdeverify/sdeverify/internal/rng"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

func init() {
	model.Register(model.Kind[Bernoulli, model.Compressor]{
		Name: "bernoulli",
		Doc:  "Bernoulli sparsification: each coordinate kept with probability p in (0, 1] and scaled by 1/p (omega = 1/p - 1).",
		Draw: func(dr model.Drawer, _ model.DrawOptions) Bernoulli { return Bernoulli{P: dr.Float("p", 0.1, 1)} },
	})
}

var (
	_ model.Unbiased       = Bernoulli{}
	_ kit.SparseCompressor = Bernoulli{}
)

// Bernoulli sparsification keeps each coordinate independently with
// probability P and scales it by 1/P: omega = 1/P - 1 and
// E[Phi Phi^T | v] = omega diag(v^2).
type Bernoulli struct {
	P float64 `json:"p" doc:"keep probability in (0, 1]"` // keep probability in (0, 1]
}

// Compress implements Compressor.
func (b Bernoulli) Compress(dst, v []float64, r *model.Rand) {
	s := 1 / b.P
	for j, vj := range v {
		if r.Float64() < b.P {
			dst[j] = vj * s
		} else {
			dst[j] = 0
		}
	}
}

// Omega implements Unbiased.
func (b Bernoulli) Omega(int) float64 { return 1/b.P - 1 }

// ErrorCov implements Unbiased.
func (b Bernoulli) ErrorCov(diag, v []float64) float64 {
	w := b.Omega(len(v))
	for j, vj := range v {
		diag[j] = w * vj * vj
	}
	return 0
}

// Linear implements Unbiased.
func (b Bernoulli) Linear(d int) (alpha, beta float64, ok bool) { return b.Omega(d), 0, true }

// Validate implements Compressor.
func (b Bernoulli) Validate(int) error {
	if math.IsNaN(b.P) || b.P <= 0 || b.P > 1 {
		return model.Invalid("p", b.P, "must be in (0, 1]")
	}
	return nil
}

// addSparseGaussian implements kit.SparseCompressor: each coordinate's keep
// decision and, if kept, its normal.
func (b Bernoulli) AddSparseGaussian(dst, grad []float64, sign, sd float64, _ *model.Workspace, r *model.Rand) {
	bernoulliGaussian(dst, grad, b.P, sign/b.P, sd, r)
}

// bernoulliGaussian adds sc (grad_j + sd z_j) to dst_j for each coordinate
// kept with probability p (z_j i.i.d. N(0, 1), drawn only when kept), with
// the generator inline.
func bernoulliGaussian(dst, grad []float64, p, sc, sd float64, r *model.Rand) {
	dst = dst[:len(grad)]
	s := r.State
	var u uint64
	for j, gj := range grad {
		s, u = s.Next()
		if float64(u>>11)*0x1p-53 >= p {
			continue
		}
		s, u = s.Next()
		z, ok := rng.ZigFast(u)
		if !ok {
			s, z = r.NormSlowAt(s, u)
		}
		dst[j] += sc * (gj + sd*z)
	}
	r.State = s
}

// Keep1D implements Keeper1D: kept with probability P.
func (b Bernoulli) Keep1D() float64 { return b.P }
