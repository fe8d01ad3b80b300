package exact

import (
	"fmt"
	"math"
	"sort"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
)

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

// ScheduledFromConfig builds a Scheduled from a resolved one-dimensional
// run, or says why it cannot.
func ScheduledFromConfig(run mc.Run) (Scheduled, error) {
	p := Scheduled{System: run.System, Eta: run.Eta, Schedule: run.Schedule, Steps: run.Steps}
	if d := run.System.F.Dim(); d != 1 {
		return p, model.Invalid("objective.dim", d, "the exact engine is one-dimensional")
	}
	p.X0 = run.X0[0]
	return p, nil // Forward validates, for the discrete method or the SDE
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
// two-level time extrapolation (m, 2m, 4m substeps), plus a floor of
// rounding and interpolation errors weighted by the law.
//
// With a constant schedule it gives the numbers of Discrete and SDE
// (SchemeFD) to rounding: the forward step is the exact adjoint of the
// backward one (TestForwardIsAdjoint).
func Forward(p Scheduled, gs []func(float64) float64, s Settings, sde bool, workers int) (ForwardResult, error) {
	base := p.problem(1)
	validate := base.Validate
	if sde {
		validate = base.ValidateSDE
	}
	if err := validate(); err != nil {
		return ForwardResult{}, err
	}
	if p.Schedule == nil {
		return ForwardResult{}, model.Invalid("schedule", nil, "required")
	}
	if err := p.Schedule.Validate(); err != nil {
		return ForwardResult{}, err
	}
	pathwiseSDE := sde && p.Schedule.Reads() == model.ReadsPath && model.ReadsGradient(p.Schedule)
	if sde {
		if pathwiseSDE && p.Integrals && !s.Reflect {
			return ForwardResult{}, model.Invalid("settings.reflect", false, "the SDE's pathwise integrals are computed with reflecting edges only (a path held at an edge would keep its rate)")
		}
		s.Scheme = SchemeFD
	}
	if !sde && s.Reflect {
		return ForwardResult{}, model.Invalid("settings.reflect", true, "reflecting edges are for the SDE's forward computation")
	}
	if !sde && p.Integrals && p.Schedule.Reads() == model.ReadsPath && model.ReadsGradient(p.Schedule) {
		return ForwardResult{}, model.Invalid("schedule", "pathwise", "the discrete method's integrals weigh each path by its own rate: not covered")
	}
	if err := s.validate(base); err != nil {
		return ForwardResult{}, err
	}
	s = s.withDefaults(p.X0)
	type run struct {
		n  int
		r  float64
		m  int
		nq int   // the pathwise SDE's interpolation points in the held rate
		gr *grid // a lattice (else the settings' grid of n nodes on r)
		fr forwardRun
	}
	var runs []*run
	// DSignSGD under a constant step: its lattice, exact up to rounding
	// and the radius, checked against the same lattice to 1.5 times the
	// radius (the run on half the nodes is the main one again).
	var lat grid
	isLattice := false
	if c, ok := p.Schedule.(model.Constant); ok && !sde {
		var wide grid
		h := p.Eta * c.Rate(model.StepInfo{})
		if lat, wide, isLattice = base.lattices(h, s.Radius, s, gs); isLattice {
			runs = []*run{{gr: &lat}, {gr: &lat}, {gr: &wide}}
		}
	}
	if !isLattice {
		var err error
		if s, err = base.resolveNodes(s); err != nil {
			return ForwardResult{}, err
		}
	}
	switch {
	case isLattice:
	case sde:
		m := s.Substeps
		runs = []*run{{n: s.Nodes, r: s.Radius, m: m}, {n: s.Nodes, r: s.Radius, m: 2 * m}, {n: s.Nodes, r: s.Radius, m: 4 * m},
			{n: s.Nodes / 2, r: s.Radius, m: m}, {n: s.wideNodes(), r: s.Radius * 1.5, m: m}, {n: s.Nodes / 4, r: s.Radius, m: m}}
		if pathwiseSDE {
			// The held rate's interpolation: pathQ points in every run,
			// and the main run again with pathQ2, whose difference is its
			// error.
			for _, rn := range runs {
				rn.nq = pathQ
			}
			runs = append(runs, &run{n: s.Nodes, r: s.Radius, m: m, nq: pathQ2})
		}
	default:
		runs = []*run{{n: s.Nodes, r: s.Radius}, {n: s.Nodes / 2, r: s.Radius}, {n: s.wideNodes(), r: s.Radius * 1.5}}
	}
	q := newQuadrature(s.Hermite)
	mc.ForEach(len(runs), workers, func(i int) {
		rn := runs[i]
		if isLattice && i == 1 {
			return // the main run's, below
		}
		var gr grid
		if rn.gr != nil {
			gr = *rn.gr
		} else {
			gr = newMappedGrid(rn.n, rn.r, s.Map, s.Absorb, gs)
			gr.qres = s.qres(rn.n, rn.r)
		}
		if sde {
			rn.fr = forwardFD(gr, p, rn.m, s.Reflect, rn.nq)
		} else {
			rn.fr = forwardDiscrete(gr, p, q)
		}
	})
	if isLattice {
		runs[1].fr = runs[0].fr
	}
	for _, rn := range runs {
		if rn.fr.err != nil {
			return ForwardResult{}, rn.fr.err
		}
	}
	nf := len(gs)
	out := ForwardResult{Tests: make([]Series, nf), Rate: runs[0].fr.rate, Quantiles: runs[0].fr.quantiles, FirstCheckFailure: runs[0].fr.firstBad}
	combine := func(get func(fr forwardRun) []float64, floor []float64) Series {
		v, sp, rd := get(runs[0].fr), get(runs[1].fr), get(runs[2].fr)
		if sde {
			sp, rd = get(runs[3].fr), get(runs[4].fr)
		}
		ser := make(Series, len(v))
		for k := range v {
			val, e := v[k], math.Abs(v[k]-sp[k])+math.Abs(v[k]-rd[k])
			if sde {
				x := sdeValue(v[k], get(runs[1].fr)[k], get(runs[2].fr)[k], sp[k], get(runs[5].fr)[k], s.Nodes)
				val, e = x.Value, x.Err+math.Abs(v[k]-rd[k])
				if pathwiseSDE {
					e += math.Abs(v[k] - get(runs[6].fr)[k])
				}
			}
			if floor != nil {
				e += floor[k]
			}
			ser[k] = Value{Value: val, Err: e}
		}
		return ser
	}
	// The floor of a value: the main run's; for the SDE, whose value
	// combines the six runs' (sdeValue: coefficients of at most 8/3 in
	// magnitude), three times the sum of theirs.
	floorOf := func(get func(fr forwardRun) []float64) []float64 {
		if !sde {
			return get(runs[0].fr)
		}
		fl := make([]float64, len(get(runs[0].fr)))
		for _, rn := range runs {
			for k, v := range get(rn.fr) {
				fl[k] += 3 * v
			}
		}
		return fl
	}
	for f := range nf {
		out.Tests[f] = combine(func(fr forwardRun) []float64 { return fr.e[f] }, floorOf(func(fr forwardRun) []float64 { return fr.floor[f] }))
	}
	if !sde && p.Steps > 0 {
		// At the horizon, the floor of the backward iteration over the
		// recorded steps (its interpolation error bounded by the value
		// function's roughness where the forward floor uses g's) wherever
		// it is smaller, plus its difference to the forward value (the two
		// are adjoint: rounding apart).
		hg := lat
		if !isLattice {
			hg = newMappedGrid(s.Nodes, s.Radius, s.Map, s.Absorb, gs)
			hg.qres = s.qres(s.Nodes, s.Radius)
		}
		bv, bf := horizonFloor(hg, p, runs[0].fr, q)
		k := p.Steps
		for f := range nf {
			fwd := runs[0].fr.floor[f][k]
			if alt := bf[f] + math.Abs(bv[f]-runs[0].fr.e[f][k]); alt < fwd {
				out.Tests[f][k].Err += alt - fwd
			}
		}
	}
	if p.Integrals {
		for q := range 2 {
			out.Integrals[q] = make([]Series, nf)
			for f := range nf {
				out.Integrals[q][f] = combine(func(fr forwardRun) []float64 { return fr.integ[q][f] }, floorOf(func(fr forwardRun) []float64 { return fr.integFloor[q][f] }))
			}
		}
	}
	out.Escaped = combine(func(fr forwardRun) []float64 { return fr.escaped }, floorOf(func(fr forwardRun) []float64 { return fr.dropped }))
	return out, nil
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
// orders of magnitude slower (the forward finite differences took 37 s
// instead of a few); the mass dropped is below 1e-290 per node and step.
func flush(p []float64) {
	for i, v := range p {
		if v < 1e-290 && v > -1e-290 {
			p[i] = 0
		}
	}
}

// gFloor is localFloor of the test functions themselves (the law-weighted
// floor of the forward scheme: the interpolation transposed moves mass as
// the backward scheme's interpolation moves values, no rougher than g).
func gFloor(gr grid) []float64 {
	n, nf := len(gr.x), len(gr.gs)
	u := gValues(gr)
	d := make([]float64, n*nf)
	gr.floor(d, u, n, nf, nf)
	return d
}

// kcomp is one component of a node's one-step law at step h = 1: weight
// wt, mean x + h a and standard deviation h b (the kernels of all three
// methods scale so with the step).
type kcomp struct{ wt, a, b float64 }

// discreteComps returns each node's one-step components at h = 1, |f'| at
// the node (the pathwise reading's input) and the grid's spacing there
// (grid.spacing: narrower normals take 6-point quadrature).
func discreteComps(gr grid, sys model.System) (comps [][]kcomp, absGrad, local []float64) {
	n := len(gr.x)
	comps, absGrad, local = make([][]kcomp, n), make([]float64, n), make([]float64, n)
	gbuf := []float64{0}
	var k kernel
	for i, x := range gr.x {
		sys.F.Grad(gbuf, []float64{x})
		absGrad[i] = math.Abs(gbuf[0])
		discreteKernel(&k, sys, x, 1)
		for c := range k.wt {
			comps[i] = append(comps[i], kcomp{k.wt[c], k.mean[c] - x, k.sd[c]})
		}
		local[i] = gr.spacing(x)
	}
	return comps, absGrad, local
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

// forwardDiscrete carries the discrete method's law: each node's mass is
// spread over the kernel's points (the step h_k = eta eta_k, per node under
// the pathwise reading) and deposited on the nodes by the transpose of the
// cubic interpolation; mass landing outside is frozen there (valued by g)
// or killed. The nodes carried are a range (liveRange), recorded for the
// backward iteration of horizonFloor, whose rows are the same range.
func forwardDiscrete(gr grid, sp Scheduled, q quadrature) forwardRun {
	n, nf := len(gr.x), len(gr.gs)
	fr := forwardRun{e: make([][]float64, nf), floor: make([][]float64, nf)}
	p, next := make([]float64, n), make([]float64, n)
	deposit(gr, p, sp.X0, 1, nil) // the start, by the same interpolation
	comps, absGrad, local := discreteComps(gr, sp.System)
	qr := rowAcc{v: make([]float64, n)}
	qr.reset()
	d := gFloor(gr)
	gv := gValues(gr)
	frozen := make([]float64, nf)
	esc := 0.0
	fr.record(gv, p, frozen, d, esc, 0)
	gmax := make([]float64, nf)
	for i := range gr.x {
		for f := range nf {
			gmax[f] = math.Max(gmax[f], math.Abs(gv[i*nf+f]))
		}
	}
	dropCum := 0.0
	fr.dropped = append(fr.dropped, 0)
	// The cell rule's floor (quadFloor of the largest |g| under each
	// normal), accumulated over the steps.
	gmt := make([]maxTable, nf)
	for f := range nf {
		gmt[f].build(gv, n, nf, f)
	}
	qf := make([]float64, nf)
	out := make([]float64, nf)
	seg, segFloor := make([]float64, nf), make([]float64, nf)
	pathwise := sp.Schedule.Reads() == model.ReadsPath
	if sp.Integrals {
		fr.startIntegrals(nf)
	}
	// The nodes p may be nonzero on (those the last step added to): the
	// step's bookkeeping reads only them.
	wa, wb := 0, n-1
	for step := range sp.Steps {
		pw := p[wa : wb+1]
		info := model.StepInfo{K: step, T: float64(step) * sp.Eta, Ensemble: ensembleGrad(pw, absGrad[wa:wb+1])}
		rate := sp.Schedule.Rate(info)
		fr.rate = append(fr.rate, rate)
		fr.info = append(fr.info, info)
		lo, hi := liveRange(pw, gr.absorb)
		lo, hi = lo+wa, hi+wa
		fr.live = append(fr.live, [2]int32{int32(lo), int32(hi)})
		dropped := 0.0
		for i := wa; i <= wb; i++ {
			if i < lo || i > hi {
				dropped += math.Abs(p[i])
			}
		}
		rng := [2]int{n, -1}
		for i := lo; i <= hi; i++ {
			pi := p[i]
			if pi == 0 {
				continue
			}
			r := rate
			if pathwise {
				info.Path = absGrad[i]
				r = sp.Schedule.Rate(info)
			}
			h := sp.Eta * r
			x := gr.x[i]
			for _, c := range comps[i] {
				m, sd := x+h*c.a, h*c.b
				if sd == 0 {
					esc += depositIn(gr, next, m, pi*c.wt, out, &rng)
					continue
				}
				gr.normal(&qr, q, m, sd, c.wt, local[i])
				if qr.lo <= qr.hi {
					for j := qr.lo; j <= qr.hi; j++ {
						next[j] += pi * qr.v[j]
					}
					rng[0], rng[1] = min(rng[0], qr.lo), max(rng[1], qr.hi)
					if qr.cells {
						for f := range nf {
							qf[f] += quadFloor * math.Abs(pi) * c.wt * gmt[f].max(qr.lo, qr.hi)
						}
					}
				}
				for e, y := range qr.oy {
					esc += depositIn(gr, next, y, pi*qr.ow[e], out, &rng)
				}
				qr.reset()
			}
		}
		for f := range nf {
			frozen[f] += out[f]
			out[f] = 0
		}
		if sp.Integrals {
			for f := range nf {
				seg[f], segFloor[f] = sp.Eta*fr.e[f][step], sp.Eta*fr.floor[f][step]
			}
			fr.integrate(rate, seg, segFloor)
		}
		clear(p[wa : wb+1]) // the next step's buffer: 0 again
		p, next = next, p
		wa, wb = rng[0], rng[1]
		if wa > wb { // nothing left on the grid
			wa, wb = 0, 0
		}
		flush(p[wa : wb+1])
		fr.record(gv[wa*nf:], p[wa:wb+1], frozen, d[wa*nf:], esc, step+1)
		// The dropped mass: at most its size times the largest |g| on the
		// grid now and at every later step (absorbed outside: worth 0).
		dropCum += dropped
		fr.dropped = append(fr.dropped, dropCum)
		for f := range nf {
			fr.floor[f][len(fr.floor[f])-1] += dropped*gmax[f] + qf[f]
		}
	}
	return fr
}

// horizonFloor returns E g(x_K) at the horizon K = p.Steps and its error
// floor by the backward iteration over the steps fr recorded: u_K = g and
// u_k = D_k P_k u_{k+1}, P_k the step h_k = eta eta_k from the same
// schedule inputs (per node under the pathwise reading) and D_k keeping the
// rows of the nodes the forward step carried (fr.live) and horizonMargin
// nodes either side (the others are 0). Its value is the forward
// computation's, up to rounding and the dropped mass (valued at most the
// largest |g|, as in the forward floor), and it costs about one forward
// pass: each row gathers u_{k+1} at its kernel's points, with the
// interpolation weights deposit uses. The floor is carried along as in
// backwardSteps: localFloor of u_{k+1} added before each step.
func horizonFloor(gr grid, p Scheduled, fr forwardRun, q quadrature) (value, floor []float64) {
	n, nv := len(gr.x), len(gr.gs)
	nf := 2 * nv // the values, then their floors
	comps, absGrad, local := discreteComps(gr, p.System)
	qr := rowAcc{v: make([]float64, n)}
	qr.reset()
	pathwise := p.Schedule.Reads() == model.ReadsPath
	u, next := make([]float64, n*nf), make([]float64, n*nf)
	for i, x := range gr.x {
		for f, g := range gr.gs {
			u[i*nf+f] = g(x)
		}
	}
	d := make([]float64, n*nv)
	acc := make([]float64, nf)
	umt := make([]maxTable, nv) // |u_{k+1}| for the cell rule's floor
	// The nodes whose u is nonzero (all of them at the horizon).
	ulo, uhi := 0, n-1
	for k := p.Steps - 1; k >= 0; k-- {
		// The floor of this step's interpolation of u_{k+1}, on the
		// nonzero nodes and four either side (zero beyond).
		a, b := max(ulo-6, 0), min(uhi+6, n-1)
		clear(d)
		if a <= b {
			gr.floor(d[a*nv:(b+1)*nv], u[a*nf:(b+1)*nf], b-a+1, nv, nf)
			for i := a; i <= b; i++ {
				for f := range nv {
					u[i*nf+nv+f] += d[i*nv+f]
				}
			}
		}
		lo, hi := max(int(fr.live[k][0])-horizonMargin, 0), min(int(fr.live[k][1])+horizonMargin, n-1)
		info, rate := fr.info[k], fr.rate[k]
		clear(next)
		for f := range nv {
			umt[f].build(u, n, nf, f)
		}
		for i := lo; i <= hi; i++ {
			r := rate
			if pathwise {
				info.Path = absGrad[i]
				r = p.Schedule.Rate(info)
			}
			h := p.Eta * r
			x := gr.x[i]
			clear(acc)
			for _, c := range comps[i] {
				m, sd := x+h*c.a, h*c.b
				if sd == 0 {
					gather(gr, u, nf, m, c.wt, acc)
					continue
				}
				gr.normal(&qr, q, m, sd, c.wt, local[i])
				if qr.cells {
					for f := range nv {
						acc[nv+f] += quadFloor * c.wt * umt[f].max(qr.lo, qr.hi)
					}
				}
				for j := qr.lo; j <= qr.hi; j++ {
					if v := qr.v[j]; v != 0 {
						uj := u[j*nf : (j+1)*nf]
						for f := range acc {
							acc[f] += v * uj[f]
						}
					}
				}
				for e, y := range qr.oy {
					gather(gr, u, nf, y, qr.ow[e], acc)
				}
				qr.reset()
			}
			copy(next[i*nf:(i+1)*nf], acc)
		}
		u, next = next, u
		ulo, uhi = lo, hi
	}
	value, floor = make([]float64, nv), make([]float64, nv)
	// The start: x0 by the interpolation deposit used, plus its error.
	a, b := max(ulo-6, 0), min(uhi+6, n-1)
	clear(d)
	if a <= b {
		gr.floor(d[a*nv:(b+1)*nv], u[a*nf:(b+1)*nf], b-a+1, nv, nf)
	}
	i0 := min(max(int(math.Round(gr.pos(p.X0))), 0), n-1)
	gfull := gr // at reads the stride from gs: the floors' functions are 0
	gfull.gs = append([]func(float64) float64{}, gr.gs...)
	for range nv {
		gfull.gs = append(gfull.gs, func(float64) float64 { return 0 })
	}
	dropped := fr.dropped[len(fr.dropped)-1]
	for f, g := range gr.gs {
		value[f] = gfull.at(u, f, p.X0)
		var dx0, gmax float64
		for i := max(0, i0-2); i <= min(n-1, i0+2); i++ {
			dx0 = math.Max(dx0, d[i*nv+f])
		}
		for _, x := range gr.x {
			gmax = math.Max(gmax, math.Abs(g(x)))
		}
		// plus the mass the forward steps dropped (the rows D_k left out),
		// valued at most the largest |g| on the grid, as in the forward
		// floor
		floor[f] = math.Abs(gfull.at(u, nv+f, p.X0)) + dx0 + dropped*gmax
	}
	return value, floor
}

// gather adds wt times u (nf interleaved functions) interpolated at y to
// acc, with the weights deposit gives y's mass, or, outside the grid, wt
// times the test functions' values there (0 when absorbing; the floors
// are 0 there).
func gather(gr grid, u []float64, nf int, y, wt float64, acc []float64) {
	n := len(gr.x)
	s := gr.pos(y)
	switch {
	case !(s >= 0) || !(s <= float64(n-1)):
		if gr.absorb {
			return
		}
		for f := range gr.gs {
			acc[f] += wt * gr.gs[f](y)
		}
	case s < 1 || s > float64(n-2):
		i := min(int(s), n-2)
		t := s - float64(i)
		w0, w1 := wt*(1-t), wt*t
		u0, u1 := u[i*nf:(i+1)*nf], u[(i+1)*nf:(i+2)*nf]
		for f := range acc {
			acc[f] += w0*u0[f] + w1*u1[f]
		}
	default:
		i := min(int(s), n-3)
		t := s - float64(i)
		tm1, tp1, tm2 := t-1, t+1, t-2
		w0 := -wt * t * tm1 * tm2 / 6
		w1 := wt * tp1 * tm1 * tm2 / 2
		w2 := -wt * tp1 * t * tm2 / 2
		w3 := wt * tp1 * t * tm1 / 6
		um := u[(i-1)*nf : (i+3)*nf]
		for f := range acc {
			acc[f] += w0*um[f] + w1*um[nf+f] + w2*um[2*nf+f] + w3*um[3*nf+f]
		}
	}
}

// horizonMargin is the number of nodes either side of the carried ones
// whose rows horizonFloor computes too. The floor reads u's fourth
// differences up to six nodes away, and u cut to 0 right at the carried
// nodes made them steep: on Figure 1's left-bottom panel (sigma = 0.1) a
// margin of 0 or 4 nodes gave floors of 5e-9 and 3e-9 on E f, 8 to 32
// nodes the full grid's 1.48e-10 (all nine series of the bottom row: the
// same floors as the full grid's to two digits with 12).
const horizonMargin = 12

// dropMass is the node mass below which the forward discrete step on an
// absorbing grid does not spread a node's mass beyond the first and last
// node holding at least that much (liveRange; the law's far tails, decayed
// to 1e-30 and below, took two thirds of Figure 1's bottom-row time): the
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

// forwardFD carries the SDE's law by the adjoint of sdeFD's scheme: each
// substep solves (I - dt L_k)^T q = p, the mass q collects at the two
// boundary nodes is frozen there (valued by g at +-Radius, or killed), and
// the rest carries on. With reflect the boundary rows of L are the
// one-sided generator (the only move from an edge node is inwards, at the
// rate of the fitted scheme there): the boundary nodes keep their mass in
// the law and nothing is frozen. L_k is rebuilt every step from the schedule value
// (time-only, or from the live law for the ensemble reading), the drift and
// diffusion at the nodes being computed once.
//
// Each step works on a window of nodes: from the first to the last node
// holding at least dropMass, and a margin either side (from fdMargin,
// doubled whenever a step needs more, one less after a step that killed
// less than a thousandth of the tolerance). Mass outside the window is dropped, and the
// solves kill what crosses its edges (the process stopped there: the
// window's rows of (I - dt L)^T, whose mass balance gives the killed mass
// exactly, dt times the edge nodes' outward rates times their mass). A
// step that kills more than dropMass in a solve is done again on a wider
// window. The dropped and killed mass is valued at most the largest |g| on
// the grid, in the floor, as in the discrete method's forward steps.
func forwardFD(gr grid, sp Scheduled, m int, reflect bool, nq int) forwardRun {
	return forwardFDMargin(gr, sp, m, reflect, fdMargin, nq)
}

// forwardFDMargin is forwardFD with the first margin margin0 (at least
// the number of nodes: the whole grid every step). nq > 0 is the pathwise
// reading's number of interpolation points in the held rate.
func forwardFDMargin(gr grid, sp Scheduled, m int, reflect bool, margin0, nq int) forwardRun {
	n, nf := len(gr.x), len(gr.gs)
	fr := forwardRun{e: make([][]float64, nf), floor: make([][]float64, nf), firstBad: -1}
	if n < 5 {
		fr.err = fmt.Errorf("exact: %d nodes: too few", n)
		return fr
	}
	na := float64(len(sp.System.Agents))
	mu0, d0, absGrad := make([]float64, n), make([]float64, n), make([]float64, n)
	jac, jac2 := make([]float64, n), make([]float64, n) // x'(xi), x''(xi)
	gbuf := []float64{0}
	for i, x := range gr.x {
		xi := gr.lo + float64(i)*gr.dx
		jac[i], jac2[i] = 1, 0
		if gr.c > 0 {
			jac[i], jac2[i] = gr.c*math.Cosh(xi), gr.c*math.Sinh(xi)
		}
		b, sig := Coefficients(sp.System, x)
		mu0[i], d0[i] = -b, 0.5*sp.Eta*sig/na
		sp.System.F.Grad(gbuf, []float64{x})
		absGrad[i] = math.Abs(gbuf[0])
	}
	cA, cM, cJ := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		j, j2 := jac[i], jac2[i]
		cA[i], cM[i], cJ[i] = d0[i]/(j*j), mu0[i]/j, d0[i]*j2/(j*j*j)
	}
	idx2, ihdx := 1/(gr.dx*gr.dx), 1/(2*gr.dx)
	p := make([]float64, n)
	deposit(gr, p, sp.X0, 1, nil)
	// Mass on a boundary node is held there: the backward scheme's
	// boundary rows are the identity (not when reflecting).
	var frozenMass [2]float64
	if !reflect {
		frozenMass = [2]float64{p[0], p[n-1]}
		p[0], p[n-1] = 0, 0
	}
	bcVal := make([]float64, 2*nf)
	for f := range nf {
		bcVal[f], bcVal[nf+f] = gr.outside(f, gr.x[0]), gr.outside(f, gr.x[n-1])
	}
	frozenVal := func() []float64 {
		v := make([]float64, nf)
		for f := range nf {
			v[f] = frozenMass[0]*bcVal[f] + frozenMass[1]*bcVal[nf+f]
		}
		return v
	}
	d := make([]float64, n*nf) // FD interpolates only once, at the start: no per-step floor
	gv := gValues(gr)
	gmax := make([]float64, nf)
	for i := range n {
		for f := range nf {
			gmax[f] = math.Max(gmax[f], math.Abs(gv[i*nf+f]))
		}
	}
	// The window [wa, wb]: p is 0 outside it.
	wa, wb := liveRange(p, false)
	if wa > wb {
		wa, wb = 0, n-1
	}
	record := func(step int) {
		fr.record(gv[wa*nf:], p[wa:wb+1], frozenVal(), d[wa*nf:], frozenMass[0]+frozenMass[1], step)
	}
	record(0)
	fr.dropped = append(fr.dropped, 0)
	var hv []float64
	var order []int
	var hEdge [2]float64
	quantiles := func() {
		if sp.QuantilesOf != nil {
			fr.quantiles = append(fr.quantiles, lawQuantiles(order, hv, p, frozenMass, hEdge, sp.QuantileLevels))
		}
	}
	if sp.QuantilesOf != nil {
		hv, order = make([]float64, n), make([]int, n)
		for i, x := range gr.x {
			hv[i], order[i] = sp.QuantilesOf(x), i
		}
		sort.Slice(order, func(a, b int) bool { return hv[order[a]] < hv[order[b]] })
		hEdge = [2]float64{hv[0], hv[n-1]}
		quantiles()
	}
	lower, diag, upper := make([]float64, n), make([]float64, n), make([]float64, n)
	cp, inv, li := make([]float64, n), make([]float64, n), make([]float64, n)
	saved := make([]float64, n)
	dt := sp.Eta / float64(m)
	// With Integrals: E g after each substep (nodes plus frozen mass), and
	// each step's trapezoidal integral of it.
	var prevE, curE, seg, segFloor []float64
	// roundoff is the relative rounding error of the law so far, measured:
	// each solve conserves mass exactly in exact arithmetic (the rows of L
	// sum to 0) but for what it kills at the window's edges (known), so
	// the drift of the total mass from the initial mass less the mass
	// killed and dropped is the rounding so far; counted four times over,
	// plus 4 x 2^-52 per solve. (A bound from the largest entry of dt L,
	// 1e13 on a fine mapped grid under a stiff rate, was a million times
	// the error seen; the drift measured solve by solve added up the
	// summation's own rounding, 1e-14 a solve.) It bounds the rounding of
	// E g as roundoff E|g|, in the floor of every value.
	mass := frozenMass[0] + frozenMass[1] // expected: the initial mass, less what was killed and dropped
	for _, pi := range p {
		mass += pi
	}
	mass0, roundoff, solves := mass, 0.0, 0
	measure := func(killed float64, count int) {
		now := frozenMass[0] + frozenMass[1]
		for _, pi := range p[wa : wb+1] {
			now += pi
		}
		mass -= killed
		solves += count
		roundoff = 4*math.Abs(now-mass)/math.Abs(mass0) + 4*0x1p-52*float64(solves)
	}
	expect := func(dst []float64) {
		for f := range nf {
			v := frozenMass[0]*bcVal[f] + frozenMass[1]*bcVal[nf+f]
			for i := wa; i <= wb; i++ {
				if pi := p[i]; pi != 0 {
					v += pi * gv[i*nf+f]
				}
			}
			dst[f] = v
		}
	}
	if sp.Integrals {
		prevE, curE, seg, segFloor = make([]float64, nf), make([]float64, nf), make([]float64, nf), make([]float64, nf)
		expect(prevE)
		fr.startIntegrals(nf)
	}
	// prepare builds (I - dt L) at schedule value rate on the rows a..b as
	// in sdeFD, and factors its transpose restricted to them: M^T has M's
	// upper diagonal shifted below and its lower shifted above; rows 0 and
	// n-1 of M have no off-diagonal entries unless reflecting, and the
	// window's first and last rows none outside it.
	prepare := func(rate float64, a, b int) {
		r2 := rate * rate
		if !reflect {
			diag[0], diag[n-1] = 1, 1
			lower[0], upper[0], lower[n-1], upper[n-1] = 0, 0, 0, 0
		}
		for i := a; i <= b; i++ {
			inner := i > 0 && i < n-1
			if !inner && !reflect {
				continue
			}
			// The coefficients in the grid coordinate, a = rate^2 A_i and
			// bb = rate M_i - rate^2 J_i, from the per-node constants
			// (divisions once, not every step).
			aa := r2 * cA[i]
			bb := rate*cM[i] - r2*cJ[i]
			aeff := fitted(aa, bb, gr.dx)
			alpha := aeff*idx2 + bb*ihdx
			beta := aeff*idx2 - bb*ihdx
			if alpha < 0 { // rounding at Pe -> inf (a NaN stays, to be seen)
				alpha = 0
			}
			if beta < 0 {
				beta = 0
			}
			switch i {
			case 0:
				beta = 0 // reflecting: only inwards
			case n - 1:
				alpha = 0
			}
			lower[i], upper[i] = -dt*beta, -dt*alpha
			diag[i] = 1 + dt*(alpha+beta)
		}
		tl := func(i int) float64 {
			if i == a || (i-1 == 0 && !reflect) {
				return 0
			}
			return upper[i-1]
		}
		tu := func(i int) float64 {
			if i == b || (i+1 == n-1 && !reflect) {
				return 0
			}
			return lower[i+1]
		}
		// The pivots d_i = diag_i - l_i u_{i-1} / d_{i-1}, the product
		// l_i u_{i-1} taken outside the chain of divisions (which bounds
		// the factorisation's speed), then the factors.
		d := diag[a]
		inv[a] = 1 / d
		cp[a] = tu(a) * inv[a]
		for i := a + 1; i <= b; i++ {
			l := tl(i)
			d = diag[i] - l*tu(i-1)/d
			inv[i] = 1 / d
			cp[i] = tu(i) * inv[i]
			li[i] = l * inv[i]
		}
	}
	// solve overwrites v's rows a..b with M^{-T} v (prepare's M) and
	// returns what crossed the window's edges, dt times the edge nodes'
	// outward rates times their mass. The chains run in registers (a
	// store and reload per node doubled their latency).
	solve := func(v []float64, a, b int) float64 {
		prev := v[a] * inv[a]
		v[a] = prev
		for i := a + 1; i <= b; i++ {
			prev = v[i]*inv[i] - li[i]*prev
			v[i] = prev
		}
		for i := b - 1; i >= a; i-- {
			prev = v[i] - cp[i]*prev
			v[i] = prev
		}
		var k float64
		if a > 0 {
			k -= lower[a] * v[a]
		}
		if b < n-1 {
			k -= upper[b] * v[b]
		}
		return k
	}
	// freeze moves the mass a solve left on the boundary nodes (when the
	// window reaches them) into the frozen masses (not when reflecting).
	freeze := func(v []float64, a, b int) {
		if reflect {
			return
		}
		if a == 0 {
			frozenMass[0] += v[0]
			v[0] = 0
		}
		if b == n-1 {
			frozenMass[1] += v[n-1]
			v[n-1] = 0
		}
	}
	// solve2 is solve for two vectors at once (their chains interleaved),
	// without the edges' flux.
	solve2 := func(v, w []float64, a, b int) {
		pv, pw := v[a]*inv[a], w[a]*inv[a]
		v[a], w[a] = pv, pw
		for i := a + 1; i <= b; i++ {
			iv, l := inv[i], li[i]
			pv = v[i]*iv - l*pv
			pw = w[i]*iv - l*pw
			v[i], w[i] = pv, pw
		}
		for i := b - 1; i >= a; i-- {
			c := cp[i]
			pv = v[i] - c*pv
			pw = w[i] - c*pw
			v[i], w[i] = pv, pw
		}
	}
	// The pathwise reading (a rate read from each path's own |f'| at the
	// step's start and held over its substeps): the law after the step is
	// sum_j p_j K_{r_j}(j, .), K_r the step's kernel at rate r. K_r is
	// analytic in r > 0, and is interpolated in log r at nq Chebyshev
	// points rho_q over the live nodes' rates: p' = sum_q K_{rho_q}^T
	// (l_q(r) p), l_q the Lagrange basis, nq solves a substep. The caller
	// measures the interpolation by a second run with more points. With
	// Integrals the path's own rate weighs its integrand: r p and r^2 p
	// are carried the same way.
	pathwise := nq > 0
	var rn, p0, vq, v1, v2, rho, lr, bw, lw []float64
	var seg1, seg2 []float64
	var acc1, acc2 [][]float64
	if pathwise {
		rn, p0, vq, v1, v2 = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		rho, lr, bw, lw = make([]float64, nq), make([]float64, nq), make([]float64, nq), make([]float64, n*nq)
		seg1, seg2 = make([]float64, nf), make([]float64, nf)
		if sp.Integrals {
			acc1, acc2 = make([][]float64, m), make([][]float64, m)
			for i := range m {
				acc1[i], acc2[i] = make([]float64, n), make([]float64, n)
			}
		}
	}
	dot := func(v []float64, a, b, f int) float64 {
		var s float64
		for i := a; i <= b; i++ {
			if v[i] != 0 {
				s += v[i] * gv[i*nf+f]
			}
		}
		return s
	}
	stepPath := func(a, b int) float64 {
		rmin, rmax := math.Inf(1), math.Inf(-1)
		for i := a; i <= b; i++ {
			if p[i] != 0 {
				rmin, rmax = math.Min(rmin, rn[i]), math.Max(rmax, rn[i])
			}
		}
		q := nq
		if !(rmax > rmin*(1+1e-13)) { // one rate (or no mass)
			q, rho[0] = 1, rmax
			if math.IsInf(rmax, -1) {
				rho[0] = 0
			}
		} else {
			lo, hi := math.Log(rmin), math.Log(rmax)
			for j := range q {
				t := math.Cos(math.Pi * float64(2*j+1) / float64(2*q))
				rho[j] = math.Exp(lo + (t+1)/2*(hi-lo))
			}
		}
		copy(p0[a:b+1], p[a:b+1])
		clear(p[a : b+1])
		if q > 1 {
			for j := range q {
				lr[j] = math.Log(rho[j])
				bw[j] = math.Sin(math.Pi * float64(2*j+1) / float64(2*q))
				if j%2 == 1 {
					bw[j] = -bw[j]
				}
			}
			for i := a; i <= b; i++ {
				if p0[i] != 0 {
					lagrange(lw[i*nq:i*nq+q], lr[:q], bw[:q], math.Log(rn[i]))
				}
			}
		}
		if sp.Integrals {
			// The weighted laws after each substep, summed over the
			// points (E g is linear: one product per substep, not one per
			// point), for the trapezoidal integrals.
			for i := range m {
				clear(acc1[i][a : b+1])
				clear(acc2[i][a : b+1])
			}
		}
		killed, ksum := 0.0, 0.0
		for j := range q {
			prepare(rho[j], a, b)
			for i := a; i <= b; i++ {
				w := 1.0
				if q > 1 {
					w = lw[i*nq+j]
				}
				vq[i] = w * p0[i]
				if sp.Integrals {
					v1[i], v2[i] = vq[i]*rn[i], vq[i]*rn[i]*rn[i]
				}
			}
			for sub := range m {
				k := solve(vq, a, b)
				killed += math.Abs(k)
				ksum += k
				freeze(vq, a, b)
				if sp.Integrals { // reflecting edges (Forward refuses others)
					solve2(v1, v2, a, b)
					x1, x2 := acc1[sub][a:b+1], acc2[sub][a:b+1]
					for i, v := range v1[a : b+1] {
						x1[i] += v
					}
					for i, v := range v2[a : b+1] {
						x2[i] += v
					}
				}
			}
			for i := a; i <= b; i++ {
				p[i] += vq[i]
			}
		}
		if sp.Integrals {
			clear(seg1)
			clear(seg2)
			for f := range nf {
				var e1, e2 float64
				for i := a; i <= b; i++ {
					if p0[i] != 0 {
						e1 += p0[i] * rn[i] * gv[i*nf+f]
						e2 += p0[i] * rn[i] * rn[i] * gv[i*nf+f]
					}
				}
				for sub := range m {
					n1, n2 := dot(acc1[sub], a, b, f), dot(acc2[sub], a, b, f)
					seg1[f] += dt * (e1 + n1) / 2
					seg2[f] += dt * (e2 + n2) / 2
					e1, e2 = n1, n2
				}
			}
		}
		flush(p[a : b+1])
		measure(ksum, q*m)
		return killed
	}
	margin, lost := margin0, 0.0 // lost: the mass dropped and killed so far
	for step := range sp.Steps {
		info := model.StepInfo{K: step, T: float64(step) * sp.Eta, Ensemble: ensembleGrad(p[wa:wb+1], absGrad[wa:wb+1])}
		rate := sp.Schedule.Rate(info)
		if pathwise {
			// Every node's own rate (those a wider window adds included),
			// and the law's mean rate as the step's schedule value.
			var m0, m1 float64
			for i := range n {
				info.Path = absGrad[i]
				rn[i] = sp.Schedule.Rate(info)
			}
			for i := wa; i <= wb; i++ {
				m0 += p[i]
				m1 += p[i] * rn[i]
			}
			if m0 > 0 {
				rate = m1 / m0
			}
		}
		if sp.Check != nil && fr.firstBad < 0 {
			for i := wa; i <= wb; i++ {
				if math.Abs(p[i]) < dropMass {
					continue
				}
				r := rate
				if pathwise {
					r = rn[i]
				}
				info.Path = absGrad[i]
				if !sp.Check(info, r) {
					fr.firstBad = step
					break
				}
			}
		}
		fr.rate = append(fr.rate, rate)
		lo, hi := liveRange(p[wa:wb+1], true)
		if lo > hi { // no mass left on the nodes
			lo, hi = 0, wb-wa
		}
		lo, hi = lo+wa, hi+wa
		// The step's state, for a step done again on a wider window.
		copy(saved[wa:wb+1], p[wa:wb+1])
		savedFrozen, savedRoundoff, savedMass, savedSolves := frozenMass, roundoff, mass, solves
		var savedPrev []float64
		if sp.Integrals {
			savedPrev = append(savedPrev[:0], prevE...)
		}
		oa, ob := wa, wb
		for {
			a, b := max(lo-margin, 0), min(hi+margin, n-1)
			// The mass outside the new window is dropped.
			dropped := 0.0
			for i := oa; i <= ob; i++ {
				if i < a || i > b {
					dropped += math.Abs(p[i])
					mass -= p[i]
					p[i] = 0
				}
			}
			wa, wb = a, b
			killed := 0.0
			if pathwise {
				killed = stepPath(a, b)
			} else {
				prepare(rate, a, b)
				for range m {
					k := solve(p, a, b)
					killed += math.Abs(k)
					freeze(p, a, b)
					flush(p[a : b+1])
					measure(k, 1)
					if sp.Integrals {
						expect(curE)
						for f := range nf {
							seg[f] += dt * (prevE[f] + curE[f]) / 2
						}
						prevE, curE = curE, prevE
					}
				}
			}
			if killed <= dropMass || (a == 0 && b == n-1) {
				lost += dropped + killed
				if killed < dropMass/1e3 && margin > margin0 {
					margin-- // the next step may need less
				}
				break
			}
			// Again, on a wider window, from the step's start.
			margin *= 2
			clear(p[a : b+1])
			copy(p[oa:ob+1], saved[oa:ob+1])
			wa, wb = oa, ob
			frozenMass, roundoff, mass, solves = savedFrozen, savedRoundoff, savedMass, savedSolves
			if sp.Integrals {
				copy(prevE, savedPrev)
				clear(seg)
			}
		}
		switch {
		case sp.Integrals && pathwise:
			// Each path's integrand weighed by its own rate: the step's
			// integrals are seg1, seg2 already.
			for f := range nf {
				fl1 := roundoff*math.Abs(seg1[f]) + lost*gmax[f]*sp.Eta*rmaxOf(rn, p, wa, wb)
				fl2 := roundoff*math.Abs(seg2[f]) + lost*gmax[f]*sp.Eta*math.Pow(rmaxOf(rn, p, wa, wb), 2)
				fr.integrateWeighted(f, seg1[f], seg2[f], fl1, fl2)
			}
		case sp.Integrals:
			// The floor: the step's integral times the relative rounding
			// of the law so far (no interpolation: see d), and the mass
			// lost, worth at most the largest |g| over the step.
			for f := range nf {
				segFloor[f] = roundoff*math.Abs(seg[f]) + lost*gmax[f]*sp.Eta
			}
			fr.integrate(rate, seg, segFloor)
			clear(seg)
		}
		record(step + 1)
		for f := range nf {
			absE := math.Abs(frozenMass[0]*bcVal[f]) + math.Abs(frozenMass[1]*bcVal[nf+f])
			for i := wa; i <= wb; i++ {
				absE += math.Abs(p[i] * gv[i*nf+f])
			}
			// (the scheme adds no floor of its own step by step: see d)
			fr.floor[f][len(fr.floor[f])-1] = lost*gmax[f] + roundoff*absE
		}
		// The escape probability's floor: the mass lost and the rounding.
		fr.dropped = append(fr.dropped, lost+roundoff*math.Abs(frozenMass[0]+frozenMass[1]))
		quantiles()
	}
	return fr
}

// lagrange writes into l the Lagrange basis at the points us at u, in
// the barycentric form with weights bw (for Chebyshev points of the first
// kind, us[j] at angle (2j+1) pi / 2q: (-1)^j sin((2j+1) pi / 2q)).
func lagrange(l, us, bw []float64, u float64) {
	var sum float64
	for j, x := range us {
		d := u - x
		if d == 0 {
			clear(l)
			l[j] = 1
			return
		}
		l[j] = bw[j] / d
		sum += l[j]
	}
	for j := range l {
		l[j] /= sum
	}
}

// rmaxOf is the largest rate rn[i] over the nodes a..b holding mass.
func rmaxOf(rn, p []float64, a, b int) float64 {
	r := 0.0
	for i := a; i <= b; i++ {
		if p[i] != 0 {
			r = math.Max(r, rn[i])
		}
	}
	return r
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

// pathQ and pathQ2 are the numbers of interpolation points in the held
// rate for the SDE's pathwise reading (forwardFD): the value and its check.
const (
	pathQ  = 8
	pathQ2 = 12
)

// fdMargin is forwardFD's first margin: the nodes either side of those
// holding at least dropMass that each step's window adds.
const fdMargin = 16
