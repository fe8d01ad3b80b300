package exact

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/noise"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/model/schedule"
	"github.com/sdeverify/sdeverify/model/update"
)

// windowCase is a scheduled one-dimensional problem on a grid, for the
// tests of the engine's windows against the full grid.
type windowCase struct {
	name  string
	sys   model.System
	sched model.Schedule
	x0    float64
	eta   float64
	st    Settings
}

// quarticSystem is one agent on x^4/4 with the given method and noise.
func quarticSystem(m model.Method, n model.Noise) model.System {
	return model.System{F: objective.Homogeneous{Atom: objective.Quartic{}, D: 1}, Method: m, Agents: []model.Agent{{Noise: n}}}
}

// eq1 is a gradient-normalised schedule of Eq. 1's form, 1/(3 + 3 G_k),
// under the given reading.
func eq1(r model.Reading) model.Schedule { return schedule.Normalized{Num: 1, A: 3, B: 3, Reading: r} }

var (
	cauchy             = noise.StudentT{Nu: 1, Scale: []float64{1}}
	survivalAndQuartic = []func(float64) float64{func(float64) float64 { return 1 }, func(x float64) float64 { return x * x * x * x / 4 }}
)

// TestHorizonFloorMatchesFullGrid checks horizonFloor, whose rows are the
// nodes the forward steps carried and a margin, against the backward
// iteration on every node (backwardSteps with the kernels rebuilt every
// step): the same value to rounding and the dropped mass, and the same
// floor to 5% (within a factor 1.5 where it is rounding alone, 1e-13),
// under the ensemble and the pathwise readings of Eq. 1 and a time-only
// schedule, on the sinh-mapped grid of Figure 1's left-bottom panel and a
// uniform one.
func TestHorizonFloorMatchesFullGrid(t *testing.T) {
	t.Parallel()
	cases := []windowCase{
		{"DSGD, Eq. 1 ensemble, sinh grid", quarticSystem(update.DSGD, noise.Gaussian{Sigma1: 1}), eq1(model.ReadsEnsemble), 3, 0.01, Settings{Nodes: 300, Radius: 20, Map: 0.01, Absorb: true}},
		{"DSGD, Eq. 1 pathwise, sinh grid", quarticSystem(update.DSGD, noise.Gaussian{Sigma1: 3}), eq1(model.ReadsPath), 3, 0.01, Settings{Nodes: 300, Radius: 20, Map: 0.01, Absorb: true}},
		{"DSignSGD Cauchy, 1/sqrt(k+1), uniform grid", quarticSystem(update.DSignSGD, cauchy), schedule.InvSqrt{Clock: model.StepIndex}, 2, 0.1, Settings{Nodes: 300, Absorb: true}},
	}
	gs := survivalAndQuartic
	for _, c := range cases {
		sp := Scheduled{System: c.sys, X0: c.x0, Eta: c.eta, Schedule: c.sched, Steps: 300}
		st := c.st.withDefaults(c.x0)
		q := newQuadrature(st.Hermite)
		gr := newMappedGrid(st.Nodes, st.Radius, st.Map, st.Absorb, gs)
		fr := forwardDiscrete(gr, sp, q, lawLevel)
		value, floor := horizonFloor(gr, sp, fr, q)
		// The reference: every node's row, every step.
		pathwise := sp.Schedule.Reads() == model.ReadsPath
		gbuf := []float64{0}
		fillAt := func(j int) func(*kernel, float64) {
			k := sp.Steps - j
			info, rate := fr.info[k], fr.rate[k]
			return func(kn *kernel, x float64) {
				r := rate
				if pathwise {
					sp.System.F.Grad(gbuf, []float64{x})
					in := info
					in.Path = math.Abs(gbuf[0])
					r = sp.Schedule.Rate(in)
				}
				discreteKernel(kn, sp.System, x, sp.Eta*r)
			}
		}
		ref := backwardSteps(gr, sp.X0, sp.Steps, sp.Steps, fillAt, true, q, true)
		for f := range gs {
			rv, rf := ref[f][len(ref[f])-1], ref[len(gs)+f][len(ref[f])-1]
			fwd := fr.e[f][sp.Steps]
			t.Logf("%s, g%d: value %.15g (full grid %.15g, forward %.15g), floor %.3g (full grid %.3g)", c.name, f, value[f], rv, fwd, floor[f], rf)
			require.InDeltaf(t, rv, value[f], 1e-12*math.Abs(rv)+1e-20, "%s, g%d: value", c.name, f)
			require.InDeltaf(t, fwd, value[f], 1e-12*math.Abs(fwd)+1e-20, "%s, g%d: value against the forward one", c.name, f)
			if rf < 1e-11 {
				// Rounding alone (4 x 2^-52 of |u| per step), counted at
				// fewer nodes: 5-20% less measured. Within a factor 1.5.
				require.InDeltaf(t, rf, floor[f], rf/2, "%s, g%d: floor (rounding)", c.name, f)
				continue
			}
			require.InEpsilonf(t, rf, floor[f], 0.05, "%s, g%d: floor", c.name, f)
		}
	}
}

