package exact

import (
	"fmt"
	"math"
	"sort"

	"github.com/sdeverify/sdeverify/model"
)

// This file is the SDE's forward computation: the adjoint of sdeFD's
// finite-difference scheme, carried step by step on a window of nodes
// (forwardFD, the solver fdSolver).

// pathQ and pathQ2 are the numbers of interpolation points in the held
// rate for the SDE's pathwise reading (forwardFD): the value and its check.
const (
	pathQ  = 8
	pathQ2 = 12
)

// fdMargin is forwardFD's first margin: the nodes either side of those
// holding at least dropMass that each step's window adds.
const fdMargin = 16

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
	nf := len(gr.gs)
	if n := len(gr.x); n < 5 {
		return forwardRun{e: make([][]float64, nf), floor: make([][]float64, nf), firstBad: -1, err: fmt.Errorf("exact: %d nodes: too few", n)}
	}
	s := newFDSolver(gr, sp, m, reflect, nq)
	s.margin0, s.margin = margin0, margin0
	for step := range sp.Steps {
		rate := s.stepRate(step)
		s.advance(rate)
		s.stepIntegrals(rate)
		s.finishStep(step + 1)
	}
	return s.fr
}

// fdSolver is forwardFD's state: the law on the grid, the operator's
// per-node constants, the tridiagonal factorisation of the current step
// and the bookkeeping of the law's rounding, its window and its
// integrals. Its buffers are allocated once: a step allocates nothing but
// the series it appends to.
type fdSolver struct {
	gr      grid
	sp      Scheduled
	m       int     // substeps a step
	reflect bool    // reflecting edges (else held: their mass frozen)
	nq      int     // the pathwise reading's interpolation points (0: not pathwise)
	n, nf   int     // nodes, test functions
	dt      float64 // a substep's time
	fr      forwardRun

	// The operator's per-node constants: |f'| at the node (the schedule's
	// input) and the grid coordinate's coefficients a = rate^2 cA and
	// b = rate cM - rate^2 cJ; 1/dx^2 and 1/(2 dx).
	absGrad, cA, cM, cJ []float64
	idx2, ihdx          float64

	// The law: p on the nodes, 0 outside the window [wa, wb]; the mass
	// frozen at the two edges (valued by bcVal: g at each edge, nf apiece).
	p          []float64
	wa, wb     int
	frozenMass [2]float64
	bcVal      []float64
	frozenV    []float64 // frozenVal's buffer
	gv         []float64 // the test functions at the nodes, interleaved
	d          []float64 // their interpolation floor (0: FD interpolates only at the start)
	gmax       []float64 // the largest |g| on the grid, per test function

	// The window: its margin (from margin0) and the mass dropped and
	// killed so far; the step's start, for a step done again.
	margin, margin0 int
	lost            float64
	saved           []float64
	savedPrev       []float64

	// The factorisation of (I - dt L)^T on the window (prepare).
	lower, diag, upper, cp, inv, li []float64

	// The law's measured rounding (see measure).
	mass, mass0, roundoff float64
	solves                int

	// With Integrals: E g after each substep and the step's integrals.
	prevE, curE, seg, segFloor []float64

	// With QuantilesOf: h at the nodes, their order by value and at the edges.
	hv    []float64
	order []int
	hEdge [2]float64

	// The pathwise reading: every node's rate, the law at the step's
	// start, the point's share of it (and weighted by r, r^2), the points
	// and their weights, the Lagrange basis per node, the step's weighted
	// integrals and, per substep, the weighted laws summed over the points.
	rn, p0, vq, v1, v2 []float64
	rho, lr, bw, lw    []float64
	seg1, seg2         []float64
	acc1, acc2         [][]float64
}

