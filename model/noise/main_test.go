package noise_test

import (
	"flag"
	"os"
	"testing"
)

// TestMain fixes rapid's seed unless one is given, so that go test ./... is
// deterministic (-rapid.seed=N explores other inputs).
func TestMain(m *testing.M) {
	flag.Parse()
	seeded := false
	flag.Visit(func(f *flag.Flag) { seeded = seeded || f.Name == "rapid.seed" })
	if !seeded && os.Getenv("RAPID_SEED") == "" {
		flag.Set("rapid.seed", "20261125")
	}
	os.Exit(m.Run())
}
