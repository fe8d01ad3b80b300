package reports

import (
	"bytes"
	"github.com/sdeverify/sdeverify/model/mc"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdeverify/sdeverify/theorems/weak"
)

// TestWeakModelAndUnresolved: a weak study against the second-order SDE
// model says so in its title and sentence, and the etas the exact engine
// left unresolved are named in report.md and index.html.
func TestWeakModelAndUnresolved(t *testing.T) {
	t.Parallel()
	w := &weak.Result{Method: "dsgd", Model: "second-order", Engine: mc.EngineExact, Horizon: 1, Coupled: "exact laws",
		Unresolved: []string{"0.1", "0.05"},
		Points:     []weak.Point{{Eta: 0.025, Steps: 40, Tests: []weak.Err{{Test: "f - f*", Err: 1e-4, SE: 1e-9, Resolved: true}}, ODE: []weak.Err{{Test: "f - f*", Err: 1e-2, SE: 1e-9, Resolved: true}}}}}
	var b bytes.Buffer
	WeakMarkdown(&b, w)
	for _, want := range []string{"against its second-order SDE model", "Left out of every fit, the exact engine could not bound their values: 0.1, 0.05."} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("WeakMarkdown lacks %q:\n%s", want, b.String())
		}
	}
	dir := filepath.Join(t.TempDir(), "out")
	if err := Write(dir, &Report{Command: "test", Weak: []*weak.Result{w}}); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	for _, want := range []string{"Weak error: dsgd, against the second-order SDE model", "the exact engine could not bound their values: 0.1, 0.05."} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	// The method's own SDE (the registry's first-order model, or no name)
	// is not named; a model this binary does not know is.
	for _, c := range []struct {
		model string
		named bool
	}{{"", false}, {"first-order", false}, {"second-order", true}, {"not-registered", true}} {
		if got := strings.Contains(weakTitle(&weak.Result{Method: "dsgd", Model: c.model}), "against the"); got != c.named {
			t.Errorf("model %q: named in the title = %v, want %v", c.model, got, c.named)
		}
	}
}
