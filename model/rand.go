package model

import "github.com/sdeverify/sdeverify/internal/rng"

// Rand is the suite's random stream (internal/rng: xoshiro256++ with a
// ziggurat normal sampler, its calls direct and inlined into the step
// kernels). It implements rand.Source, so rand.New(r) gives math/rand/v2's
// other distributions on the same stream. A Rand is not safe for
// concurrent use; the zero value is not a valid generator (use NewRand).
type Rand = rng.Rand

// NewRand returns a generator seeded from seed by consecutive SplitMix64
// outputs, the seeding xoshiro's authors recommend (never all zero).
func NewRand(seed uint64) *Rand { return rng.NewRand(seed) }

// SplitMix64 is the finaliser of Steele, Lea and Flood's SplitMix64: a
// bijective 64-bit mixer, used to seed a generator and to derive
// independent stream seeds (model/mc.StreamSeed).
func SplitMix64(x uint64) uint64 { return rng.SplitMix64(x) }
