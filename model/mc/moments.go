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
