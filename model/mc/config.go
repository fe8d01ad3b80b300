package mc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/sdeverify/sdeverify/model"
)

// Config is one experiment as data: the JSON form of a Run. Decode it with
// DecodeConfig (unknown fields are errors) and turn it into a Run with
// Resolve, which fills every default and writes them back, so that the
// resolved Config records exactly what ran.
type Config struct {
	Objective   model.ObjectiveSpec `json:"objective"`
	X0          []float64           `json:"x0"` // length d, or 1 for every coordinate
	Agents      []AgentSpec         `json:"agents"`
	Method      string              `json:"method"` // dsgd, dcsgd, dsignsgd
	Model       ModelSpec           `json:"model"`
	Eta         float64             `json:"eta"`
	Schedule    ScheduleSpec        `json:"schedule"`
	Steps       int                 `json:"steps"`
	Paths       int                 `json:"paths"`
	Seed        uint64              `json:"seed"`
	Checkpoints CheckpointSpec      `json:"checkpoints"`
	DivergeAt   float64             `json:"diverge_at,omitempty"`
	Quantiles   []float64           `json:"quantiles,omitempty"`
}

// AgentSpec is Count identical agents (Count 0 means 1).
type AgentSpec struct {
	Noise      NoiseSpec       `json:"noise"`
	Compressor *CompressorSpec `json:"compressor,omitempty"`
	Count      int             `json:"count,omitempty"`
}

// NoiseSpec is gaussian (sigma0, sigma1) or student-t (nu, scale).
type NoiseSpec struct {
	Kind   string    `json:"kind"`
	Sigma0 float64   `json:"sigma0,omitempty"`
	Sigma1 float64   `json:"sigma1,omitempty"`
	Nu     float64   `json:"nu,omitempty"`
	Scale  []float64 `json:"scale,omitempty"`
}

// CompressorSpec is identity, bernoulli (p), randk (k, or omega giving
// k = round(d/(1+omega)) as in Figure 1) or qsgd (s).
type CompressorSpec struct {
	Kind  string  `json:"kind"`
	P     float64 `json:"p,omitempty"`
	K     int     `json:"k,omitempty"`
	Omega float64 `json:"omega,omitempty"`
	S     int     `json:"s,omitempty"`
}

// ModelSpec is discrete or sde. For sde the defaults are scheme tamed,
// substeps 1, stiffness 0.1 (a negative stiffness turns the adaptive
// substeps off) and max_substeps max(1000, substeps).
type ModelSpec struct {
	Kind        string  `json:"kind"`
	Scheme      string  `json:"scheme,omitempty"` // em or tamed
	Substeps    int     `json:"substeps,omitempty"`
	Stiffness   float64 `json:"stiffness,omitempty"`
	MaxSubsteps int     `json:"max_substeps,omitempty"`
}

// ScheduleSpec is constant (value), inv-sqrt or inv (clock: step or time),
// or normalized (num, a, b, reading: ensemble or pathwise, cap, decay).
type ScheduleSpec struct {
	Kind    string        `json:"kind"`
	Value   float64       `json:"value,omitempty"`
	Clock   string        `json:"clock,omitempty"`
	Num     float64       `json:"num,omitempty"`
	A       float64       `json:"a,omitempty"`
	B       float64       `json:"b,omitempty"`
	Reading string        `json:"reading,omitempty"`
	Cap     float64       `json:"cap,omitempty"`
	Decay   *ScheduleSpec `json:"decay,omitempty"`
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
	var c Config
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if dec.More() {
		return Config{}, fmt.Errorf("config: trailing data after the JSON object")
	}
	return c, nil
}

// ParseConfig is DecodeConfig on bytes.
func ParseConfig(b []byte) (Config, error) { return DecodeConfig(bytes.NewReader(b)) }

