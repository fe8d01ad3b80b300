package mc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/sdeverify/sdeverify/model"
	// The built-in kinds, registered for the decoder.
	_ "github.com/sdeverify/sdeverify/model/builtin"
	"github.com/sdeverify/sdeverify/model/objective"
)

// Config is one experiment as data: the JSON form of a Run. Decode it with
// DecodeConfig (unknown fields are errors) and turn it into a Run with
// Resolve, which fills every default and writes them back, so that the
// resolved Config records exactly what ran.
type Config struct {
	Objective objective.Spec    `json:"objective"`
	X0        []float64         `json:"x0"` // length d, or 1 for every coordinate
	Agents    []model.AgentSpec `json:"agents"`
	Method    string            `json:"method"` // a registered method: dsgd, dcsgd, dsignsgd, clipped-sgd, ...
	// MethodParams are the method's parameters ({"clip": 1} for
	// clipped-sgd); omitted for a method without any.
	MethodParams json.RawMessage    `json:"method_params,omitempty"`
	Model        model.ModelSpec    `json:"model"`
	Eta          float64            `json:"eta"`
	Schedule     model.ScheduleSpec `json:"schedule"`
	Steps        int                `json:"steps"`
	Paths        int                `json:"paths"`
	Seed         uint64             `json:"seed"`
	Checkpoints  CheckpointSpec     `json:"checkpoints"`
	DivergeAt    float64            `json:"diverge_at,omitempty"`
	Quantiles    []float64          `json:"quantiles,omitempty"`
}

// CheckpointSpec chooses the steps with full statistics: explicit steps
// (At), every Every steps, or about Count log-spaced steps. Step 0 and the
// last step are always included. The zero value means Count 50.
type CheckpointSpec struct {
	At    []int `json:"at,omitempty"`
	Every int   `json:"every,omitempty"`
	Count int   `json:"count,omitempty"`
}

// DecodeConfig reads one JSON Config; unknown fields and trailing data are
// errors.
func DecodeConfig(r io.Reader) (Config, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if dec.More() {
		return Config{}, fmt.Errorf("config: trailing data after the JSON object")
	}
	strict := json.NewDecoder(bytes.NewReader(raw))
	strict.DisallowUnknownFields()
	var c Config
	if err := strict.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if err := explicitZeros(raw); err != nil {
		return Config{}, err
	}
	return c, nil
}

