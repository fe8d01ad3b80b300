package properties

import (
	"encoding/json"
	"fmt"

	"github.com/sdeverify/sdeverify/model"
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

// The generators of the registered kinds: each draws a kind among the
// given names (none: every drawable kind of its sort registered in the
// binary, model.Kinds) and its parameters by the kind's own draw, and
// returns the spec as decoding its JSON gives it. A kind registered in
// another package is drawn once that package is imported.

// NoiseSpecs draws noise laws for o.Dim coordinates whose moments up to
// o.Moments are finite.
func NoiseSpecs(o model.DrawOptions, kinds ...string) *rapid.Generator[model.NoiseSpec] {
	return rapid.Custom(func(t *rapid.T) model.NoiseSpec { return drawSpec[model.NoiseSpec](t, "noise", o, kinds) })
}

// CompressorSpecs draws compressors for dimension o.Dim.
func CompressorSpecs(o model.DrawOptions, kinds ...string) *rapid.Generator[model.CompressorSpec] {
	return rapid.Custom(func(t *rapid.T) model.CompressorSpec {
		return drawSpec[model.CompressorSpec](t, "compressor", o, kinds)
	})
}

// AtomSpecs draws atoms, unscaled (gen.AtomOf adds random scales).
func AtomSpecs(kinds ...string) *rapid.Generator[model.AtomSpec] {
	return rapid.Custom(func(t *rapid.T) model.AtomSpec {
		return drawSpec[model.AtomSpec](t, "atom", model.DrawOptions{Dim: 1}, kinds)
	})
}

// ScheduleSpecs draws schedules.
func ScheduleSpecs(kinds ...string) *rapid.Generator[model.ScheduleSpec] {
	return rapid.Custom(func(t *rapid.T) model.ScheduleSpec {
		return drawSpec[model.ScheduleSpec](t, "schedule", model.DrawOptions{Dim: 1}, kinds)
	})
}

// drawSpec draws a kind of a sort and its parameters and decodes them
// into S, the sort's spec type.
func drawSpec[S any](t *rapid.T, sort string, o model.DrawOptions, kinds []string) S {
	if len(kinds) == 0 {
		kinds = gen.Drawable(sort)
	}
	name, params := gen.Kind(Drawer{t}, sort, kinds, o)
	k, err := json.Marshal(name)
	if err != nil {
		panic(err)
	}
	obj := `{"kind":` + string(k) + `}`
	if params != nil {
		obj = `{"kind":` + string(k) + `,` + string(params[1:])
	}
	var s S
	if err := json.Unmarshal([]byte(obj), &s); err != nil {
		panic(fmt.Sprintf("properties: drawn %s %s does not decode: %v", sort, obj, err))
	}
	return s
}