// newFDSolver computes the operator's per-node constants, deposits the
// start, records step 0 and allocates the buffers (at least 5 nodes).
func newFDSolver(gr grid, sp Scheduled, m int, reflect bool, nq int) *fdSolver {
	n, nf := len(gr.x), len(gr.gs)
	s := &fdSolver{gr: gr, sp: sp, m: m, reflect: reflect, nq: nq, n: n, nf: nf}
	s.fr = forwardRun{e: make([][]float64, nf), floor: make([][]float64, nf), firstBad: -1}
	s.coefficients()
	s.p = make([]float64, n)
	deposit(gr, s.p, sp.X0, 1, nil)
	// Mass on a boundary node is held there: the backward scheme's
	// boundary rows are the identity (not when reflecting).
	if !reflect {
		s.frozenMass = [2]float64{s.p[0], s.p[n-1]}
		s.p[0], s.p[n-1] = 0, 0
	}
	s.bcVal = make([]float64, 2*nf)
	for f := range nf {
		s.bcVal[f], s.bcVal[nf+f] = gr.outside(f, gr.x[0]), gr.outside(f, gr.x[n-1])
	}
	s.frozenV = make([]float64, nf)
	s.d = make([]float64, n*nf) // FD interpolates only once, at the start: no per-step floor
	s.gv = gValues(gr)
	s.gmax = make([]float64, nf)
	for i := range n {
		for f := range nf {
			s.gmax[f] = math.Max(s.gmax[f], math.Abs(s.gv[i*nf+f]))
		}
	}
	// The window [wa, wb]: p is 0 outside it.
	s.wa, s.wb = liveRange(s.p, false)
	if s.wa > s.wb {
		s.wa, s.wb = 0, n-1
	}
	s.record(0)
	s.fr.dropped = append(s.fr.dropped, 0)
	if sp.QuantilesOf != nil {
		s.hv, s.order = make([]float64, n), make([]int, n)
		for i, x := range gr.x {
			s.hv[i], s.order[i] = sp.QuantilesOf(x), i
		}
		sort.Slice(s.order, func(a, b int) bool { return s.hv[s.order[a]] < s.hv[s.order[b]] })
		s.hEdge = [2]float64{s.hv[0], s.hv[n-1]}
		s.quantiles()
	}
	s.lower, s.diag, s.upper = make([]float64, n), make([]float64, n), make([]float64, n)
	s.cp, s.inv, s.li = make([]float64, n), make([]float64, n), make([]float64, n)
	s.saved = make([]float64, n)
	s.dt = sp.Eta / float64(m)
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
	s.mass = s.frozenMass[0] + s.frozenMass[1] // expected: the initial mass, less what was killed and dropped
	for _, pi := range s.p {
		s.mass += pi
	}
	s.mass0 = s.mass
	if sp.Integrals {
		s.prevE, s.curE, s.seg, s.segFloor = make([]float64, nf), make([]float64, nf), make([]float64, nf), make([]float64, nf)
		s.expect(s.prevE)
		s.fr.startIntegrals(nf)
	}
	if nq > 0 {
		s.allocPathwise()
	}
	return s
}

// coefficients computes |f'| and the operator's constants at the nodes:
// the drift -b and diffusion eta sigma/(2N) in x, carried to the grid
// coordinate xi (x = x(xi): x' = 1 on a uniform grid, c cosh xi on a sinh
// map) once, so that a step does no divisions.
func (s *fdSolver) coefficients() {
	gr, sp, n := s.gr, s.sp, s.n
	na := float64(len(sp.System.Agents))
	mu0, d0 := make([]float64, n), make([]float64, n)
	s.absGrad = make([]float64, n)
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
		s.absGrad[i] = math.Abs(gbuf[0])
	}
	s.cA, s.cM, s.cJ = make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		j, j2 := jac[i], jac2[i]
		s.cA[i], s.cM[i], s.cJ[i] = d0[i]/(j*j), mu0[i]/j, d0[i]*j2/(j*j*j)
	}
	s.idx2, s.ihdx = 1/(gr.dx*gr.dx), 1/(2*gr.dx)
}

