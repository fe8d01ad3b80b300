package exact

// A job's plan: its passes (the levels and refinement checks, each with
// its cost for Batch's scheduling) and how their results combine into
// values with error bars (math 7).

import "math"

// pass is one backward computation of a job (a level or a refinement
// check), with its cost in node-steps for scheduling.
type pass struct {
	job, slot int
	cost      float64
	do        func() [][]float64
	// when, if set, makes the pass conditional: it runs after the
	// unconditional passes of every job, if when says so from their
	// results (res indexed by slot; its own slot is then nil if not run).
	when func(res [][][]float64) bool
}

// needWider says whether a held grid's radius difference d1 = v - wide
// (nf test functions) is large enough
// for the third radius: above the rounding floor and above 1e-3 of the
// value's other error terms (rest). Below that the radius term is |d1|:
// the geometric tail of radiusErr would add at most (rho/(1 - rho)) |d1|,
// under 1% of the error bar for a ratio rho <= 0.9.
func needWider(nf int, v, wide [][]float64, floor, rest func(f, i int) float64) bool {
	for f := range nf {
		for i := range v[f] {
			d1 := math.Abs(v[f][i] - wide[f][i])
			if d1 > floor(f, i) && d1 > 1e-3*rest(f, i) {
				return true
			}
		}
	}
	return false
}

// plan returns a job's passes and the function that combines their
// results (indexed by slot) into the job's series: the discrete method's
// law on a lattice where it is exact (planLattice), else on the grid
// (planDiscrete); the SDE by finite differences (planSDEFD) or
// Euler-Maruyama (planSDEEM).
func (j Job) plan() ([]pass, func(res [][][]float64) []Series, error) {
	p := j.Problem
	// The SDE needs the noise's variance only (Student-t with nu > 2 for
	// DSGD and DCSGD), not the discrete method's law.
	validate := p.Validate
	if j.SDE {
		validate = p.ValidateSDE
	}
	if err := validate(); err != nil {
		return nil, nil, err
	}
	if err := j.Settings.check(p); err != nil {
		return nil, nil, err
	}
	s := j.Settings.withDefaults(p.X0)
	q := newQuadrature(s.Hermite)
	if !j.SDE {
		if passes, combine, ok := j.planLattice(s, q); ok {
			return passes, combine, nil
		}
	}
	s, err := p.resolveNodes(s)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case !j.SDE:
		passes, combine := j.planDiscrete(s, q)
		return passes, combine, nil
	case s.Scheme == SchemeFD:
		passes, combine := j.planSDEFD(s, q)
		return passes, combine, nil
	}
	passes, combine := j.planSDEEM(s, q)
	return passes, combine, nil
}

// planLattice plans the discrete method's law on the lattice its steps
// stay on (Problem.lattices), if it has one.
func (j Job) planLattice(s Settings, q quadrature) ([]pass, func(res [][][]float64) []Series, bool) {
	p, gs := j.Problem, j.Tests
	h := p.Eta * p.rate()
	fill := func(k *kernel, x float64) { discreteKernel(k, p.System, x, h) }
	lat, wide, ok := p.lattices(h, s.Radius, j.Settings, gs)
	if !ok {
		return nil, nil, false
	}
	// Exact on the lattice: the error is the radius's (the same
	// lattice to 1.5 times it) and the floor's (rounding).
	passes := []pass{
		{cost: float64(p.Steps * len(lat.x)), do: func() [][]float64 { return backward(lat, p.X0, p.Steps, 1, fill, q, true) }},
		{cost: float64(p.Steps * len(wide.x)), do: func() [][]float64 { return backward(wide, p.X0, p.Steps, 1, fill, q, false) }},
	}
	combine := func(res [][][]float64) []Series {
		v, rd := res[0], res[1]
		nf := len(gs)
		out := make([]Series, nf)
		for f := range gs {
			out[f] = make(Series, len(v[f]))
			for i := range v[f] {
				out[f][i] = Value{Value: v[f][i], Err: math.Abs(v[f][i]-rd[f][i]) + v[nf+f][i]}
			}
		}
		return out
	}
	return passes, combine, true
}

