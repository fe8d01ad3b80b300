package exact

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/compress"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

// bruteMoment is E g(x_K) computed directly: the chain's K steps nested,
// every set of kept agents enumerated (Bernoulli compressors) and each
// step's normal integrated by Gauss-Hermite quadrature with nh nodes. On
// x^4/4 (or a scaling of it) with Gaussian agents, g(x_K) is a polynomial
// in the normals once the symmetric rule has cancelled the odd powers of
// |x|^3 that noise proportional to the gradient brings: exact up to
// rounding when 2 nh - 1 is at least its degree, 4 3^(K-1) in the first
// normal (nh = 24 covers K <= 3).
func bruteMoment(sys model.System, x0 float64, steps []float64, g func(float64) float64, nh int) float64 {
	z, w := hermite(nh)
	n := len(sys.Agents)
	var rec func(x float64, k int) float64
	rec = func(x float64, k int) float64 {
		if k == len(steps) {
			return g(x)
		}
		var grad [1]float64
		sys.F.Grad(grad[:], []float64{x})
		fp := grad[0]
		var sum float64
		for mask := 0; mask < 1<<n; mask++ {
			prob, mean, vr := 1.0, 0.0, 0.0
			for i, ag := range sys.Agents {
				p := 1.0
				if bc, ok := ag.Compressor.(compress.Bernoulli); ok && sys.Method == update.DCSGD {
					p = bc.P
				}
				if mask&(1<<i) == 0 {
					prob *= 1 - p
					continue
				}
				prob *= p
				gs := ag.Noise.(noise.Gaussian)
				c := steps[k] / (float64(n) * p)
				mean += c * fp
				vr += c * c * (gs.Sigma0*gs.Sigma0 + gs.Sigma1*gs.Sigma1*fp*fp)
			}
			if prob == 0 {
				continue
			}
			sd := math.Sqrt(vr)
			for q := range z {
				sum += prob * w[q] * rec(x-mean-sd*z[q], k+1)
			}
		}
		return sum
	}
	return rec(x0, 0)
}

func quarticAgents(method model.Method, agents ...model.Agent) model.System {
	return model.System{F: objective.Homogeneous{Atom: objective.Quartic{}, D: 1}, Method: method, Agents: agents}
}

func constSteps(h float64, k int) []float64 {
	s := make([]float64, k)
	for i := range s {
		s[i] = h
	}
	return s
}