// allocPathwise allocates the pathwise reading's buffers.
func (s *fdSolver) allocPathwise() {
	n, nq, nf, m := s.n, s.nq, s.nf, s.m
	s.rn, s.p0, s.vq, s.v1, s.v2 = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	s.rho, s.lr, s.bw, s.lw = make([]float64, nq), make([]float64, nq), make([]float64, nq), make([]float64, n*nq)
	s.seg1, s.seg2 = make([]float64, nf), make([]float64, nf)
	if s.sp.Integrals {
		s.acc1, s.acc2 = make([][]float64, m), make([][]float64, m)
		for i := range m {
			s.acc1[i], s.acc2[i] = make([]float64, n), make([]float64, n)
		}
	}
}

// frozenVal is the frozen masses' value per test function (in frozenV).
func (s *fdSolver) frozenVal() []float64 {
	for f := range s.nf {
		s.frozenV[f] = s.frozenMass[0]*s.bcVal[f] + s.frozenMass[1]*s.bcVal[s.nf+f]
	}
	return s.frozenV
}

// record appends the law's E g at step (the window's nodes and the frozen
// mass) and the escaped mass.
func (s *fdSolver) record(step int) {
	nf := s.nf
	s.fr.record(s.gv[s.wa*nf:], s.p[s.wa:s.wb+1], s.frozenVal(), s.d[s.wa*nf:], s.frozenMass[0]+s.frozenMass[1], step)
}

// quantiles appends the law's quantiles of QuantilesOf(X), if asked for.
func (s *fdSolver) quantiles() {
	if s.sp.QuantilesOf != nil {
		s.fr.quantiles = append(s.fr.quantiles, lawQuantiles(s.order, s.hv, s.p, s.frozenMass, s.hEdge, s.sp.QuantileLevels))
	}
}

// measure updates the rounding of the law after count solves that killed
// `killed` (signed) at the window's edges (see roundoff in newFDSolver).
func (s *fdSolver) measure(killed float64, count int) {
	now := s.frozenMass[0] + s.frozenMass[1]
	for _, pi := range s.p[s.wa : s.wb+1] {
		now += pi
	}
	s.mass -= killed
	s.solves += count
	s.roundoff = 4*math.Abs(now-s.mass)/math.Abs(s.mass0) + 4*0x1p-52*float64(s.solves)
}

// expect writes E g of the law (window and frozen mass) into dst.
func (s *fdSolver) expect(dst []float64) {
	nf := s.nf
	for f := range nf {
		v := s.frozenMass[0]*s.bcVal[f] + s.frozenMass[1]*s.bcVal[nf+f]
		for i := s.wa; i <= s.wb; i++ {
			if pi := s.p[i]; pi != 0 {
				v += pi * s.gv[i*nf+f]
			}
		}
		dst[f] = v
	}
}

// prepare builds (I - dt L) at schedule value rate on the rows a..b as
// in sdeFD, and factors its transpose restricted to them: M^T has M's
// upper diagonal shifted below and its lower shifted above; rows 0 and
// n-1 of M have no off-diagonal entries unless reflecting, and the
// window's first and last rows none outside it.
func (s *fdSolver) prepare(rate float64, a, b int) {
	n, reflect, dt := s.n, s.reflect, s.dt
	lower, diag, upper := s.lower, s.diag, s.upper
	cp, inv, li := s.cp, s.inv, s.li
	cA, cM, cJ := s.cA, s.cM, s.cJ
	idx2, ihdx := s.idx2, s.ihdx
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
		aeff := fitted(aa, bb, s.gr.dx)
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
func (s *fdSolver) solve(v []float64, a, b int) float64 {
	inv, li, cp := s.inv, s.li, s.cp
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
		k -= s.lower[a] * v[a]
	}
	if b < s.n-1 {
		k -= s.upper[b] * v[b]
	}
	return k
}

