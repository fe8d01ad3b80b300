package objective

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/internal/kit"
	"gonum.org/v1/gonum/mat"
)

// Spec is the JSON form of an objective. Kind "separable" sums one
// atom over Dim coordinates (Atom) or one atom per coordinate (Atoms); kind
// "quadratic" is x^T Matrix x / 2. Either may be shifted (minimiser moved to
// Shift) and rotated (f(Q x) with Q Haar-random from RotationSeed, applied
// after the shift). Certificate, when set, replaces the derived certificate;
// it must dominate it, so that it is still valid.
type Spec struct {
	Kind         string             `json:"kind"`
	Dim          int                `json:"dim,omitempty"`
	Atom         *model.AtomSpec    `json:"atom,omitempty"`
	Atoms        []model.AtomSpec   `json:"atoms,omitempty"`
	Matrix       [][]float64        `json:"matrix,omitempty"`
	Shift        []float64          `json:"shift,omitempty"`
	RotationSeed uint64             `json:"rotation_seed,omitempty"`
	Certificate  *model.Certificate `json:"certificate,omitempty"`
}

// Build validates the spec and returns the objective.
func (s Spec) Build() (model.Objective, error) {
	var f model.Objective
	switch s.Kind {
	case "separable":
		switch {
		case s.Atom != nil && len(s.Atoms) > 0:
			return nil, model.Invalid("atoms", len(s.Atoms), "give either atom (with dim) or atoms, not both")
		case s.Atom != nil:
			if s.Dim < 1 {
				return nil, model.Invalid("dim", s.Dim, "must be >= 1")
			}
			a, err := s.Atom.Build()
			if err != nil {
				return nil, model.Prefix("atom", err)
			}
			f = Homogeneous{Atom: a, D: s.Dim}
		case len(s.Atoms) > 0:
			if s.Dim != 0 && s.Dim != len(s.Atoms) {
				return nil, model.Invalid("dim", s.Dim, fmt.Sprintf("must equal len(atoms) = %d or be omitted", len(s.Atoms)))
			}
			atoms := make([]model.Atom, len(s.Atoms))
			for j, as := range s.Atoms {
				a, err := as.Build()
				if err != nil {
					return nil, model.Prefix(fmt.Sprintf("atoms[%d]", j), err)
				}
				atoms[j] = a
			}
			f = Separable{Atoms: atoms}
		default:
			return nil, model.Invalid("atom", nil, "kind separable needs atom (with dim) or atoms")
		}
	case "quadratic":
		n := len(s.Matrix)
		if n == 0 {
			return nil, model.Invalid("matrix", nil, "kind quadratic needs a matrix")
		}
		if s.Dim != 0 && s.Dim != n {
			return nil, model.Invalid("dim", s.Dim, fmt.Sprintf("must equal the matrix size %d or be omitted", n))
		}
		a := mat.NewSymDense(n, nil)
		for i, row := range s.Matrix {
			if len(row) != n {
				return nil, model.Invalid(fmt.Sprintf("matrix[%d]", i), len(row), fmt.Sprintf("row length must be %d", n))
			}
			for j, v := range row {
				if err := kit.CheckFinite(fmt.Sprintf("matrix[%d][%d]", i, j), v); err != nil {
					return nil, err
				}
				if math.Abs(v-s.Matrix[j][i]) > 1e-12*math.Max(1, math.Abs(v)) {
					return nil, model.Invalid(fmt.Sprintf("matrix[%d][%d]", i, j), v, fmt.Sprintf("must equal matrix[%d][%d] = %v (symmetric)", j, i, s.Matrix[j][i]))
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
		return nil, model.Invalid("kind", fmt.Sprintf("%q", s.Kind), "must be separable or quadratic")
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
		c, err := model.WithCertificate(f, *s.Certificate)
		if err != nil {
			return nil, err
		}
		f = c
	}
	return f, nil
}

// Dimension returns the dimension the spec describes, without building it
// (0 if it describes none): for checks before any allocation.
func (s Spec) Dimension() int {
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
func (s Spec) MemoryNeed() float64 {
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
