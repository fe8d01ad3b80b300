package mc

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/floats"

	"github.com/sdeverify/sdeverify/model"
)

// BlockSize is the number of consecutive paths reduced together. It is a
// constant, not a tuning knob: changing it changes the summation order and
// so the last bits of every statistic.
const BlockSize = 64

// DefaultDivergeAt is the threshold on max_j |x_j| past which a path is
// counted as diverged when Run.DivergeAt is 0.
const DefaultDivergeAt = 1e10

// Model selects what a run simulates.
type Model int

const (
	Discrete Model = iota // the discrete method
	SDE                   // its SDE model, integrated by Run.Integrator
)

// String is the model's name in a configuration's model.kind.
func (m Model) String() string {
	if m == SDE {
		return "sde"
	}
	return "discrete"
}

// ParseModel returns the Model a configuration's model.kind names (its
// String), or false.
func ParseModel(kind string) (Model, bool) {
	for _, m := range []Model{Discrete, SDE} {
		if m.String() == kind {
			return m, true
		}
	}
	return 0, false
}

// Run describes one ensemble simulation: Paths paths of Steps optimiser
// steps from X0, advanced in lockstep because the schedule may read the
// ensemble mean of ||grad f|| at every step.
type Run struct {
	System      model.System
	Model       Model
	Integrator  model.Integrator // SDE only
	Eta         float64          // base learning rate eta > 0
	Schedule    model.Schedule   // eta_k; the step taken is Eta * eta_k
	X0          []float64        // start, len d
	Steps       int              // optimiser steps, >= 1
	Paths       int              // Monte Carlo paths, >= 2
	Seed        uint64           // path p draws from Stream(Seed, p)
	Checkpoints []int            // sorted distinct steps in [0, Steps] where full statistics are kept
	DivergeAt   float64          // 0: DefaultDivergeAt
	Quantiles   []float64        // quantiles of f - f* to record at checkpoints (each in [0,1])
	Workers     int              // goroutines; 0: GOMAXPROCS. Results do not depend on it.

	// Coupled (SDE only) gives every path a refined twin driven by the same
	// Brownian path, each substep halved (model.System.SDEStepCoupled),
	// and every checkpoint the twins' statistics and the per-path
	// coarse-minus-fine differences (Checkpoint.Coupled), from which the
	// integrator's bias is estimated (IntegrationError). The run's own
	// statistics are those it has without it, to the bit. Under the
	// ensemble reading the twins use the run's schedule values.
	Coupled bool
	// CoupledPaths, if > 0, gives twins to paths 0 .. CoupledPaths-1 only
	// (the bias is estimated from a subset, for a fraction of the cost).
	CoupledPaths int

	// KeepPathValues records every path's values at each checkpoint
	// (Checkpoint.Paths), for statistics the engine does not keep.
	KeepPathValues bool
	// Check, if set, is called for every live path at the start of every
	// step with what the schedule read and the rate it gave; steps where it
	// returns false are counted (Result.CheckFailures). The theorems use it
	// to verify admissibility along the run. It must be safe for
	// concurrent use.
	Check func(s model.StepInfo, rate float64) bool
}

// PathValue is one path's state at a checkpoint (NaN once diverged).
type PathValue struct {
	F, GradNorm2, I1, I2, Phi1, Phi2 float64
}

