// Package kit holds what the built-in kinds (model/noise, model/compress,
// model/schedule, model/objective, model/update) share with the core
// package model but a user's kind never needs: the checks behind their
// Validate methods, the step kernels' scratch (Workspace) and the fast
// paths' capabilities, which name the kernels' methods. A user's kind
// reports a bad parameter with model.Invalid and runs on the general path.
package kit

import (
	"fmt"
	"math"
)

// FieldError reports a parameter that failed validation. Field is the
// parameter's name as a user writes it (for example "agents[2].noise.nu").
type FieldError struct {
	Field string
	Value any
	Rule  string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s = %v: %s", e.Field, e.Value, e.Rule)
}

// Invalid returns a *FieldError: field (as a user writes it) has value,
// which breaks rule.
func Invalid(field string, value any, rule string) error {
	return &FieldError{Field: field, Value: value, Rule: rule}
}

// Prefix returns err with its field name prefixed by prefix and a dot, when
// err is a *FieldError; other errors are wrapped with the prefix.
func Prefix(prefix string, err error) error {
	if err == nil {
		return nil
	}
	if fe, ok := err.(*FieldError); ok {
		f := fe.Field
		if f != "" && f[0] != '[' {
			f = "." + f
		}
		return &FieldError{Field: prefix + f, Value: fe.Value, Rule: fe.Rule}
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

// CheckFinite refuses a NaN or infinite v.
func CheckFinite(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Invalid(field, v, "must be finite")
	}
	return nil
}

// CheckNonNeg refuses a v that is not finite and >= 0.
func CheckNonNeg(field string, v float64) error {
	if err := CheckFinite(field, v); err != nil {
		return err
	}
	if v < 0 {
		return Invalid(field, v, "must be >= 0")
	}
	return nil
}

// CheckPos refuses a v that is not finite and > 0.
func CheckPos(field string, v float64) error {
	if err := CheckFinite(field, v); err != nil {
		return err
	}
	if v <= 0 {
		return Invalid(field, v, "must be > 0")
	}
	return nil
}

// CheckFiniteSlice refuses a slice with an element that is not finite,
// naming it field[j].
func CheckFiniteSlice(field string, xs []float64) error {
	for j, v := range xs {
		if err := CheckFinite(fmt.Sprintf("%s[%d]", field, j), v); err != nil {
			return err
		}
	}
	return nil
}

// CheckDim refuses a length got other than the dimension want.
func CheckDim(field string, got, want int) error {
	if got != want {
		return Invalid(field, got, fmt.Sprintf("length must equal the dimension %d", want))
	}
	return nil
}

// LogUniform draws log-uniformly on [lo, hi] (lo > 0) through a drawer's
// named uniform choice (model.Drawer).
func LogUniform(d interface {
	Float(name string, lo, hi float64) float64
}, name string, lo, hi float64) float64 {
	return lo * math.Pow(hi/lo, d.Float(name, 0, 1))
}

// Sign returns the sign of x, with Sign(0) = 0 (and NaN for NaN). The sign
// of a noisy gradient is random, so a branch on it mispredicts half the
// time; Copysign is branch-free and the zero test almost never taken.
func Sign(x float64) float64 {
	s := math.Copysign(1, x)
	if x == 0 || x != x {
		return x
	}
	return s
}
