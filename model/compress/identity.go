package compress

import "github.com/sdeverify/sdeverify/model"

func init() {
	model.Register(model.Kind[Identity, model.Compressor]{
		Name: "identity",
		Doc:  "No compression: C(v) = v, omega = 0.",
		Draw: func(model.Drawer, model.DrawOptions) Identity { return Identity{} },
	})
}

var _ model.Unbiased = Identity{}

// Identity is C(v) = v, omega = 0.
type Identity struct{}

// Compress implements Compressor.
func (Identity) Compress(dst, v []float64, _ *model.Rand) { copy(dst, v) }

// Omega implements Unbiased.
func (Identity) Omega(int) float64 { return 0 }

// ErrorCov implements Unbiased: zero.
func (Identity) ErrorCov(diag, _ []float64) float64 {
	clear(diag)
	return 0
}

// Linear implements Unbiased.
func (Identity) Linear(int) (alpha, beta float64, ok bool) { return 0, 0, true }

// Validate implements Compressor.
func (Identity) Validate(int) error { return nil }

// Keep1D implements Keeper1D: always kept.
func (Identity) Keep1D() float64 { return 1 }
