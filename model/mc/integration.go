package mc

import (
	"fmt"
	"math"
)

// Bias is the estimated integrator bias of a coupled run's statistics at
// one checkpoint: for a scheme of weak order 1, E Y_h = E Y + c h + o(h),
// so the coarse level's bias c h is twice the mean coarse-minus-fine
// difference, with twice its standard error.
func (c *Coupled) Bias() Levels {
	two := func(s Stat) Stat { return Stat{Mean: 2 * s.Mean, SE: 2 * s.SE, N: s.N} }
	b := Levels{F: two(c.Diff.F), GradNorm2: two(c.Diff.GradNorm2), Dist2: two(c.Diff.Dist2)}
	if c.Diff.X != nil {
		x := two(*c.Diff.X)
		b.X = &x
	}
	return b
}

// Refinement says how IntegrationError refines an SDE run.
type Refinement struct {
	// Fraction: a statistic is resolved when its bias bound, |bias| +
	// Z se(bias), is at most Fraction times its Monte Carlo standard error
	// (plus 1e-9 of its magnitude, rounding). 0 means 0.25.
	Fraction float64
	// Z is the bias bound's multiple of its standard error; 0 means 2.
	Z float64
	// MaxLevel: the integrator is refined at most this many times by a
	// factor 2 (substeps times 2^l, stiffness tolerance and floor divided
	// by 2^l); 0 means 8.
	MaxLevel int
	// MaxWork caps the work of one run, in substeps times the dimension
	// summed over paths and twins; 0 means 4e9 (tens of seconds on 2
	// cores). A level that would exceed it is not run.
	MaxWork float64
	// Progress, if set, is called after each level (for a command's
	// progress lines).
	Progress func(Level)
}

func (o Refinement) withDefaults() Refinement {
	if o.Fraction == 0 {
		o.Fraction = 0.25
	}
	if o.Z == 0 {
		o.Z = 2
	}
	if o.MaxLevel == 0 {
		o.MaxLevel = 8
	}
	if o.MaxWork == 0 {
		o.MaxWork = 4e9
	}
	return o
}

// Validate checks the settings.
func (o Refinement) Validate() error {
	if !(o.Fraction >= 0) || math.IsInf(o.Fraction, 0) {
		return fmt.Errorf("fraction = %v: must be finite and >= 0 (0: 0.25)", o.Fraction)
	}
	if !(o.Z >= 0) || math.IsInf(o.Z, 0) {
		return fmt.Errorf("z = %v: must be finite and >= 0 (0: 2)", o.Z)
	}
	if o.MaxLevel < 0 || o.MaxLevel > 20 {
		return fmt.Errorf("max level = %d: must be in [0, 20] (0: 8)", o.MaxLevel)
	}
	if !(o.MaxWork >= 0) {
		return fmt.Errorf("max work = %v: must be >= 0 (0: 4e9)", o.MaxWork)
	}
	return nil
}

// Level is one run of IntegrationError.
type Level struct {
	Level       int     `json:"level"`
	Substeps    int     `json:"substeps"`
	Stiffness   float64 `json:"stiffness"`
	MaxSubsteps int     `json:"max_substeps"`
	// Worst is the largest bias bound over the statistics' allowance (<= 1
	// resolves the level); Where names the statistic and step.
	Worst float64 `json:"worst"`
	Where string  `json:"where"`
	// Substep work of the coarse paths (the twins did twice as much).
	Work        int64 `json:"work"`
	CappedPaths int   `json:"capped_paths"`
}

// Integration is IntegrationError's account: the levels run and whether
// the last resolved every statistic at every checkpoint.
type Integration struct {
	Fraction float64 `json:"fraction"`
	Z        float64 `json:"z"`
	Levels   []Level `json:"levels"`
	Resolved bool    `json:"resolved"`
	Reason   string  `json:"reason,omitempty"`
}