// Validate checks the run.
func (r Run) Validate() error {
	if r.CoupledPaths < 0 {
		return model.Invalid("coupled_paths", r.CoupledPaths, "must be >= 0 (0: every path)")
	}
	if r.Coupled && r.Model != SDE {
		return model.Invalid("coupled", true, "needs the SDE model (a refined twin is an integrator's)")
	}
	if r.Model == SDE {
		if err := r.System.ValidateSDE(); err != nil {
			return err
		}
		if err := r.Integrator.Validate(); err != nil {
			return model.Prefix("model", err)
		}
	} else if err := r.System.Validate(); err != nil {
		return err
	}
	d := r.System.F.Dim()
	if len(r.X0) != d {
		return model.Invalid("x0", fmt.Sprintf("length %d", len(r.X0)), fmt.Sprintf("must have the dimension %d", d))
	}
	for j, v := range r.X0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return model.Invalid(fmt.Sprintf("x0[%d]", j), v, "must be finite")
		}
	}
	thresh := r.DivergeAt
	if thresh == 0 {
		thresh = DefaultDivergeAt
	}
	for j, v := range r.X0 {
		if math.Abs(v) > thresh {
			return model.Invalid(fmt.Sprintf("x0[%d]", j), v, fmt.Sprintf("is beyond diverge_at = %g: every path would count as diverged at step 0", thresh))
		}
	}
	if f := r.System.F.Value(r.X0); math.IsNaN(f) || math.IsInf(f, 0) {
		return model.Invalid("x0", fmt.Sprintf("%g...", r.X0[0]), fmt.Sprintf("f(x0) = %v: the objective overflows at the start", f))
	}
	g := make([]float64, d)
	r.System.F.Grad(g, r.X0)
	for j, v := range g {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return model.Invalid("x0", fmt.Sprintf("%g...", r.X0[0]), fmt.Sprintf("grad f(x0)[%d] = %v: the gradient overflows at the start", j, v))
		}
	}
	if !(r.Eta > 0) || math.IsInf(r.Eta, 0) {
		return model.Invalid("eta", r.Eta, "must be finite and > 0")
	}
	if r.Schedule == nil {
		return model.Invalid("schedule", nil, "must be set")
	}
	if err := r.Schedule.Validate(); err != nil {
		return model.Prefix("schedule", err)
	}
	if r.Steps < 1 {
		return model.Invalid("steps", r.Steps, "must be >= 1")
	}
	if r.Paths < 2 {
		return model.Invalid("paths", r.Paths, "must be >= 2 (a standard error needs two paths)")
	}
	for i, c := range r.Checkpoints {
		if c < 0 || c > r.Steps || (i > 0 && c <= r.Checkpoints[i-1]) {
			return model.Invalid(fmt.Sprintf("checkpoints[%d]", i), c, fmt.Sprintf("must be increasing within [0, %d]", r.Steps))
		}
	}
	if r.DivergeAt < 0 || math.IsNaN(r.DivergeAt) {
		return model.Invalid("diverge_at", r.DivergeAt, "must be >= 0 (0: default)")
	}
	for i, q := range r.Quantiles {
		if !(q >= 0 && q <= 1) {
			return model.Invalid(fmt.Sprintf("quantiles[%d]", i), q, "must be in [0, 1]")
		}
	}
	if r.Workers < 0 {
		return model.Invalid("workers", r.Workers, "must be >= 0")
	}
	return nil
}

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

type stat int

const (
	sF stat = iota
	sGN2
	sGN
	sDist2
	sX
	sI1
	sI2
	sPhi1
	sPhi2
	nStats
)

// Coupled runs' moments: the twin's f, ||g||^2, dist^2, x, then the
// differences of the same four.
const (
	cF = iota
	cGN2
	cDist2
	cX
	nLevel
)

type blockAcc struct {
	m        [nStats]Moments
	sumG     float64
	live     int
	rateSum  float64
	rateN    int
	diverged int
	checkBad int64
	cm       [2 * nLevel]Moments // Run.Coupled: twins, then differences
	fineDiv  int
}

type engine struct {
	run    Run
	d      int
	fstar  float64
	xstar  []float64
	thresh float64
	// threshBits is the bit pattern of thresh: for x not NaN, |x| > thresh
	// exactly when Float64bits(|x|) > threshBits, and every NaN's is larger.
	threshBits uint64
	threshSq   float64 // thresh^2 (1 - d 2^-52), +Inf if it overflows
	nblocks    int
	workers    int

	x, g                    []float64 // paths x d
	gn2, i1, i2, phi1, phi2 []float64 // phi1, phi2: only when the schedule reads the path
	phi1g, phi2g            float64   // phi^1, phi^2 of every live path otherwise
	alive                   []bool
	subs                    []int64
	maxSub                  []int
	capped                  []bool
	rngs                    []model.Rand // by value: one contiguous array
	fvals                   []float64
	// Run.Coupled: the twins' states, gradients, squared gradient norms
	// (NaN once diverged) and streams.
	xf, gf                 []float64
	gn2f                   []float64
	i1f, i2f, phi1f, phi2f []float64
	rngsF                  []model.Rand
	twinVals               []PathValue
	twins                  int // paths 0 .. twins-1 have one
	pathVals               []PathValue
	ws                     []*model.Workspace
	hbuf                   [][]float64 // per worker: a block's step sizes
	pathwise               bool        // the schedule reads the path
	scalar                 bool        // d = 1, discrete: batched steps
	// Chunked passes (schedules that read only the clock): the number of
	// steps of the current pass (0: a lockstep pass), their rates, and per
	// block and step the sums (maxChunk slots a block).
	chunkable bool
	chunk     int
	rates     []float64
	chunkT    []tally
	acc       []blockAcc
	bar       barrier

	// Set before each pass, read by the workers.
	init       bool
	k          int
	ensemble   float64 // G_k, the ensemble mean of ||grad f(x_k)||
	rate       float64 // eta_k unless the schedule reads the path
	checkpoint bool
}

