package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/sdeverify/sdeverify/internal/atomicfile"
	"github.com/sdeverify/sdeverify/internal/jsonfinite"
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/theorems/studies"
)

// checkOutFile checks, before any work, that a file can be written at
// path: its folder exists and accepts a new file (a usage error otherwise,
// naming the flag).
func checkOutFile(flagName, path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usageErr("%s = %s: is a folder, not a file", flagName, path)
	}
	return probeDir(flagName, path, filepath.Dir(path))
}

// checkOutDir checks, before any work, that a report folder can be made at
// path: it is a folder that accepts files, or its nearest existing parent
// is.
func checkOutDir(flagName, path string) error {
	dir := path
	for {
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return usageErr("%s = %s: %s is a file, not a folder", flagName, path, dir)
			}
			return probeDir(flagName, path, dir)
		}
		if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return usageErr("%s = %s: %v", flagName, path, err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return usageErr("%s = %s: no existing parent folder", flagName, path)
		}
		dir = parent
	}
}

func probeDir(flagName, path, dir string) error {
	f, err := os.CreateTemp(dir, ".sdeverify-probe-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return usageErr("%s = %s: cannot write in %s: %v", flagName, path, dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// writeJSON writes v as indented JSON, whole or not at all, with every
// non-finite number as null (encoding/json refuses NaN and +-Inf).
func writeJSON(path string, v any) error {
	b, err := jsonfinite.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return atomicfile.Write(path, append(b, '\n'))
}

// maxConfigBytes bounds a config file (the largest shipped example is a
// few kB; a quadratic's matrix in dimension 1000 about 20 MB).
const maxConfigBytes = 64 << 20

// readConfig reads a config file of at most maxConfigBytes (so that
// -config /dev/zero is refused, not read without end).
func readConfig(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, usageErr("%s: %v", path, err)
	}
	if len(b) > maxConfigBytes {
		return nil, usageErr("%s: larger than %s: not a config", path, bytesText(maxConfigBytes))
	}
	return b, nil
}

// configZeros refuses, in a config, a 0 written out where the field's
// zero value means its default and a typed 0 would mean something else:
// an agent's count (omitted: 1 agent), an SDE model's substeps (omitted:
// 1), max_substeps (omitted: max(1000, substeps)) and stiffness (omitted:
// 0.1; a negative stiffness turns the adaptive substeps off).
func configZeros(raw []byte) error {
	var v struct {
		Agents []struct {
			Count *json.Number `json:"count"`
		} `json:"agents"`
		Model struct {
			Substeps    *json.Number `json:"substeps"`
			MaxSubsteps *json.Number `json:"max_substeps"`
			Stiffness   *json.Number `json:"stiffness"`
		} `json:"model"`
	}
	if json.Unmarshal(raw, &v) != nil {
		return nil // the typed decode has reported it
	}
	zero := func(n *json.Number) bool {
		if n == nil {
			return false
		}
		f, err := n.Float64()
		return err == nil && f == 0
	}
	for i, a := range v.Agents {
		if zero(a.Count) {
			return model.Invalid(fmt.Sprintf("agents[%d].count", i), 0, "must be >= 1 (omit it for 1 agent)")
		}
	}
	switch {
	case zero(v.Model.Substeps):
		return model.Invalid("model.substeps", 0, "must be >= 1 (omit it for 1)")
	case zero(v.Model.MaxSubsteps):
		return model.Invalid("model.max_substeps", 0, "must be >= substeps (omit it for max(1000, substeps))")
	case zero(v.Model.Stiffness):
		return model.Invalid("model.stiffness", 0, "must be > 0, or < 0 to turn the adaptive substeps off (omit it for 0.1)")
	}
	return nil
}

// availableMemory returns the machine's available memory in bytes
// (MemAvailable of /proc/meminfo), or 0 when it cannot be read.
func availableMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// maxWork bounds the work of one command, in updates of one coordinate of
// one agent on one path over one step (substep, for an SDE; grid node, for
// the exact engine): 1e13 is about a day of one core. No legitimate run
// comes near it: Figure 1 at App. B's scale runs at most 1e9 a panel
// (centre: 1000 paths x 2000 steps x dimension 1000 x 1 agent), and the
// report's heaviest weak study about 1e10.
const maxWork = 1e13

// runSize is what a command will run, in float64 so that no product
// overflows: the config's sizes, possibly overridden by flags.
type runSize struct {
	cfgPath string
	cfg     mc.Config
	// Paths and Steps: the config's, or a flag's (weak: the sum over its
	// grid of horizon/eta). Paths 0: no paths (the exact engine).
	paths, steps float64
	// Copies of the paths' states kept at once (2 with refined twins, 3 for
	// weak's discrete method and SDE pair); runs: ensembles run one after
	// another (check: its targets and doublings).
	copies, runs float64
	// Nodes of the exact engine's grid (0: not used), and substeps per
	// step of its time stepping (or of the SDE's integrator).
	nodes, substeps float64
	// pathValues: every path's values are kept at each checkpoint
	// (mc.Run.KeepPathValues: check, for its per-path left-hand sides).
	pathValues bool
	// what names the flags that set paths and steps, for the message
	// (config fields otherwise).
	pathsName, stepsName, nodesName string
}

// newRunSize is the size of a run of cfg as configured.
func newRunSize(cfgPath string, cfg mc.Config, copies float64) runSize {
	s := runSize{cfgPath: cfgPath, cfg: cfg, paths: float64(max(cfg.Paths, 0)), steps: float64(max(cfg.Steps, 0)),
		copies: copies, runs: 1, substeps: 1, pathsName: "paths", stepsName: "steps", nodesName: "grid nodes"}
	if cfg.SimulatesSDE() {
		s.substeps = float64(max(cfg.Model.WithDefaults().Substeps, 1))
	}
	return s
}

// agents is the number of agents the config asks for (a count 0 means 1).
func (s runSize) agents() float64 {
	var n float64
	for _, a := range s.cfg.Agents {
		n += float64(max(a.Count, 1))
	}
	return max(n, 1)
}

// need estimates the bytes and the work of the run: the paths' states and
// counters (mc.Config.MemoryNeed), per step three series (ensemble
// gradient norm, live paths, rate), per agent its noise and compressor,
// per checkpoint its statistics (and with pathValues every path's
// values), and the exact engine's grid (about 32 kB a node, measured:
// 741 MB at 24000 nodes on weak-dsgd-sigma1-0.1). The work counts every
// path's update of each coordinate by each agent at each substep, the
// checkpoints' statistics over the paths, and the grid's kernels.
func (s runSize) need() (bytes, work float64) {
	c := s.cfg
	c.Paths = 0
	d := float64(max(c.Objective.Dimension(), 1))
	perPath := mc.Config{Objective: c.Objective, Paths: 1}.MemoryNeed() - c.MemoryNeed()
	bytes = c.MemoryNeed() + s.copies*s.paths*perPath + 24*s.steps + 64*s.agents() + 1024*s.checkpoints() + 32<<10*s.nodes
	if s.pathValues {
		bytes += s.copies * s.paths * s.checkpoints() * float64(unsafe.Sizeof(mc.PathValue{}))
	}
	work = s.runs * s.copies * s.paths * (s.steps*s.substeps*s.agents()*d + s.checkpoints()*d)
	if s.nodes > 0 {
		work += s.runs * s.nodes * s.steps * s.substeps * 64 // a kernel of about 64 nodes per node
	}
	return bytes, work
}

// checkpoints is how many checkpoints the config asks for (count's
// default 50; at most one per step).
func (s runSize) checkpoints() float64 {
	cp := s.cfg.Checkpoints
	switch {
	case cp.At != nil:
		return float64(len(cp.At))
	case cp.Every > 0:
		return s.steps / float64(cp.Every)
	case cp.Count > 0:
		return math.Min(float64(cp.Count), s.steps)
	}
	return math.Min(50, s.steps)
}

// sizes names the sizes behind an estimate, as the config's fields or the
// flags that set them.
func (s runSize) sizes() string {
	t := fmt.Sprintf("%s = %.6g", s.stepsName, s.steps)
	if s.paths > 0 {
		t += fmt.Sprintf(", %s = %.6g", s.pathsName, s.paths)
	}
	t += fmt.Sprintf(", agents %.6g, dimension %d", s.agents(), s.cfg.Objective.Dimension())
	if s.substeps > 1 {
		t += fmt.Sprintf(", substeps %.6g", s.substeps)
	}
	if s.nodes > 0 {
		t += fmt.Sprintf(", %s = %.6g", s.nodesName, s.nodes)
	}
	return t
}

// memoryShare is the share of the machine's available memory a run may
// be estimated to need: the estimates count the run's own data, and the
// rest is the margin for what they leave out (the Go runtime, the garbage
// collector's headroom, buffers) and for the other processes.
const memoryShare = 0.8

// checkNeed refuses, before anything is allocated, a run whose estimated
// memory exceeds what the machine has available or whose work exceeds
// maxWork, in one line naming the sizes. Every command that runs a config
// calls it.
func checkNeed(s runSize) error {
	for _, a := range s.cfg.Agents {
		if a.Count < 0 {
			return nil // Resolve names it
		}
	}
	bytes, work := s.need()
	if avail := availableMemory(); avail > 0 && bytes > memoryShare*float64(avail) {
		return usageErr("%s: the run needs about %s (%s), more than %.0f%% of the %s this machine has available: lower them",
			s.cfgPath, bytesText(bytes), s.sizes(), 100*memoryShare, bytesText(float64(avail)))
	}
	if work > maxWork {
		return usageErr("%s: the run needs about %.2g updates (%s), more than the limit %g (about a day of one core): lower them",
			s.cfgPath, work, s.sizes(), maxWork)
	}
	return nil
}

func bytesText(b float64) string {
	switch {
	case b >= 1<<40:
		return fmt.Sprintf("%.3g TB", b/(1<<40))
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.0f MB", b/(1<<20))
	}
	return fmt.Sprintf("%.0f kB", b/(1<<10))
}

// flagRules checks, right after parsing, the flags of the commands that
// run no config of the user's (their sizes are the suite's own): a value
// typed that the command would otherwise replace or misread, and the
// campaign's size (set: the flags given on the command line).
var flagRules = map[string]func(fs *flag.FlagSet, set map[string]bool) error{
	"verify":  verifyRule,
	"figure1": figure1Rule,
	"report":  reportRule,
	"pinned":  workersRule,
}

// flagInt is the value of fs's int flag name (0 if it has none: the rules
// check the flags a command has).
func flagInt(fs *flag.FlagSet, name string) int {
	if f := fs.Lookup(name); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			if v, ok := g.Get().(int); ok {
				return v
			}
		}
	}
	return 0
}

