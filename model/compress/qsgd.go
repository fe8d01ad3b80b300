package compress

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
)

func init() {
	model.Register(model.Kind[QSGD, model.Compressor]{
		Name: "qsgd",
		Doc:  "QSGD random dithering with s >= 1 levels (Alistarh et al. 2017): omega = min(d/s^2, sqrt(d)/s).",
		Draw: func(dr model.Drawer, _ model.DrawOptions) QSGD { return QSGD{S: dr.Int("s", 1, 8)} },
	})
}

var _ model.Unbiased = QSGD{}

// QSGD is random dithering with S levels (Alistarh et al. 2017): with
// r_j = S |v_j| / ||v||, l = floor(r_j) and p_j = r_j - l,
//
//	C(v)_j = ||v|| sign(v_j) xi_j / S,  xi_j = l+1 w.p. p_j, else l.
//
// The coordinates are independent, so E[Phi Phi^T | v] is diagonal with
// entries ||v||^2 p_j (1-p_j) / S^2, and omega = min(d/S^2, sqrt(d)/S).
type QSGD struct {
	S int `json:"s" doc:"quantisation levels >= 1"` // quantisation levels, >= 1
}

// Compress implements Compressor.
func (q QSGD) Compress(dst, v []float64, r *model.Rand) {
	n := norm2(v)
	if n == 0 {
		clear(dst)
		return
	}
	s := float64(q.S)
	for j, vj := range v {
		x := s * math.Abs(vj) / n
		l := math.Floor(x)
		if r.Float64() < x-l {
			l++
		}
		dst[j] = math.Copysign(n*l/s, vj)
	}
}

// Omega implements Unbiased.
func (q QSGD) Omega(d int) float64 {
	s := float64(q.S)
	return math.Min(float64(d)/(s*s), math.Sqrt(float64(d))/s)
}

// ErrorCov implements Unbiased.
func (q QSGD) ErrorCov(diag, v []float64) float64 {
	n := norm2(v)
	s := float64(q.S)
	for j, vj := range v {
		if n == 0 {
			diag[j] = 0
			continue
		}
		x := s * math.Abs(vj) / n
		p := x - math.Floor(x)
		diag[j] = n * n * p * (1 - p) / (s * s)
	}
	return 0
}

// Linear implements Unbiased: QSGD's D(v) is not proportional to v^2.
func (QSGD) Linear(int) (alpha, beta float64, ok bool) { return 0, 0, false }

// Validate implements Compressor.
func (q QSGD) Validate(int) error {
	if q.S < 1 {
		return model.Invalid("s", q.S, "must be >= 1")
	}
	return nil
}

// Keep1D implements Keeper1D: in d = 1 the level |v|/||v|| = 1 is on
// QSGD's grid, so C(v) = v.
func (QSGD) Keep1D() float64 { return 1 }
func norm2(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
