package mc

import "math"

// Moments accumulates a sample's count, mean and sum of squared deviations
// (Welford 1962). The zero value is an empty sample.
type Moments struct {
	N    int
	Mean float64
	M2   float64
}

// Add adds one observation.
func (m *Moments) Add(x float64) {
	m.N++
	d := x - m.Mean
	m.Mean += d / float64(m.N)
	m.M2 += d * (x - m.Mean)
}

// Merge adds the observations summarised by o (Chan, Golub and LeVeque 1979).
// Merging in a fixed order gives bit-identical results.
func (m *Moments) Merge(o Moments) {
	if o.N == 0 {
		return
	}
	if m.N == 0 {
		*m = o
		return
	}
	n := m.N + o.N
	d := o.Mean - m.Mean
	m.Mean += d * float64(o.N) / float64(n)
	m.M2 += o.M2 + d*d*float64(m.N)*float64(o.N)/float64(n)
	m.N = n
}

// Var returns the unbiased sample variance (NaN for fewer than 2 points).
func (m Moments) Var() float64 {
	if m.N < 2 {
		return math.NaN()
	}
	return math.Max(0, m.M2) / float64(m.N-1)
}

// SE returns the standard error of the mean, sqrt(Var/N).
func (m Moments) SE() float64 { return math.Sqrt(m.Var() / float64(m.N)) }

// Sums accumulates a sample as sums shifted by its first value, without a
// division per observation; Moments converts them. The shift keeps the
// sum-of-squares formula accurate when the mean is large against the spread
// (relative error ~1e-16 mean^2/var per block of BlockSize values).
type Sums struct {
	N             int
	Shift, S1, S2 float64
}

// Add adds one observation.
func (s *Sums) Add(x float64) {
	if s.N == 0 {
		s.Shift = x
	}
	s.N++
	d := x - s.Shift
	s.S1 += d
	s.S2 += d * d
}

// Moments returns the sample's moments.
func (s Sums) Moments() Moments {
	if s.N == 0 {
		return Moments{}
	}
	n := float64(s.N)
	mean := s.S1 / n
	return Moments{N: s.N, Mean: s.Shift + mean, M2: math.Max(0, s.S2-s.S1*mean)}
}