// planDiscrete plans the discrete method's law on the (mapped) grid: the
// main pass, half the nodes, 1.5 times the radius, and the conditional
// passes below.
func (j Job) planDiscrete(s Settings, q quadrature) ([]pass, func(res [][][]float64) []Series) {
	p, gs := j.Problem, j.Tests
	h := p.Eta * p.rate()
	at := func(n int, r float64, floor bool, level int) pass {
		cost := float64(p.Steps * n)
		if floor {
			cost *= 2
		}
		fill := func(k *kernel, x float64) { discreteKernelAt(k, p.System, x, h, level) }
		return pass{cost: cost, do: func() [][]float64 {
			gr := newMappedGrid(n, r, s.Map, s.Absorb, gs)
			gr.qres = s.qres(n, r)
			return backward(gr, p.X0, p.Steps, 1, fill, q, floor)
		}}
	}
	// The error floor is carried by the main pass only. A grid that
	// holds the mass leaving it (not absorbing) gets a third radius,
	// 2.25R, where the second's difference is not negligible
	// (needWider), for the radius term's tail (radiusErr).
	// A one-step law that is a quadrature rule (model.Law1Der: the
	// agent maps) gets a pass at the next coarser level on the main
	// grid, whose difference is the rule's error term.
	passes := []pass{at(s.Nodes, s.Radius, true, lawLevel), at(s.Nodes/2, s.Radius, false, lawLevel), at(s.wideNodes(), s.Radius*1.5, false, lawLevel)}
	qslot := -1
	if p.quadratureLaw() {
		qslot = len(passes)
		passes = append(passes, at(s.Nodes, s.Radius, false, lawLevel-1))
	}
	wslot := -1
	if !s.Absorb {
		wslot = len(passes)
		w := at(s.widerNodes(), s.Radius*2.25, false, lawLevel)
		w.when = func(res [][][]float64) bool {
			return needWider(len(gs), res[0], res[2], func(f, i int) float64 { return res[0][len(gs)+f][i] }, func(f, i int) float64 { return math.Abs(res[0][f][i] - res[1][f][i]) })
		}
		passes = append(passes, w)
	}
	combine := func(res [][][]float64) []Series {
		v, sp, rd := res[0], res[1], res[2]
		nf := len(gs)
		out := make([]Series, nf)
		for f := range gs {
			out[f] = make(Series, len(v[f]))
			for i := range v[f] {
				fl := v[nf+f][i]
				d1, d2 := v[f][i]-rd[f][i], math.NaN()
				if wslot >= 0 && res[wslot] != nil {
					d2 = rd[f][i] - res[wslot][f][i]
				}
				e := math.Abs(v[f][i]-sp[f][i]) + radiusErr(d1, d2, fl) + fl
				if qslot >= 0 {
					e += math.Abs(v[f][i] - res[qslot][f][i])
				}
				out[f][i] = Value{Value: v[f][i], Err: e}
			}
		}
		return out
	}
	return passes, combine
}

// sdeLevel is one backward pass of the SDE with m substeps per step on n
// nodes over [-r, r] (floor: carry the error floor).
func (j Job) sdeLevel(s Settings, q quadrature, m, n int, r float64, floor bool) pass {
	p, gs := j.Problem, j.Tests
	dt := p.Eta / float64(m)
	gr := newMappedGrid(n, r, s.Map, s.Absorb, gs)
	gr.qres = s.qres(n, r)
	if s.Scheme == SchemeFD {
		// a tridiagonal solve per substep: about a tenth of a banded product's cost
		return pass{cost: float64(p.Steps*m*n) / 10, do: func() [][]float64 {
			return sdeFD(gr, p, dt, m)
		}}
	}
	cost := float64(p.Steps * m * n)
	if floor {
		cost *= 2
	}
	return pass{cost: cost, do: func() [][]float64 {
		return backward(gr, p.X0, p.Steps*m, m, func(k *kernel, x float64) { sdeKernel(k, p, x, dt) }, q, floor)
	}}
}