// Simulate runs r and returns its result, or the first validation error.
func Simulate(r Run) (*Result, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if r.Model == SDE && r.Integrator.Minimizer == nil {
		r.Integrator.Minimizer = make([]float64, r.System.F.Dim()) // see model.Integrator
		r.System.F.Minimizer(r.Integrator.Minimizer)
	}
	e := newEngine(r)
	defer e.close()
	return e.simulate(), nil
}

func newEngine(r Run) *engine {
	d := r.System.F.Dim()
	m := r.Paths
	e := &engine{run: r, d: d, fstar: r.System.F.Inf(), xstar: make([]float64, d), thresh: r.DivergeAt}
	if e.thresh == 0 {
		e.thresh = DefaultDivergeAt
	}
	e.threshBits = math.Float64bits(e.thresh)
	e.threshSq = e.thresh * e.thresh * (1 - float64(d)*0x1p-52)
	r.System.F.Minimizer(e.xstar)
	e.nblocks = (m + BlockSize - 1) / BlockSize
	e.workers = r.Workers
	if e.workers == 0 {
		e.workers = runtime.GOMAXPROCS(0)
	}
	e.workers = max(1, min(e.workers, e.nblocks))
	e.x, e.g = make([]float64, m*d), make([]float64, m*d)
	e.gn2, e.i1, e.i2 = make([]float64, m), make([]float64, m), make([]float64, m)
	e.phi1, e.phi2, e.fvals = make([]float64, m), make([]float64, m), make([]float64, m)
	e.alive, e.capped = make([]bool, m), make([]bool, m)
	e.subs, e.maxSub = make([]int64, m), make([]int, m)
	if r.KeepPathValues {
		e.pathVals = make([]PathValue, m)
	}
	e.rngs = make([]model.Rand, m)
	for p := range m {
		e.rngs[p].Seed(StreamSeed(r.Seed, p))
	}
	if r.Coupled {
		n := m
		if r.CoupledPaths > 0 {
			n = min(m, r.CoupledPaths)
		}
		e.twins = n
		e.xf, e.gf, e.gn2f = make([]float64, n*d), make([]float64, n*d), make([]float64, n)
		e.i1f, e.i2f, e.phi1f, e.phi2f = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		if r.KeepPathValues {
			// Paths without a twin read as diverged twins (NaN).
			e.twinVals = make([]PathValue, m)
			for p := n; p < m; p++ {
				e.twinVals[p] = PathValue{F: math.NaN(), GradNorm2: math.NaN(), I1: math.NaN(), I2: math.NaN(), Phi1: math.NaN(), Phi2: math.NaN()}
			}
		}
		e.rngsF = make([]model.Rand, n)
		for p := range n {
			e.rngsF[p].Seed(StreamSeed(r.Seed^twinSalt, p))
		}
	}
	e.pathwise = r.Schedule.Reads() == model.ReadsPath
	e.scalar = d == 1 && r.Model == Discrete
	e.chunkable = r.Model == Discrete && r.Schedule.Reads() == model.ReadsClock && r.Check == nil && maxChunk > 1
	if e.chunkable {
		e.rates = make([]float64, maxChunk)
		e.chunkT = make([]tally, e.nblocks*maxChunk)
	}
	e.hbuf = make([][]float64, e.workers)
	for w := range e.hbuf {
		e.hbuf[w] = make([]float64, BlockSize)
	}
	e.acc = make([]blockAcc, e.nblocks)
	e.ws = make([]*model.Workspace, e.workers)
	e.bar.init(e.workers - 1)
	for w := range e.workers {
		e.ws[w] = model.NewWorkspace(d)
		if w > 0 {
			go e.worker(w)
		}
	}
	return e
}