// TestDivergenceBelowBruteForce checks the bound against E f(x_K) and
// E x_K^2 computed directly (bruteMoment) on K = 1, 2, 3 steps, for DSGD
// (additive, proportional and two-agent noise), DCSGD with Bernoulli
// compressors and a scaled quartic. The bound must not exceed the truth
// (10^-9 relative: the quadrature's rounding); where the deterministic
// map already expands (x0 = 2, h = 0.6: h x0^2 = 2.4 >= 2) it must also
// be within 2 + K decades of it: the launch and each following step keep
// the path with probability at least P/2 (a factor 2^K at P = 1) and the
// bound on |x_K| drops the noise's push outwards.
func TestDivergenceBelowBruteForce(t *testing.T) {
	t.Parallel()
	add := model.Agent{Noise: noise.Gaussian{Sigma0: 1}}
	prop := model.Agent{Noise: noise.Gaussian{Sigma1: 0.5}}
	both := model.Agent{Noise: noise.Gaussian{Sigma0: 0.3, Sigma1: 0.2}}
	bern := model.Agent{Noise: noise.Gaussian{Sigma0: 0.5}, Compressor: compress.Bernoulli{P: 0.5}}
	bern2 := model.Agent{Noise: noise.Gaussian{Sigma0: 0.2, Sigma1: 0.3}, Compressor: compress.Bernoulli{P: 0.8}}
	scaled := model.System{F: objective.Homogeneous{Atom: model.Scaled{Atom: objective.Quartic{}, C: 2, A: 0.5}, D: 1}, Method: update.DSGD, Agents: []model.Agent{add}}
	cases := []struct {
		name   string
		sys    model.System
		x0, h  float64
		tight  bool
		growth Growth
		g      func(x float64) float64
	}{
		{"dsgd additive, expanding", quarticAgents(update.DSGD, add), 2, 0.6, true, Growth{}, nil},
		{"dsgd additive, launched by the noise", quarticAgents(update.DSGD, add), 1, 0.5, false, Growth{}, nil},
		{"dsgd proportional, expanding", quarticAgents(update.DSGD, prop), 2, 0.6, true, Growth{}, nil},
		{"dsgd proportional, launched", quarticAgents(update.DSGD, prop), 1, 0.5, false, Growth{}, nil},
		{"dsgd two agents", quarticAgents(update.DSGD, add, both), 1, 0.8, false, Growth{}, nil},
		{"dcsgd bernoulli", quarticAgents(update.DCSGD, bern), 1, 0.5, false, Growth{}, nil},
		{"dcsgd bernoulli, expanding", quarticAgents(update.DCSGD, bern), 2, 0.6, false, Growth{}, nil},
		{"dcsgd two agents", quarticAgents(update.DCSGD, bern, bern2), 1.5, 0.5, false, Growth{}, nil},
		{"scaled quartic", scaled, 3, 0.8, false, Growth{}, nil},
		{"x^2, dsgd additive", quarticAgents(update.DSGD, add), 2, 0.6, true, Growth{C: 1, Q: 2}, func(x float64) float64 { return x * x }},
		{"decaying steps", quarticAgents(update.DSGD, add), 2, -0.7, false, Growth{}, nil},
	}
	for ci, c := range cases {
		g := c.g
		if g == nil {
			g = func(x float64) float64 { return c.sys.F.Value([]float64{x}) - c.sys.F.Inf() }
		}
		for k := 1; k <= 3; k++ {
			steps := constSteps(c.h, k)
			if c.h < 0 { // eta_k = 1/sqrt(k+1)
				for j := range steps {
					steps[j] = -c.h / math.Sqrt(float64(j+1))
				}
			}
			b, err := Divergence(c.sys, c.x0, steps, c.growth)
			require.NoError(t, err)
			require.True(t, b.Applies, "case %d (%s): %s", ci, c.name, b.Why)
			truth := math.Log10(bruteMoment(c.sys, c.x0, steps, g, 24))
			require.LessOrEqual(t, b.Log10, truth+1e-9*math.Abs(truth)+1e-12, "case %d (%s), K = %d: got %v, want <= %v", ci, c.name, k, b.Log10, truth)
			if c.tight {
				require.Greater(t, b.Log10, truth-2-float64(k), "case %d (%s), K = %d: got %v, want within %d decades of %v", ci, c.name, k, b.Log10, 2+k, truth)
			}
			// The pieces add up.
			if a, r, ok := PowerLaw(c.sys.F); ok && c.growth == (Growth{}) {
				require.InDelta(t, b.Log10, b.Log10Launch+b.Log10Path+math.Log10(a/(r+1))+(r+1)*b.Log10X, 1e-9*math.Abs(b.Log10)+1e-9, "case %d", ci)
			}
		}
	}
}

// TestDivergenceStudentT: with Student-t noise E x^4 is infinite after one
// step for nu <= 4 and after two for nu <= 12 (x_2 ~ x_1^3); below, the
// bound is finite and below the closed form
// E (m - cT)^4/4 = (m^4 + 6 m^2 c^2 nu/(nu-2) + 3 c^4 nu^2/((nu-2)(nu-4)))/4.
func TestDivergenceStudentT(t *testing.T) {
	t.Parallel()
	sys := func(nu float64) model.System {
		return quarticAgents(update.DSGD, model.Agent{Noise: noise.StudentT{Nu: nu, Scale: []float64{0.7}}})
	}
	b, err := Divergence(sys(3), 1, constSteps(0.1, 1), Growth{})
	require.NoError(t, err)
	require.True(t, b.Infinite)
	require.True(t, math.IsInf(b.Log10, 1))
	b, err = Divergence(sys(5), 1, constSteps(0.1, 2), Growth{})
	require.NoError(t, err)
	require.True(t, b.Infinite, "4 * 3 = 12 > 5")
	b, err = Divergence(sys(13), 1, constSteps(0.1, 2), Growth{})
	require.NoError(t, err)
	require.False(t, b.Infinite, "12 < 13")
	for _, nu := range []float64{5, 8, 30} {
		b, err := Divergence(sys(nu), 1, constSteps(0.3, 1), Growth{})
		require.NoError(t, err)
		require.False(t, b.Infinite)
		m, c := 1-0.3, 0.3*0.7
		truth := (math.Pow(m, 4) + 6*m*m*c*c*nu/(nu-2) + 3*math.Pow(c, 4)*nu*nu/((nu-2)*(nu-4))) / 4
		require.LessOrEqual(t, b.Log10, math.Log10(truth), "nu = %g", nu)
	}
}