// planSDEFD plans the SDE by the finite-difference scheme.
func (j Job) planSDEFD(s Settings, q quadrature) ([]pass, func(res [][][]float64) []Series) {
	gs := j.Tests
	m := s.Substeps
	level := func(m, n int, r float64, floor bool) pass { return j.sdeLevel(s, q, m, n, r, floor) }
	// Three levels, then the spatial and radius checks on the
	// coarsest; the scheme is second order in space: a quarter grid as
	// well, for the spatial extrapolation and its error. The scheme
	// computes its own floor (sdeFD) on every level.
	passes := []pass{level(m, s.Nodes, s.Radius, false), level(2*m, s.Nodes, s.Radius, false), level(4*m, s.Nodes, s.Radius, false),
		level(m, s.Nodes/2, s.Radius, false), level(m, s.wideNodes(), s.Radius*1.5, false), level(m, s.Nodes/4, s.Radius, false)}
	if !s.Absorb {
		w := level(m, s.widerNodes(), s.Radius*2.25, false)
		w.when = func(res [][][]float64) bool {
			return needWider(len(gs), res[0], res[4], func(f, i int) float64 { return res[2][len(gs)+f][i] }, func(f, i int) float64 { return math.Abs(res[0][f][i] - res[3][f][i]) })
		}
		passes = append(passes, w)
	}
	combine := func(res [][][]float64) []Series {
		e1, e2, e4, sp, rd, q := res[0], res[1], res[2], res[3], res[4], res[5]
		nf := len(gs)
		out := make([]Series, nf)
		for f := range gs {
			out[f] = make(Series, len(e1[f]))
			for i := range e1[f] {
				d2 := math.NaN()
				if len(res) > 6 && res[6] != nil {
					d2 = rd[f][i] - res[6][f][i]
				}
				fl := e4[nf+f][i]
				v := sdeValue(e1[f][i], e2[f][i], e4[f][i], sp[f][i], q[f][i], s.Nodes)
				v.Err += radiusErr(e1[f][i]-rd[f][i], d2, fl) + fl
				out[f][i] = v
			}
		}
		return out
	}
	return passes, combine
}

// planSDEEM plans the SDE by Euler-Maruyama.
func (j Job) planSDEEM(s Settings, q quadrature) ([]pass, func(res [][][]float64) []Series) {
	gs := j.Tests
	m := s.Substeps
	level := func(m, n int, r float64, floor bool) pass { return j.sdeLevel(s, q, m, n, r, floor) }
	// Euler-Maruyama: four time levels (emLevels), each on the main grid
	// and on half its nodes, so that the spatial error is that of the
	// extrapolated value (a finer level takes more interpolated substeps:
	// its spatial error is larger, which the coarsest level's refinement
	// does not see). The radius checks run at the finest level (where a
	// grid holds the mass that leaves it, a path is held at the first
	// substep that ends outside, so the held mass grows with the substeps
	// and the extrapolation amplifies it: DSGD's SDE on x^2/2 with
	// sigma1 = 4, R = 4, one step: v(R) - v(2R) is 7e-9 at 4 substeps and
	// 1.9e-6 at 16) on the half grid's spacing (the difference of two runs
	// at one spacing, whose spatial errors cancel), scaled by 5, the sum of
	// the extrapolation's coefficients. The error floor is carried by the
	// coarsest level and scaled by the finest level's number of substeps
	// per coarse one.
	ls := emLevels(m)
	var passes []pass
	for i, l := range ls {
		passes = append(passes, level(l, s.Nodes, s.Radius, i == 0))
	}
	for _, l := range ls {
		passes = append(passes, level(l, s.Nodes/2, s.Radius, false))
	}
	passes = append(passes, level(ls[3], s.nodesAt(s.Nodes/2, 1.5), s.Radius*1.5, false))
	if !s.Absorb {
		w := level(ls[3], s.nodesAt(s.Nodes/2, 2.25), s.Radius*2.25, false)
		w.when = func(res [][][]float64) bool {
			floor := func(f, i int) float64 { return float64(ls[3]/ls[0]) * res[0][len(gs)+f][i] }
			return needWider(len(gs), res[7], res[8], floor, func(f, i int) float64 {
				var full, half [4]float64
				for l := range 4 {
					full[l], half[l] = res[l][f][i], res[4+l][f][i]
				}
				return emValue(full, half).Err
			})
		}
		passes = append(passes, w)
	}
	combine := func(res [][][]float64) []Series {
		nf := len(gs)
		out := make([]Series, nf)
		scale := float64(ls[3] / ls[0])
		for f := range gs {
			out[f] = make(Series, len(res[0][f]))
			for i := range res[0][f] {
				var full, half [4]float64
				for l := range 4 {
					full[l], half[l] = res[l][f][i], res[4+l][f][i]
				}
				v := emValue(full, half)
				fl := scale * res[0][nf+f][i]
				d1, d2 := half[3]-res[8][f][i], math.NaN()
				if len(res) > 9 && res[9] != nil {
					d2 = res[8][f][i] - res[9][f][i]
				}
				v.Err += 5*radiusErr(d1, d2, fl) + fl
				out[f][i] = v
			}
		}
		return out
	}
	return passes, combine
}
