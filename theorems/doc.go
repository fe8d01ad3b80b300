// Package theorems encodes the paper's convergence bounds (Thms 4-7) as
// executable checks with statistical verdicts.
//
// # Index
//
//   - The theorems, one file each, every hypothesis, bound and equation
//     number stated there: [Thm4], [Thm5], [Thm6Printed], [Thm6Eta],
//     [Thm6Corrected], [Thm7]; [All] and [ByID] list them.
//   - A [Theorem] is a value: its name, references, method, whether it
//     assumes a Robbins-Monro schedule, and the noise class that yields its
//     [Constants].
//   - [Check] checks a theorem on a configuration (mc.Config) under
//     [Options] and returns a [Report]: the [Hypothesis] list, a [Verdict]
//     per target and horizon, the SDE integrator's [Resolution], the worst
//     [Outcome]. [AdmissibleSchedule] builds a theorem's admissible schedule.
//   - [BoundTest] is the one-sided decision every verdict uses.
//
// Weak error lives in theorems/weak; Figure 1, the pinned set, the random
// campaign and the findings in theorems/studies.
//
// # The form of every check
//
// Every bound of Thms 4-7 has the form
//
//	(A1 E[I1] + A2 E[I2]) / (A1 phi1 + A2 phi2)  <=  (f(X0) - f* + C phi2) / (A1 phi1 + A2 phi2)
//
// with I1 = int eta_s ||grad f(X_s)||^2 ds and I2 = int eta_s^2 ||grad f||^2 ds
// (Thms 4-6: A1 = 1 - eps, A2 = 0; Thm 7: A1 = ell_nu/sigma_H,
// A2 = -eta L1 d/(2N), the weights w_t of its random time), and every
// admissibility condition the form
//
//	eta eta_t <= Num / (A + B G_t),
//
// G_t = E||grad f(X_t)|| (ensemble reading) or ||grad f(X_t)|| (pathwise).
// A check therefore tests, per path, Y = A1 I1 + A2 I2 - C phi2 against
// Delta = f(X0) - f*: PASS when the upper confidence limit of E[Y] is below
// Delta, FAIL when the lower limit is above it, INCONCLUSIVE otherwise, and
// VACUOUS when a hypothesis did not hold (the theorem says nothing).
//
// The readings are explicit: Thm 6 "as printed" (eq. 6 drops the factor eta
// of the proof's Ito term) and "with eta"; the admissibility condition in
// the ensemble and the pathwise reading; ell_nu a setting defaulting to
// 2 Xi_nu(1). The checks run the SDE (Euler-Maruyama, adaptive substeps,
// refined once and extrapolated, checked for resolution) and, separately,
// the discrete method.
//
// References: paper Sec. 4.2 (Thms 4-7, eqs. 1-7), App. A (Thms 8-10, 12,
// eqs. 9-10, 21, 26, 29-30, 45-48, 53); docs/math.md sections 3 and 6.
package theorems
