// Package exact computes expectations of the discrete methods and of their
// SDE models in one dimension deterministically, with an estimate of the
// numerical error of every value, so that Monte Carlo estimates (and the
// weak order) can be checked against numbers that carry no sampling noise.
//
// # Index
//
//   - A [Problem] (a one-dimensional model.System, x0, eta, a constant
//     schedule value, the steps; [FromConfig] builds one from an mc.Run) and
//     [Settings] (grid, radius, sinh map, absorption, quadrature, SDE
//     scheme and substeps).
//   - [Discrete] returns E g(x_k), k = 0..Steps, of DSGD (Gaussian noise),
//     DCSGD (Bernoulli compressors; rand-k and QSGD are the identity in
//     d = 1) or DSignSGD (Gaussian or Student-t noise, any nu > 0).
//   - [SDE] returns E g(X_{k eta}) of the method's SDE by Euler-Maruyama
//     ([SchemeEM]) or finite differences ([SchemeFD]); [Coefficients] gives
//     its drift and covariance at a point.
//   - [Batch] runs many of these at once, longest computation first, on
//     every core (the weak study's etas, Figure 1's series).
//   - Every number is a [Value]: the value and its error estimate.
//   - Tails: [Classify], [EscapeBound] and [RadialExplosion] decide finite
//     moments and explosion analytically (tails.go, explode.go).
//   - [Divergence] bounds E g(x_K) of DSGD and DCSGD from below where
//     escapes dominate it (unbounded noise on a power-law objective: the
//     bound tends to infinity as eta -> 0), and [Settings.Functional]
//     states what the engine computes instead when paths leave the grid
//     (divergence.go, functional.go; docs/math.md section 7.2).
//
// # Method
//
// Both schemes are backward (Kolmogorov) computations on a grid of
// [-Radius, Radius], uniform or uniform in xi with x = Map sinh(xi):
// u_0 = g and u_{j+1}(x) = E[u_j(X') | X = x], so that E g(x_k) = u_k(x0).
// For the discrete methods and Euler-Maruyama the one-step law given x is a
// finite mixture of normals and point masses: N(x - h f', h^2 Var/N^2) for
// DSGD; for DCSGD one normal per set of agents whose Bernoulli compressor
// keeps the coordinate (2^N sets); for DSignSGD the law of the sum of the N
// signs (+1 with probability (1 + E sign)/2), by dynamic programming over
// agents. u_j between nodes is 4-point cubic interpolation in xi, and a
// normal component is integrated against that interpolant: by 6-point
// Gauss-Hermite when it is narrower than the spacing, otherwise cell by
// cell with an analytic error bound (quadrature.go). The step is a
// sparse matrix (built once per problem, the schedule being constant) plus
// a constant vector: the mass that leaves the grid, valued by g, or killed
// when Settings.Absorb is set (then g = 1 gives the probability of staying
// in the grid, and 1 minus it the probability of escape).
//
// DSignSGD under a constant step h moves on the lattice x0 + j h/N (each
// step is h times the mean of N signs), and there Discrete and Forward
// compute its law on the lattice itself: no interpolation and no
// quadrature, exact up to rounding and the radius (the error estimate is
// the difference to the lattice on 1.5 times the radius, plus rounding).
// Settings.Interpolate asks for the interpolation grid instead.
//
// The SDE by Euler-Maruyama takes four levels of substeps per step (m/2,
// m, 2m, 4m for an even m), each computed in this way on the grid and on
// half its nodes, and extrapolates the finest three to zero substep length
// (emValue). By finite differences (sdeFD) it solves the backward equation
// with exponentially fitted differences (an M-matrix: positive, constants
// kept) and implicit Euler, extrapolated in time over m, 2m, 4m and in
// space over h, 2h, 4h; each substep is a tridiagonal solve, which long
// horizons need. The SDE is a model of the problem (Problem.Model): the
// paper's first-order SDE, or the second-order modified equation of DSGD
// and DCSGD (Problem.Coefficients).
//
// The error estimate of a value is the sum of its differences to the same
// computation on half the nodes, its radius term (radiusErr: 1.5 and, on a
// grid that holds the mass leaving it, 2.25 times the radius at the same
// spacing, with the geometric tail of the differences; a tail that does
// not converge makes the value unresolved, Value.Resolved false) and, for
// the SDE, its time error (emValue, sdeValue), plus a floor of rounding
// and interpolation errors carried through the iteration (localFloor). It
// is an a-posteriori estimate, checked against closed forms
// (Ornstein-Uhlenbeck, the geometric Brownian motion of noise proportional
// to the gradient), the two SDE schemes against each other, and the Monte
// Carlo engine in the tests.
//
// Schedules that change the step every step (time-only, the ensemble
// reading and the pathwise reading) are carried forward in time by
// [Forward], on windows of the grid that follow the law (forward.go); for
// the SDE's pathwise reading, whose rate is held from each step's start
// along the path, the step's kernel is interpolated in the held rate. Not
// covered: Student-t noise for DSGD and DCSGD.
//
// References: docs/math.md sections 2, 5, 7 and 8.
package exact
