package studies

import (
	"fmt"
	"math"
	"slices"

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
	Radius   float64    `json:"radius"`
	Map      float64    `json:"map,omitempty"` // the sinh map's scale (0: uniform)
	Nodes    int        `json:"nodes"`
	Discrete ExactCurve `json:"discrete"`
	SDE      ExactCurve `json:"sde"`
}

// Figure1ExactPanels are the panels Figure1Exact computes: the constant
// schedules of the one-dimensional columns. The bottom rows' schedules (the
// ensemble reading of Eq. 1 and eta_k = 1/sqrt(k+1)) change the step every
// step, which the engine's backward iteration does not cover.
var Figure1ExactPanels = []string{"left-top", "right-top"}

// exactGrid returns the grid of a Figure 1 panel's exact laws: for DSGD on
// x^4/4 (left) a sinh-mapped grid out to 1000, past which a path's next
// steps grow like x^3 and it does not come back (a return needs the
// gradient noise to cancel the step to within x/(eta x^3): probability
// O(x^-2)); for DSignSGD (right) the uniform default, its steps being
// bounded by eta.
func exactGrid(panel string) exact.Settings {
	if panel == "left-top" {
		return exact.Settings{Nodes: 1200, Radius: 1000, Map: 0.05, Absorb: true}
	}
	return exact.Settings{Absorb: true}
}

// Figure1Exact computes the exact laws of Figure1ExactPanels' series
// (Series.Exact) for panels that have them, on workers goroutines, all
// series at once. The SDE is the finite-difference scheme with one
// substep per step (Richardson over 1, 2 and 4): the horizons of 5000
// steps need its tridiagonal solves, and Euler-Maruyama at one substep
// per step overshoots like the discrete method where the coefficients grow
// like x^3 (it put the escape probability of the left panel's sigma = 3
// SDE at 1.4% where the finite differences give 0.019%).
func Figure1Exact(panels []Panel, workers int) error {
	type slot struct{ pi, si int }
	var jobs []exact.Job
	var slots []slot
	for pi, p := range panels {
		if !isExactPanel(p.ID) {
			continue
		}
		for si, s := range p.Series {
			run, err := s.Config.Resolve()
			if err != nil {
				return err
			}
			prob, err := exact.FromConfig(run)
			if err != nil {
				return fmt.Errorf("figure 1 %s %s: %w", p.ID, s.Label, err)
			}
			f := run.System.F
			gs := []func(float64) float64{
				func(float64) float64 { return 1 },
				func(x float64) float64 { return f.Value([]float64{x}) - f.Inf() },
			}
			st := exactGrid(p.ID)
			sde := st
			sde.Scheme, sde.Substeps = exact.SchemeFD, 1
			if sde.Map > 0 {
				// The fitted scheme upwinds (order 1) at the minimiser, where
				// noise proportional to the gradient vanishes: 4 times the
				// nodes (a tridiagonal solve each, cheap).
				sde.Nodes *= 4
			}
			jobs = append(jobs, exact.Job{Problem: prob, Tests: gs, Settings: st}, exact.Job{Problem: prob, Tests: gs, Settings: sde, SDE: true})
			slots = append(slots, slot{pi, si})
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	out, err := exact.Batch(jobs, workers)
	if err != nil {
		return err
	}
	for i, sl := range slots {
		s := &panels[sl.pi].Series[sl.si]
		st := exactGrid(panels[sl.pi].ID)
		nodes := st.Nodes
		if nodes == 0 {
			nodes = 1200
		}
		radius := st.Radius
		if radius == 0 {
			radius = 2*math.Abs(s.Config.X0[0]) + 2
		}
		s.Exact = &ExactSeries{Radius: radius, Map: st.Map, Nodes: nodes,
			Discrete: exactCurve(out[2*i]), SDE: exactCurve(out[2*i+1])}
	}
	return nil
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
type ExactCheck struct {
	Panel    string      `json:"panel"`
	Series   string      `json:"series"`
	Target   string      `json:"target"`
	Paths    int         `json:"paths"`
	Diverged int         `json:"diverged"`
	Escape   exact.Value `json:"exact_escape"`
	Mean     float64     `json:"mean"`
	SE       float64     `json:"se"`
	Exact    exact.Value `json:"exact_mean"`
	Agree    bool        `json:"agree"`
	Alpha    float64     `json:"alpha"`
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
				c.Exact = cv.Mean[k]
				c.Agree = math.Abs(c.Mean-c.Exact.Value) <= z*c.SE+c.Exact.Err
				if target == "discrete" {
					lo, hi := mc.ClopperPearson(c.Diverged, c.Paths, a)
					c.Agree = c.Agree && lo <= c.Escape.Value+c.Escape.Err && hi >= c.Escape.Value-c.Escape.Err
				}
			}
		}
	}
	return out
}