// solve2 is solve for two vectors at once (their chains interleaved),
// without the edges' flux.
func (s *fdSolver) solve2(v, w []float64, a, b int) {
	inv, li, cp := s.inv, s.li, s.cp
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

// freeze moves the mass a solve left on the boundary nodes (when the
// window reaches them) into the frozen masses (not when reflecting).
func (s *fdSolver) freeze(v []float64, a, b int) {
	if s.reflect {
		return
	}
	n := s.n
	if a == 0 {
		s.frozenMass[0] += v[0]
		v[0] = 0
	}
	if b == n-1 {
		s.frozenMass[1] += v[n-1]
		v[n-1] = 0
	}
}

// dot is sum_i v_i g_f(x_i) over the rows a..b.
func (s *fdSolver) dot(v []float64, a, b, f int) float64 {
	nf, gv := s.nf, s.gv
	var sum float64
	for i := a; i <= b; i++ {
		if v[i] != 0 {
			sum += v[i] * gv[i*nf+f]
		}
	}
	return sum
}

// stepRate returns the step's schedule value (under the pathwise reading
// the law's mean rate, with every node's own in rn), checks the law
// against Scheduled.Check and records the rate.
func (s *fdSolver) stepRate(step int) float64 {
	sp, p, wa, wb := s.sp, s.p, s.wa, s.wb
	info := model.StepInfo{K: step, T: float64(step) * sp.Eta, Ensemble: ensembleGrad(p[wa:wb+1], s.absGrad[wa:wb+1])}
	rate := sp.Schedule.Rate(info)
	pathwise := s.nq > 0
	if pathwise {
		// Every node's own rate (those a wider window adds included),
		// and the law's mean rate as the step's schedule value.
		var m0, m1 float64
		for i := range s.n {
			info.Path = s.absGrad[i]
			s.rn[i] = sp.Schedule.Rate(info)
		}
		for i := wa; i <= wb; i++ {
			m0 += p[i]
			m1 += p[i] * s.rn[i]
		}
		if m0 > 0 {
			rate = m1 / m0
		}
	}
	if sp.Check != nil && s.fr.firstBad < 0 {
		for i := wa; i <= wb; i++ {
			if math.Abs(p[i]) < dropMass {
				continue
			}
			r := rate
			if pathwise {
				r = s.rn[i]
			}
			info.Path = s.absGrad[i]
			if !sp.Check(info, r) {
				s.fr.firstBad = step
				break
			}
		}
	}
	s.fr.rate = append(s.fr.rate, rate)
	return rate
}

// advance carries the law over one step at schedule value rate, on the
// window of the nodes holding at least dropMass and the margin either
// side: a step that kills more than dropMass is done again, from its
// start, on a window twice as wide.
func (s *fdSolver) advance(rate float64) {
	p, n := s.p, s.n
	lo, hi := liveRange(p[s.wa:s.wb+1], true)
	if lo > hi { // no mass left on the nodes
		lo, hi = 0, s.wb-s.wa
	}
	lo, hi = lo+s.wa, hi+s.wa
	// The step's state, for a step done again on a wider window.
	copy(s.saved[s.wa:s.wb+1], p[s.wa:s.wb+1])
	savedFrozen, savedRoundoff, savedMass, savedSolves := s.frozenMass, s.roundoff, s.mass, s.solves
	if s.sp.Integrals {
		s.savedPrev = append(s.savedPrev[:0], s.prevE...)
	}
	oa, ob := s.wa, s.wb
	for {
		a, b := max(lo-s.margin, 0), min(hi+s.margin, n-1)
		// The mass outside the new window is dropped.
		dropped := 0.0
		for i := oa; i <= ob; i++ {
			if i < a || i > b {
				dropped += math.Abs(p[i])
				s.mass -= p[i]
				p[i] = 0
			}
		}
		s.wa, s.wb = a, b
		var killed float64
		if s.nq > 0 {
			killed = s.stepPath(a, b)
		} else {
			killed = s.stepHeld(rate, a, b)
		}
		if killed <= dropMass || (a == 0 && b == n-1) {
			s.lost += dropped + killed
			if killed < dropMass/1e3 && s.margin > s.margin0 {
				s.margin-- // the next step may need less
			}
			return
		}
		// Again, on a wider window, from the step's start.
		s.margin *= 2
		clear(p[a : b+1])
		copy(p[oa:ob+1], s.saved[oa:ob+1])
		s.wa, s.wb = oa, ob
		s.frozenMass, s.roundoff, s.mass, s.solves = savedFrozen, savedRoundoff, savedMass, savedSolves
		if s.sp.Integrals {
			copy(s.prevE, s.savedPrev)
			clear(s.seg)
		}
	}
}

// stepHeld is a step's m substeps at one rate for the whole law on the
// rows a..b, with the trapezoidal integrals of E g over them; it returns
// the mass killed at the window's edges.
func (s *fdSolver) stepHeld(rate float64, a, b int) float64 {
	p := s.p
	killed := 0.0
	s.prepare(rate, a, b)
	for range s.m {
		k := s.solve(p, a, b)
		killed += math.Abs(k)
		s.freeze(p, a, b)
		flush(p[a : b+1])
		s.measure(k, 1)
		if s.sp.Integrals {
			s.expect(s.curE)
			for f := range s.nf {
				s.seg[f] += s.dt * (s.prevE[f] + s.curE[f]) / 2
			}
			s.prevE, s.curE = s.curE, s.prevE
		}
	}
	return killed
}

// stepPath is a step under the pathwise reading (a rate read from each
// path's own |f'| at the step's start and held over its substeps): the
// law after the step is sum_j p_j K_{r_j}(j, .), K_r the step's kernel at
// rate r. K_r is analytic in r > 0, and is interpolated in log r at nq
// Chebyshev points rho_q over the live nodes' rates: p' = sum_q
// K_{rho_q}^T (l_q(r) p), l_q the Lagrange basis, nq solves a substep. The
// caller measures the interpolation by a second run with more points. With
// Integrals the path's own rate weighs its integrand: r p and r^2 p are
// carried the same way. It returns the mass killed at the window's edges.
func (s *fdSolver) stepPath(a, b int) float64 {
	p, p0, vq, v1, v2, rn := s.p, s.p0, s.vq, s.v1, s.v2, s.rn
	integ := s.sp.Integrals
	q := s.pathPoints(a, b)
	if integ {
		// The weighted laws after each substep, summed over the
		// points (E g is linear: one product per substep, not one per
		// point), for the trapezoidal integrals.
		for i := range s.m {
			clear(s.acc1[i][a : b+1])
			clear(s.acc2[i][a : b+1])
		}
	}
	killed, ksum := 0.0, 0.0
	for j := range q {
		s.prepare(s.rho[j], a, b)
		for i := a; i <= b; i++ {
			w := 1.0
			if q > 1 {
				w = s.lw[i*s.nq+j]
			}
			vq[i] = w * p0[i]
			if integ {
				v1[i], v2[i] = vq[i]*rn[i], vq[i]*rn[i]*rn[i]
			}
		}
		for sub := range s.m {
			k := s.solve(vq, a, b)
			killed += math.Abs(k)
			ksum += k
			s.freeze(vq, a, b)
			if integ { // reflecting edges (Forward refuses others)
				s.solve2(v1, v2, a, b)
				x1, x2 := s.acc1[sub][a:b+1], s.acc2[sub][a:b+1]
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
	if integ {
		s.pathSegments(a, b)
	}
	flush(p[a : b+1])
	s.measure(ksum, q*s.m)
	return killed
}

// pathPoints sets the step's interpolation points rho over the rates of
// the nodes a..b holding mass (one point when they share one rate) and
// each such node's Lagrange weights (lw), moves the law into p0 (p is
// cleared for the step's result) and returns the number of points.
func (s *fdSolver) pathPoints(a, b int) int {
	p, rn, rho := s.p, s.rn, s.rho
	rmin, rmax := math.Inf(1), math.Inf(-1)
	for i := a; i <= b; i++ {
		if p[i] != 0 {
			rmin, rmax = math.Min(rmin, rn[i]), math.Max(rmax, rn[i])
		}
	}
	q, nq := s.nq, s.nq
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
	copy(s.p0[a:b+1], p[a:b+1])
	clear(p[a : b+1])
	if q > 1 {
		lr, bw := s.lr, s.bw
		for j := range q {
			lr[j] = math.Log(rho[j])
			bw[j] = math.Sin(math.Pi * float64(2*j+1) / float64(2*q))
			if j%2 == 1 {
				bw[j] = -bw[j]
			}
		}
		for i := a; i <= b; i++ {
			if s.p0[i] != 0 {
				lagrange(s.lw[i*nq:i*nq+q], lr[:q], bw[:q], math.Log(rn[i]))
			}
		}
	}
	return q
}

// pathSegments sets seg1 and seg2 to the step's trapezoidal integrals of
// the rate-weighted E g over the substeps: from the law at the step's
// start (p0) weighted by r and r^2, then the summed weighted laws acc1
// and acc2 after each substep.
func (s *fdSolver) pathSegments(a, b int) {
	nf, gv, p0, rn, dt := s.nf, s.gv, s.p0, s.rn, s.dt
	clear(s.seg1)
	clear(s.seg2)
	for f := range nf {
		var e1, e2 float64
		for i := a; i <= b; i++ {
			if p0[i] != 0 {
				e1 += p0[i] * rn[i] * gv[i*nf+f]
				e2 += p0[i] * rn[i] * rn[i] * gv[i*nf+f]
			}
		}
		for sub := range s.m {
			n1, n2 := s.dot(s.acc1[sub], a, b, f), s.dot(s.acc2[sub], a, b, f)
			s.seg1[f] += dt * (e1 + n1) / 2
			s.seg2[f] += dt * (e2 + n2) / 2
			e1, e2 = n1, n2
		}
	}
}

// stepIntegrals appends the step's integrals (with Integrals) and their
// floors: the integral times the relative rounding of the law so far (no
// interpolation: see d), and the mass lost, worth at most the largest |g|
// over the step (under the pathwise reading, each path's integrand weighed
// by its own rate: the step's integrals are seg1, seg2 already).
func (s *fdSolver) stepIntegrals(rate float64) {
	sp := s.sp
	switch {
	case sp.Integrals && s.nq > 0:
		for f := range s.nf {
			fl1 := s.roundoff*math.Abs(s.seg1[f]) + s.lost*s.gmax[f]*sp.Eta*rmaxOf(s.rn, s.p, s.wa, s.wb)
			fl2 := s.roundoff*math.Abs(s.seg2[f]) + s.lost*s.gmax[f]*sp.Eta*math.Pow(rmaxOf(s.rn, s.p, s.wa, s.wb), 2)
			s.fr.integrateWeighted(f, s.seg1[f], s.seg2[f], fl1, fl2)
		}
	case sp.Integrals:
		for f := range s.nf {
			s.segFloor[f] = s.roundoff*math.Abs(s.seg[f]) + s.lost*s.gmax[f]*sp.Eta
		}
		s.fr.integrate(rate, s.seg, s.segFloor)
		clear(s.seg)
	}
}

// finishStep records the law after step (its values, their floors: the
// mass lost and the rounding; the scheme adds no floor of its own step by
// step, see d), the escape probability's floor and the quantiles.
func (s *fdSolver) finishStep(step int) {
	nf, fr := s.nf, &s.fr
	s.record(step)
	for f := range nf {
		absE := math.Abs(s.frozenMass[0]*s.bcVal[f]) + math.Abs(s.frozenMass[1]*s.bcVal[nf+f])
		for i := s.wa; i <= s.wb; i++ {
			absE += math.Abs(s.p[i] * s.gv[i*nf+f])
		}
		fr.floor[f][len(fr.floor[f])-1] = s.lost*s.gmax[f] + s.roundoff*absE
	}
	// The escape probability's floor: the mass lost and the rounding.
	fr.dropped = append(fr.dropped, s.lost+s.roundoff*math.Abs(s.frozenMass[0]+s.frozenMass[1]))
	s.quantiles()
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
