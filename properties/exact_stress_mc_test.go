package properties

import (
	"math"

	"github.com/sdeverify/sdeverify/internal/parallel"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/update"
)

// This file is the Monte Carlo reference of TestExactStress: the
// one-dimensional methods and their SDEs written out as scalar recursions,
// independent of model's DiscreteStep and SDEStep, of exact.Coefficients
// and of the exact engine (they share the generator, model.Rand, and
// noise.StudentTRand for t laws other than Cauchy, which model's own
// tests check). The conventions are docs/math.md section 2's and model's:
//
//	DSGD      x' = x - h (f'(x) + (1/N) sum_i Z_i),  Z_i ~ N(0, s0_i^2 + s1_i^2 f'(x)^2)
//	DCSGD     x' = x - h (1/N) sum_i B_i (f'(x) + Z_i) / p_i,  B_i ~ Bernoulli(p_i)
//	DSignSGD  x' = x - h (1/N) sum_i sign(f'(x) + Z_i),  sign(0) = 0,
//	          Z_i Gaussian as above or scale_i T, T ~ t_nu
//	SDE       dX = -r b(X) dt + r sqrt(eta/N) sqrt(Sigma(X)) dW,  b and
//	          Sigma = (1/N) sum_i Sigma_i as in exact.Coefficients
//
// with h = eta r and r the schedule's value. DSGD draws the mean of its
// agents' noises as one normal of variance (1/N^2) sum_i s_i^2 (the same
// law).

// stressAgent is one agent of a stress case: Gaussian affine noise
// (sigma0, sigma1) or Student-t (nu, scale), and for DCSGD a Bernoulli
// compressor keeping the coordinate with probability keep (1: identity).
type stressAgent struct {
	Gaussian       bool
	Sigma0, Sigma1 float64
	Nu, Scale      float64
	Keep           float64
}

// std is the Gaussian noise's standard deviation at gradient g.
func (a *stressAgent) std(g float64) float64 {
	return math.Sqrt(a.Sigma0*a.Sigma0 + a.Sigma1*a.Sigma1*g*g)
}

// draw is one draw of the agent's noise at gradient g.
func (a *stressAgent) draw(g float64, r *model.Rand) float64 {
	if a.Gaussian {
		return a.std(g) * r.NormFloat64()
	}
	if a.Nu == 1 {
		// Cauchy by inversion (noise.StudentTRand uses a ratio of normals:
		// a different sampler of the same law).
		return a.Scale * math.Tan(math.Pi*(r.Float64()-0.5))
	}
	return a.Scale * noise.StudentTRand(a.Nu, r)
}

// signMean is E sign(g + Z) for the SDE's drift, by the closed forms the
// test writes itself: erf for Gaussian noise, (2/pi) atan for Cauchy (the
// other Student-t laws are not simulated as SDEs here).
func (a *stressAgent) signMean(g float64) (m float64, random bool) {
	if a.Gaussian {
		s := a.std(g)
		if s == 0 {
			return stressSign(g), false
		}
		return math.Erf(g / (math.Sqrt2 * s)), true
	}
	if a.Scale == 0 {
		return stressSign(g), false
	}
	return 2 / math.Pi * math.Atan(g/a.Scale), true
}

