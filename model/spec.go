package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// AtomSpec is the JSON form of an atom: c * h(a x) with h named by Kind.
type AtomSpec struct {
	Kind string  `json:"kind"`         // quartic, power, cosh, logcosh, square, explinear
	P    float64 `json:"p,omitempty"`  // power: exponent > 2
	L0   float64 `json:"l0,omitempty"` // quartic, power: chosen L0 (0: the atom's default)
	C    float64 `json:"c,omitempty"`  // outer scale > 0 (0 means 1)
	A    float64 `json:"a,omitempty"`  // inner scale != 0 (0 means 1)
}

// Build returns the atom.
func (s AtomSpec) Build() (Atom, error) {
	var a Atom
	switch s.Kind {
	case "quartic":
		a = Quartic{L0: s.L0}
	case "power":
		a = Power{P: s.P, L0: s.L0}
	case "cosh":
		a = Cosh{}
	case "logcosh":
		a = LogCosh{}
	case "square":
		a = Square{}
	case "explinear":
		a = ExpLinear{}
	default:
		return nil, Invalid("kind", fmt.Sprintf("%q", s.Kind), "must be one of quartic, power, cosh, logcosh, square, explinear")
	}
	if s.Kind != "power" && s.P != 0 {
		return nil, Invalid("p", s.P, "is only used by kind power")
	}
	if s.Kind != "power" && s.Kind != "quartic" && s.L0 != 0 {
		return nil, Invalid("l0", s.L0, "is only used by kinds quartic and power")
	}
	if s.C != 0 || s.A != 0 {
		c, aa := s.C, s.A
		if c == 0 {
			c = 1
		}
		if aa == 0 {
			aa = 1
		}
		a = Scaled{Atom: a, C: c, A: aa}
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// ObjectiveSpec is the JSON form of an objective. Kind "separable" sums one
// atom over Dim coordinates (Atom) or one atom per coordinate (Atoms); kind
// "quadratic" is x^T Matrix x / 2. Either may be shifted (minimiser moved to
// Shift) and rotated (f(Q x) with Q Haar-random from RotationSeed, applied
// after the shift). Certificate, when set, replaces the derived certificate;
// it must dominate it, so that it is still valid.
type ObjectiveSpec struct {
	Kind         string       `json:"kind"`
	Dim          int          `json:"dim,omitempty"`
	Atom         *AtomSpec    `json:"atom,omitempty"`
	Atoms        []AtomSpec   `json:"atoms,omitempty"`
	Matrix       [][]float64  `json:"matrix,omitempty"`
	Shift        []float64    `json:"shift,omitempty"`
	RotationSeed uint64       `json:"rotation_seed,omitempty"`
	Certificate  *Certificate `json:"certificate,omitempty"`
}

// Build validates the spec and returns the objective.
func (s ObjectiveSpec) Build() (Objective, error) {
	var f Objective
	switch s.Kind {
	case "separable":
		switch {
		case s.Atom != nil && len(s.Atoms) > 0:
			return nil, Invalid("atoms", len(s.Atoms), "give either atom (with dim) or atoms, not both")
		case s.Atom != nil:
			if s.Dim < 1 {
				return nil, Invalid("dim", s.Dim, "must be >= 1")
			}
			a, err := s.Atom.Build()
			if err != nil {
				return nil, Prefix("atom", err)
			}
			f = Homogeneous{Atom: a, D: s.Dim}
		case len(s.Atoms) > 0:
			if s.Dim != 0 && s.Dim != len(s.Atoms) {
				return nil, Invalid("dim", s.Dim, fmt.Sprintf("must equal len(atoms) = %d or be omitted", len(s.Atoms)))
			}
			atoms := make([]Atom, len(s.Atoms))
			for j, as := range s.Atoms {
				a, err := as.Build()
				if err != nil {
					return nil, Prefix(fmt.Sprintf("atoms[%d]", j), err)
				}
				atoms[j] = a
			}
			f = Separable{Atoms: atoms}
		default:
			return nil, Invalid("atom", nil, "kind separable needs atom (with dim) or atoms")
		}
	case "quadratic":
		n := len(s.Matrix)
		if n == 0 {
			return nil, Invalid("matrix", nil, "kind quadratic needs a matrix")
		}
		if s.Dim != 0 && s.Dim != n {
			return nil, Invalid("dim", s.Dim, fmt.Sprintf("must equal the matrix size %d or be omitted", n))
		}
		a := mat.NewSymDense(n, nil)
		for i, row := range s.Matrix {
			if len(row) != n {
				return nil, Invalid(fmt.Sprintf("matrix[%d]", i), len(row), fmt.Sprintf("row length must be %d", n))
			}
			for j, v := range row {
				if err := checkFinite(fmt.Sprintf("matrix[%d][%d]", i, j), v); err != nil {
					return nil, err
				}
				if math.Abs(v-s.Matrix[j][i]) > 1e-12*math.Max(1, math.Abs(v)) {
					return nil, Invalid(fmt.Sprintf("matrix[%d][%d]", i, j), v, fmt.Sprintf("must equal matrix[%d][%d] = %v (symmetric)", j, i, s.Matrix[j][i]))
				}
				if j >= i {
					a.SetSym(i, j, v)
				}
			}
		}
		q, err := NewQuadratic(a)
		if err != nil {
			return nil, err
		}
		f = q
	default:
		return nil, Invalid("kind", fmt.Sprintf("%q", s.Kind), "must be separable or quadratic")
	}
	if s.Shift != nil {
		sh := Shifted{F: f, Center: s.Shift}
		if err := sh.Validate(); err != nil {
			return nil, err
		}
		f = sh
	}
	if s.RotationSeed != 0 {
		q := RandomRotation(f.Dim(), rand.New(rand.NewPCG(s.RotationSeed, 0x5eed)))
		r, err := NewRotated(f, q)
		if err != nil {
			return nil, err
		}
		f = r
	}
	if s.Certificate != nil {
		c, err := WithCertificate(f, *s.Certificate)
		if err != nil {
			return nil, err
		}
		f = c
	}
	return f, nil
}

// Dimension returns the dimension the spec describes, without building it
// (0 if it describes none): for checks before any allocation.
func (s ObjectiveSpec) Dimension() int {
	switch {
	case len(s.Matrix) > 0:
		return len(s.Matrix)
	case len(s.Atoms) > 0:
		return len(s.Atoms)
	}
	return max(s.Dim, 0)
}

// MemoryNeed estimates the bytes that building the objective takes beyond
// its spec: a random rotation is a dense d x d matrix (and its QR).
func (s ObjectiveSpec) MemoryNeed() float64 {
	d := float64(s.Dimension())
	var b float64
	if s.RotationSeed != 0 {
		b += 3 * 8 * d * d
	}
	if len(s.Matrix) > 0 {
		b += 2 * 8 * d * d
	}
	return b
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

// WithDefaults fills an SDE model's defaults (see ModelSpec); an explicit
// negative stiffness becomes 0 (adaptation off).
func (m ModelSpec) WithDefaults() ModelSpec {
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
func (m ModelSpec) Integrator() (Integrator, error) {
	if m.Kind != "sde" {
		return Integrator{}, Invalid("kind", fmt.Sprintf("%q", m.Kind), "an integrator needs kind sde")
	}
	in := Integrator{Substeps: m.Substeps, Stiffness: m.Stiffness, MaxSubsteps: m.MaxSubsteps}
	switch m.Scheme {
	case "em":
		in.Scheme = EulerMaruyama
	case "tamed":
		in.Scheme = TamedEuler
	default:
		return Integrator{}, Invalid("scheme", fmt.Sprintf("%q", m.Scheme), "must be em or tamed")
	}
	return in, in.Validate()
}

// Build returns the noise model (validated where it is used: System.Validate).
func (n NoiseSpec) Build() (Noise, error) {
	switch n.Kind {
	case "gaussian":
		if n.Nu != 0 || n.Scale != nil {
			return nil, Invalid("nu", n.Nu, "gaussian noise takes sigma0 and sigma1 only")
		}
		return Gaussian{Sigma0: n.Sigma0, Sigma1: n.Sigma1}, nil
	case "student-t":
		if n.Sigma0 != 0 || n.Sigma1 != 0 {
			return nil, Invalid("sigma0", n.Sigma0, "student-t noise takes nu and scale only")
		}
		return StudentT{Nu: n.Nu, Scale: n.Scale}, nil
	}
	return nil, Invalid("kind", fmt.Sprintf("%q", n.Kind), "must be gaussian or student-t")
}

// Build returns the compressor for dimension d.
func (c CompressorSpec) Build(d int) (Compressor, error) {
	switch c.Kind {
	case "identity":
		return Identity{}, nil
	case "bernoulli":
		return Bernoulli{P: c.P}, nil
	case "randk":
		if c.Omega != 0 {
			if c.K != 0 {
				return nil, Invalid("omega", c.Omega, "give k or omega, not both")
			}
			if !(c.Omega > 0) || math.IsInf(c.Omega, 0) {
				return nil, Invalid("omega", c.Omega, "must be finite and > 0")
			}
			return RandK{K: max(1, int(math.Round(float64(d)/(1+c.Omega))))}, nil
		}
		return RandK{K: c.K}, nil
	case "qsgd":
		return QSGD{S: c.S}, nil
	}
	return nil, Invalid("kind", fmt.Sprintf("%q", c.Kind), "must be identity, bernoulli, randk or qsgd")
}

func parseClock(s string) (Clock, error) {
	switch s {
	case "", "step":
		return StepIndex, nil
	case "time":
		return Time, nil
	}
	return 0, Invalid("clock", fmt.Sprintf("%q", s), "must be step or time")
}

// Build returns the schedule, validated.
func (s ScheduleSpec) Build() (Schedule, error) {
	var sch Schedule
	switch s.Kind {
	case "constant":
		sch = Constant{Value: s.Value}
	case "inv-sqrt", "inv":
		c, err := parseClock(s.Clock)
		if err != nil {
			return nil, err
		}
		if s.Kind == "inv" {
			sch = Inv{Clock: c}
		} else {
			sch = InvSqrt{Clock: c}
		}
	case "normalized":
		n := Normalized{Num: s.Num, A: s.A, B: s.B, Cap: s.Cap}
		switch s.Reading {
		case "ensemble":
			n.Reading = ReadsEnsemble
		case "pathwise":
			n.Reading = ReadsPath
		default:
			return nil, Invalid("reading", fmt.Sprintf("%q", s.Reading), "must be ensemble or pathwise")
		}
		if s.Decay != nil {
			dec, err := s.Decay.Build()
			if err != nil {
				return nil, Prefix("decay", err)
			}
			n.Decay = dec
		}
		sch = n
	default:
		return nil, Invalid("kind", fmt.Sprintf("%q", s.Kind), "must be constant, inv-sqrt, inv or normalized")
	}
	return sch, sch.Validate()
}
