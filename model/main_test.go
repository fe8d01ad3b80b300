package model_test

import (
	"testing"

	"github.com/sdeverify/sdeverify/internal/testseed"
	// The built-in kinds, registered for the specs these tests decode.
	_ "github.com/sdeverify/sdeverify/model/builtin"
)

// TestMain fixes rapid's seed unless one is given (internal/testseed), so
// that go test ./... is deterministic (-rapid.seed=N explores other inputs).
func TestMain(m *testing.M) { testseed.Main(m) }
