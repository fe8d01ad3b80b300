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
		b, sig := Coefficients(p.System, x)
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
	// Thomas: forward elimination factors, kept for every solve.
	cp := make([]float64, n)
	den := make([]float64, n)
	den[0] = diag[0]
	cp[0] = upper[0] / den[0]
	for i := 1; i < n; i++ {
		den[i] = diag[i] - lower[i]*cp[i-1]
		cp[i] = upper[i] / den[i]
	}
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
	dp := make([]float64, n)
	out := make([][]float64, nf)
	record := func() {
		for f := range out {
			out[f] = append(out[f], gr.at(u, f, p.X0))
		}
	}
	record()
	for range p.Steps {
		for range m {
			for f := range nf {
				// right-hand side: u with the boundary rows set
				u[f], u[(n-1)*nf+f] = bc[f], bc[nf+f]
				dp[0] = u[f] / den[0]
				for i := 1; i < n; i++ {
					dp[i] = (u[i*nf+f] - lower[i]*dp[i-1]) / den[i]
				}
				u[(n-1)*nf+f] = dp[n-1]
				for i := n - 2; i >= 0; i-- {
					u[i*nf+f] = dp[i] - cp[i]*u[(i+1)*nf+f]
				}
			}
		}
		record()
	}
	return out
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
