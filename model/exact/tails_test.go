package exact_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model/exact"
)

// TestClassifyBessel checks the tail classification against an independent
// derivation. For f = |x|^p/p (p > 2) and noise sigma1 |f'|, the SDE is
// dX = -X^(p-1) dt + c X^(p-1) dW (c^2 = eta sigma1^2/N) on x > 0, and
// Lamperti's Z = X^-(p-2) solves dZ = (beta + beta (beta+1) c^2 / (2 Z)) dt
// - beta c dW with beta = p - 2: a Bessel process of dimension
// delta = 2 + 1/beta (plus a constant drift) in the variable Z / (beta c).
// Bessel processes of dimension >= 2 never reach 0, so X never explodes,
// and the density of Z near 0 is ~ z^(delta-1), so
// P(X_t > R) = P(Z_t < R^-beta) ~ R^-(beta delta) = R^-(2p-3): E X_t^q is
// finite exactly when q < 2p - 3.
func TestClassifyBessel(t *testing.T) {
	t.Parallel()
	for _, p := range []float64{3, 4, 6} {
		atom := fmt.Sprintf(`{"kind":"power","p":%g}`, p)
		if p == 4 {
			atom = `{"kind":"quartic"}`
		}
		for _, method := range []string{"dsgd", "dcsgd"} {
			agents := `[{"noise":{"kind":"gaussian","sigma1":3}}]`
			if method == "dcsgd" {
				agents = `[{"noise":{"kind":"gaussian","sigma1":0.5},"compressor":{"kind":"bernoulli","p":0.5}},{"noise":{"kind":"gaussian","sigma1":1},"compressor":{"kind":"identity"}}]`
			}
			pr := problem(t, fmt.Sprintf(`{"kind":"separable","dim":1,"atom":%s}`, atom), agents, method, 3, 0.01, 1)
			tl, err := exact.Classify(pr.System, pr.Eta, nil)
			require.NoError(t, err)
			for _, b := range []exact.Boundary{tl.Plus, tl.Minus} {
				require.Equalf(t, "entrance", b.Kind, "p=%g %s %s: %s", p, method, b.Side, b.Reason)
				require.False(t, b.Attainable)
				require.InDeltaf(t, 2*p-3, b.MomentBound, 1e-9, "p=%g %s %s: %s", p, method, b.Side, b.Reason)
			}
			f := func(x float64) float64 { return math.Pow(math.Abs(x), p) / p }
			want := exact.Finite // p < 2p - 3 for p > 3
			if p == 3 {
				want = exact.Infinite
			}
			st, why := tl.Moment(f)
			require.Equalf(t, want, st, "E f, p=%g: %s", p, why)
			st, why = tl.Moment(func(x float64) float64 { return f(x) * f(x) })
			require.Equalf(t, exact.Infinite, st, "E f^2, p=%g: %s", p, why) // 2p >= 2p - 3
		}
	}
}

// TestClassifyNatural: noise proportional to the gradient of a quadratic
// gives a geometric Brownian motion (lognormal: every moment finite), bounded
// variance gives Ornstein-Uhlenbeck, and DSignSGD's coefficients are
// bounded; none explodes.
func TestClassifyNatural(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ atom, agents, method string }{
		{`{"kind":"square","c":1.5}`, `[{"noise":{"kind":"gaussian","sigma1":2}}]`, "dsgd"},
		{`{"kind":"square","c":1.5}`, `[{"noise":{"kind":"gaussian","sigma0":2}}]`, "dsgd"},
		{`{"kind":"quartic"}`, `[{"noise":{"kind":"gaussian","sigma0":2}}]`, "dsgd"},
		{`{"kind":"quartic"}`, `[{"noise":{"kind":"student-t","nu":1,"scale":[2]}}]`, "dsignsgd"},
	} {
		pr := problem(t, fmt.Sprintf(`{"kind":"separable","dim":1,"atom":%s}`, c.atom), c.agents, c.method, 1, 0.1, 1)
		tl, err := exact.Classify(pr.System, pr.Eta, nil)
		require.NoError(t, err)
		for _, b := range []exact.Boundary{tl.Plus, tl.Minus} {
			require.Equalf(t, "natural", b.Kind, "%v %s: %s", c, b.Side, b.Reason)
			require.True(t, math.IsInf(b.MomentBound, 1))
		}
		st, why := tl.Moment(func(x float64) float64 { return math.Pow(x, 8) })
		require.Equalf(t, exact.Finite, st, "%v: %s", c, why)
		if c.method == "dsignsgd" {
			// Bounded coefficients: sub-Gaussian tails, so cosh's growth is fine
			// and exp(x^2)'s is not decided.
			st, why = tl.Moment(math.Cosh)
			require.Equalf(t, exact.Finite, st, "cosh: %s", why)
			st, _ = tl.Moment(func(x float64) float64 { return math.Exp(x * x) })
			require.Equal(t, exact.Unknown, st)
		}
	}
}

