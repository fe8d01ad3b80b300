package exact

import "math"

// sdeFD computes E g(X_{k eta}) for k = 0..p.Steps of the SDE
// dX = mu dt + s dW (mu = -rate b, s^2 = rate^2 eta Sigma / N) by its
// backward equation du/dt = L u, L u = mu u' + D u” (D = s^2 / 2), on the
// grid: m implicit Euler substeps of length dt per step, u recorded at x0
// after each step. The result has the layout of backward's.
//
// Space: in the grid's coordinate xi (x = c sinh xi, or x = xi), L reads
// A v” + B v' with A = D / x'^2 and B = mu / x' - D x” / x'^3, and is
// discretised by exponential fitting (Il'in, Allen and Southwell): the
// diffusion A is replaced by A Pe coth(Pe), Pe = B dxi / (2A), which makes
// the off-diagonal weights
//
//	alpha_i = A_eff / dxi^2 + B / (2 dxi) >= 0,  beta_i = A_eff / dxi^2 - B / (2 dxi) >= 0
//
// for every Peclet number: the discrete generator is an M-matrix whose rows
// sum to 0, so that each substep is a positive operator that keeps
// constants (its adjoint is Chang and Cooper's positive, mass-conserving
// scheme for the Fokker-Planck equation). Where diffusion dominates it is
// the central second-order scheme; where drift dominates (D -> 0 at a
// minimiser with multiplicative noise) it tends to upwinding, first order:
// the spatial refinement of the caller measures that error.
//
// Boundary: u at +-Radius is held at the test function's value there (the
// mass beyond is valued by g, as in backward) or at 0 when the grid
// absorbs. Implicit Euler is unconditionally stable for the stiff
// diffusion far out (D grows like x^6 on a quartic with noise proportional
// to the gradient) and keeps positivity; the caller extrapolates over
// m, 2m, 4m substeps like the Euler-Maruyama levels.
//
// After the values come their error floors (out[nf+f]): the rounding of
// every substep's solve, 4 x 2^-52 of the largest |u| near x0 per substep
// (the solve is an M-matrix inverse, which does not amplify errors), and
// the final cubic interpolation to x0, 0.0235 of u's fourth difference
// there.
func sdeFD(gr grid, p Problem, dt float64, m int) [][]float64 {
	n, nf := len(gr.x), len(gr.gs)
	rate := p.rate()
	na := float64(len(p.System.Agents))
	// Tridiagonal (I - dt L) with its Thomas factorisation, once.
	lower, diag, upper := make([]float64, n), make([]float64, n), make([]float64, n)
	diag[0], diag[n-1] = 1, 1
	for i := 1; i < n-1; i++ {
		xi := gr.lo + float64(i)*gr.dx
		x := gr.x[i]
		b, sig := p.Coefficients(x)
		mu := -rate * b
		d := 0.5 * rate * rate * p.Eta * sig / na
		j, j2 := 1.0, 0.0 // x'(xi), x''(xi)
		if gr.c > 0 {
			j, j2 = gr.c*math.Cosh(xi), gr.c*math.Sinh(xi)
		}
		a := d / (j * j)
		bb := mu/j - d*j2/(j*j*j)
		aeff := fitted(a, bb, gr.dx)
		alpha := aeff/(gr.dx*gr.dx) + bb/(2*gr.dx)
		beta := aeff/(gr.dx*gr.dx) - bb/(2*gr.dx)
		alpha, beta = math.Max(alpha, 0), math.Max(beta, 0) // rounding at Pe -> inf
		lower[i], upper[i] = -dt*beta, -dt*alpha
		diag[i] = 1 + dt*(alpha+beta)
	}
	fac := factorTridiag(lower, diag, upper)
	cp, inv, li, ll, cc := fac.cp, fac.inv, fac.li, fac.ll, fac.cc
	u := make([]float64, n*nf)
	for i, x := range gr.x {
		for f, g := range gr.gs {
			u[i*nf+f] = g(x)
		}
	}
	bc := make([]float64, 2*nf) // boundary values: held fixed
	for f := range nf {
		bc[f], bc[nf+f] = gr.outside(f, gr.x[0]), gr.outside(f, gr.x[n-1])
	}
	out := make([][]float64, 2*nf)
	i0 := min(max(int(math.Round((gr.toXi(p.X0)-gr.lo)/gr.dx)), 2), n-3)
	substeps := 0
	record := func() {
		for f := range nf {
			out[f] = append(out[f], gr.at(u, f, p.X0))
			var mx float64
			for i := i0 - 2; i <= i0+2; i++ {
				mx = math.Max(mx, math.Abs(u[i*nf+f]))
			}
			d4 := u[(i0-2)*nf+f] - 4*u[(i0-1)*nf+f] + 6*u[i0*nf+f] - 4*u[(i0+1)*nf+f] + u[(i0+2)*nf+f]
			out[nf+f] = append(out[nf+f], 4*0x1p-52*mx*float64(substeps+1)+0.0235*math.Abs(d4))
		}
	}
	record()
	for range p.Steps {
		substeps += m
		for range m {
			// right-hand side: u with the boundary rows set; the sweeps
			// work in place, all functions together
			copy(u[:nf], bc[:nf])
			copy(u[(n-1)*nf:], bc[nf:])
			for f := range nf {
				u[f] *= inv[0]
			}
			if nf == 2 {
				sweep2(u, n, li, inv, cp, ll, cc)
				continue
			}
			for i := 1; i < n; i++ {
				row, prev := u[i*nf:i*nf+nf], u[(i-1)*nf:i*nf]
				l, iv := li[i], inv[i]
				for f := range row {
					row[f] = row[f]*iv - l*prev[f]
				}
			}
			for i := n - 2; i >= 0; i-- {
				row, next := u[i*nf:i*nf+nf], u[(i+1)*nf:(i+2)*nf]
				c := cp[i]
				for f := range row {
					row[f] -= c * next[f]
				}
			}
		}
		record()
	}
	return out
}

