// Package exact computes expectations of the discrete methods and of their
// SDE models in one dimension deterministically, with an estimate of the
// numerical error of every value, so that Monte Carlo estimates (and the
// weak order) can be checked against numbers that carry no sampling noise.
//
// # Index
//
// One line per file: its job and its entry points (math 7 is the
// engine's mathematics; every number is a [Value], a value and its error
// estimate).
//
//   - exact.go: the constant-schedule engine, backward in time. A
//     [Problem] (mc.Run.ExactProblem builds one from a run) and its
//     [Settings] (grid, radius, sinh map, absorption, quadrature, SDE
//     scheme and substeps); [Discrete] (the discrete method's law, from the
//     method's one-step law, model.Law1Der), [SDE] (the problem's SDE
//     model by Euler-Maruyama or finite differences), [Batch] and
//     [BatchAfter] (many jobs longest first on every core).
//   - plan.go: a job's passes (levels and refinement checks) and how their
//     results combine into values with error estimates (math 7).
//   - grid.go: the grids (uniform, sinh-mapped, a method's lattice).
//   - operator.go: the one-step operators (the discrete method's kernel,
//     the SDE's Euler-Maruyama kernel) built into rows over a grid;
//     [Coefficients].
//   - backward.go: the backward iteration E g(x_k) = (P^k g)(x_0) and the
//     floors of its numerical error.
//   - sdelevels.go: the SDE's Euler-Maruyama levels, their extrapolation
//     and error.
//   - models.go, modelfirst.go, modelsecond.go: the SDE models as
//     registered kinds ([SDEModel], [RegisterModel], [LookupModel],
//     [ModelNames]): the paper's first-order SDE and the second-order
//     modified equation (math 7.3).
//   - fd.go: the SDE's backward equation by exponentially fitted finite
//     differences and implicit Euler (sdeFD, the tridiagonal factors and
//     sweeps) (math 7).
//   - quadrature.go: a normal component of a one-step law integrated
//     against the grid's interpolant, the rule every kernel shares.
//   - forward.go: [Forward], the law carried forward in time under any
//     schedule ([Scheduled], [ForwardResult]): validation, the plan of
//     runs and refinements, their combination into values with errors,
//     and the pieces the runs share (math 7, math 7.1).
//   - forwarddiscrete.go: the discrete method's forward law
//     (forwardDiscrete) and the horizon's backward iteration that bounds
//     its error (horizonFloor).
//   - forwardfd.go: the SDE's forward law by the adjoint finite
//     differences on windows of the grid (forwardFD, the solver fdSolver),
//     and the pathwise reading's interpolation in the held rate.
//   - tails.go: [Classify] (which moments of the SDE's law are finite, and
//     whether it explodes) and [EscapeBound] (math 8).
//   - explode.go: [RadialExplosion], a certificate that the SDE of
//     DSGD or DCSGD on sum_j x_j^4/4 explodes in d dimensions (math 8,
//     math 9).
//   - divergence.go: [Divergence], a lower bound on E g(x_K) of DSGD and
//     DCSGD where escapes dominate it (unbounded noise on a power-law
//     objective: it tends to infinity as eta -> 0), and [PowerLaw]
//     (math 7.2).
//   - functional.go: [Settings.Functional], what the engine computes when
//     paths leave the grid, and [Settings.GridRadius] (math 7.2).
//
// What the engine asks of a kind is a capability in package model
// (model/law1d.go for the one-step laws and the SDE's coefficients,
// model/lemmas.go for the divergence and explosion lemmas); a kind
// without it is refused with the reason, and callers fall back to Monte
// Carlo. Timings: BENCHMARKS.md (BenchmarkForward*, BenchmarkSweep*).
//
// The sections of docs/math.md named "math N" above:
//
//   - math 7: docs/math.md#7-exact-laws-in-one-dimension
//   - math 7.1: docs/math.md#71-sde-verdicts-from-the-law
//   - math 7.2: docs/math.md#72-weak-error-when-the-method-can-diverge
//   - math 7.3: docs/math.md#73-sde-models-in-the-exact-engine-the-second-order-modified-equation
//   - math 8: docs/math.md#8-one-dimensional-diffusions-explosion-and-finite-moments
//   - math 9: docs/math.md#9-stability-maps-package-theoremsstability
//
// # Method
//
// Both schemes are backward (Kolmogorov) computations on a grid of
// [-Radius, Radius], uniform or uniform in xi with x = Map sinh(xi):
// u_0 = g and u_{j+1}(x) = E[u_j(X') | X = x], so that E g(x_k) = u_k(x0).
// For the discrete methods and Euler-Maruyama the one-step law given x is a
// finite mixture of normals and point masses, which the method gives
// (model.Law1Der; the agent-map rules a quadrature rule over the noise's
// quantiles, docs/math.md section 10): N(x - h f', h^2 Var/N^2) for
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
// [Forward], on windows of the grid that follow the law; for
// the SDE's pathwise reading, whose rate is held from each step's start
// along the path, the step's kernel is interpolated in the held rate. Not
// covered: Student-t noise for DSGD and DCSGD.
//
// References: docs/math.md sections 2, 5, 7 and 8.
package exact
