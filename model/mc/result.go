package mc

import (
	"encoding/json"
	"math"
	"slices"

	"github.com/sdeverify/sdeverify/model"
)

// What a run records: its statistics at the checkpoints (Result), their
// assembly from the blocks' moments, and quantiles.

// Stat is a sample mean with its standard error over N paths.
type Stat struct {
	Mean float64
	SE   float64
	N    int
}

func statOf(m Moments) Stat {
	if m.N == 0 {
		return Stat{Mean: math.NaN(), SE: math.NaN()}
	}
	return Stat{Mean: m.Mean, SE: m.SE(), N: m.N}
}

// MarshalJSON writes non-finite numbers as null.
func (s Stat) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Mean *float64 `json:"mean"`
		SE   *float64 `json:"se"`
		N    int      `json:"n"`
	}{Finite(s.Mean), Finite(s.SE), s.N})
}

// UnmarshalJSON reads null as NaN.
func (s *Stat) UnmarshalJSON(b []byte) error {
	var v struct {
		Mean *float64 `json:"mean"`
		SE   *float64 `json:"se"`
		N    int      `json:"n"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Stat{Mean: OrNaN(v.Mean), SE: OrNaN(v.SE), N: v.N}
	return nil
}

// Checkpoint holds the statistics over the live paths at one step.
// I1 and I2 are the per-path integrals int_0^t eta_s ||grad f(X_s)||^2 ds
// and int_0^t eta_s^2 ||grad f(X_s)||^2 ds (left-point sums on the step grid
// for the discrete method, trapezoidal on the substeps for the SDE); Phi1 and Phi2 are the per-path phi^1,
// phi^2 (equal on every path unless the schedule reads the path).
type Checkpoint struct {
	Step      int       `json:"step"`
	Time      float64   `json:"time"`
	Live      int       `json:"live"`
	Diverged  int       `json:"diverged"`
	F         Stat      `json:"f_minus_fstar"`
	GradNorm2 Stat      `json:"grad_norm2"`
	GradNorm  Stat      `json:"grad_norm"`
	Dist2     Stat      `json:"dist2"`
	X         *Stat     `json:"x,omitempty"` // the coordinate, for d = 1
	I1        Stat      `json:"i1"`
	I2        Stat      `json:"i2"`
	Phi1      Stat      `json:"phi1"`
	Phi2      Stat      `json:"phi2"`
	Quantiles []float64 `json:"quantiles,omitempty"` // of f - f*, at Run.Quantiles
	// Per path, when Run.KeepPathValues is set.
	Paths []PathValue `json:"-"`
	// Check failures (path-steps) before this checkpoint's step.
	CheckFailures int64 `json:"check_failures,omitempty"`
	// Run.Coupled: the refined twins.
	Coupled *Coupled `json:"coupled,omitempty"`
}

// Levels are statistics of one level of a coupled run, or of the
// difference between its levels.
type Levels struct {
	F         Stat  `json:"f_minus_fstar"`
	GradNorm2 Stat  `json:"grad_norm2"`
	Dist2     Stat  `json:"dist2"`
	X         *Stat `json:"x,omitempty"` // d = 1
}

// Coupled is a checkpoint of a coupled run (Run.Coupled): the refined
// twins' statistics and the coarse-minus-fine differences, both over the
// paths where path and twin are live, and the twins that diverged while
// their path had not (by this checkpoint).
type Coupled struct {
	Fine         Levels `json:"fine"`
	Diff         Levels `json:"coarse_minus_fine"`
	FineDiverged int    `json:"fine_diverged"`
	// Per twin, when Run.KeepPathValues is set (NaN once the twin or its
	// path diverged), aligned with Checkpoint.Paths.
	Paths []PathValue `json:"-"`
}

// Substeps summarises the SDE integrator's work.
type Substeps struct {
	Total       int64 `json:"total"`        // substeps over all paths and steps
	MaxPerStep  int   `json:"max_per_step"` // most substeps one path used in one step
	CappedPaths int   `json:"capped_paths"` // paths that hit the substep floor at least once (unresolved)
}

// Result is a run's output. Every field is a deterministic function of the
// Run without Workers.
type Result struct {
	Checkpoints []Checkpoint `json:"checkpoints"`
	// Per step k = 0..Steps: the ensemble mean of ||grad f(x_k)|| over the
	// live paths and the number of live paths; per step k = 0..Steps-1: the
	// schedule value used (mean over live paths if it reads the path).
	EnsembleGradNorm []float64 `json:"-"`
	Live             []int     `json:"-"`
	Rate             []float64 `json:"-"`
	Diverged         int       `json:"diverged"`
	Substeps         *Substeps `json:"substeps,omitempty"`
	// Run.Check: path-steps where it returned false, and the first step
	// where that happened (-1: never).
	CheckFailures     int64 `json:"check_failures,omitempty"`
	FirstCheckFailure int   `json:"first_check_failure,omitempty"`
}

// simulate runs the passes and reduces the blocks' moments, step by step
// in block order, into the Result.
func (e *engine) simulate() *Result {
	r := &e.run
	res := &Result{
		FirstCheckFailure: -1,
		EnsembleGradNorm:  make([]float64, r.Steps+1),
		Live:              make([]int, r.Steps+1),
		Rate:              make([]float64, r.Steps),
	}
	cps := r.Checkpoints
	ci := 0
	fineDiv := 0
	reduce := func(step int) {
		var tot blockAcc
		for b := range e.acc {
			a := &e.acc[b]
			tot.sumG += a.sumG
			tot.live += a.live
			tot.rateSum += a.rateSum
			tot.rateN += a.rateN
			tot.diverged += a.diverged
			tot.checkBad += a.checkBad
			tot.fineDiv += a.fineDiv
			if e.checkpoint {
				for s := range nStats {
					tot.m[s].Merge(a.m[s])
				}
				for s := range tot.cm {
					tot.cm[s].Merge(a.cm[s])
				}
			}
		}
		fineDiv += tot.fineDiv
		res.Diverged += tot.diverged
		if tot.checkBad > 0 && res.CheckFailures == 0 {
			res.FirstCheckFailure = step - 1
		}
		res.CheckFailures += tot.checkBad
		res.Live[step] = tot.live
		res.EnsembleGradNorm[step] = tot.sumG / float64(tot.live)
		if step > 0 && r.Schedule.Reads() == model.ReadsPath {
			res.Rate[step-1] = tot.rateSum / float64(tot.rateN)
		}
		if e.checkpoint {
			c := Checkpoint{
				Step: step, Time: float64(step) * r.Eta, Live: tot.live, Diverged: res.Diverged,
				F: statOf(tot.m[sF]), GradNorm2: statOf(tot.m[sGN2]), GradNorm: statOf(tot.m[sGN]),
				Dist2: statOf(tot.m[sDist2]), I1: statOf(tot.m[sI1]), I2: statOf(tot.m[sI2]),
				Phi1: statOf(tot.m[sPhi1]), Phi2: statOf(tot.m[sPhi2]),
			}
			if e.d == 1 {
				x := statOf(tot.m[sX])
				c.X = &x
			}
			if len(r.Quantiles) > 0 {
				c.Quantiles = e.quantiles()
			}
			c.CheckFailures = res.CheckFailures
			if r.Coupled {
				c.Coupled = &Coupled{FineDiverged: fineDiv}
				lv := func(m []Moments) Levels {
					l := Levels{F: statOf(m[cF]), GradNorm2: statOf(m[cGN2]), Dist2: statOf(m[cDist2])}
					if e.d == 1 {
						x := statOf(m[cX])
						l.X = &x
					}
					return l
				}
				c.Coupled.Fine, c.Coupled.Diff = lv(tot.cm[:nLevel]), lv(tot.cm[nLevel:])
				if r.KeepPathValues {
					c.Coupled.Paths = slices.Clone(e.twinVals)
				}
			}
			if r.KeepPathValues {
				c.Paths = slices.Clone(e.pathVals)
			}
			res.Checkpoints = append(res.Checkpoints, c)
			ci++
		}
	}
	e.init, e.checkpoint = true, ci < len(cps) && cps[ci] == 0
	e.pass()
	reduce(0)
	e.init = false
	// rateAt sets the rate of step k (unless the schedule reads the path)
	// and the phi sums every live path shares.
	rateAt := func(k int) {
		if r.Schedule.Reads() == model.ReadsPath {
			return
		}
		e.rate = r.Schedule.Rate(model.StepInfo{K: k, T: float64(k) * r.Eta, Ensemble: res.EnsembleGradNorm[k]})
		res.Rate[k] = e.rate
		h := r.Eta * e.rate
		e.phi1g += h
		e.phi2g += h * e.rate
	}
	for k := 0; k < r.Steps; {
		// A chunk: steps k .. k+n-1 in one pass when the schedule reads
		// only the clock and none of the states k+1 .. k+n is a checkpoint.
		n := min(maxChunk, r.Steps-k)
		if ci < len(cps) {
			n = min(n, cps[ci]-1-k)
		}
		if e.chunkable && n >= 2 {
			for s := range n {
				rateAt(k + s)
				e.rates[s] = e.rate
			}
			e.k, e.chunk, e.checkpoint = k, n, false
			e.pass()
			e.chunk = 0
			for s := range n {
				for b := range e.acc {
					t := &e.chunkT[b*maxChunk+s]
					e.acc[b] = blockAcc{sumG: t.sumG, live: t.live, diverged: t.diverged}
				}
				reduce(k + s + 1)
			}
			k += n
			continue
		}
		e.k = k
		e.ensemble = res.EnsembleGradNorm[k]
		rateAt(k)
		e.checkpoint = ci < len(cps) && cps[ci] == k+1
		e.pass()
		reduce(k + 1)
		k++
	}
	if r.Model == SDE {
		s := &Substeps{}
		for p := range r.Paths {
			s.Total += e.subs[p]
			s.MaxPerStep = max(s.MaxPerStep, e.maxSub[p])
			if e.capped[p] {
				s.CappedPaths++
			}
		}
		res.Substeps = s
	}
	return res
}

// quantiles returns Run.Quantiles of f - f* over the live paths (linear
// interpolation between order statistics, R's type 7).
func (e *engine) quantiles() []float64 {
	vals := make([]float64, 0, e.run.Paths)
	for p := range e.run.Paths {
		if e.alive[p] {
			vals = append(vals, e.fvals[p])
		}
	}
	slices.Sort(vals)
	out := make([]float64, len(e.run.Quantiles))
	for i, q := range e.run.Quantiles {
		out[i] = Quantile(vals, q)
	}
	return out
}

// Quantile returns the q-quantile of sorted values (type 7), NaN if empty.
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := q * float64(n-1)
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}