// explicitZeros refuses a 0 written out where the field's zero value means
// its default (checkpoints' count 50; a schedule kind's parameter with a
// zero tag, as the constant schedule's value 1: model.ExplicitZero): a
// typed 0 asks for something else, and is not silently replaced.
func explicitZeros(raw []byte) error {
	var v struct {
		Schedule    json.RawMessage `json:"schedule"`
		Checkpoints struct {
			Every *json.Number `json:"every"`
			Count *json.Number `json:"count"`
		} `json:"checkpoints"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil // the typed decode has reported it
	}
	zero := func(n *json.Number) bool {
		if n == nil {
			return false
		}
		f, err := n.Float64()
		return err == nil && f == 0
	}
	if zero(v.Checkpoints.Every) {
		return model.Invalid("checkpoints.every", 0, "must be >= 1 (omit checkpoints for 50 log-spaced steps)")
	}
	if zero(v.Checkpoints.Count) {
		return model.Invalid("checkpoints.count", 0, "must be >= 1 (omit it for 50)")
	}
	field := "schedule"
	for sch := v.Schedule; len(sch) > 0; field += ".decay" {
		if err := model.ExplicitZero("schedule", sch); err != nil {
			return model.Prefix(field, err)
		}
		var s struct {
			Decay json.RawMessage `json:"decay"`
		}
		if json.Unmarshal(sch, &s) != nil {
			return nil
		}
		sch = s.Decay
	}
	return nil
}

// ParseConfig is DecodeConfig on bytes.
func ParseConfig(b []byte) (Config, error) { return DecodeConfig(bytes.NewReader(b)) }

// MemoryNeed estimates the bytes a run of c takes, from the spec alone
// (nothing is built): the paths' states and gradients (d values each), the
// per-path counters, the objective's own storage and the workers' scratch.
// Commands compare it with the machine's memory before any work.
func (c Config) MemoryNeed() float64 {
	d, m := float64(c.Objective.Dimension()), float64(max(c.Paths, 0))
	return 2*8*d*m + 160*m + c.Objective.MemoryNeed() + 64*9*8*d
}

// SimulatesSDE reports whether c's model.kind names the SDE (ParseModel),
// before c is resolved.
func (c Config) SimulatesSDE() bool {
	m, ok := ParseModel(c.Model.Kind)
	return ok && m == SDE
}

// Validate checks c as Resolve does (every error names the field and the
// value), without changing c: a configuration built in Go as a typed
// value (the studies' and the pinned cases') goes through it where one
// read from JSON goes through DecodeConfig; both are resolved again where
// they run.
func (c Config) Validate() error {
	c.Agents = slices.Clone(c.Agents) // Resolve fills each agent's count
	_, err := c.Resolve()
	return err
}

// Problem is the mathematics a configuration describes, apart from the
// step size, the horizon and the engine's settings: the system (objective,
// agents, method), the start and the schedule. Config.Problem builds and
// validates it alone; a study that chooses its own step sizes and horizons
// (the weak studies, the stability maps) starts from it, and Problem.Run
// makes the run at one step size.
type Problem struct {
	System   model.System
	X0       []float64 // len d
	Schedule model.Schedule
}

// Run returns the run of p with base step size eta over steps optimiser
// steps; the engine's settings are the zero values (a discrete run), for
// the caller to set.
func (p Problem) Run(eta float64, steps int) Run {
	return Run{System: p.System, X0: p.X0, Schedule: p.Schedule, Eta: eta, Steps: steps}
}

// Problem builds and validates the configuration's objective, method,
// agents, start and schedule (not its step size, horizon, model or
// recording), filling the agents' count defaults as Resolve does.
func (c *Config) Problem() (Problem, error) {
	f, err := c.Objective.Build()
	if err != nil {
		return Problem{}, model.Prefix("objective", err)
	}
	d := f.Dim()
	method, err := model.BuildMethod(c.Method, c.MethodParams)
	if err != nil {
		if fe := (*model.FieldError)(nil); errors.As(err, &fe) && fe.Field == "method" {
			return Problem{}, err
		}
		return Problem{}, model.Prefix("method_params", err)
	}
	sys := model.System{F: f, Method: method}
	if len(c.Agents) == 0 {
		return Problem{}, model.Invalid("agents", 0, "need at least one agent")
	}
	for i := range c.Agents {
		a := &c.Agents[i]
		p := fmt.Sprintf("agents[%d]", i)
		if a.Count < 0 {
			return Problem{}, model.Invalid(p+".count", a.Count, "must be >= 1 (0 means 1)")
		}
		if a.Count == 0 {
			a.Count = 1
		}
		nz, err := a.Noise.Build()
		if err != nil {
			return Problem{}, model.Prefix(p+".noise", err)
		}
		var cmp model.Compressor
		if a.Compressor != nil {
			if cmp, err = a.Compressor.Build(d); err != nil {
				return Problem{}, model.Prefix(p+".compressor", err)
			}
		}
		if model.NeedsCompressor(method) && cmp == nil {
			return Problem{}, model.Invalid(p+".compressor", nil, fmt.Sprintf("%s needs a compressor on every agent (identity for none)", method))
		}
		for range a.Count {
			sys.Agents = append(sys.Agents, model.Agent{Noise: nz, Compressor: cmp})
		}
	}
	x0 := c.X0
	switch len(x0) {
	case d:
	case 1:
		x0 = make([]float64, d)
		for j := range x0 {
			x0[j] = c.X0[0]
		}
	default:
		return Problem{}, model.Invalid("x0", fmt.Sprintf("length %d", len(c.X0)), fmt.Sprintf("must have length 1 or the dimension %d", d))
	}
	sched, err := c.Schedule.Build()
	if err != nil {
		return Problem{}, model.Prefix("schedule", err)
	}
	return Problem{System: sys, X0: x0, Schedule: sched}, nil
}

// Resolve validates c, fills its defaults in place and returns the Run:
// the Problem at c's step size and horizon, with the engine's settings.
func (c *Config) Resolve() (Run, error) {
	p, err := c.Problem()
	if err != nil {
		return Run{}, err
	}
	run := p.Run(c.Eta, c.Steps)
	run.Paths, run.Seed, run.DivergeAt, run.Quantiles = c.Paths, c.Seed, c.DivergeAt, c.Quantiles
	var ok bool
	if run.Model, ok = ParseModel(c.Model.Kind); !ok {
		return Run{}, model.Invalid("model.kind", fmt.Sprintf("%q", c.Model.Kind), "must be discrete or sde")
	}
	switch run.Model {
	case Discrete:
		if c.Model != (model.ModelSpec{Kind: c.Model.Kind}) {
			return Run{}, model.Invalid("model", c.Model.Kind, "discrete takes no scheme, substeps or stiffness")
		}
	case SDE:
		c.Model = c.Model.WithDefaults()
		if run.Integrator, err = c.Model.Integrator(); err != nil {
			return Run{}, model.Prefix("model", err)
		}
	}
	if c.Steps < 1 {
		return Run{}, model.Invalid("steps", c.Steps, "must be >= 1")
	}
	if run.Checkpoints, err = c.Checkpoints.resolve(c.Steps); err != nil {
		return Run{}, model.Prefix("checkpoints", err)
	}
	c.Checkpoints = CheckpointSpec{At: run.Checkpoints}
	return run, run.Validate()
}

func (c CheckpointSpec) resolve(steps int) ([]int, error) {
	set := 0
	for _, b := range []bool{c.At != nil, c.Every != 0, c.Count != 0} {
		if b {
			set++
		}
	}
	if set > 1 {
		return nil, model.Invalid("at", c.At, "give one of at, every, count")
	}
	var out []int
	add := func(k int) {
		if len(out) == 0 || out[len(out)-1] < k {
			out = append(out, k)
		}
	}
	switch {
	case c.At != nil:
		for i, k := range c.At {
			if k < 0 || k > steps || (i > 0 && k <= c.At[i-1]) {
				return nil, model.Invalid(fmt.Sprintf("at[%d]", i), k, fmt.Sprintf("must be increasing within [0, %d]", steps))
			}
		}
		add(0)
		for _, k := range c.At {
			add(k)
		}
	case c.Every != 0:
		if c.Every < 0 {
			return nil, model.Invalid("every", c.Every, "must be >= 1")
		}
		for k := 0; k <= steps; k += c.Every {
			add(k)
		}
	default:
		n := c.Count
		if n == 0 {
			n = 50
		}
		if n < 0 {
			return nil, model.Invalid("count", n, "must be >= 1")
		}
		if c.Count > steps {
			return nil, model.Invalid("count", n, fmt.Sprintf("more checkpoints than steps (%d)", steps))
		}
		add(0)
		for i := 1; i <= n; i++ {
			add(int(math.Round(math.Pow(float64(steps), float64(i)/float64(n)))))
		}
	}
	add(steps)
	return out, nil
}
