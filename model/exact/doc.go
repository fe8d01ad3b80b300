// Package exact computes expectations of the discrete methods and of their
// SDE models in one dimension deterministically, with an estimate of the
// numerical error of every value, so that Monte Carlo estimates (and the
// weak order) can be checked against numbers that carry no sampling noise.
//
// # Index
//
//   - A [Problem] (a one-dimensional model.System, x0, eta, a constant
//     schedule value, the steps; [FromConfig] builds one from an mc.Run) and
//     [Settings] (grid, radius, quadrature, SDE substeps).
//   - [Discrete] returns E g(x_k), k = 0..Steps, of DSGD (Gaussian noise),
//     DCSGD (Bernoulli compressors; rand-k and QSGD are the identity in
//     d = 1) or DSignSGD (Gaussian or Student-t noise, any nu > 0).
//   - [SDE] returns E g(X_{k eta}) of the method's SDE; [Coefficients] gives
//     its drift and covariance at a point.
//   - Every number is a [Value]: the value and its error estimate.
//
// # Method
//
// Both are backward (Kolmogorov) computations on a uniform grid of
// [-Radius, Radius]: u_0 = g and u_{j+1}(x) = E[u_j(X') | X = x] for the
// one-step law of X', so that E g(x_k) = u_k(x0). The one-step law given x is
// a finite mixture of normals and point masses: N(x - h f', h^2 Var/N^2) for
// DSGD; for DCSGD one normal per set of agents whose Bernoulli compressor
// keeps the coordinate (2^N sets); for DSignSGD the law of the sum of the N
// signs (+1 with probability (1 + E sign)/2), by dynamic programming over
// agents. Normal components are integrated by Gauss-Hermite quadrature, and
// u_j between nodes by 4-point cubic interpolation; where X' leaves the grid,
// u is taken to be g itself. The step is a sparse matrix (built once per
// problem, the schedule being constant) plus a constant vector.
//
// The SDE is Euler-Maruyama with m, 2m and 4m substeps per step, each level
// computed in this way, and extrapolated to zero substep length (three
// levels remove the c1/m and c2/m^2 terms of the scheme's weak error).
//
// The error estimate of a value is the sum of its differences to the same
// computation on half the nodes, on 1.5 times the radius (same spacing) and,
// for the SDE, to the two-level extrapolation. It is an a-posteriori
// estimate, checked against closed forms (Ornstein-Uhlenbeck, the geometric
// Brownian motion of noise proportional to the gradient) in the tests.
//
// Not covered: time-varying schedules, schedules that read the ensemble or
// the path, Student-t noise for DSGD and DCSGD, and the probability of
// escaping to infinity (mass beyond the grid is valued by g, not counted).
//
// References: docs/math.md sections 2, 5 and 7.
package exact