// TestEscapeBound: for Ornstein-Uhlenbeck (f = x^2/2, noise sigma0) the
// bound on P(sup_{t<=T} |X_t| >= R) must be at least the exact
// P(|X_T| >= R) = erfc(R / (sd_T sqrt 2)) (x0 = 0); on Figure 1's left
// panel (x^4/4, sigma1 = 3, eta = 0.01, x0 = 3, T = 50) it certifies that
// reaching the divergence threshold 1e10 has probability below 1e-8; and
// where the diffusion outgrows the drift (eta sigma1^2 > 2 on x^4/4) it
// gives no certificate.
func TestEscapeBound(t *testing.T) {
	t.Parallel()
	const s, eta, T = 1.0, 0.5, 4.0
	ou := problem(t, `{"kind":"separable","dim":1,"atom":{"kind":"square"}}`, fmt.Sprintf(`[{"noise":{"kind":"gaussian","sigma0":%g}}]`, s), "dsgd", 0, eta, 1)
	sdT := math.Sqrt(eta * s * s / 2 * (1 - math.Exp(-2*T)))
	for _, r := range []float64{0.1, 0.5, 1, 2} {
		b, why, err := exact.EscapeBound(ou.System, eta, 1, 0, T, r)
		require.NoError(t, err)
		require.GreaterOrEqualf(t, b, math.Erfc(r/(sdT*math.Sqrt2)), "R = %g: %s", r, why)
	}
	fig := problem(t, `{"kind":"separable","dim":1,"atom":{"kind":"quartic"}}`, `[{"noise":{"kind":"gaussian","sigma1":3}}]`, "dsgd", 3, 0.01, 1)
	b, why, err := exact.EscapeBound(fig.System, 0.01, 1, 3, 50, 1e10)
	require.NoError(t, err)
	require.Lessf(t, b, 1e-8, why)
	b, why, err = exact.EscapeBound(fig.System, 1, 1, 3, 50, 1e10)
	require.NoError(t, err)
	require.Equal(t, 1.0, b)
	require.Contains(t, why, "no certificate")
}

// TestTailsJSON: an infinite moment bound and undecided exponents encode.
func TestTailsJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(exact.Tails{Plus: exact.Boundary{Side: "+inf", MomentBound: math.Inf(1), DriftPower: math.NaN()}})
	require.NoError(t, err)
	require.Contains(t, string(b), `"moment_bound":"+Inf"`)
	require.Contains(t, string(b), `"drift_power":null`)
	// And back (a report.json is read again by merge and by tools).
	var back exact.Tails
	require.NoError(t, json.Unmarshal(b, &back))
	require.True(t, math.IsInf(back.Plus.MomentBound, 1))
	require.True(t, math.IsNaN(back.Plus.DriftPower))
	var f exact.Finiteness
	require.NoError(t, f.UnmarshalText([]byte("infinite")))
	require.Equal(t, exact.Infinite, f)
	require.Error(t, f.UnmarshalText([]byte("maybe")))
}
