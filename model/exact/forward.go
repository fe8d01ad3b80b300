package exact

import (
	"math"

	"github.com/sdeverify/sdeverify/internal/parallel"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/schedule"
)

// This file is the forward computation's driver: Forward validates,
// plans its runs (forwardPlan), runs them (the discrete method's in
// forwarddiscrete.go, the SDE's in forwardfd.go) and combines their
// numbers into values with errors; and the pieces the runs share (the
// record of a run, deposits, windows of live nodes).

// Scheduled is a one-dimensional system with a schedule that may change
// the step every step: time-only (eta_k from k), the ensemble reading (from
// the mean of |f'| over the live law, a deterministic functional of it)
// or, for the discrete method, the pathwise reading (from the state: the
// chain stays Markov). Forward carries its law forward in time, which a
// backward iteration cannot do when the operator changes with k.
type Scheduled struct {
	System   model.System
	X0       float64
	Eta      float64
	Schedule model.Schedule
	Steps    int
	// Integrals asks Forward for ForwardResult.Integrals too (for the SDE
	// they cost a law-weighted sum per substep).
	Integrals bool
	// QuantilesOf, with QuantileLevels, asks the SDE's forward
	// computation for ForwardResult.Quantiles: the quantiles of
	// QuantilesOf(X_t) at each step, read off the main grid's law (node
	// masses sorted by value: an error of about one node spacing, for
	// plots, not decisions).
	QuantilesOf    func(float64) float64
	QuantileLevels []float64
	// Check, for the SDE, is evaluated at every step on every node
	// holding at least 1e-30 of the law, with the node's |f'| in
	// StepInfo.Path and its rate (its own under the pathwise reading):
	// ForwardResult.FirstCheckFailure is the first step where it fails (a
	// theorem's admissibility, path by path).
	Check func(s model.StepInfo, rate float64) bool
}

// problem is the Problem of one step at schedule value rate.
func (p Scheduled) problem(rate float64) Problem {
	return Problem{System: p.System, X0: p.X0, Eta: p.Eta, Rate: rate, Steps: max(p.Steps, 1)}
}

// ForwardResult is a forward computation's series: E g(x_k) for each test
// function (mass that left the grid valued by g where it landed, or killed
// when the settings absorb), the probability of having left the grid, and
// the schedule value of each step.
//
// With Scheduled.Integrals, Integrals[q][f] is, at each step k, the
// schedule-weighted time integral of test function f,
//
//	int_0^{t_k} eta_s^(q+1) E g_f(X_s) ds   (q = 0, 1),
//
// eta_s being the schedule value held over each step: for the SDE the
// integral in continuous time (trapezoidal over the substeps, then
// extrapolated with the values), for the discrete method the left-point
// sum eta sum_{j<k} eta_j^(q+1) E g_f(x_j). These are the expectations of
// a theorem check's per-path I1 and I2 (g = f'^2) and, with g = 1, its
// phi^1 and phi^2.
type ForwardResult struct {
	Tests     []Series
	Escaped   Series
	Rate      []float64
	Integrals [2][]Series
	Quantiles [][]float64 // per step, at Scheduled.QuantileLevels (SDE only)
	// FirstCheckFailure is the first step at which Scheduled.Check failed
	// on the SDE's law, or -1.
	FirstCheckFailure int
}

