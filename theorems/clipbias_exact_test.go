package theorems

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	_ "github.com/sdeverify/sdeverify/examples/extend/centredexp"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

// clipMeanAt returns E x_K of clipped SGD (c = 1, one agent) on
// f = x^2/2 from x0 under the given noise, by the exact engine in d = 1
// (the law of the discrete method, its quadrature included), with the
// value's error bar.
func clipMeanAt(t *testing.T, noise string, x0, eta float64, steps int) exact.Value {
	t.Helper()
	c, err := mc.ParseConfig([]byte(fmt.Sprintf(`{"objective":{"kind":"separable","dim":1,"atom":{"kind":"square"}},"x0":[%g],
		"agents":[{"noise":%s}],"method":"clipped-sgd","method_params":{"clip":1},"model":{"kind":"discrete"},
		"eta":%g,"schedule":{"kind":"constant"},"steps":%d,"paths":2,"seed":1}`, x0, noise, eta, steps)))
	require.NoError(t, err)
	run, err := c.Resolve()
	require.NoError(t, err)
	p, err := run.ExactProblem()
	require.NoError(t, err)
	v, err := exact.Discrete(p, []func(float64) float64{func(x float64) float64 { return x }}, exact.Settings{})
	require.NoError(t, err)
	return v[0][steps]
}

// TestClipBiasExactLaw (issue 26.6): clipping's bias from the exact law
// of clipped SGD (c = 1, one agent) on f = x^2/2 in d = 1, E x_K at
// t = K eta, by the exact engine (a deterministic computation with its
// error bar: grid, radius, rounding and the quadrature level):
//
//   - Gaussian noise (symmetric): from x0 = 1, E x_K -> 0, the stationary
//     point of f: |E x_K| <= err + 1e-10 at t = 60 (the mean contracts at
//     least like e^{-0.47 t} while |x| <= 1, m'(x) = P(|x + Z| < 1) >=
//     0.477 there: 6e-13 left; measured 1.2e-6 at t = 20, the transient).
//   - Centred Exp(1) noise (asymmetric, examples/extend/centredexp): from
//     x0 = 0, E x_K settles near x* = -W0(-e^-2) = 0.158594, the zero of
//     the drift m(x) = x - e^(x-2) (closed form, theorems/clipbias.go; x*
//     by Newton here), away from f's stationary point 0. The discrete
//     chain's stationary mean is x* + a eta + O(eta^2) (measured: (E x -
//     x*)/eta = 0.0210, 0.0219, 0.0219 at eta = 0.025, 0.0125, 0.00625; at
//     t = 25 the transient is e^{-0.84 t} ~ 1e-9 of |x0 - x*|): the test
//     asserts that the Richardson extrapolation to eta -> 0 from the two
//     smallest etas, 2 E x(eta/2) - E x(eta), equals x* within its own
//     error estimate, the change from the previous pair plus three times
//     the values' error bars. A law that settled at x* + delta, delta not
//     vanishing with eta, fails once |delta| exceeds that estimate (2e-5).
//     Deterministic.
func TestClipBiasExactLaw(t *testing.T) {
	t.Parallel()
	g := clipMeanAt(t, `{"kind":"gaussian","sigma0":1}`, 1, 0.025, int(math.Round(60/0.025)))
	t.Logf("gaussian: E x = %.3g +- %.2g", g.Value, g.Err)
	require.LessOrEqualf(t, math.Abs(g.Value), g.Err+1e-10, "symmetric noise: E x_K = %.3g +- %.2g, want 0", g.Value, g.Err)

	xstar := -lambertW0(-math.Exp(-2))
	etas := []float64{0.025, 0.0125, 0.00625}
	vs := make([]exact.Value, len(etas))
	for i, eta := range etas {
		vs[i] = clipMeanAt(t, `{"kind":"centred-exp","scale":1}`, 0, eta, int(math.Round(25/eta)))
		t.Logf("centred-exp, eta %g: E x = %.8f +- %.2g, x* = %.8f, (E x - x*)/eta = %.4g", eta, vs[i].Value, vs[i].Err, xstar, (vs[i].Value-xstar)/eta)
		require.Greaterf(t, vs[i].Value-vs[i].Err, 0.15, "asymmetric noise: E x_K = %.4g +- %.2g should settle near x* = %.4g, away from 0", vs[i].Value, vs[i].Err, xstar)
	}
	r1 := 2*vs[1].Value - vs[0].Value
	r2 := 2*vs[2].Value - vs[1].Value
	tol := math.Abs(r2-r1) + 3*(vs[0].Err+vs[1].Err+vs[2].Err)
	t.Logf("Richardson: %.8f, %.8f; x* = %.8f; |r2 - x*| = %.3g, allowed %.3g", r1, r2, xstar, math.Abs(r2-xstar), tol)
	require.LessOrEqualf(t, math.Abs(r2-xstar), tol, "the exact law's stationary mean extrapolates to %.8f, not x* = %.8f (allowed %.2g)", r2, xstar, tol)
}
