// Package update holds the built-in update rules (methods) with their
// first-order SDE models, one file each registering its kind with
// model.Register: the paper's [DSGD], [DCSGD] and [DSignSGD], and the
// agent-map rules [ClippedSGD], [NormalizedSGD] and [L0L1GD], each an
// [AgentMap] made a method by [AgentRule] (agentrule.go, the API a user's
// rule outside the core uses, as examples/extend/softclip does;
// agentmap.go: the SDE's coefficients in d = 1 in closed form or by
// quadrature over a [CDFer]'s CDF, the exact law, and [EstimateMoments] in
// any d). A method implements model.Method; what the exact engine asks in
// d = 1 is model.Law1Der and model.SDE1Der; the steps' fast paths are
// model.GradStepper, model.ScalarSDEr, model.ScalarBatcher and
// model.StepDrawer.
package update
