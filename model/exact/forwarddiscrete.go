package exact

import (
	"math"

	"github.com/sdeverify/sdeverify/model"
)

// This file is the discrete method's forward computation: its law carried
// step by step (forwardDiscrete) and, at the horizon, the backward
// iteration over the recorded steps that bounds its error
// (horizonFloor).

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
// (grid.spacing: narrower normals take 6-point quadrature), with a
// one-step law that is a quadrature rule at the given level (lawLevel, or
// lawLevel - 1 for its error term).
func discreteComps(gr grid, sys model.System, level int) (comps [][]kcomp, absGrad, local []float64) {
	n := len(gr.x)
	comps, absGrad, local = make([][]kcomp, n), make([]float64, n), make([]float64, n)
	gbuf := []float64{0}
	var k kernel
	for i, x := range gr.x {
		sys.F.Grad(gbuf, []float64{x})
		absGrad[i] = math.Abs(gbuf[0])
		discreteKernelAt(&k, sys, x, 1, level)
		for c := range k.wt {
			comps[i] = append(comps[i], kcomp{k.wt[c], k.mean[c] - x, k.sd[c]})
		}
		local[i] = gr.spacing(x)
	}
	return comps, absGrad, local
}

// forwardDiscrete carries the discrete method's law: each node's mass is
// spread over the kernel's points (the step h_k = eta eta_k, per node under
// the pathwise reading) and deposited on the nodes by the transpose of the
// cubic interpolation; mass landing outside is frozen there (valued by g)
// or killed. The nodes carried are a range (liveRange), recorded for the
// backward iteration of horizonFloor, whose rows are the same range. A
// one-step law that is a quadrature rule is taken at level (discreteComps).
func forwardDiscrete(gr grid, sp Scheduled, q quadrature, level int) forwardRun {
	n, nf := len(gr.x), len(gr.gs)
	fr := forwardRun{e: make([][]float64, nf), floor: make([][]float64, nf)}
	p, next := make([]float64, n), make([]float64, n)
	deposit(gr, p, sp.X0, 1, nil) // the start, by the same interpolation
	comps, absGrad, local := discreteComps(gr, sp.System, level)
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
	comps, absGrad, local := discreteComps(gr, p.System, lawLevel)
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
