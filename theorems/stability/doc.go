// Package stability draws stability maps: for one method in d = 1 and each
// of its models (the discrete method and every SDE model registered with
// the exact engine that applies to it, [Models]), the probability of
// reaching |x| >= R by the horizon and E[f - f* | stayed] there, as
// functions of the step size eta on a grid and of a noise or compression
// parameter, with the critical step of each model and its uncertainty
// (docs/math.md section 9).
//
// # Index
//
//   - [Spec] is a map to compute: a one-dimensional configuration with a
//     constant schedule, the eta grid, the horizon T (eta runs T/eta
//     steps), the thresholds R, the level q, an [Axes] parameter and its
//     values, the models; [Compute] returns the [Map].
//   - A [Map] holds one [Curve] per model, axis value and threshold: its
//     [Point]s (p(eta, R) and the conditional mean, each with the exact
//     engine's error estimate; for an SDE model also Ville's bound and
//     Feller's class of infinity) and its [Critical] step; the
//     [RadiusCheck]s (where p(eta, R) has converged in R, where it keeps
//     falling) and the [Verdict]s (does an SDE model's critical step come
//     within a factor of the discrete method's?).
//   - [CriticalStep] computes a critical step from a curve's points.
//   - [PaperMaps] are the report's maps of the paper's three methods (DSGD
//     on x^4/4 and cosh, DCSGD over omega, DSignSGD over the Cauchy scale),
//     [Figure1Point] the map at Figure 1's left-top point (finding F7).
//
// # Method
//
// Every point is the exact engine's (model/exact) with Settings.Absorb:
// the test function 1 gives S = P(|x_k| < R for k <= K), and
//
//	p(eta, R) = 1 - S,   E[f - f* | stayed] = E[f - f*; stayed] / S,
//
// with the error of S and (err A + |A/S| err S)/S. The critical step
// eta*(q) = min {eta : p(eta, R) >= q} lies, when p increases with eta,
// in the bracket (Lo, Hi] of the grid steps whose p is certainly below q
// (p + err < q) and certainly above it (p - err >= q); bisection in log
// eta (Spec.Refine) narrows it until a point's bar straddles q. The
// interpolated estimate takes log p linear in log eta between the grid
// steps around the crossing, and the same interpolation of p + err and
// p - err gives its interval.
//
// References: docs/math.md sections 7, 8 and 9;
// FINDINGS.md F6, F7.
package stability
