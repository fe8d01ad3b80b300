package model

import (
	"fmt"
)

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
