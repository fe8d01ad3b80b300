package exact

// The backward computation E g(x_k) = (P^k g)(x_0) over a grid, with the
// lattice and local floors of its numerical error.

import "math"

// backward runs u <- P u for total applications of the one-step operator
// whose kernels fill gives, recording E g at x0 every `every` applications
// for each test function: out[f][j]. The result is exact arithmetic on the
// grid: no randomness, no workers.
//
// With floor set, it also carries each test function's error floor w
// through the same iteration, w <- P (w + d(u)), w = 0 at the start, where
// d(u) is the local error density of one application (localFloor of the
// current u): the rounding and interpolation errors made at each node,
// weighted by the probability that the chain visits it, summed over the
// applications. These come after the values: out[nf+f].
func backward(gr grid, x0 float64, total, every int, fill func(k *kernel, x float64), q quadrature, floor bool) [][]float64 {
	return backwardSteps(gr, x0, total, every, func(int) func(*kernel, float64) { return fill }, false, q, floor)
}

// backwardSteps is backward with a one-step law that may change from one
// application to the next: application j (1..total) uses fillAt(j)'s
// kernels, rebuilt every application when varying is set (only the last
// record is then E g(x_total) at x0: the others are of partial products).
func backwardSteps(gr grid, x0 float64, total, every int, fillAt func(j int) func(*kernel, float64), varying bool, q quadrature, floor bool) [][]float64 {
	nv := len(gr.gs)
	var d []float64
	if floor {
		d = make([]float64, len(gr.x)*nv)
		zero := func(float64) float64 { return 0 }
		gs := append([]func(float64) float64{}, gr.gs...)
		for range nv {
			gs = append(gs, zero)
		}
		gr.gs = gs
	}
	n, nf := len(gr.x), len(gr.gs)
	op := build(gr, fillAt(1), q)
	u := make([]float64, n*nf)
	for i, x := range gr.x {
		for f, g := range gr.gs {
			u[i*nf+f] = g(x)
		}
	}
	next := make([]float64, n*nf)
	// The rows the chain reaches (constant operators; see liveRows): the
	// others keep g in both buffers.
	var runs [][2]int
	var skipped, gmax float64
	if !varying {
		runs, skipped = op.liveRows(gr, x0, total)
		copy(next, u)
		for i := range n {
			for f := range nv {
				gmax = math.Max(gmax, math.Abs(u[i*nf+f]))
			}
		}
		for _, y := range op.outside {
			for f := range nv {
				gmax = math.Max(gmax, math.Abs(gr.outside(f, y)))
			}
		}
	}
	// The floor on the rows computed: on each run of them apart (the
	// others hold g, whose difference to the runs' u is no interpolation
	// error but the skipped mass's, counted apart).
	floorOf := func() {
		if runs == nil {
			gr.floor(d, u, n, nv, nf)
			return
		}
		clear(d)
		for _, r := range runs {
			a, b := r[0], r[1]
			gr.floor(d[a*nv:b*nv], u[a*nf:b*nf], b-a, nv, nf)
		}
	}
	out := make([][]float64, nf)
	i0 := min(max(int(math.Round(gr.pos(x0))), 0), n-1)
	record := func() {
		if floor {
			floorOf()
		}
		for f := range out {
			v := gr.at(u, f, x0)
			if f >= nv {
				// plus the final interpolation's error at x0
				var dx0 float64
				for i := max(0, i0-2); i <= min(n-1, i0+2); i++ {
					dx0 = math.Max(dx0, d[i*nv+f-nv])
				}
				v = math.Abs(v) + dx0 + 2*skipped*gmax
			}
			out[f] = append(out[f], v)
		}
	}
	record()
	var mt maxTable
	for j := 1; j <= total; j++ {
		if floor && (j-1)%every != 0 { // record computed it for this u
			floorOf()
		}
		if varying && j > 1 {
			buildInto(&op, gr, fillAt(j), q)
		}
		if floor {
			op.addQuadFloor(d, u, n, nv, nf, &mt)
			for i := range n {
				for f := range nv {
					u[i*nf+nv+f] += d[i*nv+f]
				}
			}
		}
		if runs != nil {
			op.applyRows(next, u, nf, runs)
		} else {
			op.apply(next, u, nf)
		}
		u, next = next, u
		if j%every == 0 {
			record()
		}
	}
	return out
}