// TestDivergenceTails: the tail bounds are lower bounds, and close: the
// normal's is exact below 30 and within 1/z^2 relative beyond (Gordon);
// Student-t's within (1 + nu/z^2)^(1/2) ... relative for large z.
func TestDivergenceTails(t *testing.T) {
	t.Parallel()
	for _, z := range []float64{0.5, 1, 3, 10, 29, 31, 35, 37} {
		exact := math.Log(0.5 * math.Erfc(z/math.Sqrt2))
		got := logNormalTail(z)
		require.LessOrEqual(t, got, exact+1e-12*math.Abs(exact), "z = %g", z)
		if z >= 30 {
			require.Greater(t, got, exact+math.Log(1-1/(z*z))-1e-12, "z = %g", z)
		}
	}
	for _, nu := range []float64{1, 3, 5.5, 20} {
		st := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}
		for _, z := range []float64{0.1, 1, 5, 50, 1e3} {
			exact := math.Log(st.Survival(z))
			got := logStudentTail(nu, z)
			require.LessOrEqual(t, got, exact+1e-9, "nu = %g, z = %g", nu, z)
			if z >= 50 {
				require.Greater(t, got, exact-0.01, "nu = %g, z = %g: the bound is tight in the tail", nu, z)
			}
		}
	}
}

// TestDivergenceNotCovered: the cases without a bound say why, and invalid
// input is an error.
func TestDivergenceNotCovered(t *testing.T) {
	t.Parallel()
	add := model.Agent{Noise: noise.Gaussian{Sigma0: 1}}
	cosh := model.System{F: objective.Homogeneous{Atom: objective.Cosh{}, D: 1}, Method: update.DSGD, Agents: []model.Agent{add}}
	b, err := Divergence(cosh, 1, constSteps(0.1, 5), Growth{})
	require.NoError(t, err)
	require.False(t, b.Applies)
	b, err = Divergence(quarticAgents(update.DSGD, model.Agent{Noise: noise.Gaussian{Sigma1: 1}}), 0, constSteps(0.1, 5), Growth{})
	require.NoError(t, err)
	require.False(t, b.Applies, "x0 = 0 with noise proportional to the gradient: the chain stays at 0")
	_, err = Divergence(quarticAgents(update.DSGD, add), math.NaN(), constSteps(0.1, 5), Growth{})
	require.Error(t, err)
	_, err = Divergence(quarticAgents(update.DSGD, add), 1, []float64{0.1, -1}, Growth{})
	require.Error(t, err)
	_, err = Divergence(quarticAgents(update.DSGD, add), 1, nil, Growth{})
	require.Error(t, err)
}

// TestFunctional: the functional the settings compute names the grid's
// radius and what happens at its edge.
func TestFunctional(t *testing.T) {
	t.Parallel()
	require.Contains(t, Settings{}.Functional(1), "R = 4: a path that leaves is frozen where it lands")
	require.Contains(t, Settings{Radius: 10, Absorb: true}.Functional(1), "R = 10: the mass that leaves the grid [-R, R] is killed")
	require.Contains(t, Settings{Reflect: true}.Functional(-3), "reflected at the edges of the grid [-R, R], R = 8")
	require.Equal(t, 8.0, Settings{}.GridRadius(3))
}

func ExampleDivergence() {
	// DSGD on x^4/4 with noise 0.1 |f'|, x0 = 1, eta = 0.05 to T = 2 (the
	// weak example weak-dsgd-sigma1-0.1.json): E f(x_40) is at least
	// 10^(Log10).
	sys := model.System{F: objective.Homogeneous{Atom: objective.Quartic{}, D: 1}, Method: update.DSGD,
		Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 0.1}}}}
	b, _ := Divergence(sys, 1, constSteps(0.05, 40), Growth{})
	fmt.Printf("E f(x_40) >= 10^(%.3g)\n", b.Log10)
	// Output:
	// E f(x_40) >= 10^(1.04e+20)
}
