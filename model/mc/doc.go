// Package mc is sdeverify's Monte Carlo engine: per-path random streams,
// streaming statistics, the ensemble that advances M paths in lockstep, and
// the statistical tests every Monte Carlo assertion uses.
//
// # Index
//
//   - An experiment as data: [Config] (JSON; [DecodeConfig], [ParseConfig]),
//     made of model's spec types and a [CheckpointSpec]; [Config.Resolve]
//     validates it, fills its defaults and returns a [Run];
//     [Config.Validate] checks a typed one without changing it.
//   - [Simulate] runs a [Run] (discrete method or SDE, [Model]) and returns
//     a [Result]: a [Checkpoint] per recorded step with [Stat]s, quantiles,
//     per-path [PathValue]s and the SDE's [Substeps].
//   - [Run.ExactProblem] and [Run.ExactScheduled] hand a one-dimensional
//     run to the exact engine (model/exact, which does not import this
//     package).
//   - Randomness: [Stream] and [StreamSeed]; the paths' blocks of
//     [BlockSize] (the parallel-for is internal/parallel).
//   - Statistics: [Moments], [Sums], [Quantile]; tests [ZTest], [ZTestSE],
//     [ZCrit], [DKWEpsilon], [ClopperPearson]; JSON's non-finite numbers:
//     [Finite], [OrNaN].
//
// Streams: path p of a run draws only from Stream(seed, p), so a run's
// numbers depend on (seed, p) alone, never on the worker count or
// GOMAXPROCS. Paths are grouped in fixed blocks of BlockSize; every
// reduction sums within a block in path order and then over blocks in block
// order, so sums are bit-identical however the blocks are scheduled.
//
// Passes: a pass advances every live path by one step (lockstep: the
// ensemble's statistics at step k are complete before step k+1, as a
// schedule that reads the ensemble needs). When the schedule reads only the
// clock, a pass takes up to 64 steps (a chunk), keeping each step's sums per
// block in path order, so the result is the one lockstep passes give, to
// the bit. One-dimensional discrete runs step a block of paths at once
// (model.System.DiscreteStepScalar), and the kernels draw from model.Rand
// with the generator inline; BenchmarkEnsemble* and `sdeverify figure1
// -bench` measure them against the random-number floor.
//
// Statistics: Moments is Welford's running mean and squared deviation,
// merged by Chan et al.'s pairwise formula. The tests return their evidence
// (estimate, standard error, threshold, false-alarm probability), never a
// bare bool:
//
//	two-sided z test at level alpha:   |est - target| / se > z_{1 - alpha/2}
//	DKW bound (Massart 1990):           P(sup |F_n - F| > e) <= 2 exp(-2 n e^2)
//	Clopper-Pearson interval for a binomial proportion.
//
// References: docs/math.md sections 2 (the engine's requirements) and 6 (the
// statistical decisions).
package mc
