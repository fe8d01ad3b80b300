// Package model is the core of the mathematics that sdeverify checks: the
// interfaces of (L0,L1)-smooth objectives with their certificates, of the
// agents' gradient noise, compressors, learning-rate schedules and methods
// (update rules) with their SDE models, the dynamics that step them, and
// the registry through which each kind, built in (model/objective,
// model/noise, model/compress, model/schedule, model/update) or a user's,
// registers itself.
//
// (L0,L1)-smoothness (paper Def. 1): for all x
//
//	||Hess f(x)||_op <= L0 + L1 ||grad f(x)||_2.
//
// A Certificate is a pair (L0, L1) that the code claims for an objective;
// every claim is checked by property tests on random points.
//
// Agent i sees g_i(x) = grad f(x) + Z_i(x) (model/noise), compressed by an
// unbiased C with E||C(v)-v||^2 <= omega ||v||^2 (model/compress) or the
// biased Sign.
//
// # Index
//
// Package model is the core: the interfaces and what every kind shares.
// The built-in kinds live in their own packages, each kind one file that
// registers itself, as a database/sql driver does: model/objective (atoms,
// their sums, quadratics, shifts, rotations and the objective's JSON form),
// model/noise, model/compress, model/schedule and model/update (the
// methods); model/builtin imports them all for the configuration's decoder.
//
//   - Objectives: the [Objective] and [Atom] interfaces, [Scaled] atoms,
//     the [Certificate] an objective carries ([Certified] for a chosen
//     pair), [GradBatch] and [ValueBatch].
//   - Noise ([Noise]), compressors ([Compressor], [Unbiased]; the biased
//     [Sign]) and schedules ([Schedule], [Clock], [Phi]).
//   - Methods: a [Method] is an update rule with its first-order SDE;
//     [BuildMethod] by name and parameters; capabilities [NeedsCompressor],
//     [GradientDrift], [GaussianStep], [System.StepDraws]; what the exact
//     engine (model/exact) asks in d = 1 (model/law1d.go): a method's
//     one-step law [Law1Der] and SDE coefficients [SDE1Der], [Lattice1Der],
//     [Width1Der], [UpdateBounder]; a noise law's [Normal1Der],
//     [ZeroScaler], [Quantiler]; a compressor's [Keeper1D]. The steps' fast
//     paths that take a System are [GradStepper], [ScalarSDEr],
//     [ScalarBatcher] and [StepDrawer]; the others are in
//     model/internal/kit, which the built-in kinds share.
//   - Dynamics: a [System] (objective, [Agent]s, [Method]) steps the
//     discrete method ([System.DiscreteStep]) or its SDE with an
//     [Integrator] ([System.SDEStep]).
//   - Kinds: [Register], a [Kind] (its name in configurations, its
//     parameters, its documentation, its draw); [Kinds] lists a sort's
//     kinds for the schema, the generators and the command line. What only
//     some kinds can do is an optional interface ([VarianceBounder],
//     [TScaler], [Unbiased], [ConstantRater], the lemmas' [PowerLawer],
//     [PowerSummer], [CompressedMeaner], [NormalScaler]). docs/extending.md
//     adds a kind of each sort.
//   - The JSON forms: [AtomSpec], [AgentSpec], [NoiseSpec],
//     [CompressorSpec], [ScheduleSpec], [ModelSpec] (model/spec.go,
//     model/kindspec.go; the objective's is objective.Spec), each with
//     Build; errors are [FieldError]s.
//   - Randomness: [Rand] (xoshiro256++ with its own ziggurat,
//     internal/rng).
//
// Model values hold parameters only: they are safe to share between
// goroutines, take their randomness from an explicit *Rand (xoshiro256++,
// one stream per path; internal/rng), write their
// results into a dst slice and do not allocate in per-step calls. Each has
// Validate, which names the offending field and value.
//
// References: paper Def. 1 (smoothness), Def. 2 ((sigma0,sigma1)-variance),
// Sec. 4 (schedules eta*eta_t, phi^1, phi^2, Robbins-Monro), eqs. 8, 27-28,
// 49-52 (SDE models), eq. 51 (Xi_nu), docs/math.md sections 1-2.
package model