// IntegrationError runs the SDE run r coupled with a refined twin
// (Run.Coupled) and estimates the integrator's bias at every checkpoint
// (Coupled.Bias) for E[f - f*], E||grad f||^2, E||x - x*||^2 and, in one
// dimension, E x. While a bias bound exceeds its allowance it refines the
// integrator and runs again, to the level that the first-order model says
// suffices: the bias halves per level and its standard error, set by the
// strong error of the coupling, falls by sqrt 2 (a guess that the next level
// checks). It returns the last level's result, whose checkpoints carry the
// twins and the estimate, and the account. A level whose paths hit the
// substep floor, or the last level allowed, is unresolved with the reason.
// Every level uses r's seed: the same numbers for the same run.
func IntegrationError(r Run, o Refinement) (*Result, *Integration, error) {
	if err := o.Validate(); err != nil {
		return nil, nil, fmt.Errorf("refinement: %w", err)
	}
	o = o.withDefaults()
	if r.Model != SDE {
		return nil, nil, fmt.Errorf("integration error: the run is %s, not the SDE", r.Model)
	}
	r.Coupled = true
	base := r.Integrator
	acc := &Integration{Fraction: o.Fraction, Z: o.Z}
	d := float64(r.System.F.Dim())
	level := 0
	for {
		in := base
		in.Substeps <<= level
		in.Stiffness /= float64(int(1) << level)
		in.MaxSubsteps <<= level
		r.Integrator = in
		res, err := Simulate(r)
		if err != nil {
			return nil, nil, err
		}
		lv := Level{Level: level, Substeps: in.Substeps, Stiffness: in.Stiffness, MaxSubsteps: in.MaxSubsteps,
			Work: res.Substeps.Total, CappedPaths: res.Substeps.CappedPaths}
		next := level
		for _, c := range res.Checkpoints {
			if c.Coupled == nil {
				continue
			}
			b := c.Coupled.Bias()
			stats := []struct {
				name     string
				val, bia *Stat
			}{{"E[f-f*]", &c.F, &b.F}, {"E||g||^2", &c.GradNorm2, &b.GradNorm2}, {"E||x-x*||^2", &c.Dist2, &b.Dist2}}
			if c.X != nil && b.X != nil {
				stats = append(stats, struct {
					name     string
					val, bia *Stat
				}{"E x", c.X, b.X})
			}
			for _, s := range stats {
				allow := o.Fraction*s.val.SE + 1e-9*math.Abs(s.val.Mean)
				if s.bia.N < 2 || s.val.N < 2 {
					continue
				}
				mag, se := math.Abs(s.bia.Mean), o.Z*s.bia.SE
				ratio := (mag + se) / allow
				if mag+se == 0 {
					ratio = 0
				}
				if !(ratio <= lv.Worst) {
					lv.Worst, lv.Where = ratio, fmt.Sprintf("%s at step %d", s.name, c.Step)
				}
				// The level where the model bound mag 2^-j + se 2^-j/2 fits.
				j := 0
				for ; j <= o.MaxLevel && !(mag/math.Ldexp(1, j)+se/math.Sqrt(math.Ldexp(1, j)) <= allow); j++ {
				}
				next = max(next, level+j)
			}
		}
		acc.Levels = append(acc.Levels, lv)
		if o.Progress != nil {
			o.Progress(lv)
		}
		switch {
		case lv.CappedPaths > 0:
			acc.Reason = fmt.Sprintf("%d paths hit the substep floor at level %d", lv.CappedPaths, level)
			return res, acc, nil
		case lv.Worst <= 1:
			acc.Resolved = true
			return res, acc, nil
		case level >= o.MaxLevel:
			acc.Reason = fmt.Sprintf("the bias bound of %s is %.3g times its allowance at the last level allowed (%d)", lv.Where, lv.Worst, level)
			return res, acc, nil
		}
		next = min(max(next, level+1), o.MaxLevel)
		// Work: the coarse paths' substeps times 3 (the twins take two
		// per coarse substep), times 2 per level up.
		if w := 3 * float64(res.Substeps.Total) * d * math.Ldexp(1, next-level); w > o.MaxWork {
			acc.Reason = fmt.Sprintf("the bias bound of %s is %.3g times its allowance at level %d, and level %d would take about %.2g substep-coordinates, over the budget of %.2g", lv.Where, lv.Worst, level, next, w, o.MaxWork)
			return res, acc, nil
		}
		level = next
	}
}
