package update

import (
	"math"
	"testing"

	"github.com/sdeverify/sdeverify/model/noise"
)

// TestQuadMomentsMatchClosedForms: the one-dimensional quadrature over the
// noise's CDF (quadMoments1) agrees with independent closed forms to 1e-9:
// clipping under Gaussian noise (MATH.md 8's formulas), normalisation with
// beta = 0 (the sign: erf under Gaussian noise, 2 Xi under Student-t, from
// the noise laws' own sign moments), (L0,L1)-GD against the normalised map
// it rescales (g/(L0 + L1|g|) = (1/L1) g/(|g| + L0/L1)), and every
// quadrature's own error bound below 1e-9. Deterministic.
func TestQuadMomentsMatchClosedForms(t *testing.T) {
	t.Parallel()
	const tol = 1e-9
	check := func(what string, got, want, errBound float64) {
		t.Helper()
		if math.Abs(got-want) > tol || errBound > tol {
			t.Errorf("%s: quadrature %.15g (error bound %.3g), closed form %.15g", what, got, errBound, want)
		}
	}
	for _, mu := range []float64{-3, -0.7, 0, 0.2, 1.5, 4} {
		for _, s := range []float64{0.05, 0.5, 1, 3} {
			g := noise.Gaussian{Sigma0: s}
			for _, c := range []float64{0.1, 1, 2.5} {
				m := ClippedSGD{Clip: c}
				wm, ws, _ := m.Moments1(g, mu, mu*mu)
				qm, qs, e := quadMoments1(m, g, mu, mu*mu)
				check("clip mean", qm, wm, e)
				check("clip second moment", qs, ws, e)
			}
			n := NormalizedSGD{}
			var sm [1]float64
			g.AddSignMean(sm[:], []float64{mu}, mu*mu)
			qm, qs, e := quadMoments1(n, g, mu, mu*mu)
			check("normalised beta=0 mean (Gaussian)", qm, sm[0], e)
			check("normalised beta=0 second moment (Gaussian)", qs, 1, e)
			for _, nu := range []float64{1, 2.5, 7} {
				st := noise.StudentT{Nu: nu, Scale: []float64{s}}
				var tm [1]float64
				st.AddSignMean(tm[:], []float64{mu}, 0)
				qm, _, e := quadMoments1(n, st, mu, 0)
				check("normalised beta=0 mean (Student-t)", qm, tm[0], e)
				for _, l1 := range []float64{0.3, 2} {
					l := L0L1GD{L0: 0.8, L1: l1}
					lm, ls, e1 := quadMoments1(l, st, mu, 0)
					nm, ns, e2 := quadMoments1(NormalizedSGD{Beta: 0.8 / l1}, st, mu, 0)
					check("(L0,L1)-GD mean against normalised", lm, nm/l1, e1+e2)
					check("(L0,L1)-GD second moment against normalised", ls, ns/(l1*l1), e1+e2)
				}
			}
		}
	}
}
