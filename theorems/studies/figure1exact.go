package studies

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/model/mc"
)

// ExactCurve is a Figure 1 curve by the exact engine: at each step in
// Steps, the mean of f - f* over the paths that have stayed in the grid
// [-Radius, Radius] (the Monte Carlo curves average the paths that have
// not diverged), and the probability of having left it (for the discrete
// method beyond the grid's radius a path does not come back: its
// divergence probability).
type ExactCurve struct {
	Steps   []int         `json:"steps"`
	Mean    []exact.Value `json:"mean"`
	Escaped []exact.Value `json:"escaped"`
}

// ExactSeries is a series' exact laws: the discrete method and its SDE,
// with the grid they were computed on.
type ExactSeries struct {
	Radius float64 `json:"radius"`
	Map    float64 `json:"map,omitempty"` // the sinh map's scale (0: uniform)
	Nodes  int     `json:"nodes"`
	// Lattice is the spacing of the lattice x0 + j h / N on which the
	// discrete method was computed (DSignSGD under a constant step:
	// exact up to rounding and the radius), LatticeNodes its nodes; 0
	// when it shares the SDE's kind of grid.
	Lattice      float64    `json:"lattice,omitempty"`
	LatticeNodes int        `json:"lattice_nodes,omitempty"`
	Discrete     ExactCurve `json:"discrete"`
	SDE          ExactCurve `json:"sde"`
}

// Figure1ExactPanels are the panels Figure1Exact computes: the
// one-dimensional columns. The top row (constant steps) by the backward
// iteration; the bottom row, whose schedules change the step every step
// (the ensemble reading of Eq. 1; eta_k = 1/sqrt(k+1)), by carrying the law
// forward (exact.Forward).
var Figure1ExactPanels = []string{"left-top", "right-top", "left-bottom", "right-bottom"}

// exactGrid returns the grid of a Figure 1 panel's exact laws: for DSGD on
// x^4/4 (left) a sinh-mapped grid out to 1000, past which a path's next
// steps grow like x^3 and it does not come back (a return needs the
// gradient noise to cancel the step to within x/(eta x^3): probability
// O(x^-2)); under Eq. 1's schedule (left-bottom), whose steps stay
// admissible and no path leaves [-20, 20] (escape below 1e-12 on the grid
// to 1000), a sinh-mapped grid to 20 with 600 nodes (faster: BENCHMARKS.md);
// for DSignSGD (right) the uniform default, its steps being bounded by eta.
func exactGrid(panel string) exact.Settings {
	if panel == "left-bottom" {
		return exact.Settings{Nodes: 600, Radius: 20, Map: 0.01, Absorb: true}
	}
	if strings.HasPrefix(panel, "left") {
		return exact.Settings{Nodes: 1200, Radius: 1000, Map: 0.05, Absorb: true}
	}
	return exact.Settings{Absorb: true}
}

