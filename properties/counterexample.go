package properties

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/reports"
	"github.com/sdeverify/sdeverify/theorems"
)

// CounterexampleDir is where FAILs found by the properties are saved.
const CounterexampleDir = "testdata/counterexamples"

// Meta describes a saved counterexample; the configuration itself is in
// NAME.json beside it.
type Meta struct {
	Property string           `json:"property"`
	Theorem  string           `json:"theorem"`
	Reading  string           `json:"reading"`
	Outcome  theorems.Outcome `json:"outcome"` // the SDE's outcome when it was saved
	Replay   []string         `json:"replay"`
}

// Save writes a counterexample: the configuration (with the admissible
// schedule already in it) and its meta file. It overwrites an earlier save
// of the same property, so that the last, shrunk one remains.
func Save(property string, th string, reading string, cfg mc.Config, outcome theorems.Outcome) (string, error) {
	if err := os.MkdirAll(CounterexampleDir, 0o755); err != nil {
		return "", err
	}
	name := strings.ReplaceAll(property, "/", "_")
	p := filepath.Join(CounterexampleDir, name+".json")
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return "", err
	}
	if err := reports.WriteFile(p, append(b, '\n')); err != nil {
		return "", err
	}
	m := Meta{Property: property, Theorem: th, Reading: reading, Outcome: outcome, Replay: []string{
		fmt.Sprintf("sdeverify check -theorem %s -reading %s -config properties/%s", th, reading, p),
		fmt.Sprintf("go test ./properties -run '%s$' (with the -rapid.failfile printed in the test log)", property),
	}}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	return p, reports.WriteFile(filepath.Join(CounterexampleDir, name+".meta.json"), append(mb, '\n'))
}
