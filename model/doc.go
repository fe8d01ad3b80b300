// Package model holds the mathematics that sdeverify checks: (L0,L1)-smooth
// objectives with their certificates, the agents' gradient noise,
// compressors, learning-rate schedules, the Student-t helpers Xi_nu and
// ell_nu, and the methods (update rules) with their SDE models.
//
// (L0,L1)-smoothness (paper Def. 1): for all x
//
//	||Hess f(x)||_op <= L0 + L1 ||grad f(x)||_2.
//
// A Certificate is a pair (L0, L1) that the code claims for an objective;
// every claim is checked by property tests on random points.
//
// Agent i sees g_i(x) = grad f(x) + Z_i(x). The noise models are
//
//	Gaussian:  Z_i ~ N(0, s_i(x)^2 I),  s_i(x)^2 = sigma0_i^2 + sigma1_i^2 ||grad f(x)||^2
//	StudentT:  Z_i = diag(scale_i) T,   T_j i.i.d. t_nu
//
// and the compressors C are unbiased with E||C(v)-v||^2 <= omega ||v||^2
// (Identity, Bernoulli, RandK, QSGD), or the biased Sign.
//
// # Index
//
//   - Objectives: the [Objective] interface, the [Atom]s ([Quartic], [Power],
//     [Cosh], [LogCosh], [Square], [ExpLinear], [Scaled]), their sums
//     [Separable] and [Homogeneous], [Quadratic], [Shifted], [Rotated], and
//     the [Certificate] each carries ([Certified] for a chosen pair).
//   - Noise ([Noise]: [Gaussian], [StudentT]; [Xi], [EllNu]), compressors
//     ([Compressor]: [Identity], [Bernoulli], [RandK], [QSGD], [Sign]) and
//     schedules ([Schedule]: [Constant], [InvSqrt], [Inv], [Normalized];
//     [Phi]).
//   - Methods: a [Method] is an update rule with its first-order SDE, one
//     file each registering itself: the paper's [DSGD], [DCSGD],
//     [DSignSGD], and the agent-map rules [ClippedSGD], [NormalizedSGD],
//     [L0L1GD], each an [AgentMap] made a method by [AgentRule]
//     (model/agentrule.go, the API a user's rule outside the core uses, as
//     examples/extend/softclip does; model/agentmap.go: the SDE's
//     coefficients in d = 1 in closed form or by quadrature over a
//     [CDFer]'s CDF, the exact law; [EstimateMoments] in any d); [BuildMethod] by name and parameters; capabilities
//     [NeedsCompressor], [GradientDrift], [System.StepDraws] (a step's
//     random draws, for the benchmark's floor); what the exact engine
//     (model/exact) asks in d = 1 (model/law1d.go): a method's one-step
//     law [Law1Der] and SDE coefficients [SDE1Der], [Lattice1Der],
//     [Width1Der], [UpdateBounder]; a noise law's [Normal1Der],
//     [ZeroScaler], [CDFer], [Quantiler]; a compressor's [Keeper1D].
//   - Dynamics: a [System] (objective, [Agent]s, [Method]) steps the
//     discrete method ([System.DiscreteStep]) or its SDE with an
//     [Integrator] ([System.SDEStep]).
//   - Kinds: each noise law, compressor, atom, schedule and method is one file that
//     registers itself ([Register], a [Kind]: its name in configurations,
//     its parameters, its documentation, its draw); [Kinds] lists a sort's
//     kinds for the schema, the generators and the command line. What only
//     some kinds can do is an optional interface ([VarianceBounder],
//     [TScaler], [Unbiased], [ConstantRater]); the steps' fast paths ask
//     unexported ones in the built-in kinds' files (kit.GaussianLaw,
//     kit.SparseCompressor, kit.CubeStepper, ScalarSDEr, kit.ScalarSignMomenter,
//     signStepper, GradStepper, StepDrawer). docs/extending.md adds a kind
//     of each sort.
//   - The JSON forms of all of these: [ObjectiveSpec], [AtomSpec],
//     [AgentSpec], [NoiseSpec], [CompressorSpec], [ScheduleSpec],
//     [ModelSpec] (model/spec.go, model/kindspec.go), each with Build;
//     errors are [FieldError]s.
//   - Randomness: [Rand] (xoshiro256++ with its own ziggurat).
//
// Model values hold parameters only: they are safe to share between
// goroutines, take their randomness from an explicit *Rand (xoshiro256++,
// one stream per path; see rand.go), write their
// results into a dst slice and do not allocate in per-step calls. Each has
// Validate, which names the offending field and value.
//
// References: paper Def. 1 (smoothness), Def. 2 ((sigma0,sigma1)-variance),
// Sec. 4 (schedules eta*eta_t, phi^1, phi^2, Robbins-Monro), eqs. 8, 27-28,
// 49-52 (SDE models), eq. 51 (Xi_nu), docs/math.md sections 1-2.
package model
