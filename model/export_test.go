package model

// Test hooks for the external tests (package model_test): unexported in
// the package's API, exported here only while testing.

// SDEStep1 is the one-dimensional SDE path (sde1.go) and SDEStepGeneral
// the general path, which SDEStep chooses between.
func SDEStep1(s System, x, grad []float64, gn2, eta, rate float64, in Integrator, ws *Workspace, r *Rand) SDEStepResult {
	return s.sdeStep1(x, grad, gn2, eta, rate, in, ws, r)
}

// SDEStepGeneral is the general path of SDEStep.
func SDEStepGeneral(s System, x, grad []float64, gn2, eta, rate float64, in Integrator, ws *Workspace, r *Rand) SDEStepResult {
	return s.sdeStep(x, grad, gn2, eta, rate, in, ws, r)
}
