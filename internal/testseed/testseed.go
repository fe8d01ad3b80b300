// Package testseed makes a test binary's rapid properties deterministic:
// Main fixes rapid's seed unless one is given (-rapid.seed=N or
// RAPID_SEED explores other inputs), so that go test ./... gives the same
// verdicts on every run (STATISTICS.md: the false-failure rate is stated
// for this seed's draws).
package testseed

import (
	"flag"
	"os"
	"testing"
)

// Seed is the rapid seed of go test ./....
const Seed = "20261125"

// Main is a TestMain: it fixes rapid's seed unless one is given, then runs
// the tests and exits with their status.
func Main(m *testing.M) {
	flag.Parse()
	seeded := false
	flag.Visit(func(f *flag.Flag) { seeded = seeded || f.Name == "rapid.seed" })
	if !seeded && os.Getenv("RAPID_SEED") == "" {
		flag.Set("rapid.seed", Seed)
	}
	os.Exit(m.Run())
}