// Figure1Exact computes the exact laws of Figure1ExactPanels' series
// (Series.Exact) for panels that have them, on workers goroutines, all
// series at once; the bottom row's (forward in time) only when forward is
// set (BenchmarkFigure1Exact and BenchmarkFigure1ExactForward time both). The
// forward floor bounds the interpolation error by g's roughness (3e-4 on a
// mean of 2e-8 for the left-bottom discrete method at sigma = 0.1); at the
// horizon, the one the checks compare, the backward iteration over the
// recorded steps gives the value function's (1.5e-10 there). The
// SDE is the finite-difference scheme with one substep per step (Richardson over 1, 2 and 4): the horizons of 5000
// steps need its tridiagonal solves, and Euler-Maruyama at one substep
// per step overshoots like the discrete method where the coefficients grow
// like x^3 (it put the escape probability of the left panel's sigma = 3
// SDE at 1.4% where the finite differences give 0.019%).
func Figure1Exact(panels []Panel, workers int, forward bool) error {
	type slot struct{ pi, si int }
	var jobs []exact.Job
	var slots []slot
	type fwd struct {
		slot
		sp  exact.Scheduled
		gs  []func(float64) float64
		sde bool
		st  exact.Settings
		out exact.ForwardResult
		err error
	}
	var fwds []*fwd
	for pi, p := range panels {
		if !isExactPanel(p.ID) {
			continue
		}
		bottom := strings.HasSuffix(p.ID, "-bottom")
		if bottom && !forward {
			continue
		}
		for si, s := range p.Series {
			run, err := s.Config.Resolve()
			if err != nil {
				return err
			}
			gs, st := figureTests(run), exactGrid(p.ID)
			if bottom {
				sp, err := run.ExactScheduled()
				if err != nil {
					return fmt.Errorf("figure 1 %s %s: %w", p.ID, s.Label, err)
				}
				fwds = append(fwds, &fwd{slot: slot{pi, si}, sp: sp, gs: gs, st: st}, &fwd{slot: slot{pi, si}, sp: sp, gs: gs, st: sdeGrid(st), sde: true})
				continue
			}
			prob, err := run.ExactProblem()
			if err != nil {
				return fmt.Errorf("figure 1 %s %s: %w", p.ID, s.Label, err)
			}
			jobs = append(jobs, exact.Job{Problem: prob, Tests: gs, Settings: st}, exact.Job{Problem: prob, Tests: gs, Settings: sdeGrid(st), SDE: true})
			slots = append(slots, slot{pi, si})
		}
	}
	// The forward computations: one per task, each with its passes in
	// turn, the discrete ones on sinh grids first (they take longest),
	// then the top row's passes, longest first, in the same pool.
	sort.SliceStable(fwds, func(a, b int) bool { return fwdCost(fwds[a].sde, fwds[a].st) > fwdCost(fwds[b].sde, fwds[b].st) })
	tasks := make([]func(), len(fwds))
	for i, f := range fwds {
		tasks[i] = func() { f.out, f.err = exact.Forward(f.sp, f.gs, f.st, f.sde, 1) }
	}
	out, err := exact.BatchAfter(jobs, workers, tasks)
	if err != nil {
		return err
	}
	byslot := map[slot][2]exact.ForwardResult{}
	for _, f := range fwds {
		if f.err != nil {
			return fmt.Errorf("figure 1 %s %s: %w", panels[f.pi].ID, panels[f.pi].Series[f.si].Label, f.err)
		}
		r := byslot[f.slot]
		r[boolIndex(f.sde)] = f.out
		byslot[f.slot] = r
	}
	for sl, r := range byslot {
		s := &panels[sl.pi].Series[sl.si]
		st := exactGrid(panels[sl.pi].ID)
		s.Exact = &ExactSeries{Radius: radiusOf(st, s.Config.X0[0]), Map: st.Map, Nodes: nodesOf(st),
			Discrete: exactCurve(r[0].Tests), SDE: exactCurve(r[1].Tests)}
	}
	for i, sl := range slots {
		s := &panels[sl.pi].Series[sl.si]
		st := exactGrid(panels[sl.pi].ID)
		s.Exact = &ExactSeries{Radius: radiusOf(st, s.Config.X0[0]), Map: st.Map, Nodes: nodesOf(st),
			Discrete: exactCurve(out[2*i]), SDE: exactCurve(out[2*i+1])}
		s.Exact.Lattice, s.Exact.LatticeNodes = jobs[2*i].Problem.LatticeSpacing(st)
	}
	return nil
}

// figureTests are the test functions of Figure 1's exact curves: 1 (the
// probability of staying in the grid) and f - f*.
func figureTests(run mc.Run) []func(float64) float64 {
	f := run.System.F
	return []func(float64) float64{
		func(float64) float64 { return 1 },
		func(x float64) float64 { return f.Value([]float64{x}) - f.Inf() },
	}
}

