package compress

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/sdeverify/sdeverify/internal/rng"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// randKParams are rand-k's parameters in a configuration: k, or omega
// giving k = round(d/(1+omega)) as in Figure 1.
type randKParams struct {
	K     int     `json:"k,omitempty" doc:"coordinates kept, in [1, d]"`
	Omega float64 `json:"omega,omitempty" doc:"instead of k: k = max(1, round(d/(1+omega))), omega > 0"`
}

func init() {
	model.Register(model.Kind[randKParams, model.Compressor]{
		Name: "randk",
		Doc:  "Rand-k sparsification: a uniformly random k-subset of the d coordinates kept and scaled by d/k (omega = d/k - 1).",
		Build: func(p randKParams, d int) (model.Compressor, error) {
			if p.Omega != 0 {
				if p.K != 0 {
					return nil, model.Invalid("omega", p.Omega, "give k or omega, not both")
				}
				if !(p.Omega > 0) || math.IsInf(p.Omega, 0) {
					return nil, model.Invalid("omega", p.Omega, "must be finite and > 0")
				}
				return RandK{K: max(1, int(math.Round(float64(d)/(1+p.Omega))))}, nil
			}
			return RandK{K: p.K}, nil
		},
		Draw: func(dr model.Drawer, o model.DrawOptions) randKParams {
			return randKParams{K: dr.Int("k", 1, max(1, o.Dim))}
		},
	})
}

var (
	_ model.Unbiased       = RandK{}
	_ kit.SparseCompressor = RandK{}
	_ kit.CubeStepper      = RandK{}
)

// RandK keeps a uniformly random K-subset of the d coordinates and scales
// them by d/K: omega = d/K - 1. Its error covariance is not diagonal: with
// q = P(j, l both kept) = K(K-1)/(d(d-1)),
//
//	E[C C^T]_jj = (d/K) v_j^2,  E[C C^T]_jl = (d/K)^2 q v_j v_l,
//
// so E[Phi Phi^T | v] = (omega + b) diag(v^2) - b v v^T with
// b = (d-K)/(K(d-1)). Since omega + b = b d, this is
// (omega + b) D (I - 1 1^T/d) D with D = diag(v): a scaled projection, which
// is why it has an O(d) square root.
type RandK struct {
	K int `json:"k"` // coordinates kept, in [1, d]
}

// Compress implements Compressor. It selects the subset by Floyd's
// algorithm (K random indices, no scratch: dst marks the chosen ones).
func (c RandK) Compress(dst, v []float64, r *model.Rand) {
	d := len(v)
	c.mark(dst, r)
	s := float64(d) / float64(c.K)
	for j, m := range dst {
		if m != 0 {
			dst[j] = v[j] * s
		}
	}
}

// mark sets mask[j] = 1 on a uniformly random K-subset and 0 elsewhere
// (Floyd's algorithm: K draws, no other scratch).
func (c RandK) mark(mask []float64, r *model.Rand) {
	d := len(mask)
	clear(mask)
	for j := d - c.K; j < d; j++ {
		t := r.IntN(j + 1)
		if mask[t] != 0 {
			t = j
		}
		mask[t] = 1
	}
}

// Omega implements Unbiased.
func (c RandK) Omega(d int) float64 { return float64(d)/float64(c.K) - 1 }

func (c RandK) b(d int) float64 {
	if d == 1 {
		return 0
	}
	return float64(d-c.K) / (float64(c.K) * float64(d-1))
}

// ErrorCov implements Unbiased.
func (c RandK) ErrorCov(diag, v []float64) float64 {
	a, b, _ := c.Linear(len(v))
	for j, vj := range v {
		diag[j] = a * vj * vj
	}
	return b
}

// Linear implements Unbiased: alpha = omega + b, beta = b.
func (c RandK) Linear(d int) (alpha, beta float64, ok bool) {
	return c.Omega(d) + c.b(d), c.b(d), true
}

// Validate implements Compressor.
func (c RandK) Validate(d int) error {
	if c.K < 1 || c.K > d {
		return model.Invalid("k", c.K, fmt.Sprintf("must be in [1, %d] (the dimension)", d))
	}
	return nil
}

// addSparseGaussian implements kit.SparseCompressor: Floyd's selection of the
// K coordinates, marked with a generation stamp (no O(d) clearing), each
// one's normal drawn as it is selected (i.i.d. normals in any order give
// the same law).
func (c RandK) AddSparseGaussian(dst, grad []float64, sign, sd float64, ws *model.Workspace, r *model.Rand) {
	ws.NextGen()
	randKGaussian(dst, grad, ws.Stamp, ws.Gen, c.K, sign*float64(len(grad))/float64(c.K), sd, false, 0, r)
}

// addSparseGaussianCube implements kit.CubeStepper.
func (c RandK) AddSparseGaussianCube(x, grad []float64, sign, sd float64, tb uint64, ws *model.Workspace, r *model.Rand) (over bool) {
	ws.NextGen()
	ws.Sink += kit.Touch(x) + kit.Touch(grad)
	return randKGaussian(x, grad, ws.Stamp, ws.Gen, c.K, sign*float64(len(grad))/float64(c.K), sd, true, tb, r)
}

// randKGaussian adds sc (grad_t + sd z_t) to dst_t for the k coordinates t
// of a uniform k-subset drawn by Floyd's algorithm, z_t i.i.d. N(0, 1). The
// generator runs inline with its state in locals, and the collision test is
// branch-free (with k = d/2 a third of the draws collide, and a branch there
// mispredicts). With cube (dst is x and f is a sum of quartics) it also
// refreshes grad_t = x_t^3 after the update, exactly as the quartic's Grad
// computes it, and returns whether some new |x_t| exceeds the threshold
// with bits tb or is NaN: the gradient and the divergence test then cost k,
// not d (the other coordinates did not move).
func randKGaussian(dst, grad []float64, stamp []uint32, gen uint32, k int, sc, sd float64, cube bool, tb uint64, r *model.Rand) (over bool) {
	d := len(grad)
	dst, stamp = dst[:d], stamp[:d]
	s := r.State
	var u, o uint64
	for j := d - k; j < d; j++ {
		n := uint64(j + 1)
		s, u = s.Next()
		hi, lo := bits.Mul64(u, n)
		if lo < n { // Lemire's rejection, rarely entered
			s, hi = r.IndexSlowAt(s, n, hi, lo)
		}
		t := int(hi)
		// t = j if stamp[t] == gen: m is -1 exactly when the xor is 0.
		m := (int(stamp[t]^gen) - 1) >> 63
		t ^= (t ^ j) & m
		stamp[t] = gen
		s, u = s.Next()
		z, ok := rng.ZigFast(u)
		if !ok {
			s, z = r.NormSlowAt(s, u)
		}
		xt := dst[t] + sc*(grad[t]+sd*z)
		dst[t] = xt
		if cube {
			grad[t] = xt * xt * xt
			o |= tb - math.Float64bits(xt)&(1<<63-1)
		}
	}
	r.State = s
	return o>>63 != 0
}

// Keep1D implements Keeper1D: in d = 1, k = 1 keeps the coordinate.
func (RandK) Keep1D() float64 { return 1 }

// kept implements kit.SparseDrawer: K.
func (c RandK) Kept(int) int { return c.K }