// liveRows returns the rows of op that the chain from x0 reaches with a
// mass of at least dropMass at one of the first total-1 applications, as
// runs of consecutive rows (nil when that is every row), and the mass it
// found below dropMass, summed over the applications (the forward sweep
// does not spread it). The backward iteration needs u only where the
// chain goes: E g(x_k) = p_0 . u_k = p_j . u_(k-j) + const, p_j the law
// after j applications. Rows it never reaches keep their values of g, and
// a value read there (weighted by less than dropMass each time) is off by
// at most twice the largest |u|: the floor adds the skipped mass times
// twice the largest |g| (backwardSteps). On Figure 1's and the weak
// studies' grids the rows far out, whose kernels (sd = eta sigma1 |x|^3)
// cover the whole grid and make the operator dense, are never reached.
func (op operator) liveRows(gr grid, x0 float64, total int) (runs [][2]int, skipped float64) {
	n := len(op.start) - 1
	p, next := make([]float64, n), make([]float64, n)
	deposit(gr, p, x0, 1, nil)
	live := make([]bool, n)
	for range total {
		for i, pi := range p {
			if pi == 0 {
				continue
			}
			if pi < dropMass && pi > -dropMass {
				skipped += math.Abs(pi)
				continue
			}
			live[i] = true
			cols, vals := op.col[op.start[i]:op.start[i+1]], op.val[op.start[i]:op.start[i+1]]
			for e, v := range vals {
				next[cols[e]] += pi * v
			}
		}
		p, next = next, p
		clear(next)
	}
	all := true
	for i := 0; i < n; {
		if !live[i] {
			all = false
			i++
			continue
		}
		j := i
		for j < n && live[j] {
			j++
		}
		runs = append(runs, [2]int{i, j})
		i = j
	}
	if all {
		return nil, skipped
	}
	return runs, skipped
}

// floor is localFloor on an interpolation grid and latticeFloor on a
// lattice.
func (gr grid) floor(d, u []float64, n, nv, nf int) {
	if gr.reach > 0 {
		latticeFloor(d, u, n, nv, nf, gr.reach)
		return
	}
	localFloor(d, u, n, nv, nf)
}

// latticeFloor is localFloor on a lattice, where a step is a sum of at
// most 2 reach + 1 positive weights times u within reach nodes and no
// interpolation: its rounding, (2 reach + 2) 2^-53 of the largest |u|
// there.
func latticeFloor(d, u []float64, n, nv, nf, reach int) {
	c := float64(2*reach+2) * 0x1p-53
	for f := range nv {
		for i := range n {
			var m float64
			for j := max(i-reach, 0); j <= min(i+reach, n-1); j++ {
				m = math.Max(m, math.Abs(u[j*nf+f]))
			}
			d[i*nv+f] = c * m
		}
	}
}

// localFloor writes into d, node by node for each of the nv value
// functions in u (stride nf; d[i*nv+f]), the error one application can add
// there: 4 x 2^-52 of the largest |u| within two nodes (the rounding of the
// weighted sums) and 0.0235 of the largest fourth difference of u over the
// stencils through the node (the cubic interpolation's error,
// |t(t^2-1)(t-2)|/24 <= 0.0235 of the fourth difference). The property
// comparing the engine with Monte Carlo found both (8e-19 with an estimate
// of 5e-19 where the truth was 5e-27; 2.745e-9 with an estimate of 5e-12
// where it was 2.764e-9). Carried through the iteration they are weighted
// by where the chain goes; the worst node's value at every step, as
// before, overstated the error by up to 10 orders of magnitude on a grid
// far wider than the law (Figure 1's to 1000 for x^4/4).
func localFloor(d, u []float64, n, nv, nf int) {
	for f := range nv {
		// First |u_i| and the fourth difference starting at each node,
		// into d's slots, then the maxima over the windows through each
		// node, in place (window i-2..i+2 for |u|, starts i-4..i for the
		// difference).
		for i := range n {
			a := math.Abs(u[i*nf+f])
			var q float64
			if i+4 < n {
				q = math.Abs(u[i*nf+f] - 4*u[(i+1)*nf+f] + 6*u[(i+2)*nf+f] - 4*u[(i+3)*nf+f] + u[(i+4)*nf+f])
			}
			d[i*nv+f] = 4*0x1p-52*a + 0.0235*q // provisional: per node
		}
		// The bound at node i, the sum of the two window maxima, is at most
		// twice the largest provisional value over i-4..i+2 (each term is
		// at most that maximum). The provisional values are >= 0, so the
		// nodes beyond the ends count as 0; the last four originals are
		// kept in registers (p1 the previous node's).
		var p1, p2, p3, p4 float64
		for i := range n {
			c := d[i*nv+f]
			m := max(c, p1, p2, p3, p4)
			if i+1 < n {
				m = max(m, d[(i+1)*nv+f])
			}
			if i+2 < n {
				m = max(m, d[(i+2)*nv+f])
			}
			p4, p3, p2, p1 = p3, p2, p1, c
			d[i*nv+f] = 2 * m
		}
	}
}
