package model_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/update"
)

// TestSDEStepCoupledCoarseIsSDEStep: the coupled step's coarse path takes
// exactly SDEStep's draws, so it ends at the same point to the bit, for
// every case of oneStepCases (QSGD's mixture draws included), adaptive
// substeps and a twin that is advanced alongside.
func TestSDEStepCoupledCoarseIsSDEStep(t *testing.T) {
	t.Parallel()
	in := model.Integrator{Scheme: model.TamedEuler, Substeps: 2, Stiffness: 0.1, MaxSubsteps: 100}
	for _, c := range oneStepCases() {
		d := c.sys.F.Dim()
		x0 := []float64{0.9, -1.3, 0.4}
		a, ga := append([]float64(nil), x0...), make([]float64, d)
		b, gb := append([]float64(nil), x0...), make([]float64, d)
		f, gf := append([]float64(nil), x0...), make([]float64, d)
		c.sys.F.Grad(ga, a)
		c.sys.F.Grad(gb, b)
		c.sys.F.Grad(gf, f)
		n2 := func(g []float64) float64 { return g[0]*g[0] + g[1]*g[1] + g[2]*g[2] }
		gna, gnb, gnf := n2(ga), n2(gb), n2(gf)
		ra, rb, rf := model.NewRand(3), model.NewRand(3), model.NewRand(4)
		wa, wb := model.NewWorkspace(d), model.NewWorkspace(d)
		for k := range 20 {
			res := c.sys.SDEStep(a, ga, gna, 0.05, 1, in, wa, ra)
			co, fi := c.sys.SDEStepCoupled(b, gb, gnb, f, gf, gnf, 0.05, 1, 1, in, wb, rb, rf)
			gna, gnb, gnf = res.GradNorm2, co.GradNorm2, fi.GradNorm2
			require.Equalf(t, a, b, "%s step %d", c.name, k)
			require.Equal(t, res, co, c.name)
			require.Equal(t, 2*co.Substeps, fi.Substeps, c.name)
		}
		for j := range a {
			require.Falsef(t, math.IsNaN(a[j]) || math.IsInf(a[j], 0), "%s: the path blew up, which tests nothing", c.name)
		}
	}
}

// TestSDEStepCoupledTwinLaw: the twin is the SDE integrated on the halved
// grid. For f = x^2/2 with noise proportional to the gradient (sigma1 = 1,
// N = 1) plain Euler-Maruyama with substep h multiplies E x^2 by
// (1 - h)^2 + eta h exactly, so after k coarse substeps of h the twin's
// E x^2 is ((1 - h/2)^2 + eta h/2)^(2k) and the coarse path's
// ((1 - h)^2 + eta h)^k; both sample means (40,000 paths) lie within
// z(1e-6) standard errors of them (two two-sided tests: false-alarm
// probability 2e-6, deterministic for the seeds). The twin is also close
// to its path: E (x - xf)^2 is under a tenth of E x^2.
func TestSDEStepCoupledTwinLaw(t *testing.T) {
	t.Parallel()
	obj, err := objective.Spec{Kind: "separable", Dim: 1, Atom: &model.AtomSpec{Kind: "square", C: 1}}.Build()
	require.NoError(t, err)
	sys := model.System{F: obj, Method: update.DSGD, Agents: []model.Agent{{Noise: noise.Gaussian{Sigma1: 1}}}}
	const eta, steps, paths = 0.2, 10, 40000
	in := model.Integrator{Scheme: model.EulerMaruyama, Substeps: 2, MaxSubsteps: 2}
	var mc2, mf2, md2 mc.Moments
	ws := model.NewWorkspace(1)
	for p := range paths {
		r, rf := mc.Stream(11, p), mc.Stream(12, p)
		x, g, xf, gf := []float64{1}, []float64{1}, []float64{1}, []float64{1}
		gn, gnf := 1.0, 1.0
		for range steps {
			co, fi := sys.SDEStepCoupled(x, g, gn, xf, gf, gnf, eta, 1, 1, in, ws, r, rf)
			gn, gnf = co.GradNorm2, fi.GradNorm2
		}
		mc2.Add(x[0] * x[0])
		mf2.Add(xf[0] * xf[0])
		md2.Add((x[0] - xf[0]) * (x[0] - xf[0]))
	}
	h := eta / 2
	k := float64(steps * 2)
	wantC := math.Pow((1-h)*(1-h)+eta*h, k)
	wantF := math.Pow((1-h/2)*(1-h/2)+eta*h/2, 2*k)
	z := mc.ZCrit(1e-6)
	require.LessOrEqualf(t, math.Abs(mc2.Mean-wantC), z*mc2.SE(), "coarse E x^2 %.6g ± %.2g, exact %.6g", mc2.Mean, mc2.SE(), wantC)
	require.LessOrEqualf(t, math.Abs(mf2.Mean-wantF), z*mf2.SE(), "twin E x^2 %.6g ± %.2g, exact %.6g", mf2.Mean, mf2.SE(), wantF)
	require.Less(t, md2.Mean, 0.1*mf2.Mean)
}

// TestSDEStepFusedSignMoments: the SDE step evaluates DSignSGD's E sign
// once per substep for both the drift and the diffusion; the step must equal,
// to the bit, the one built from the public Drift and Diffusion (each
// evaluating E sign on its own) with the same draws: Euler-Maruyama, one
// substep, x - eta rate (b + sqrt(eta/N) S xi).
func TestSDEStepFusedSignMoments(t *testing.T) {
	t.Parallel()
	in := model.Integrator{Scheme: model.EulerMaruyama, Substeps: 1, MaxSubsteps: 1}
	for _, c := range oneStepCases() {
		if c.sys.Method != update.DSignSGD {
			continue
		}
		d := c.sys.F.Dim()
		x := []float64{0.9, -1.3, 0.4}
		g := make([]float64, d)
		c.sys.F.Grad(g, x)
		gn2 := g[0]*g[0] + g[1]*g[1] + g[2]*g[2]
		eta, rate := 0.07, 0.8 // variables: constant arithmetic would be exact, not float64
		ws := model.NewWorkspace(d)
		b, dw := make([]float64, d), make([]float64, d)
		c.sys.Drift(b, g, gn2)
		c.sys.Diffusion(dw, g, gn2, ws, model.NewRand(9))
		sd := math.Sqrt(eta*eta/float64(len(c.sys.Agents))) * rate
		want := make([]float64, d)
		for j := range want {
			want[j] = x[j] - (rate*eta*1*b[j] + sd*dw[j])
		}
		got := append([]float64(nil), x...)
		c.sys.SDEStep(got, g, gn2, eta, rate, in, model.NewWorkspace(d), model.NewRand(9))
		for j := range want {
			require.Equalf(t, math.Float64bits(want[j]), math.Float64bits(got[j]), "%s coordinate %d: %v vs %v", c.name, j, got[j], want[j])
		}
	}
}