func (e *engine) close() { e.bar.stop() }

func (e *engine) worker(w int) {
	for e.bar.wait(w - 1) {
		e.work(w)
		e.bar.done()
	}
}

// work runs worker w's contiguous range of blocks. A static partition is
// faster than handing out single blocks from an atomic counter
// (interleaved blocks made the two cores contend for cache lines at every
// block boundary; BENCHMARKS.md); results do not depend on it.
func (e *engine) work(w int) {
	lo, hi := w*e.nblocks/e.workers, (w+1)*e.nblocks/e.workers
	for b := lo; b < hi; b++ {
		e.block(b, w)
	}
}

// pass runs one lockstep pass over every block on all workers.
func (e *engine) pass() {
	e.bar.release()
	e.work(0)
	e.bar.join()
}

// maxChunk is the most steps a chunked pass takes (a variable so that a test
// can turn chunking off and compare).
var maxChunk = 64

// tally is a block's running sums, kept in locals while the block runs (a
// sum through memory is a store-to-load chain per path).
type tally struct {
	sumG, rateSum         float64
	live, rateN, diverged int
	checkBad              int64
}

func (e *engine) block(b, w int) {
	acc := &e.acc[b]
	*acc = blockAcc{}
	r := &e.run
	lo, hi := b*BlockSize, min((b+1)*BlockSize, r.Paths)
	if e.chunk > 0 {
		e.chunkBlock(b, w, lo, hi)
		return
	}
	var t tally
	switch {
	case e.init:
		for p := lo; p < hi; p++ {
			x, g := e.x[p*e.d:(p+1)*e.d], e.g[p*e.d:(p+1)*e.d]
			copy(x, r.X0)
			e.alive[p] = true
			r.System.F.Grad(g, x)
			e.measure(p, &t, acc)
			if p < e.twins {
				copy(e.xf[p*e.d:(p+1)*e.d], x)
				copy(e.gf[p*e.d:(p+1)*e.d], g)
				e.measureTwin(p, acc)
			}
		}
	case e.scalar:
		e.scalarStep(lo, hi, w, e.rate, &t, acc)
	default:
		for p := lo; p < hi; p++ {
			if !e.alive[p] {
				continue
			}
			if r.Model == Discrete {
				e.discreteStep(p, w, e.stepSize(p, &t), &t, acc)
				continue
			}
			x, g := e.x[p*e.d:(p+1)*e.d], e.g[p*e.d:(p+1)*e.d]
			startBad := t.checkBad
			rate := e.rateOf(p, &t)
			var res model.SDEStepResult
			if p < e.twins {
				rateF := rate
				if e.pathwise {
					rateF = r.Schedule.Rate(model.StepInfo{K: e.k, T: float64(e.k) * r.Eta, Ensemble: e.ensemble, Path: math.Sqrt(e.gn2f[p])})
				}
				xf, gf := e.xf[p*e.d:(p+1)*e.d], e.gf[p*e.d:(p+1)*e.d]
				twinLive := !math.IsNaN(e.gn2f[p])
				var fres model.SDEStepResult
				res, fres = r.System.SDEStepCoupled(x, g, e.gn2[p], xf, gf, e.gn2f[p], r.Eta, rate, rateF, r.Integrator, e.ws[w], &e.rngs[p], &e.rngsF[p])
				if twinLive {
					e.i1f[p] += fres.I1
					e.i2f[p] += fres.I2
					h := r.Eta * rateF
					e.phi1f[p] += h
					e.phi2f[p] += h * rateF
				}
			} else {
				res = r.System.SDEStep(x, g, e.gn2[p], r.Eta, rate, r.Integrator, e.ws[w], &e.rngs[p])
			}
			// A rate read from the path at the step's start is held over
			// the step: the Check hook must also accept it at the largest
			// ||grad f|| the substeps reached (each path-step counted once).
			if e.pathwise && r.Check != nil && t.checkBad == startBad && res.MaxGradNorm2 > e.gn2[p] {
				info := model.StepInfo{K: e.k, T: float64(e.k) * r.Eta, Ensemble: e.ensemble, Path: math.Sqrt(res.MaxGradNorm2)}
				if !r.Check(info, rate) {
					t.checkBad++
				}
			}
			e.i1[p] += res.I1
			e.i2[p] += res.I2
			e.subs[p] += int64(res.Substeps)
			e.maxSub[p] = max(e.maxSub[p], res.Substeps)
			e.capped[p] = e.capped[p] || res.Capped
			if e.pathwise {
				h := r.Eta * rate
				e.phi1[p] += h
				e.phi2[p] += h * rate
			}
			e.measure(p, &t, acc)
			if p < e.twins {
				e.measureTwin(p, acc)
			}
		}
	}
	acc.sumG, acc.rateSum, acc.live, acc.rateN, acc.diverged, acc.checkBad = t.sumG, t.rateSum, t.live, t.rateN, t.diverged, t.checkBad
}