// tridiag is a tridiagonal matrix's Thomas factorisation: the forward
// elimination factors cp (upper / pivot), the reciprocals of the pivots
// inv and li = lower / pivot (the forward sweep's dependent chain is then
// one multiply and one subtract per node), with the products of
// consecutive factors ll and cc for sweep2.
type tridiag struct{ cp, inv, li, ll, cc []float64 }

// factorTridiag factors the matrix of the given bands (lower[0] and
// upper[n-1] unused), once for every solve.
func factorTridiag(lower, diag, upper []float64) tridiag {
	n := len(diag)
	f := tridiag{cp: make([]float64, n), inv: make([]float64, n), li: make([]float64, n), ll: make([]float64, n), cc: make([]float64, n)}
	f.inv[0] = 1 / diag[0]
	f.cp[0] = upper[0] * f.inv[0]
	for i := 1; i < n; i++ {
		f.inv[i] = 1 / (diag[i] - lower[i]*f.cp[i-1])
		f.cp[i] = upper[i] * f.inv[i]
		f.li[i] = lower[i] * f.inv[i]
	}
	for i := 2; i < n; i++ {
		f.ll[i] = f.li[i] * f.li[i-1]
	}
	for i := 0; i+1 < n; i++ {
		f.cc[i] = f.cp[i] * f.cp[i+1]
	}
	return f
}

