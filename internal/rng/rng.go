// Package rng is the suite's random stream: xoshiro256++ with a ziggurat
// normal sampler (model.Rand is an alias of its Rand), its state open to the
// step kernels of the module that inline the generator, and the floor loops
// that `sdeverify figure1 -bench` times.
package rng

import (
	"math"
	"math/bits"
)

// Rand is the suite's random stream: the xoshiro256++ generator of Blackman
// and Vigna (2019), which passes BigCrush and PractRand, with the samplers
// the simulations need (uniform, index, normal, exponential) as concrete
// methods. The random numbers are the floor of every simulation, so Rand is
// a concrete type rather than a *rand.Rand over a rand.Source: its calls
// are direct, Uint64 and Float64 inline, and the step kernels inline the
// generator itself (keeping its state in registers across a loop). It
// implements rand.Source, so rand.New(r) gives math/rand/v2's other
// distributions on the same stream. A Rand is not safe for concurrent use;
// the zero value is not a valid generator (use NewRand).
type Rand struct{ State }

// State is xoshiro256++'s state as a value, so that a step kernel (the
// compressors and noise laws of model/...) can copy it into locals, step it
// inline (Next) and store it back. This package is internal: the kernels
// inside the module reach the state; a user's kind uses Rand's samplers.
type State struct{ s0, s1, s2, s3 uint64 }

// Next returns the advanced state and the output.
func (x State) Next() (State, uint64) {
	r := bits.RotateLeft64(x.s0+x.s3, 23) + x.s0
	t := x.s1 << 17
	x.s2 ^= x.s0
	x.s3 ^= x.s1
	x.s1 ^= x.s2
	x.s0 ^= x.s3
	x.s2 ^= t
	x.s3 = bits.RotateLeft64(x.s3, 45)
	return x, r
}

// SplitMix64 is the finaliser of Steele, Lea and Flood's SplitMix64: a
// bijective 64-bit mixer, used to seed a generator and to derive
// independent stream seeds (model/mc.StreamSeed).
func SplitMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// NewRand returns a generator seeded from seed by consecutive SplitMix64
// outputs, the seeding xoshiro's authors recommend (never all zero).
func NewRand(seed uint64) *Rand {
	r := new(Rand)
	r.Seed(seed)
	return r
}

// NewState returns a generator with the given raw state, which must not
// be all zero (for tests against the reference implementation).
func NewState(s0, s1, s2, s3 uint64) *Rand { return &Rand{State{s0, s1, s2, s3}} }

// Seed resets the state as NewRand(seed) does.
func (r *Rand) Seed(seed uint64) {
	const gamma = 0x9e3779b97f4a7c15
	r.s0 = SplitMix64(seed)
	seed += gamma
	r.s1 = SplitMix64(seed)
	seed += gamma
	r.s2 = SplitMix64(seed)
	seed += gamma
	r.s3 = SplitMix64(seed)
	if r.s0|r.s1|r.s2|r.s3 == 0 {
		r.s0 = 1
	}
}

// Uint64 returns 64 uniform bits (rand.Source).
func (r *Rand) Uint64() uint64 {
	var u uint64
	r.State, u = r.Next()
	return u
}

// Float64 returns a uniform variate in [0, 1) on the 2^-53 grid.
func (r *Rand) Float64() float64 { return float64(r.Uint64()>>11) * 0x1p-53 }

// open01 returns a uniform variate in (0, 1] on the 2^-53 grid (safe for log).
func (r *Rand) open01() float64 { return float64(r.Uint64()>>11+1) * 0x1p-53 }

// IntN returns a uniform integer in [0, n) by Lemire's multiply-and-reject
// (exact: no modulo bias). It panics if n <= 0, as math/rand/v2 does.
func (r *Rand) IntN(n int) int {
	if n <= 0 {
		panic("model: Rand.IntN: n <= 0")
	}
	hi, lo := bits.Mul64(r.Uint64(), uint64(n))
	if lo < uint64(n) {
		hi = r.indexSlow(uint64(n), hi, lo)
	}
	return int(hi)
}

// indexSlow finishes Lemire's method when the first product's low word
// fell below n: it rejects while the low word is below 2^64 mod n.
func (r *Rand) indexSlow(n, hi, lo uint64) uint64 {
	thresh := -n % n
	for lo < thresh {
		hi, lo = bits.Mul64(r.Uint64(), n)
	}
	return hi
}

