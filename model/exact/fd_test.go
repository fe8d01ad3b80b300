package exact_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/exact"
)

// TestFDClosedForms: the finite-difference SDE scheme (SchemeFD)
// reproduces the Ornstein-Uhlenbeck mean and second moment and the
// geometric Brownian motion's second moment (see TestOrnsteinUhlenbeck and
// TestGeometricBrownianMotion), on the uniform and on the sinh-mapped grid,
// and its own error estimate covers the true error: to 1e-6 relative for
// Ornstein-Uhlenbeck, 2e-5 for the geometric Brownian motion, whose
// diffusion vanishes at 0 so that the fitted scheme upwinds there (first
// order) on 2400 nodes.
func TestFDClosedForms(t *testing.T) {
	t.Parallel()
	const a, s, n, x0, eta, steps = 1.5, 2.0, 3, 1.0, 0.05, 40
	ou := problem(t, fmt.Sprintf(`{"kind":"separable","dim":1,"atom":{"kind":"square","c":%g}}`, a),
		fmt.Sprintf(`[{"noise":{"kind":"gaussian","sigma0":%g},"count":%d}]`, s, n), "dsgd", x0, eta, steps)
	v := s * s / n
	smean := func(k int) float64 { return x0 * math.Exp(-a*float64(k)*eta) }
	svar := func(k int) float64 { return eta * v / (2 * a) * (1 - math.Exp(-2*a*float64(k)*eta)) }
	gbm := problem(t, `{"kind":"separable","dim":1,"atom":{"kind":"square","c":1}}`, `[{"noise":{"kind":"gaussian","sigma1":1}}]`, "dsgd", 1, 0.1, 20)
	for _, st := range []exact.Settings{
		{Scheme: exact.SchemeFD, Nodes: 2400, Substeps: 16},
		{Scheme: exact.SchemeFD, Nodes: 4800, Substeps: 16, Map: 0.5, Radius: 20},
	} {
		got, err := exact.SDE(ou, []func(float64) float64{id, sq}, st)
		require.NoError(t, err)
		relClose(t, fmt.Sprintf("OU E X (map %g)", st.Map), got[0], smean, 1e-6)
		relClose(t, fmt.Sprintf("OU E X^2 (map %g)", st.Map), got[1], func(k int) float64 { return sq(smean(k)) + svar(k) }, 1e-6)
		sd, err := exact.SDE(gbm, []func(float64) float64{sq}, st)
		require.NoError(t, err)
		relClose(t, fmt.Sprintf("GBM E X^2 (map %g)", st.Map), sd[0], func(k int) float64 { return math.Exp((-2 + 0.1) * float64(k) * 0.1) }, 2e-5)
	}
}

// TestFDAgreesWithEM: the two SDE schemes, Euler-Maruyama with quadrature
// (a banded product per substep, cubic interpolation) and exponentially
// fitted finite differences with implicit Euler (a tridiagonal solve),
// share only the coefficients; on x^4/4 from x0 = 1 for each method and
// noise kind of the weak examples, their values of E f and E x^2 agree
// within the sum of their error estimates at every step.
func TestFDAgreesWithEM(t *testing.T) {
	t.Parallel()
	quartic := `{"kind":"separable","dim":1,"atom":{"kind":"quartic"}}`
	for _, c := range []struct{ agents, method string }{
		{`[{"noise":{"kind":"gaussian","sigma1":1}}]`, "dsgd"},
		{`[{"noise":{"kind":"gaussian","sigma0":0.5},"compressor":{"kind":"bernoulli","p":0.5}}]`, "dcsgd"},
		{`[{"noise":{"kind":"gaussian","sigma0":0.5}}]`, "dsignsgd"},
		{`[{"noise":{"kind":"student-t","nu":1,"scale":[1]}}]`, "dsignsgd"},
	} {
		p := problem(t, quartic, c.agents, c.method, 1, 0.05, 40)
		gs := []func(float64) float64{func(x float64) float64 { return x * x * x * x / 4 }, sq}
		em, err := exact.SDE(p, gs, exact.Settings{Nodes: 2400})
		require.NoError(t, err)
		fd, err := exact.SDE(p, gs, exact.Settings{Nodes: 2400, Scheme: exact.SchemeFD})
		require.NoError(t, err)
		for f := range gs {
			for k := range em[f] {
				a, b := em[f][k], fd[f][k]
				require.LessOrEqualf(t, math.Abs(a.Value-b.Value), a.Err+b.Err, "%s %s test %d step %d: em %.9g (err %.2g), fd %.9g (err %.2g)", c.method, c.agents, f, k, a.Value, a.Err, b.Value, b.Err)
			}
		}
		k := len(em[0]) - 1
		t.Logf("%s %s: E f at T: em %.9g (err %.2g), fd %.9g (err %.2g)", c.method, c.agents, em[0][k].Value, em[0][k].Err, fd[0][k].Value, fd[0][k].Err)
	}
}