// Forward computes the discrete method's law (sde false) or its SDE's
// (sde true: the finite-difference scheme, whatever s.Scheme says, with the
// schedule value of each step held over its substeps; under the pathwise
// reading each path's own, by interpolation in the held rate, see
// forwardFD, with one more run as its check) step by step on the grid,
// for k = 0..Steps, with every value's numerical error: the differences to
// half the nodes and to 1.5 times the radius, and for the SDE to the
// two-level time extrapolation (m, 2m, 4m substeps), for a discrete
// one-step law that is a quadrature rule (the agent maps) to the same run
// at the rule's next coarser level, plus a floor of rounding and
// interpolation errors weighted by the law. The SDE of such a method is
// refused (Settings.validate).
//
// With a constant schedule it gives the numbers of Discrete and SDE
// (SchemeFD) to rounding: the forward step is the exact adjoint of the
// backward one (TestForwardIsAdjoint).
func Forward(p Scheduled, gs []func(float64) float64, s Settings, sde bool, workers int) (ForwardResult, error) {
	s, err := p.forwardSettings(s, sde)
	if err != nil {
		return ForwardResult{}, err
	}
	pl, err := planForward(p, gs, s, sde)
	if err != nil {
		return ForwardResult{}, err
	}
	pl.run(p, gs, workers)
	for _, rn := range pl.runs {
		if rn.fr.err != nil {
			return ForwardResult{}, rn.fr.err
		}
	}
	nf := len(gs)
	main := pl.runs[0].fr
	out := ForwardResult{Tests: make([]Series, nf), Rate: main.rate, Quantiles: main.quantiles, FirstCheckFailure: main.firstBad}
	for f := range nf {
		out.Tests[f] = pl.combine(func(fr forwardRun) []float64 { return fr.e[f] }, pl.floorOf(func(fr forwardRun) []float64 { return fr.floor[f] }))
	}
	if !sde && p.Steps > 0 {
		pl.horizon(p, gs, out.Tests)
	}
	if p.Integrals {
		for q := range 2 {
			out.Integrals[q] = make([]Series, nf)
			for f := range nf {
				out.Integrals[q][f] = pl.combine(func(fr forwardRun) []float64 { return fr.integ[q][f] }, pl.floorOf(func(fr forwardRun) []float64 { return fr.integFloor[q][f] }))
			}
		}
	}
	out.Escaped = pl.combine(func(fr forwardRun) []float64 { return fr.escaped }, pl.floorOf(func(fr forwardRun) []float64 { return fr.dropped }))
	return out, nil
}

// forwardSettings validates Forward's input and returns the settings
// with their defaults (for the SDE, the finite-difference scheme).
func (p Scheduled) forwardSettings(s Settings, sde bool) (Settings, error) {
	base := p.problem(1)
	validate := base.Validate
	if sde {
		validate = base.ValidateSDE
	}
	if err := validate(); err != nil {
		return s, err
	}
	if p.Schedule == nil {
		return s, model.Invalid("schedule", nil, "required")
	}
	if err := p.Schedule.Validate(); err != nil {
		return s, err
	}
	pathwise := p.Schedule.Reads() == model.ReadsPath && schedule.ReadsGradient(p.Schedule)
	if sde {
		if pathwise && p.Integrals && !s.Reflect {
			return s, model.Invalid("settings.reflect", false, "the SDE's pathwise integrals are computed with reflecting edges only (a path held at an edge would keep its rate)")
		}
		s.Scheme = SchemeFD
	}
	if !sde && s.Reflect {
		return s, model.Invalid("settings.reflect", true, "reflecting edges are for the SDE's forward computation")
	}
	if !sde && p.Integrals && pathwise {
		return s, model.Invalid("schedule", "pathwise", "the discrete method's integrals weigh each path by its own rate: not covered")
	}
	if err := s.validate(base, sde); err != nil {
		return s, err
	}
	return s.withDefaults(p.X0), nil
}

// forwardPlan is Forward's runs, the main one first, and how their
// numbers combine into a value and its error.
type forwardPlan struct {
	s        Settings
	sde      bool
	pathwise bool // the SDE's pathwise reading: runs[6] checks the held rate's interpolation
	lattice  bool // DSignSGD's lattice: runs[1] is the main run again
	qrun     int  // the discrete run at lawLevel - 1 (a quadrature law), or -1
	lat      grid
	q        quadrature
	runs     []*forwardTask
}

// forwardTask is one run of a forward computation: on a lattice, or on
// the settings' grid of n nodes on radius r, with m substeps (the SDE)
// and nq interpolation points in the held rate (the pathwise SDE); the
// discrete method's one-step law at quadrature level lawLevel - lower.
type forwardTask struct {
	n     int
	r     float64
	m     int
	nq    int
	lower int
	gr    *grid
	fr    forwardRun
}