// IndexSlowAt is indexSlow for a kernel that holds the generator's state s
// in locals.
func (r *Rand) IndexSlowAt(s State, n, hi, lo uint64) (State, uint64) {
	r.State = s
	hi = r.indexSlow(n, hi, lo)
	return r.State, hi
}

// ExpFloat64 returns an Exp(1) variate, -log U with U uniform on (0, 1].
func (r *Rand) ExpFloat64() float64 { return -math.Log(r.open01()) }

// NormFloat64 returns a standard normal variate by the ziggurat method of
// Marsaglia and Tsang (2000), 256 layers, with the layer index and the
// 53-bit signed abscissa taken from disjoint bits of one 64-bit draw
// (the original shares them). About 98.5% of draws take the fast path:
// one generator step, one table lookup, one comparison (128 layers take
// it 97.2% of the time, and the slow path's exp measured dearer than the
// larger table).
func (r *Rand) NormFloat64() float64 {
	u := r.Uint64()
	if z, ok := ZigFast(u); ok {
		return z
	}
	return r.normSlow(u)
}

// Normals fills dst with standard normal draws, the same values as
// len(dst) calls of NormFloat64, with the generator's state in locals, and
// returns their sum (added in order).
func (r *Rand) Normals(dst []float64) float64 {
	s := r.State
	var u uint64
	var sum float64
	for i := range dst {
		s, u = s.Next()
		z, ok := ZigFast(u)
		if !ok {
			s, z = r.NormSlowAt(s, u)
		}
		dst[i] = z
		sum += z
	}
	r.State = s
	return sum
}

// The ziggurat's tables for 256 layers: zigK[i] is the integer threshold of
// layer i's rectangle that lies wholly under the density, zigW[i] the scale
// from the 53-bit signed integer to the abscissa, zigF[i] the density at the
// layer's right edge x_i. Built at init from Marsaglia and Tsang's
// recursion, with the tail start zigR and the common layer area zigV.
const (
	zigN = 256
	zigR = 3.6541528853610088
	zigV = 4.92867323399e-3
	zigM = 1 << 52 // |j| < 2^52 for the 53-bit signed abscissa
)

var (
	zigK [zigN]uint64
	zigW [zigN]float64
	zigF [zigN]float64
	// For the wedge test: the layers' right edges x_i (x_0 = 0), the
	// chords' slopes (f(x_i) - f(x_{i-1})) / (x_i - x_{i-1}), and whether
	// f is concave (x_i < 1) or convex (x_{i-1} > 1) across the layer.
	zigX     [zigN]float64
	zigSlope [zigN]float64
	zigShape [zigN]shape
)

type shape uint8

const (
	mixed shape = iota
	concave
	convex
)

func init() {
	dn, tn := zigR, zigR
	q := zigV / math.Exp(-0.5*dn*dn)
	zigK[0] = uint64(dn / q * zigM)
	zigK[1] = 0
	zigW[0] = q / zigM
	zigW[zigN-1] = dn / zigM
	zigF[0] = 1
	zigF[zigN-1] = math.Exp(-0.5 * dn * dn)
	for i := zigN - 2; i >= 1; i-- {
		dn = math.Sqrt(-2 * math.Log(zigV/dn+math.Exp(-0.5*dn*dn)))
		zigK[i+1] = uint64(dn / tn * zigM)
		tn = dn
		zigF[i] = math.Exp(-0.5 * dn * dn)
		zigW[i] = dn / zigM
	}
	for i := 1; i < zigN; i++ {
		zigX[i] = zigW[i] * zigM
	}
	for i := 1; i < zigN; i++ {
		zigSlope[i] = (zigF[i] - zigF[i-1]) / (zigX[i] - zigX[i-1])
		switch {
		case zigX[i] < 1-1e-9:
			zigShape[i] = concave
		case zigX[i-1] > 1+1e-9:
			zigShape[i] = convex
		}
	}
}