// flagString is the value of fs's flag name ("" if it has none).
func flagString(fs *flag.FlagSet, name string) string {
	if f := fs.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

func workersRule(fs *flag.FlagSet, set map[string]bool) error {
	if w := flagInt(fs, "workers"); w < 0 {
		return usageErr("-workers = %d: must be >= 0 (0: all cores)", w)
	}
	return nil
}

// caseFlag is -only's value: a case index, or none when the flag is not
// given (the help then shows no default).
type caseFlag struct{ j *int }

func (c *caseFlag) String() string {
	if c == nil || c.j == nil {
		return ""
	}
	return strconv.Itoa(*c.j)
}

func (c *caseFlag) Set(s string) error {
	v, err := strconv.ParseInt(s, 0, strconv.IntSize)
	if err != nil {
		return errors.New("parse error")
	}
	j := int(v)
	c.j = &j
	return nil
}

// Get is the case index, -1 for none.
func (c *caseFlag) Get() any { return c.index() }

func (c *caseFlag) index() int {
	if c.j == nil {
		return -1
	}
	return *c.j
}

// figure1Work bounds one Figure 1 run at App. B's scale: six panels of at
// most 1e9 updates each (see maxWork).
const figure1Work = 6e9

// figure1Rule bounds -bench's -runs by the work limit.
func figure1Rule(fs *flag.FlagSet, set map[string]bool) error {
	if err := workersRule(fs, set); err != nil {
		return err
	}
	if runs := flagInt(fs, "runs"); float64(runs)*figure1Work > maxWork {
		return usageErr("-runs = %d: about %.2g updates at the paper's scale, more than the limit %g (about a day of one core): lower it", runs, float64(runs)*figure1Work, maxWork)
	}
	return nil
}

// reportRule bounds the report's campaign and Monte Carlo weak studies
// (-campaign, -weak-paths), as verify's and weak's guards do.
func reportRule(fs *flag.FlagSet, set map[string]bool) error {
	if err := workersRule(fs, set); err != nil {
		return err
	}
	n, paths := flagInt(fs, "campaign"), flagInt(fs, "weak-paths")
	if n < 0 {
		return usageErr("-campaign = %d: must be >= 0 (0: no campaign)", n)
	}
	if paths < 0 {
		return usageErr("-weak-paths = %d: must be >= 0 (0: no Monte Carlo weak studies)", paths)
	}
	caseSize := studies.CaseSize{}.WithDefaults()
	if w := float64(n) * float64(caseSize.Paths) * campaignCaseWork; w > maxWork {
		return usageErr("-campaign = %d: about %.2g updates, more than the limit %g (about a day of one core): lower it, or run the campaign with verify in shards", n, w, maxWork)
	}
	if paths == 0 {
		return nil
	}
	for _, name := range mcWeakExamples {
		cfg, etas, horizon, err := weakExample(name)
		if err != nil {
			return err
		}
		// weak.Estimate: the discrete method and the SDE at m = 10 and
		// 2m substeps a step, three copies of the paths.
		size := newRunSize("examples/"+name, cfg, 3)
		size.steps, size.stepsName = 0, "horizon/eta summed over the etas"
		for _, eta := range etas {
			size.steps += horizon / eta
		}
		size.paths, size.pathsName, size.substeps = float64(paths), "-weak-paths", 1+3*10
		size.cfg.Checkpoints = mc.CheckpointSpec{At: []int{0}}
		if err := checkNeed(size); err != nil {
			return err
		}
	}
	return nil
}

// shardPattern is -shard's form, i/n, with nothing after it.
var shardPattern = regexp.MustCompile(`^[0-9]+/[0-9]+$`)

// campaignCaseWork bounds one campaign case's work (studies.CaseSize's
// defaults: at most 200 steps, dimension 5 and 4 agents), per path: two
// targets, refined twins, an SDE's 4 substeps a step.
const campaignCaseWork = 200 * 5 * 4 * 2 * 2 * 4

func verifyRule(fs *flag.FlagSet, set map[string]bool) error {
	if err := workersRule(fs, set); err != nil {
		return err
	}
	if only := flagInt(fs, "only"); set["only"] && only < 0 {
		return usageErr("-only = %d: must be >= 0 (a case index; omit it for the whole campaign)", only)
	}
	if sh := flagString(fs, "shard"); set["shard"] && !shardPattern.MatchString(sh) {
		return usageErr("-shard = %q: want i/n with 0 <= i < n", sh)
	}
	if fs.Lookup("n") == nil || fs.Lookup("paths") == nil {
		return nil
	}
	n, paths := flagInt(fs, "n"), flagInt(fs, "paths")
	if n < 1 {
		return usageErr("-n = %d: must be >= 1", n)
	}
	if paths < 2 {
		return usageErr("-paths = %d: must be >= 2", paths)
	}
	// The cases one invocation runs: one with -only, else this shard's.
	cases := float64(n)
	if set["only"] {
		cases = 1
	} else if sh := flagString(fs, "shard"); sh != "" {
		var i, k int
		if _, err := fmt.Sscanf(sh, "%d/%d", &i, &k); err == nil && k > 0 {
			cases = math.Ceil(float64(n) / float64(k))
		}
	}
	if w := cases * float64(paths) * campaignCaseWork; w > maxWork {
		return usageErr("-n = %d, -paths = %d: about %.2g updates for %.6g cases, more than the limit %g (about a day of one core): lower them or shard the campaign", n, paths, w, cases, maxWork)
	}
	// Two copies (the refined twins) of the paths' states, and each
	// path's values at the case's 3 checkpoints.
	need := mc.Config{Objective: objective.Spec{Dim: 5}, Paths: paths}.MemoryNeed()*2 +
		2*float64(paths)*3*float64(unsafe.Sizeof(mc.PathValue{}))
	if avail := availableMemory(); avail > 0 && need > memoryShare*float64(avail) {
		return usageErr("-paths = %d: a case needs about %s, more than %.0f%% of the %s this machine has available", paths, bytesText(need), 100*memoryShare, bytesText(float64(avail)))
	}
	return nil
}