// sweep2 solves the factored tridiagonal system in place for two
// interleaved right-hand sides (u[2i], u[2i+1]; u[0], u[1] already
// divided by the first pivot): the forward sweep p_i = a_i - l_i p_{i-1}
// (a_i = u_i inv_i) and the backward n_i = p_i - c_i n_{i+1}, each written
// two nodes at a time,
//
//	p_i = (a_i - l_i a_{i-1}) + l_i l_{i-1} p_{i-2},
//	n_i = (p_i - c_i p_{i+1}) + c_i c_{i+1} n_{i+2},
//
// with ll_i = l_i l_{i-1} and cc_i = c_i c_{i+1} precomputed, two nodes
// per iteration: the same solution up to rounding, with four independent
// chains where the plain sweeps have two. The sweeps were bound by their
// chains' latency, and Figure 1's top-row SDEs are thousands of them per
// node (BENCHMARKS.md, BenchmarkSweep2).
// TestSweep2 checks it against the plain sweeps.
func sweep2(u []float64, n int, li, inv, cp, ll, cc []float64) {
	u = u[: 2*n : 2*n]
	li, inv, cp, ll, cc = li[:n:n], inv[:n:n], cp[:n:n], ll[:n:n], cc[:n:n]
	pm2a, pm2b := u[0], u[1]
	aa, ab := u[2]*inv[1], u[3]*inv[1]
	pm1a, pm1b := aa-li[1]*pm2a, ab-li[1]*pm2b
	u[2], u[3] = pm1a, pm1b
	i := 2
	for ; i+1 < n; i += 2 {
		r := u[2*i : 2*i+4 : 2*i+4]
		iv0, iv1, l0, l1 := inv[i], inv[i+1], li[i], li[i+1]
		b0a, b0b := r[0]*iv0, r[1]*iv0
		b1a, b1b := r[2]*iv1, r[3]*iv1
		q0a := (b0a - l0*aa) + ll[i]*pm2a
		q0b := (b0b - l0*ab) + ll[i]*pm2b
		q1a := (b1a - l1*b0a) + ll[i+1]*pm1a
		q1b := (b1b - l1*b0b) + ll[i+1]*pm1b
		r[0], r[1], r[2], r[3] = q0a, q0b, q1a, q1b
		aa, ab = b1a, b1b
		pm2a, pm2b, pm1a, pm1b = q0a, q0b, q1a, q1b
	}
	for ; i < n; i++ {
		row := u[2*i : 2*i+2 : 2*i+2]
		iv, l := inv[i], li[i]
		ba, bb := row[0]*iv, row[1]*iv
		qa := (ba - l*aa) + ll[i]*pm2a
		qb := (bb - l*ab) + ll[i]*pm2b
		row[0], row[1] = qa, qb
		aa, ab = ba, bb
		pm2a, pm2b, pm1a, pm1b = pm1a, pm1b, qa, qb
	}
	np2a, np2b := u[2*(n-1)], u[2*(n-1)+1]
	ra, rb := u[2*(n-2)], u[2*(n-2)+1]
	np1a, np1b := ra-cp[n-2]*np2a, rb-cp[n-2]*np2b
	u[2*(n-2)], u[2*(n-2)+1] = np1a, np1b
	j := n - 3
	for ; j >= 1; j -= 2 {
		// nodes j and j-1
		r := u[2*(j-1) : 2*j+2 : 2*j+2]
		c0, c1 := cp[j], cp[j-1]
		s0a, s0b := r[2], r[3]
		s1a, s1b := r[0], r[1]
		q0a := (s0a - c0*ra) + cc[j]*np2a
		q0b := (s0b - c0*rb) + cc[j]*np2b
		q1a := (s1a - c1*s0a) + cc[j-1]*np1a
		q1b := (s1b - c1*s0b) + cc[j-1]*np1b
		r[2], r[3], r[0], r[1] = q0a, q0b, q1a, q1b
		ra, rb = s1a, s1b
		np2a, np2b, np1a, np1b = q0a, q0b, q1a, q1b
	}
	for ; j >= 0; j-- {
		row := u[2*j : 2*j+2 : 2*j+2]
		c := cp[j]
		sa, sb := row[0], row[1]
		qa := (sa - c*ra) + cc[j]*np2a
		qb := (sb - c*rb) + cc[j]*np2b
		row[0], row[1] = qa, qb
		ra, rb = sa, sb
		np2a, np2b, np1a, np1b = np1a, np1b, qa, qb
	}
}

// fitted returns the exponentially fitted diffusion a Pe coth(Pe),
// Pe = b h / (2a): a for small Pe, |b| h / 2 for a -> 0.
func fitted(a, b, h float64) float64 {
	half := math.Abs(b) * h / 2
	if a <= 0 {
		return half
	}
	pe := half / a
	if pe < 1e-4 {
		return a * (1 + pe*pe/3)
	}
	if pe > 40 {
		return half // coth(Pe) = 1 to double precision
	}
	return half / math.Tanh(pe)
}