// Resolve validates c, fills its defaults in place and returns the Run.
func (c *Config) Resolve() (Run, error) {
	f, err := c.Objective.Build()
	if err != nil {
		return Run{}, model.Prefix("objective", err)
	}
	d := f.Dim()
	method, err := model.ParseMethod(c.Method)
	if err != nil {
		return Run{}, err
	}
	sys := model.System{F: f, Method: method}
	if len(c.Agents) == 0 {
		return Run{}, model.Invalid("agents", 0, "need at least one agent")
	}
	for i := range c.Agents {
		a := &c.Agents[i]
		p := fmt.Sprintf("agents[%d]", i)
		if a.Count < 0 {
			return Run{}, model.Invalid(p+".count", a.Count, "must be >= 1 (0 means 1)")
		}
		if a.Count == 0 {
			a.Count = 1
		}
		nz, err := a.Noise.build()
		if err != nil {
			return Run{}, model.Prefix(p+".noise", err)
		}
		var cmp model.Compressor
		if a.Compressor != nil {
			if cmp, err = a.Compressor.build(d); err != nil {
				return Run{}, model.Prefix(p+".compressor", err)
			}
		}
		if method == model.DCSGD && cmp == nil {
			return Run{}, model.Invalid(p+".compressor", nil, "dcsgd needs a compressor on every agent (identity for none)")
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
		return Run{}, model.Invalid("x0", fmt.Sprintf("length %d", len(c.X0)), fmt.Sprintf("must have length 1 or the dimension %d", d))
	}
	run := Run{System: sys, X0: x0, Eta: c.Eta, Steps: c.Steps, Paths: c.Paths, Seed: c.Seed, DivergeAt: c.DivergeAt, Quantiles: c.Quantiles}
	switch c.Model.Kind {
	case "discrete":
		if c.Model != (ModelSpec{Kind: "discrete"}) {
			return Run{}, model.Invalid("model", c.Model.Kind, "discrete takes no scheme, substeps or stiffness")
		}
		run.Model = Discrete
	case "sde":
		run.Model = SDE
		c.Model = c.Model.withDefaults()
		if run.Integrator, err = c.Model.Integrator(); err != nil {
			return Run{}, model.Prefix("model", err)
		}
	default:
		return Run{}, model.Invalid("model.kind", fmt.Sprintf("%q", c.Model.Kind), "must be discrete or sde")
	}
	if run.Schedule, err = c.Schedule.build(); err != nil {
		return Run{}, model.Prefix("schedule", err)
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

// withDefaults fills an SDE model's defaults (see ModelSpec); an explicit
// negative stiffness becomes 0 (adaptation off).
func (m ModelSpec) withDefaults() ModelSpec {
	if m.Scheme == "" {
		m.Scheme = "tamed"
	}
	if m.Substeps == 0 {
		m.Substeps = 1
	}
	if m.Stiffness == 0 {
		m.Stiffness = 0.1
	}
	if m.Stiffness < 0 {
		m.Stiffness = 0
	}
	if m.MaxSubsteps == 0 {
		m.MaxSubsteps = max(1000, m.Substeps)
	}
	return m
}

// Integrator returns the integrator of an SDE model spec as given (no
// defaults filled: Resolve fills them first), validated. It is the one path
// from a spec to an integrator: configurations, the theorem checks and the
// studies all go through it.
func (m ModelSpec) Integrator() (model.Integrator, error) {
	if m.Kind != "sde" {
		return model.Integrator{}, model.Invalid("kind", fmt.Sprintf("%q", m.Kind), "an integrator needs kind sde")
	}
	in := model.Integrator{Substeps: m.Substeps, Stiffness: m.Stiffness, MaxSubsteps: m.MaxSubsteps}
	switch m.Scheme {
	case "em":
		in.Scheme = model.EulerMaruyama
	case "tamed":
		in.Scheme = model.TamedEuler
	default:
		return model.Integrator{}, model.Invalid("scheme", fmt.Sprintf("%q", m.Scheme), "must be em or tamed")
	}
	return in, in.Validate()
}

func (n NoiseSpec) build() (model.Noise, error) {
	switch n.Kind {
	case "gaussian":
		if n.Nu != 0 || n.Scale != nil {
			return nil, model.Invalid("nu", n.Nu, "gaussian noise takes sigma0 and sigma1 only")
		}
		return model.Gaussian{Sigma0: n.Sigma0, Sigma1: n.Sigma1}, nil
	case "student-t":
		if n.Sigma0 != 0 || n.Sigma1 != 0 {
			return nil, model.Invalid("sigma0", n.Sigma0, "student-t noise takes nu and scale only")
		}
		return model.StudentT{Nu: n.Nu, Scale: n.Scale}, nil
	}
	return nil, model.Invalid("kind", fmt.Sprintf("%q", n.Kind), "must be gaussian or student-t")
}

func (c CompressorSpec) build(d int) (model.Compressor, error) {
	switch c.Kind {
	case "identity":
		return model.Identity{}, nil
	case "bernoulli":
		return model.Bernoulli{P: c.P}, nil
	case "randk":
		if c.Omega != 0 {
			if c.K != 0 {
				return nil, model.Invalid("omega", c.Omega, "give k or omega, not both")
			}
			if !(c.Omega > 0) || math.IsInf(c.Omega, 0) {
				return nil, model.Invalid("omega", c.Omega, "must be finite and > 0")
			}
			return model.RandK{K: max(1, int(math.Round(float64(d)/(1+c.Omega))))}, nil
		}
		return model.RandK{K: c.K}, nil
	case "qsgd":
		return model.QSGD{S: c.S}, nil
	}
	return nil, model.Invalid("kind", fmt.Sprintf("%q", c.Kind), "must be identity, bernoulli, randk or qsgd")
}

func parseClock(s string) (model.Clock, error) {
	switch s {
	case "", "step":
		return model.StepIndex, nil
	case "time":
		return model.Time, nil
	}
	return 0, model.Invalid("clock", fmt.Sprintf("%q", s), "must be step or time")
}

func (s ScheduleSpec) build() (model.Schedule, error) {
	var sch model.Schedule
	switch s.Kind {
	case "constant":
		sch = model.Constant{Value: s.Value}
	case "inv-sqrt", "inv":
		c, err := parseClock(s.Clock)
		if err != nil {
			return nil, err
		}
		if s.Kind == "inv" {
			sch = model.Inv{Clock: c}
		} else {
			sch = model.InvSqrt{Clock: c}
		}
	case "normalized":
		n := model.Normalized{Num: s.Num, A: s.A, B: s.B, Cap: s.Cap}
		switch s.Reading {
		case "ensemble":
			n.Reading = model.ReadsEnsemble
		case "pathwise":
			n.Reading = model.ReadsPath
		default:
			return nil, model.Invalid("reading", fmt.Sprintf("%q", s.Reading), "must be ensemble or pathwise")
		}
		if s.Decay != nil {
			dec, err := s.Decay.build()
			if err != nil {
				return nil, model.Prefix("decay", err)
			}
			n.Decay = dec
		}
		sch = n
	default:
		return nil, model.Invalid("kind", fmt.Sprintf("%q", s.Kind), "must be constant, inv-sqrt, inv or normalized")
	}
	return sch, sch.Validate()
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
		add(0)
		for i := 1; i <= n; i++ {
			add(int(math.Round(math.Pow(float64(steps), float64(i)/float64(n)))))
		}
	}
	add(steps)
	return out, nil
}