// planForward chooses Forward's runs: the discrete method's on the grid,
// half its nodes and 1.5 times its radius (or, for DSignSGD under a
// constant step, on its lattice and the wider one); the SDE's at m, 2m
// and 4m substeps, half the nodes, 1.5 times the radius and a quarter of
// the nodes, with one more for the pathwise reading's interpolation. A
// discrete one-step law that is a quadrature rule (model.Law1Der: the
// agent maps) gets one more run at the next coarser level on the main
// grid, whose difference is the rule's error term (as plan's).
func planForward(p Scheduled, gs []func(float64) float64, s Settings, sde bool) (*forwardPlan, error) {
	base := p.problem(1)
	pl := &forwardPlan{qrun: -1, sde: sde, pathwise: sde && p.Schedule.Reads() == model.ReadsPath && schedule.ReadsGradient(p.Schedule)}
	// DSignSGD under a constant step: its lattice, exact up to rounding
	// and the radius, checked against the same lattice to 1.5 times the
	// radius (the run on half the nodes is the main one again).
	if c, ok := p.Schedule.(model.ConstantRater); ok && !sde {
		var wide grid
		h := p.Eta * c.ConstantRate()
		if pl.lat, wide, pl.lattice = base.lattices(h, s.Radius, s, gs); pl.lattice {
			pl.runs = []*forwardTask{{gr: &pl.lat}, {gr: &pl.lat}, {gr: &wide}}
		}
	}
	if !pl.lattice {
		var err error
		if s, err = base.resolveNodes(s); err != nil {
			return nil, err
		}
	}
	switch {
	case pl.lattice:
	case sde:
		m := s.Substeps
		pl.runs = []*forwardTask{{n: s.Nodes, r: s.Radius, m: m}, {n: s.Nodes, r: s.Radius, m: 2 * m}, {n: s.Nodes, r: s.Radius, m: 4 * m},
			{n: s.Nodes / 2, r: s.Radius, m: m}, {n: s.wideNodes(), r: s.Radius * 1.5, m: m}, {n: s.Nodes / 4, r: s.Radius, m: m}}
		if pl.pathwise {
			// The held rate's interpolation: pathQ points in every run,
			// and the main run again with pathQ2, whose difference is its
			// error.
			for _, rn := range pl.runs {
				rn.nq = pathQ
			}
			pl.runs = append(pl.runs, &forwardTask{n: s.Nodes, r: s.Radius, m: m, nq: pathQ2})
		}
	default:
		pl.runs = []*forwardTask{{n: s.Nodes, r: s.Radius}, {n: s.Nodes / 2, r: s.Radius}, {n: s.wideNodes(), r: s.Radius * 1.5}}
		if base.quadratureLaw() {
			pl.qrun = len(pl.runs)
			pl.runs = append(pl.runs, &forwardTask{n: s.Nodes, r: s.Radius, lower: 1})
		}
	}
	pl.s = s
	pl.q = newQuadrature(s.Hermite)
	return pl, nil
}

// run computes the plan's runs on up to workers goroutines.
func (pl *forwardPlan) run(p Scheduled, gs []func(float64) float64, workers int) {
	s := pl.s
	parallel.ForEach(len(pl.runs), workers, func(i int) {
		rn := pl.runs[i]
		if pl.lattice && i == 1 {
			return // the main run's, below
		}
		var gr grid
		if rn.gr != nil {
			gr = *rn.gr
		} else {
			gr = newMappedGrid(rn.n, rn.r, s.Map, s.Absorb, gs)
			gr.qres = s.qres(rn.n, rn.r)
		}
		if pl.sde {
			rn.fr = forwardFD(gr, p, rn.m, s.Reflect, rn.nq)
		} else {
			rn.fr = forwardDiscrete(gr, p, pl.q, lawLevel-rn.lower)
		}
	})
	if pl.lattice {
		pl.runs[1].fr = pl.runs[0].fr
	}
}