func stressSign(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// stressChain is the recursion the Monte Carlo reference runs.
type stressChain struct {
	Method model.Method
	Atom   string // quartic, power6, logcosh or square (stressAtom)
	Agents []stressAgent
	Eta    float64
	X0     float64
	Steps  int
	// Rates are a clock schedule's values eta_k, k = 0..Steps-1 (nil: 1);
	// B > 0 is instead the pathwise eta_k = 1/(1 + B |f'(x_k)|).
	Rates []float64
	B     float64
	// Absorb kills a path when it leaves [-Radius, Radius] (the engine's
	// Settings.Absorb: E g is then E[g(x_k); stayed], g = 1 the probability
	// of staying).
	Absorb bool
	Radius float64
	// Substeps > 0 simulates the SDE instead, by Euler-Maruyama on
	// Substeps, 2 Substeps and 4 Substeps substeps per step, coupled on one
	// Brownian path (see sdePath).
	Substeps int
}

// deriv is f'(x), the atom's derivative written here (not model's), with
// the switch in the loop (it always takes the same branch).
func (c *stressChain) deriv(x float64) float64 {
	switch c.Atom {
	case "quartic":
		return x * x * x
	case "power6":
		x2 := x * x
		return x2 * x2 * x
	case "logcosh":
		return math.Tanh(x)
	}
	return x
}

// rate is the schedule's value at step k for a path with gradient g.
func (c *stressChain) rate(k int, g float64) float64 {
	switch {
	case c.B > 0:
		return 1 / (1 + c.B*math.Abs(g))
	case c.Rates != nil:
		return c.Rates[k]
	}
	return 1
}

// stressMC is a Monte Carlo estimate per test function and checkpoint:
// the mean, its standard error (0 when every path gave the same value)
// and, for the SDE, a bound on the residual time-discretisation bias of
// the extrapolated estimate.
type stressMC struct {
	Mean, SE, Bias [][]float64
	Paths          int
	Diverged       int // paths whose state stopped being finite
}

// stressChunk is the number of paths per generator stream: chunk c of a
// run draws from mc.Stream(seed, c), so that the estimate is the same for
// any number of workers.
const stressChunk = 1 << 14

// simulate runs paths paths of the chain (rounded up to whole chunks) on
// every core and returns E g(x_k) for each test function and checkpoint.
// Sums are kept per chunk around centre[f][j] (the exact value: no
// cancellation in the variance) and added in chunk order.
func (c stressChain) simulate(gs []func(float64) float64, cps []int, centre [][]float64, paths int, seed uint64) stressMC {
	nf, nc := len(gs), len(cps)
	chunks := (paths + stressChunk - 1) / stressChunk
	// Per chunk: for each (f, j) the sums of d and d^2 for the estimate,
	// for the SDE of the level difference e (see sdePath), and the
	// smallest and largest value (a sample without variance has no
	// interval: rounding in the centred sums would fake one).
	const nsum = 6
	sums := make([][]float64, chunks)
	div := make([]int, chunks)
	parallel.ForEach(chunks, 0, func(ch int) {
		r := mc.Stream(seed, ch)
		s := make([]float64, nf*nc*nsum)
		for i := 0; i < len(s); i += nsum {
			s[i+4], s[i+5] = math.Inf(1), math.Inf(-1)
		}
		vals := make([]float64, nf*nc*2)
		for range stressChunk {
			ok := c.path(r, gs, cps, vals)
			if !ok {
				div[ch]++
				continue
			}
			for f := range nf {
				for j := range nc {
					i := f*nc + j
					d := vals[2*i] - centre[f][j]
					e := vals[2*i+1]
					s[nsum*i] += d
					s[nsum*i+1] += d * d
					s[nsum*i+2] += e
					s[nsum*i+3] += e * e
					s[nsum*i+4] = math.Min(s[nsum*i+4], vals[2*i])
					s[nsum*i+5] = math.Max(s[nsum*i+5], vals[2*i])
				}
			}
		}
		sums[ch] = s
	})
	out := stressMC{Paths: chunks * stressChunk}
	for _, d := range div {
		out.Diverged += d
	}
	n := float64(out.Paths - out.Diverged)
	tot := make([]float64, nf*nc*nsum)
	for i := 0; i < len(tot); i += nsum {
		tot[i+4], tot[i+5] = math.Inf(1), math.Inf(-1)
	}
	for _, s := range sums {
		for i, v := range s {
			switch i % nsum {
			case 4:
				tot[i] = math.Min(tot[i], v)
			case 5:
				tot[i] = math.Max(tot[i], v)
			default:
				tot[i] += v
			}
		}
	}
	out.Mean, out.SE, out.Bias = make([][]float64, nf), make([][]float64, nf), make([][]float64, nf)
	for f := range nf {
		out.Mean[f], out.SE[f], out.Bias[f] = make([]float64, nc), make([]float64, nc), make([]float64, nc)
		for j := range nc {
			i := nsum * (f*nc + j)
			m := tot[i] / n
			out.Mean[f][j] = centre[f][j] + m
			out.SE[f][j] = math.Sqrt(math.Max(tot[i+1]/n-m*m, 0) / (n - 1))
			if tot[i+4] == tot[i+5] {
				out.Mean[f][j], out.SE[f][j] = tot[i+4], 0
			}
			if c.Substeps > 0 {
				// The residual bias of the extrapolation: the mean level
				// difference plus z(1e-7) of its standard errors.
				em := tot[i+2] / n
				ese := math.Sqrt(math.Max(tot[i+3]/n-em*em, 0) / (n - 1))
				out.Bias[f][j] = math.Abs(em) + mc.ZCrit(1e-7)*ese
			}
		}
	}
	return out
}

// path runs one path and writes, for each test function f and checkpoint
// j, its value into vals[2(f nc + j)] (and, for the SDE, the level
// difference into the next slot). It reports false if the state stopped
// being finite.
func (c stressChain) path(r *model.Rand, gs []func(float64) float64, cps []int, vals []float64) bool {
	if c.Substeps > 0 {
		return c.sdePath(r, gs, cps, vals)
	}
	nc := len(cps)
	x, alive := c.X0, true
	j := 0
	n := float64(len(c.Agents))
	// DSGD with Gaussian agents: the mean of the N noises is one normal
	// of variance (1/N^2) sum_i (s0_i^2 + s1_i^2 f'^2) = a + b f'^2.
	var a, b float64
	for _, ag := range c.Agents {
		a += ag.Sigma0 * ag.Sigma0 / (n * n)
		b += ag.Sigma1 * ag.Sigma1 / (n * n)
	}
	for k := 0; k <= c.Steps && j < nc; k++ {
		if k == cps[j] {
			for f, g := range gs {
				v := 0.0
				if alive {
					v = g(x)
				}
				vals[2*(f*nc+j)] = v
			}
			j++
		}
		if k == c.Steps || !alive {
			continue
		}
		g := c.deriv(x)
		h := c.Eta * c.rate(k, g)
		var u float64
		switch c.Method {
		case update.DSGD:
			u = g + math.Sqrt(a+b*g*g)*r.NormFloat64()
		case update.DCSGD:
			for i := range c.Agents {
				ag := &c.Agents[i]
				if ag.Keep < 1 && !(r.Float64() < ag.Keep) {
					continue
				}
				u += (g + ag.std(g)*r.NormFloat64()) / ag.Keep
			}
			u /= n
		case update.DSignSGD:
			for i := range c.Agents {
				u += stressSign(g + c.Agents[i].draw(g, r))
			}
			u /= n
		}
		x -= h * u
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
		if c.Absorb && !(math.Abs(x) <= c.Radius) {
			alive = false
		}
	}
	return true
}

// coefficients returns the SDE's drift b and Sigma at x (docs/math.md
// section 2, with Sigma averaged over the agents).
func (c stressChain) coefficients(x float64) (b, sigma float64) {
	g := c.deriv(x)
	n := float64(len(c.Agents))
	switch c.Method {
	case update.DSGD, update.DCSGD:
		b = g
		for i := range c.Agents {
			a := &c.Agents[i]
			v := a.std(g)
			v *= v
			if c.Method == update.DCSGD {
				om := 1/a.Keep - 1
				v = om*g*g + (1+om)*v
			}
			sigma += v
		}
	case update.DSignSGD:
		for i := range c.Agents {
			m, random := c.Agents[i].signMean(g)
			b += m
			if random {
				sigma += 1 - m*m
			}
		}
		b /= n
	}
	return b, sigma / n
}

// sdePath runs one path of the SDE by Euler-Maruyama on three coupled
// levels, m, 2m and 4m substeps per step (m = Substeps, 4 in the stress
// cases: 28 substeps a step in all), driven by the
// same Brownian increments (the finest level's normals, summed in pairs
// and in fours). Its value is the Richardson extrapolation
// R = 2 g(X^{4m}) - g(X^{2m}), whose expectation is the SDE's up to
// O(dt^2); the next slot holds R - (2 g(X^{2m}) - g(X^m)), the change of
// the extrapolation from the coarser pair, whose mean (about three times
// R's residual bias when the expansion holds) bounds that bias.
func (c stressChain) sdePath(r *model.Rand, gs []func(float64) float64, cps []int, vals []float64) bool {
	nc := len(cps)
	m := c.Substeps
	var x [3]float64
	x[0], x[1], x[2] = c.X0, c.X0, c.X0 // m, 2m, 4m substeps per step
	n := float64(len(c.Agents))
	j := 0
	var z [4]float64
	for k := 0; k <= c.Steps && j < nc; k++ {
		if k == cps[j] {
			for f, g := range gs {
				g1, g2, g4 := g(x[0]), g(x[1]), g(x[2])
				vals[2*(f*nc+j)] = 2*g4 - g2
				vals[2*(f*nc+j)+1] = (2*g4 - g2) - (2*g2 - g1)
			}
			j++
		}
		if k == c.Steps {
			continue
		}
		// A clock schedule only (the rate of step k, read once).
		rate := c.rate(k, 0)
		for range m {
			for i := range z {
				z[i] = r.NormFloat64()
			}
			for l, sub := range [3]int{1, 2, 4} {
				dt := c.Eta / float64(m*sub)
				for s := range sub {
					var w float64
					switch sub {
					case 1:
						w = (z[0] + z[1] + z[2] + z[3]) / 2
					case 2:
						w = (z[2*s] + z[2*s+1]) / math.Sqrt2
					default:
						w = z[s]
					}
					b, sg := c.coefficients(x[l])
					x[l] += -dt*rate*b + rate*math.Sqrt(dt*c.Eta*sg/n)*w
				}
			}
		}
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}
