package properties

import (
	"testing"

	"github.com/sdeverify/sdeverify/internal/testseed"
)

// Main is a TestMain for a package of property tests, such as a kind's
// outside the core (examples/extend): it fixes rapid's seed unless one is
// given (-rapid.seed=N or RAPID_SEED explores other inputs), so that go
// test gives the same verdicts on every run, then runs the tests and
// exits with their status.
//
//	func TestMain(m *testing.M) { properties.Main(m) }
func Main(m *testing.M) { testseed.Main(m) }
