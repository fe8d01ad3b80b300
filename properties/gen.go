package properties

import (
	"github.com/sdeverify/sdeverify/model/gen"
	"pgregory.net/rapid"
)

// Drawer draws a generator's choices through rapid, so that rapid owns the
// inputs and shrinks a failure to a minimal configuration. Monte Carlo
// noise is never drawn here: the configurations carry a seed (a rapid draw)
// and the engine's streams derive from it.
type Drawer struct{ T *rapid.T }

var _ gen.Drawer = Drawer{}

// Float implements gen.Drawer.
func (d Drawer) Float(name string, lo, hi float64) float64 {
	return rapid.Float64Range(lo, hi).Draw(d.T, name)
}

// Int implements gen.Drawer.
func (d Drawer) Int(name string, lo, hi int) int { return rapid.IntRange(lo, hi).Draw(d.T, name) }

// Norm implements gen.Drawer: a value in [-3, 3], which shrinks to 0
// (used for offsets and matrix entries, never for Monte Carlo noise).
func (d Drawer) Norm(name string) float64 { return rapid.Float64Range(-3, 3).Draw(d.T, name) }

// Uint64 implements gen.Drawer.
func (d Drawer) Uint64(name string) uint64 { return rapid.Uint64().Draw(d.T, name) }