// sdeGrid is the SDE's settings beside the discrete method's: the
// finite-difference scheme, one substep per step (extrapolated over 1, 2,
// 4) and, on the sinh-mapped grid, 4 times the nodes: the fitted scheme
// upwinds (order 1) at the minimiser, where noise proportional to the
// gradient vanishes, and a tridiagonal solve is cheap.
func sdeGrid(st exact.Settings) exact.Settings {
	sde := st
	sde.Scheme, sde.Substeps = exact.SchemeFD, 1
	if sde.Map > 0 {
		sde.Nodes *= 4
	}
	return sde
}

// fwdCost orders Figure 1's forward computations for the pool: the
// discrete method on a sinh grid (a quadrature over the cells under each
// node's normal, every step), then the SDE on a sinh grid, then the rest.
func fwdCost(sde bool, st exact.Settings) int {
	switch {
	case !sde && st.Map > 0:
		return 2
	case sde && st.Map > 0:
		return 0
	}
	return 1
}

func radiusOf(st exact.Settings, x0 float64) float64 {
	if st.Radius == 0 {
		return 2*math.Abs(x0) + 2
	}
	return st.Radius
}

func nodesOf(st exact.Settings) int {
	if st.Nodes == 0 {
		return 1200
	}
	return st.Nodes
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isExactPanel(id string) bool {
	for _, e := range Figure1ExactPanels {
		if e == id {
			return true
		}
	}
	return false
}

// exactCurve turns the survival and E[f - f*; stayed] series into a
// curve at about 120 steps, spaced evenly and logarithmically (the figure's
// step axis is logarithmic): the conditional mean A/S with the error
// (err A + |A/S| err S)/S, and the escape probability 1 - S.
func exactCurve(v []exact.Series) ExactCurve {
	surv, a := v[0], v[1]
	n := len(surv) - 1
	at := map[int]bool{0: true, n: true}
	for j := 0; j <= 60; j++ {
		at[int(math.Round(math.Pow(float64(n), float64(j)/60)))] = true
		at[j*n/60] = true
	}
	var c ExactCurve
	for k := 0; k <= n; k++ {
		if !at[k] {
			continue
		}
		c.Steps = append(c.Steps, k)
		s, m := surv[k].Value, a[k].Value/surv[k].Value
		c.Mean = append(c.Mean, exact.Value{Value: m, Err: (a[k].Err + math.Abs(m)*surv[k].Err) / s})
		c.Escaped = append(c.Escaped, exact.Value{Value: 1 - s, Err: surv[k].Err})
	}
	return c
}

// EscapeAt returns the curve's escape probability at the horizon.
func (c ExactCurve) EscapeAt() exact.Value { return c.Escaped[len(c.Escaped)-1] }

// ExactCheck compares a series' Monte Carlo run with its exact law at the
// horizon: the fraction of paths that diverged against the probability of
// escape (the discrete method only: a Monte Carlo SDE path diverges at
// 1e10, which is not the grid's edge), and the mean of f - f* over the
// live paths against the exact conditional mean. Agree is the test's
// outcome at level Alpha (Bonferroni over the comparisons): the
// Clopper-Pearson interval of the fraction meets the exact value's
// interval, and the mean's normal interval (z se) meets the exact mean's.
//
// The Monte Carlo SDE is Euler-Maruyama, whose E f(X_T) is off the SDE's
// by its integrator bias, O(eta) at one substep per step (docs/math.md
// section 2). Its comparison is the theorem checks' (theorems.Resolution):
// with the coarse level's bias b estimated by the refined twins
// (mc.Coupled.Bias, se s_b), the Richardson extrapolation Mean - b, whose
// standard error is at most SE + s_b, is compared with the exact mean
// with the refined level's bias bound |b/2| + s_b as its allowance:
// |Mean - b - exact| <= z (SE + s_b) + exact.Err + Allowance. Without
// twins (a run that has none) the mean is compared as it is, with no
// allowance.
type ExactCheck struct {
	Panel    string      `json:"panel"`
	Series   string      `json:"series"`
	Target   string      `json:"target"`
	Paths    int         `json:"paths"`
	Diverged int         `json:"diverged"`
	Escape   exact.Value `json:"exact_escape"`
	Mean     float64     `json:"mean"`
	SE       float64     `json:"se"`
	// The SDE's integrator bias: the estimate b of the coarse level's
	// (Mean's) bias with its standard error and the paths it is
	// estimated on (0: no twins, no allowance), the extrapolation
	// Mean - b with its standard error bound, and the allowance.
	Bias         float64     `json:"bias,omitempty"`
	BiasSE       float64     `json:"bias_se,omitempty"`
	BiasPaths    int         `json:"bias_paths,omitempty"`
	Extrapolated float64     `json:"extrapolated,omitempty"`
	ExtSE        float64     `json:"extrapolated_se,omitempty"`
	Allowance    float64     `json:"bias_allowance,omitempty"`
	Exact        exact.Value `json:"exact_mean"`
	Z            float64     `json:"z"`
	Agree        bool        `json:"agree"`
	Alpha        float64     `json:"alpha"`
}

// sdeAgree sets c's extrapolation and allowance from the horizon's
// refined twins (nil: none) and decides the SDE comparison at z.
func (c *ExactCheck) sdeAgree(tw *mc.Coupled, z float64) {
	c.Extrapolated, c.ExtSE = c.Mean, c.SE
	if tw != nil && tw.Diff.F.N >= 2 {
		b := tw.Bias().F
		c.Bias, c.BiasSE, c.BiasPaths = b.Mean, b.SE, b.N
		c.Extrapolated, c.ExtSE = c.Mean-b.Mean, c.SE+b.SE
		c.Allowance = math.Abs(b.Mean)/2 + b.SE
	}
	c.Agree = math.Abs(c.Extrapolated-c.Exact.Value) <= z*c.ExtSE+c.Exact.Err+c.Allowance
}

// ExactChecks returns the comparisons for every series with exact laws,
// at family-wise level alpha (split over all of them).
func ExactChecks(r *Figure1Result, alpha float64) []ExactCheck {
	var out []ExactCheck
	for _, p := range r.Panels {
		for _, s := range p.Series {
			if s.Exact == nil {
				continue
			}
			out = append(out, ExactCheck{Panel: p.ID, Series: s.Label, Target: "discrete"})
			if s.SDE != nil {
				out = append(out, ExactCheck{Panel: p.ID, Series: s.Label, Target: "sde"})
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	// Two comparisons per discrete check, one per SDE check.
	tests := 0
	for _, c := range out {
		tests++
		if c.Target == "discrete" {
			tests++
		}
	}
	a := alpha / float64(tests)
	z := mc.ZCrit(a)
	i := 0
	for _, p := range r.Panels {
		for _, s := range p.Series {
			if s.Exact == nil {
				continue
			}
			for _, target := range []string{"discrete", "sde"} {
				res, cv := s.Discrete, s.Exact.Discrete
				if target == "sde" {
					if s.SDE == nil {
						continue
					}
					res, cv = s.SDE, s.Exact.SDE
				}
				c := &out[i]
				i++
				last := final(res)
				k := slices.Index(cv.Steps, last.Step)
				c.Paths, c.Diverged, c.Alpha = s.Config.Paths, res.Diverged, a
				c.Mean, c.SE = last.F.Mean, last.F.SE
				c.Escape = cv.EscapeAt()
				if k < 0 {
					c.Exact = exact.Value{Value: math.NaN(), Err: math.NaN()}
					continue
				}
				c.Exact, c.Z = cv.Mean[k], z
				if target == "sde" {
					c.sdeAgree(last.Coupled, z)
					continue
				}
				c.Agree = math.Abs(c.Mean-c.Exact.Value) <= z*c.SE+c.Exact.Err
				lo, hi := mc.ClopperPearson(c.Diverged, c.Paths, a)
				c.Agree = c.Agree && lo <= c.Escape.Value+c.Escape.Err && hi >= c.Escape.Value-c.Escape.Err
			}
		}
	}
	return out
}
