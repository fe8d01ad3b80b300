package mc

import (
	"math"
	"runtime"

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
