// Package properties holds sdeverify's property-based tests: rapid
// generators of random (L0,L1)-smooth objectives, noise, compressors,
// agents and schedules; one property per theorem and reading (every
// generated configuration that meets the hypotheses gets a verdict other
// than FAIL on the SDE); component properties (certificates, compressors,
// one-step moments, determinism); fuzz targets for every property; and the
// measurement of the suite's own false-alarm and detection rates (testing
// the tests), written to testdata/power.json for the report.
//
// Tiers: the default runs a few rapid checks per property (TestMain lowers
// rapid's default of 100 to 8 unless -rapid.checks is given); -short runs
// fewer; the deep tier is -rapid.checks=N with SDEVERIFY_DEEP=1, which also
// raises paths and horizons. Every test run prints its family-wise
// false-alarm budget and the coverage of the regimes it generated.
//
// A FAIL shrinks to a minimal configuration and is saved twice: rapid's
// fail file under testdata/rapid/, and testdata/counterexamples/NAME.json
// (an mc.Config that 'sdeverify simulate -config' and 'sdeverify check'
// accept) with NAME.meta.json (theorem, reading, outcome, replay commands).
// Saved counterexamples replay as pinned tests (TestSavedCounterexamples).
//
// # Index
//
//   - [Drawer] draws a generator's choices (model/gen) through rapid.
//   - [Save] writes a shrunk counterexample and its [Meta] under
//     [CounterexampleDir].
//   - [PowerTable] and [PowerRow]: the measured false-alarm and detection
//     rates, as TestPower writes them.
package properties
