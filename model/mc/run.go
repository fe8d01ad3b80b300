package mc

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model"
)

// A Run: one experiment, typed and validated (Config.Resolve makes one).

// Model selects what a run simulates.
type Model int

const (
	Discrete Model = iota // the discrete method
	SDE                   // its SDE model, integrated by Run.Integrator
)

// String is the model's name in a configuration's model.kind.
func (m Model) String() string {
	if m == SDE {
		return "sde"
	}
	return "discrete"
}

// ParseModel returns the Model a configuration's model.kind names (its
// String), or false.
func ParseModel(kind string) (Model, bool) {
	for _, m := range []Model{Discrete, SDE} {
		if m.String() == kind {
			return m, true
		}
	}
	return 0, false
}

// Run describes one ensemble simulation: Paths paths of Steps optimiser
// steps from X0, advanced in lockstep because the schedule may read the
// ensemble mean of ||grad f|| at every step.
type Run struct {
	System      model.System
	Model       Model
	Integrator  model.Integrator // SDE only
	Eta         float64          // base learning rate eta > 0
	Schedule    model.Schedule   // eta_k; the step taken is Eta * eta_k
	X0          []float64        // start, len d
	Steps       int              // optimiser steps, >= 1
	Paths       int              // Monte Carlo paths, >= 2
	Seed        uint64           // path p draws from Stream(Seed, p)
	Checkpoints []int            // sorted distinct steps in [0, Steps] where full statistics are kept
	DivergeAt   float64          // 0: DefaultDivergeAt
	Quantiles   []float64        // quantiles of f - f* to record at checkpoints (each in [0,1])
	Workers     int              // goroutines; 0: GOMAXPROCS. Results do not depend on it.

	// Coupled (SDE only) gives every path a refined twin driven by the same
	// Brownian path, each substep halved (model.System.SDEStepCoupled),
	// and every checkpoint the twins' statistics and the per-path
	// coarse-minus-fine differences (Checkpoint.Coupled), from which the
	// integrator's bias is estimated (IntegrationError). The run's own
	// statistics are those it has without it, to the bit. Under the
	// ensemble reading the twins use the run's schedule values.
	Coupled bool
	// CoupledPaths, if > 0, gives twins to paths 0 .. CoupledPaths-1 only
	// (the bias is estimated from a subset, for a fraction of the cost).
	CoupledPaths int

	// KeepPathValues records every path's values at each checkpoint
	// (Checkpoint.Paths), for statistics the engine does not keep.
	KeepPathValues bool
	// Check, if set, is called for every live path at the start of every
	// step with what the schedule read and the rate it gave; steps where it
	// returns false are counted (Result.CheckFailures). The theorems use it
	// to verify admissibility along the run. It must be safe for
	// concurrent use.
	Check func(s model.StepInfo, rate float64) bool
}

// PathValue is one path's state at a checkpoint (NaN once diverged).
type PathValue struct {
	F, GradNorm2, I1, I2, Phi1, Phi2 float64
}

// Validate checks the run.
func (r Run) Validate() error {
	if r.CoupledPaths < 0 {
		return model.Invalid("coupled_paths", r.CoupledPaths, "must be >= 0 (0: every path)")
	}
	if r.Coupled && r.Model != SDE {
		return model.Invalid("coupled", true, "needs the SDE model (a refined twin is an integrator's)")
	}
	if r.Model == SDE {
		if err := r.System.ValidateSDE(); err != nil {
			return err
		}
		if err := r.Integrator.Validate(); err != nil {
			return model.Prefix("model", err)
		}
	} else if err := r.System.Validate(); err != nil {
		return err
	}
	d := r.System.F.Dim()
	if len(r.X0) != d {
		return model.Invalid("x0", fmt.Sprintf("length %d", len(r.X0)), fmt.Sprintf("must have the dimension %d", d))
	}
	for j, v := range r.X0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return model.Invalid(fmt.Sprintf("x0[%d]", j), v, "must be finite")
		}
	}
	thresh := r.DivergeAt
	if thresh == 0 {
		thresh = DefaultDivergeAt
	}
	for j, v := range r.X0 {
		if math.Abs(v) > thresh {
			return model.Invalid(fmt.Sprintf("x0[%d]", j), v, fmt.Sprintf("is beyond diverge_at = %g: every path would count as diverged at step 0", thresh))
		}
	}
	if f := r.System.F.Value(r.X0); math.IsNaN(f) || math.IsInf(f, 0) {
		return model.Invalid("x0", fmt.Sprintf("%g...", r.X0[0]), fmt.Sprintf("f(x0) = %v: the objective overflows at the start", f))
	}
	g := make([]float64, d)
	r.System.F.Grad(g, r.X0)
	for j, v := range g {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return model.Invalid("x0", fmt.Sprintf("%g...", r.X0[0]), fmt.Sprintf("grad f(x0)[%d] = %v: the gradient overflows at the start", j, v))
		}
	}
	if !(r.Eta > 0) || math.IsInf(r.Eta, 0) {
		return model.Invalid("eta", r.Eta, "must be finite and > 0")
	}
	if r.Schedule == nil {
		return model.Invalid("schedule", nil, "must be set")
	}
	if err := r.Schedule.Validate(); err != nil {
		return model.Prefix("schedule", err)
	}
	if r.Steps < 1 {
		return model.Invalid("steps", r.Steps, "must be >= 1")
	}
	if r.Paths < 2 {
		return model.Invalid("paths", r.Paths, "must be >= 2 (a standard error needs two paths)")
	}
	for i, c := range r.Checkpoints {
		if c < 0 || c > r.Steps || (i > 0 && c <= r.Checkpoints[i-1]) {
			return model.Invalid(fmt.Sprintf("checkpoints[%d]", i), c, fmt.Sprintf("must be increasing within [0, %d]", r.Steps))
		}
	}
	if r.DivergeAt < 0 || math.IsNaN(r.DivergeAt) {
		return model.Invalid("diverge_at", r.DivergeAt, "must be >= 0 (0: default)")
	}
	for i, q := range r.Quantiles {
		if !(q >= 0 && q <= 1) {
			return model.Invalid(fmt.Sprintf("quantiles[%d]", i), q, "must be in [0, 1]")
		}
	}
	if r.Workers < 0 {
		return model.Invalid("workers", r.Workers, "must be >= 0")
	}
	return nil
}
