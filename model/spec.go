package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeverify/sdeverify/model/internal/kit"
	"gonum.org/v1/gonum/mat"
)

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
				if err := kit.CheckFinite(fmt.Sprintf("matrix[%d][%d]", i, j), v); err != nil {
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
