package model

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

func checkFinite(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Invalid(field, v, "must be finite")
	}
	return nil
}

func checkNonNeg(field string, v float64) error {
	if err := checkFinite(field, v); err != nil {
		return err
	}
	if v < 0 {
		return Invalid(field, v, "must be >= 0")
	}
	return nil
}

func checkPos(field string, v float64) error {
	if err := checkFinite(field, v); err != nil {
		return err
	}
	if v <= 0 {
		return Invalid(field, v, "must be > 0")
	}
	return nil
}

func checkFiniteSlice(field string, xs []float64) error {
	for j, v := range xs {
		if err := checkFinite(fmt.Sprintf("%s[%d]", field, j), v); err != nil {
			return err
		}
	}
	return nil
}

func checkDim(field string, got, want int) error {
	if got != want {
		return Invalid(field, got, fmt.Sprintf("length must equal the dimension %d", want))
	}
	return nil
}