// chunkBlock runs block b's paths through the e.chunk steps of a chunked
// pass (a schedule that reads only the clock, no Check hook, no
// checkpoint inside): one dimension a step at a time over the block, wider
// paths one at a time through every step, so that a path's state stays in
// the core's cache between its steps. Each step's sums go to the block's
// tally for that step, added in path order as a lockstep pass adds them:
// the results are the same to the bit (tested).
func (e *engine) chunkBlock(b, w, lo, hi int) {
	ts := e.chunkT[b*maxChunk : b*maxChunk+e.chunk]
	clear(ts)
	acc := &e.acc[b]
	if e.scalar {
		for s := range ts {
			e.scalarStep(lo, hi, w, e.rates[s], &ts[s], acc)
		}
		return
	}
	for p := lo; p < hi; p++ {
		for s := 0; s < len(ts) && e.alive[p]; s++ {
			e.discreteStep(p, w, e.stepSizeAt(p, e.rates[s]), &ts[s], acc)
		}
	}
}

// discreteStep takes live path p's discrete step of size h, its new
// gradient and its measurement (into t).
func (e *engine) discreteStep(p, w int, h float64, t *tally, acc *blockAcc) {
	r := &e.run
	x, g := e.x[p*e.d:(p+1)*e.d], e.g[p*e.d:(p+1)*e.d]
	if over, ok := r.System.DiscreteStepGrad(x, g, e.gn2[p], h, e.threshBits, e.ws[w], &e.rngs[p]); ok {
		// The step refreshed the gradient and tested the moved
		// coordinates (the others passed before).
		e.take(p, floats.Dot(g, g), over, t, acc)
		return
	}
	r.System.DiscreteStep(x, g, e.gn2[p], h, e.ws[w], &e.rngs[p])
	r.System.F.Grad(g, x)
	e.measure(p, t, acc)
}

// scalarStep runs one discrete step of the one-dimensional paths [lo, hi)
// at the rate of a schedule that does not read the path (unless it does, or
// a Check hook is set: then path by path): the step sizes first, then one
// batched step and one batched gradient over the block's contiguous
// states, then the measurements (the same operations as the general case,
// in loops without per-path slicing or calls).
func (e *engine) scalarStep(lo, hi, w int, rate float64, t *tally, acc *blockAcc) {
	r := &e.run
	alive, gn2s := e.alive[lo:hi], e.gn2[lo:hi]
	hs := e.hbuf[w][:hi-lo]
	if e.pathwise || r.Check != nil {
		for p := lo; p < hi; p++ {
			if e.alive[p] {
				hs[p-lo] = e.stepSize(p, t)
			}
		}
	} else {
		h := r.Eta * rate
		h2 := h * rate
		i1, i2 := e.i1[lo:hi], e.i2[lo:hi]
		n := 0
		for q := range hs {
			if alive[q] {
				hs[q] = h
				i1[q] += h * gn2s[q]
				i2[q] += h2 * gn2s[q]
				n++
			}
		}
		// Every path has the same rate: the sum is a product (exact
		// mean, no addition chain).
		t.rateSum += rate * float64(n)
		t.rateN += n
	}
	xs, gs := e.x[lo:hi], e.g[lo:hi]
	r.System.DiscreteStepScalar(xs, gs, gn2s, hs, alive, e.rngs[lo:hi], e.ws[w])
	model.GradBatch(r.System.F, gs, xs)
	// The common case (finite, below the threshold, no checkpoint) in the
	// loop, with four partial sums of ||grad|| (by path index mod 4) to
	// shorten the addition chain; the rest through take.
	var sg [4]float64
	for q, g := range gs {
		if !alive[q] {
			continue
		}
		gn2 := g * g
		if bad := math.Float64bits(xs[q])&absMask > e.threshBits; bad || !(gn2 <= math.MaxFloat64) || e.checkpoint {
			e.take(lo+q, gn2, bad, t, acc)
			continue
		}
		gn2s[q] = gn2
		sg[q&3] += math.Abs(g) // ||grad|| in one dimension, exactly (no square root)
		t.live++
	}
	t.sumG += (sg[0] + sg[1]) + (sg[2] + sg[3])
}

