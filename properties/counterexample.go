package properties

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sdeverify/sdeverify/internal/atomicfile"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/theorems"
)

// CounterexampleDir is where FAILs found by the properties are saved.
const CounterexampleDir = "testdata/counterexamples"

// Meta describes a saved counterexample; the configuration itself is in
// NAME.json beside it.
type Meta struct {
	Property string           `json:"property"`
	Theorem  string           `json:"theorem"`
	Reading  theorems.Reading `json:"reading"`
	Outcome  theorems.Outcome `json:"outcome"` // the SDE's outcome when it was saved
	Replay   []string         `json:"replay"`
}

// Save writes a counterexample: the configuration (with the admissible
// schedule already in it) and its meta file. It overwrites an earlier save
// of the same property, so that the last, shrunk one remains.
func Save(property string, th string, reading theorems.Reading, cfg mc.Config, outcome theorems.Outcome) (string, error) {
	if err := os.MkdirAll(CounterexampleDir, 0o755); err != nil {
		return "", err
	}
	name := strings.ReplaceAll(property, "/", "_")
	p := filepath.Join(CounterexampleDir, name+".json")
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return "", err
	}
	if err := atomicfile.Write(p, append(b, '\n')); err != nil {
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
	return p, atomicfile.Write(filepath.Join(CounterexampleDir, name+".meta.json"), append(mb, '\n'))
}

// PowerRow is one row of the false-alarm and detection table.
type PowerRow struct {
	Name     string  `json:"name"`
	Kind     string  `json:"kind"` // "false alarm" or "mutant"
	Runs     int     `json:"runs"`
	Flagged  int     `json:"flagged"`
	Rate     float64 `json:"rate"`
	Lo       float64 `json:"lo"`
	Hi       float64 `json:"hi"`
	Required string  `json:"required"`
	OK       bool    `json:"ok"`
}

// PowerTable is the measured false-alarm and detection table that TestPower
// writes to testdata/power.json and the report renders.
type PowerTable struct {
	Command string     `json:"command"`
	Rows    []PowerRow `json:"rows"`
}