// combine is a series' value and error from the runs' numbers (get) and
// its floor: for the discrete method the main run's value and its
// differences to the half-nodes and wider runs; for the SDE the two-level
// time extrapolation (sdeValue) plus the difference to the wider run and,
// under the pathwise reading, to the run with more interpolation points;
// for a quadrature law, the difference to the run at the coarser level.
func (pl *forwardPlan) combine(get func(fr forwardRun) []float64, floor []float64) Series {
	runs, sde := pl.runs, pl.sde
	v, sp, rd := get(runs[0].fr), get(runs[1].fr), get(runs[2].fr)
	if sde {
		sp, rd = get(runs[3].fr), get(runs[4].fr)
	}
	ser := make(Series, len(v))
	for k := range v {
		val, e := v[k], math.Abs(v[k]-sp[k])+math.Abs(v[k]-rd[k])
		if sde {
			x := sdeValue(v[k], get(runs[1].fr)[k], get(runs[2].fr)[k], sp[k], get(runs[5].fr)[k], pl.s.Nodes)
			val, e = x.Value, x.Err+math.Abs(v[k]-rd[k])
			if pl.pathwise {
				e += math.Abs(v[k] - get(runs[6].fr)[k])
			}
		}
		if pl.qrun >= 0 {
			e += math.Abs(v[k] - get(runs[pl.qrun].fr)[k])
		}
		if floor != nil {
			e += floor[k]
		}
		ser[k] = Value{Value: val, Err: e}
	}
	return ser
}

// floorOf is the floor of a value: the main run's; for the SDE, whose
// value combines the six runs' (sdeValue: coefficients of at most 8/3 in
// magnitude), three times the sum of theirs.
func (pl *forwardPlan) floorOf(get func(fr forwardRun) []float64) []float64 {
	if !pl.sde {
		return get(pl.runs[0].fr)
	}
	fl := make([]float64, len(get(pl.runs[0].fr)))
	for _, rn := range pl.runs {
		for k, v := range get(rn.fr) {
			fl[k] += 3 * v
		}
	}
	return fl
}

// horizon replaces the discrete method's error at the horizon by the
// floor of the backward iteration over the recorded steps (its
// interpolation error bounded by the value function's roughness where the
// forward floor uses g's) wherever it is smaller, plus its difference to
// the forward value (the two are adjoint: rounding apart).
func (pl *forwardPlan) horizon(p Scheduled, gs []func(float64) float64, tests []Series) {
	s, main := pl.s, pl.runs[0].fr
	hg := pl.lat
	if !pl.lattice {
		hg = newMappedGrid(s.Nodes, s.Radius, s.Map, s.Absorb, gs)
		hg.qres = s.qres(s.Nodes, s.Radius)
	}
	bv, bf := horizonFloor(hg, p, main, pl.q)
	k := p.Steps
	for f := range gs {
		fwd := main.floor[f][k]
		if alt := bf[f] + math.Abs(bv[f]-main.e[f][k]); alt < fwd {
			tests[f][k].Err += alt - fwd
		}
	}
}

// forwardRun is one forward computation on one grid.
type forwardRun struct {
	e       [][]float64 // E g at each step, per test function
	floor   [][]float64 // the floor of each
	escaped []float64   // mass that left the grid by each step
	rate    []float64   // the schedule value of each step
	// With Scheduled.Integrals: the integrals of ForwardResult.Integrals
	// at each step, and their floors.
	integ, integFloor [2][][]float64
	quantiles         [][]float64      // with Scheduled.QuantilesOf
	dropped           []float64        // mass not carried so far (see dropMass; the finite differences add the escaped mass's rounding: the escape probability's floor)
	info              []model.StepInfo // each step's schedule input (discrete)
	live              [][2]int32       // each step's carried nodes (discrete; liveRange)
	firstBad          int              // the first step Scheduled.Check failed at (or -1)
	err               error
}