// rateOf returns live path p's schedule value eta_k (reading the path if
// the schedule does), runs the Check hook, and counts both in t.
func (e *engine) rateOf(p int, t *tally) float64 {
	r := &e.run
	rate := e.rate
	if e.pathwise || r.Check != nil {
		info := model.StepInfo{K: e.k, T: float64(e.k) * r.Eta, Ensemble: e.ensemble, Path: math.Sqrt(e.gn2[p])}
		if e.pathwise {
			rate = r.Schedule.Rate(info)
		}
		if r.Check != nil && !r.Check(info, rate) {
			t.checkBad++
		}
	}
	t.rateSum += rate
	t.rateN++
	return rate
}

// stepSizeAt is stepSize for a schedule that reads only the clock, at its
// value rate (no Check hook): the same operations.
func (e *engine) stepSizeAt(p int, rate float64) float64 {
	h := e.run.Eta * rate
	e.i1[p] += h * e.gn2[p]
	e.i2[p] += h * rate * e.gn2[p]
	return h
}

// stepSize returns live path p's discrete step size h = eta eta_k and adds
// this step's terms to its integrals (left-point sums).
func (e *engine) stepSize(p int, t *tally) float64 {
	rate := e.rateOf(p, t)
	h := e.run.Eta * rate
	e.i1[p] += h * e.gn2[p]
	e.i2[p] += h * rate * e.gn2[p]
	if e.pathwise {
		e.phi1[p] += h
		e.phi2[p] += h * rate
	}
	return h
}

// measure takes live path p's new gradient: its squared norm and the
// divergence test (a diverged path is frozen and costs nothing after),
// then take.
func (e *engine) measure(p int, t *tally, acc *blockAcc) {
	x, g := e.x[p*e.d:(p+1)*e.d], e.g[p*e.d:(p+1)*e.d]
	gn2, bad := norm2Beyond(g, x, e.threshBits, e.threshSq)
	e.take(p, gn2, bad, t, acc)
}

// take records live path p's new squared gradient norm gn2: bad (some
// |x_j| beyond the threshold, or NaN) or a non-finite gn2 freezes the path
// as diverged; otherwise it enters the ensemble sums, and at a checkpoint
// the statistics.
func (e *engine) take(p int, gn2 float64, bad bool, t *tally, acc *blockAcc) {
	r := &e.run
	e.gn2[p] = gn2
	if bad || !(gn2 <= math.MaxFloat64) { // false for NaN and +Inf
		e.alive[p] = false
		t.diverged++
		if r.KeepPathValues {
			e.pathVals[p] = PathValue{F: math.NaN(), GradNorm2: math.NaN(), I1: math.NaN(), I2: math.NaN(), Phi1: math.NaN(), Phi2: math.NaN()}
		}
		return
	}
	gn := math.Sqrt(gn2)
	t.sumG += gn
	t.live++
	if !e.checkpoint {
		return
	}
	x := e.x[p*e.d : (p+1)*e.d]
	f := r.System.F.Value(x) - e.fstar
	phi1, phi2 := e.phi1g, e.phi2g // every live path's, unless the schedule reads the path
	if e.pathwise {
		phi1, phi2 = e.phi1[p], e.phi2[p]
	}
	var dist2 float64
	for j, xj := range x {
		dj := xj - e.xstar[j]
		dist2 += dj * dj
	}
	e.fvals[p] = f
	if r.KeepPathValues {
		e.pathVals[p] = PathValue{F: f, GradNorm2: gn2, I1: e.i1[p], I2: e.i2[p], Phi1: phi1, Phi2: phi2}
	}
	acc.m[sF].Add(f)
	acc.m[sGN2].Add(gn2)
	acc.m[sGN].Add(gn)
	acc.m[sDist2].Add(dist2)
	acc.m[sX].Add(x[0])
	acc.m[sI1].Add(e.i1[p])
	acc.m[sI2].Add(e.i2[p])
	acc.m[sPhi1].Add(phi1)
	acc.m[sPhi2].Add(phi2)
}