// ZigFast is the ziggurat's fast path for the draw u: the layer i = u mod
// 256 and the signed abscissa j = bits 11..63 of u; ok when |j| is inside the
// layer's rectangle, and then j zigW[i] is the variate. Small enough to
// inline into the step kernels.
func ZigFast(u uint64) (float64, bool) {
	i := u & (zigN - 1)
	j := int64(u) >> 11
	m := j >> 63
	return float64(j) * zigW[i], uint64((j+m)^m) < zigK[i]
}

// NormSlowAt is normSlow for a kernel that holds the generator's state s
// in locals: it stores s, finishes the draw and returns the new state.
func (r *Rand) NormSlowAt(s State, u uint64) (State, float64) {
	r.State = s
	z := r.normSlow(u)
	return r.State, z
}

// normSlow finishes a ziggurat draw whose first word u missed the fast path:
// the tail beyond zigR (Marsaglia's exponential method) for layer 0, the
// wedge test against the density otherwise, and fresh draws on rejection.
func (r *Rand) normSlow(u uint64) float64 {
	for {
		if z, ok := ZigFast(u); ok {
			return z
		}
		i := u & (zigN - 1)
		j := int64(u) >> 11
		if i == 0 {
			var x float64
			for {
				x = -math.Log(r.open01()) / zigR
				y := -math.Log(r.open01())
				if y+y >= x*x {
					break
				}
			}
			if j >= 0 {
				return zigR + x
			}
			return -zigR - x
		}
		x := float64(j) * zigW[i]
		y := zigF[i] + r.Float64()*(zigF[i-1]-zigF[i])
		if zigWedge(i, math.Abs(x), y) {
			return x
		}
		u = r.Uint64()
	}
}

// zigWedge decides whether the point (ax, y) of layer i's wedge (ax near
// [x_{i-1}, x_i], y in [f(x_i), f(x_{i-1})]) lies under the density
// f(x) = exp(-x^2/2): y < f(ax). Most points are decided by lines instead of
// exp: f is concave on [0, 1] and convex beyond, so in a concave layer the
// chord through the layer's corners lies below f and the tangent at
// x_{i-1} above it, and in a convex layer the chord lies above f and the
// tangent at x_i below it. Only points between the two lines (or in the
// layer that straddles 1) take exp. The margin 1e-12 keeps rounding in the
// lines from deciding a point that exp would decide otherwise.
func zigWedge(i uint64, ax, y float64) bool {
	const margin = 1e-12
	switch zigShape[i] {
	case concave:
		chord := zigF[i-1] + zigSlope[i]*(ax-zigX[i-1])
		if y < chord-margin {
			return true
		}
		tangent := zigF[i-1] * (1 - zigX[i-1]*(ax-zigX[i-1]))
		if y > tangent+margin {
			return false
		}
	case convex:
		chord := zigF[i-1] + zigSlope[i]*(ax-zigX[i-1])
		if y > chord+margin {
			return false
		}
		tangent := zigF[i] * (1 + zigX[i]*(zigX[i]-ax))
		if y < tangent-margin {
			return true
		}
	}
	return y < math.Exp(-0.5*ax*ax)
}

// FloorNormals draws n standard normals from r, with the generator inline
// as the step kernels run it, and returns their sum: the time of this loop
// is the floor of a simulation that needs n normals (`sdeverify figure1
// -bench` measures it). The sum is of the variates' bits, an integer
// xor, so that it adds no floating-point latency chain to the loop.
func FloorNormals(r *Rand, n int) uint64 {
	s := r.State
	var u uint64
	var sum uint64
	for range n {
		s, u = s.Next()
		z, ok := ZigFast(u)
		if !ok {
			s, z = r.NormSlowAt(s, u)
		}
		sum ^= math.Float64bits(z)
	}
	r.State = s
	return sum
}

// FloorIndices draws uniform indices below bound, bound-1, ..., (n in all,
// as Floyd's selection of n of bound coordinates does) from r with the
// generator inline, and returns their sum: the floor of a simulation that
// needs those indices.
func FloorIndices(r *Rand, n, bound int) uint64 {
	s := r.State
	var u uint64
	var sum uint64
	for j := bound - n; j < bound; j++ {
		m := uint64(j + 1)
		s, u = s.Next()
		hi, lo := bits.Mul64(u, m)
		if lo < m {
			s, hi = r.IndexSlowAt(s, m, hi, lo)
		}
		sum ^= hi
	}
	r.State = s
	return sum
}