// lawQuantiles reads the quantiles at levels of h(X) off a law on the
// nodes (p, and the masses held at the two edges, valued h(edge)): the
// node values h[i] visited in the ascending order `order`, the first
// whose cumulative mass reaches each level.
func lawQuantiles(order []int, h, p []float64, edge [2]float64, hEdge [2]float64, levels []float64) []float64 {
	total := edge[0] + edge[1]
	for _, pi := range p {
		total += max(pi, 0)
	}
	out := make([]float64, len(levels))
	if !(total > 0) {
		for l := range out {
			out[l] = math.NaN()
		}
		return out
	}
	// The edge masses are merged into the ascending order by value.
	ei := [2]int{0, 1}
	if hEdge[1] < hEdge[0] {
		ei = [2]int{1, 0}
	}
	cum, l, e := 0.0, 0, 0
	take := func(v, m float64) {
		cum += m
		for l < len(levels) && cum >= levels[l]*total {
			out[l] = v
			l++
		}
	}
	for _, i := range order {
		for e < 2 && hEdge[ei[e]] <= h[i] {
			take(hEdge[ei[e]], edge[ei[e]])
			e++
		}
		take(h[i], max(p[i], 0))
	}
	for ; e < 2; e++ {
		take(hEdge[ei[e]], edge[ei[e]])
	}
	for ; l < len(levels); l++ {
		out[l] = math.NaN()
	}
	return out
}

// startIntegrals starts the integrals of nf test functions at 0.
func (fr *forwardRun) startIntegrals(nf int) {
	for q := range 2 {
		fr.integ[q], fr.integFloor[q] = make([][]float64, nf), make([][]float64, nf)
		for f := range nf {
			fr.integ[q][f], fr.integFloor[q][f] = []float64{0}, []float64{0}
		}
	}
}

// integrate appends, for q = 0, 1, the integrals at the end of a step of
// schedule value rate over which int E g_f ds was seg[f] (and its floor
// segFloor[f]); the floor adds the rounding of the running sum, 4 x 2^-52
// of it per step (the extrapolation over three levels amplifies it up to
// 5 times; see sdeValue).
func (fr *forwardRun) integrate(rate float64, seg, segFloor []float64) {
	w := [2]float64{rate, rate * rate}
	for q := range 2 {
		for f := range seg {
			k := len(fr.integ[q][f]) - 1
			v := fr.integ[q][f][k] + w[q]*seg[f]
			fr.integ[q][f] = append(fr.integ[q][f], v)
			fr.integFloor[q][f] = append(fr.integFloor[q][f], fr.integFloor[q][f][k]+w[q]*segFloor[f]+4*0x1p-52*math.Abs(v))
		}
	}
}

// integrateWeighted appends to test function f's integrals a step whose
// integrals are seg1 and seg2 already (the pathwise reading), with their
// floors, and the running sum's rounding as in integrate.
func (fr *forwardRun) integrateWeighted(f int, seg1, seg2, fl1, fl2 float64) {
	for q, sg := range [2][2]float64{{seg1, fl1}, {seg2, fl2}} {
		k := len(fr.integ[q][f]) - 1
		v := fr.integ[q][f][k] + sg[0]
		fr.integ[q][f] = append(fr.integ[q][f], v)
		fr.integFloor[q][f] = append(fr.integFloor[q][f], fr.integFloor[q][f][k]+sg[1]+4*0x1p-52*math.Abs(v))
	}
}

// ensembleGrad is the mean of |f'| over the live (in-grid) law.
func ensembleGrad(p, absGrad []float64) float64 {
	var m, s float64
	for i, pi := range p {
		m += pi
		s += pi * absGrad[i]
	}
	if m <= 0 {
		return 0
	}
	return s / m
}

