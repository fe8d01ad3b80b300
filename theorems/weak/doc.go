// Package weak estimates the weak error of each discrete method against
// its SDE model (paper Def. 3, docs/math.md section 5):
//
//	err(eta) = max_{k <= T/eta} |E g(x_k) - E g(X_{k eta})|
//
// # Index
//
//   - [Estimate] runs a study over an eta grid under [Options] and returns a
//     [Result]: a [Point] per eta with an [Err] per test function ([TestFunc],
//     [DefaultTests]: f - f* and ||x||^2), the gradient-flow baseline, the
//     relative error of the variance, and a [Fit] of the order per test.
//   - [Result.CheckExact] compares a Monte Carlo study with the same study
//     by the exact engine ([Exact]), point by point ([ExactCheck]).
//   - [Options].Model names the SDE model, any model registered with the
//     exact engine (exact.ModelNames: first-order, second-order, or one a
//     user registers, docs/math.md 7.4); Monte Carlo simulates only the
//     method's own SDE (exact.Simulated), [Exact] computes any of them.
//
// # Method
//
// X is the SDE by Euler-Maruyama on Substeps = m and 2m substeps per
// optimiser step on the same Brownian path, extrapolated to zero substep:
//
//	E g(X) ~ 2 E g(Y_2m) - E g(Y_m),
//
// with the refined level's estimated bias |E g(Y_m) - E g(Y_2m)| as each
// error's Bias, beside its standard error (Estimate; the theorem checks
// refine their SDE the same way). Each path runs the discrete method and
// the SDE side by side. Where every agent's
// noise is Gaussian and the discrete step is one Euler step of the SDE
// (model.GaussianStep: DSGD) the two are coupled: the discrete step's normal
// draw is the sum of the SDE's substep increments over the step (the same
// joint law as a Brownian bridge conditioned on the discrete draw), so the
// SDE's increment over a step is exactly the discrete method's noise, and
// the paired differences g(x_k) - g(X_k) have a much smaller variance. Otherwise (Student-t noise, compressors, signs) the two
// are independent, and the result says so.
//
// Beside g = f - f* and ||x||^2 the estimator reports the gradient flow
// dX = -eta_t b(X) dt (RK4) as a baseline (weak order 1 in E f too, since the noise
// moves E f only at order eta), and the relative error of the total
// variance sum_j Var(x_{K,j}) at the horizon, which only the noise sets.
//
// References: paper Def. 3; docs/math.md section 5.
package weak