// TestForwardFDWindowMatchesFullGrid checks the forward finite differences
// on their windows (forwardFD) against the same steps on the whole grid,
// with a schedule whose first steps spread the law over hundreds of nodes
// at the 1e-30 level (DSignSGD, Cauchy noise, eta_k = 1/sqrt(k+1): the
// margin must grow, then shrink) and one whose law concentrates on a few
// nodes of a sinh-mapped grid (DSGD on x^4/4 under Eq. 1's ensemble
// reading): the mass lost below 1e-25, every value within 1e-12 relative
// and within the floor the window adds for the mass it lost, and each
// integral likewise.
func TestForwardFDWindowMatchesFullGrid(t *testing.T) {
	t.Parallel()
	cases := []windowCase{
		{"DSignSGD Cauchy, 1/sqrt(k+1), uniform grid", quarticSystem(update.DSignSGD, cauchy), schedule.InvSqrt{Clock: model.StepIndex}, 2, 0.1, Settings{Nodes: 1200, Absorb: true}},
		{"DSGD, Eq. 1 ensemble, sinh grid", quarticSystem(update.DSGD, noise.Gaussian{Sigma1: 1}), eq1(model.ReadsEnsemble), 3, 0.01, Settings{Nodes: 2400, Radius: 20, Map: 0.01, Absorb: true}},
	}
	gs := survivalAndQuartic
	for _, c := range cases {
		sp := Scheduled{System: c.sys, X0: c.x0, Eta: c.eta, Schedule: c.sched, Steps: 400, Integrals: true}
		st := c.st.withDefaults(c.x0)
		gr := newMappedGrid(st.Nodes, st.Radius, st.Map, st.Absorb, gs)
		win := forwardFD(gr, sp, 1, false, 0)
		full := forwardFDMargin(gr, sp, 1, false, st.Nodes, 0)
		require.NoError(t, win.err)
		require.NoError(t, full.err)
		lost := win.dropped[len(win.dropped)-1]
		require.Positive(t, lost, "%s: the window lost no mass: the test does not test it", c.name)
		// At most dropMass killed per solve, plus the drops below dropMass.
		require.Less(t, lost, 1e-25, "%s: mass lost", c.name)
		for f := range gs {
			for k := range win.e[f] {
				w, v := win.e[f][k], full.e[f][k]
				require.InDeltaf(t, v, w, 1e-12*math.Abs(v)+win.floor[f][k], "%s, g%d, step %d", c.name, f, k)
				for q := range 2 {
					w, v := win.integ[q][f][k], full.integ[q][f][k]
					require.InDeltaf(t, v, w, 1e-12*math.Abs(v)+win.integFloor[q][f][k], "%s, integral %d of g%d, step %d", c.name, q, f, k)
				}
			}
			last := len(win.e[f]) - 1
			t.Logf("%s, g%d at step %d: %.15g on the window, %.15g on the grid (mass lost %.2g)", c.name, f, last, win.e[f][last], full.e[f][last], win.dropped[last])
		}
	}
}

// TestSweep2 checks sweep2, the tridiagonal sweeps two nodes at a time,
// against the plain sweeps on random diagonally dominant systems (the
// shape of (I - dt L), L an M-matrix generator): the same solution to
// 1e-13 relative, for n from 3 up.
func TestSweep2(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 500 {
		n := 3 + trial%40 + r.IntN(200)*(trial%2)
		lower, diag, upper := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range n {
			if i > 0 {
				lower[i] = -r.Float64() * math.Exp(3*r.NormFloat64())
			}
			if i < n-1 {
				upper[i] = -r.Float64() * math.Exp(3*r.NormFloat64())
			}
			diag[i] = 1 - lower[i] - upper[i]
		}
		fa := factorTridiag(lower, diag, upper)
		cp, inv, li := fa.cp, fa.inv, fa.li
		u := make([]float64, 2*n)
		for i := range u {
			u[i] = r.NormFloat64() * math.Exp(r.NormFloat64())
		}
		want := append([]float64{}, u...)
		want[0], want[1] = want[0]*inv[0], want[1]*inv[0]
		for i := 1; i < n; i++ {
			for f := range 2 {
				want[2*i+f] = want[2*i+f]*inv[i] - li[i]*want[2*(i-1)+f]
			}
		}
		for i := n - 2; i >= 0; i-- {
			for f := range 2 {
				want[2*i+f] -= cp[i] * want[2*(i+1)+f]
			}
		}
		got := append([]float64{}, u...)
		got[0], got[1] = got[0]*inv[0], got[1]*inv[0]
		sweep2(got, n, li, inv, cp, fa.ll, fa.cc)
		scale := 0.0
		for _, v := range want {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range got {
			require.InDeltaf(t, want[i], got[i], 1e-13*scale, "trial %d (n = %d), entry %d", trial, n, i)
		}
	}
}