// record appends E g (mass on the nodes plus the frozen escaped values),
// the escaped mass and the floor (the law-weighted local error density of
// g, accumulated per step).
func (fr *forwardRun) record(gv []float64, p, frozen, d []float64, esc float64, steps int) {
	nf := len(frozen)
	for f := range nf {
		var v, fl float64
		for i, pi := range p {
			if pi != 0 {
				v += pi * gv[i*nf+f]
				fl += math.Abs(pi) * d[i*nf+f]
			}
		}
		fr.e[f] = append(fr.e[f], v+frozen[f])
		prev := 0.0
		if n := len(fr.floor[f]); n > 0 {
			prev = fr.floor[f][n-1]
		}
		if steps == 0 {
			fl = 0
		}
		fr.floor[f] = append(fr.floor[f], prev+fl)
	}
	fr.escaped = append(fr.escaped, esc)
}

// gValues returns the test functions at the nodes, interleaved.
func gValues(gr grid) []float64 {
	nf := len(gr.gs)
	v := make([]float64, len(gr.x)*nf)
	for i, x := range gr.x {
		for f, g := range gr.gs {
			v[i*nf+f] = g(x)
		}
	}
	return v
}

// flush sets values below 1e-290 in magnitude to 0: mass spreading into
// the far tails decays into subnormal numbers, whose arithmetic is two
// orders of magnitude slower (BENCHMARKS.md); the mass dropped is below
// 1e-290 per node and step.
func flush(p []float64) {
	for i, v := range p {
		if v < 1e-290 && v > -1e-290 {
			p[i] = 0
		}
	}
}

// liveRange returns the first and last node whose mass is carried by the
// next step: on an absorbing grid at least dropMass in magnitude (the
// rest is dropped, see dropMass), otherwise nonzero; lo > hi when none is.
func liveRange(p []float64, absorb bool) (lo, hi int) {
	tol := 0.0
	if absorb {
		tol = dropMass
	}
	lo, hi = len(p), -1
	for i, v := range p {
		if v > tol || v < -tol || (tol == 0 && v != 0) {
			lo = i
			break
		}
	}
	for i := len(p) - 1; i >= lo; i-- {
		v := p[i]
		if v > tol || v < -tol || (tol == 0 && v != 0) {
			hi = i
			break
		}
	}
	return lo, hi
}

// dropMass is the node mass below which the forward discrete step on an
// absorbing grid does not spread a node's mass beyond the first and last
// node holding at least that much (liveRange; the law's far tails, decayed
// to 1e-30 and below, took most of Figure 1's bottom-row time:
// BENCHMARKS.md): the
// mass there is dropped, and every value's floor grows by the dropped
// mass times the largest |g| on the grid (absorbed mass is worth 0 outside
// it), the escape probability's by the dropped mass.
const dropMass = 1e-30

// deposit adds mass wt at y to p by the transpose of the grid's
// interpolation (the weights of at), or, outside the grid, adds wt g(y)
// (0 when absorbing) to out (nil: dropped) and returns wt as escaped mass.
func deposit(gr grid, p []float64, y, wt float64, out []float64) float64 {
	return depositIn(gr, p, y, wt, out, nil)
}

// depositIn is deposit, widening rng (when not nil) to the nodes it adds
// to.
func depositIn(gr grid, p []float64, y, wt float64, out []float64, rng *[2]int) float64 {
	n := len(gr.x)
	s := gr.pos(y)
	switch {
	case !(s >= 0) || !(s <= float64(n-1)):
		for f := range out {
			out[f] += wt * gr.outside(f, y)
		}
		return wt
	case s < 1 || s > float64(n-2):
		i := min(int(s), n-2)
		t := s - float64(i)
		p[i] += wt * (1 - t)
		p[i+1] += wt * t
		if rng != nil {
			rng[0], rng[1] = min(rng[0], i), max(rng[1], i+1)
		}
	default:
		i := min(int(s), n-3)
		t := s - float64(i)
		if rng != nil {
			rng[0], rng[1] = min(rng[0], i-1), max(rng[1], i+2)
		}
		tm1, tp1, tm2 := t-1, t+1, t-2
		p[i-1] += -wt * t * tm1 * tm2 / 6
		p[i] += wt * tp1 * tm1 * tm2 / 2
		p[i+1] += -wt * tp1 * t * tm2 / 2
		p[i+2] += wt * tp1 * t * tm1 / 6
	}
	return 0
}