// twinSalt separates the twins' streams (Run.Coupled) from the paths'.
const twinSalt = 0x5851f42d4c957f2d

// measureTwin tests path p's twin for divergence (a diverged twin gets
// gn2f NaN and is not advanced again) and, at a checkpoint where path and
// twin are live, adds the twin's values and the differences to acc.
func (e *engine) measureTwin(p int, acc *blockAcc) {
	nan := PathValue{F: math.NaN(), GradNorm2: math.NaN(), I1: math.NaN(), I2: math.NaN(), Phi1: math.NaN(), Phi2: math.NaN()}
	if math.IsNaN(e.gn2f[p]) {
		if e.twinVals != nil {
			e.twinVals[p] = nan
		}
		return
	}
	xf, gf := e.xf[p*e.d:(p+1)*e.d], e.gf[p*e.d:(p+1)*e.d]
	gn2, bad := norm2Beyond(gf, xf, e.threshBits, e.threshSq)
	if bad || !(gn2 <= math.MaxFloat64) {
		e.gn2f[p] = math.NaN()
		if e.alive[p] {
			acc.fineDiv++
		}
		if e.twinVals != nil {
			e.twinVals[p] = nan
		}
		return
	}
	e.gn2f[p] = gn2
	if !e.alive[p] && e.twinVals != nil {
		e.twinVals[p] = nan
	}
	if !e.checkpoint || !e.alive[p] {
		return
	}
	x := e.x[p*e.d : (p+1)*e.d]
	f := e.run.System.F.Value(xf) - e.fstar
	var dist2, dist2c float64
	for j, xj := range xf {
		dj := xj - e.xstar[j]
		dist2 += dj * dj
		dc := x[j] - e.xstar[j]
		dist2c += dc * dc
	}
	if e.twinVals != nil {
		phi1, phi2 := e.phi1g, e.phi2g
		if e.pathwise {
			phi1, phi2 = e.phi1f[p], e.phi2f[p]
		}
		e.twinVals[p] = PathValue{F: f, GradNorm2: gn2, I1: e.i1f[p], I2: e.i2f[p], Phi1: phi1, Phi2: phi2}
	}
	acc.cm[cF].Add(f)
	acc.cm[cGN2].Add(gn2)
	acc.cm[cDist2].Add(dist2)
	acc.cm[cX].Add(xf[0])
	acc.cm[nLevel+cF].Add(e.fvals[p] - f)
	acc.cm[nLevel+cGN2].Add(e.gn2[p] - gn2)
	acc.cm[nLevel+cDist2].Add(dist2c - dist2)
	acc.cm[nLevel+cX].Add(x[0] - xf[0])
}

// norm2Beyond returns ||g||^2 and whether some x_j has |x_j| > thresh or is
// NaN, where tb is thresh's bit pattern and sq = thresh^2 (1 - d 2^-52), or
// +Inf if that overflows. In wide dimensions both are gonum's assembly dot
// products: ||x||_inf <= ||x||_2, so a finite ||x||^2 <= sq proves every
// |x_j| <= thresh (the margin covers the dot product's rounding error, at
// most relative d 2^-53), and only otherwise (NaN, Inf, overflow, or a
// large x) are the coordinates tested one by one. The answer is always that
// of testing them all. In one dimension it is two operations.
func norm2Beyond(g, x []float64, tb uint64, sq float64) (float64, bool) {
	x = x[:len(g)]
	if len(g) == 1 {
		return g[0] * g[0], math.Float64bits(x[0])&absMask > tb
	}
	gn2 := floats.Dot(g, g)
	if dx := floats.Dot(x, x); dx <= sq && dx <= math.MaxFloat64 {
		return gn2, false
	}
	for _, xj := range x {
		if math.Float64bits(xj)&absMask > tb {
			return gn2, true
		}
	}
	return gn2, false
}

// absMask clears a float64's sign bit: for x not NaN, |x| > t >= 0 exactly
// when the bits of |x| exceed t's, and every NaN's bits exceed +Inf's.
const absMask = 1<<63 - 1

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
