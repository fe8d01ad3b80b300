package model

import (
	"fmt"
	"math"

	"github.com/sdeverify/sdeverify/model/internal/kit"
)

// Agent is one worker: its gradient noise and, for DCSGD, its compressor.
type Agent struct {
	Noise      Noise
	Compressor Compressor // DCSGD: an Unbiased compressor; otherwise nil
}

// System is what the discrete methods and their SDEs share: the objective,
// the agents and the method. It holds parameters only.
type System struct {
	F      Objective
	Agents []Agent
	Method Method
}

// Validate checks the system for the discrete method.
func (s System) Validate() error {
	if s.F == nil {
		return Invalid("objective", nil, "must be set")
	}
	if err := s.F.Validate(); err != nil {
		return Prefix("objective", err)
	}
	if s.Method == nil {
		return Invalid("method", nil, "must be "+methodNames())
	}
	if len(s.Agents) == 0 {
		return Invalid("agents", 0, "need at least one agent")
	}
	d := s.F.Dim()
	for i, a := range s.Agents {
		p := fmt.Sprintf("agents[%d]", i)
		if a.Noise == nil {
			return Invalid(p+".noise", nil, "must be set")
		}
		if err := a.Noise.Validate(d); err != nil {
			return Prefix(p+".noise", err)
		}
		if err := s.Method.ValidateAgent(p, a, d); err != nil {
			return err
		}
	}
	return nil
}

// ValidateSDE checks the system for its SDE model: DSGD and DCSGD need noise
// of finite variance (the SDE's diffusion is its covariance), DSignSGD does
// not (the sign is bounded).
func (s System) ValidateSDE() error {
	if err := s.Validate(); err != nil {
		return err
	}
	return s.Method.ValidateSDE(s)
}

// Workspace is per-worker scratch for the steps: reuse one per goroutine so
// that the per-step loop does not allocate. Its fields are the step
// kernels' (model/internal/kit).
type Workspace = kit.Workspace

// NewWorkspace returns scratch for dimension d.
func NewWorkspace(d int) *Workspace { return kit.NewWorkspace(d) }

// AverageNoiseVar returns v = (1/N^2) sum_i s_i^2 and true when every
// agent's noise is Gaussian: then (1/N) sum_i Z_i is one N(0, v I) draw, and
// the DSGD SDE's noise over time h is rate sqrt(eta v) times a Brownian
// increment of variance h.
func (s System) AverageNoiseVar(gn2 float64) (float64, bool) {
	v, ok := s.gaussianVar(gn2)
	if !ok {
		return 0, false
	}
	n := float64(len(s.Agents))
	return v / (n * n), true
}

// AverageNoiseAffine returns a, b and true when every agent's noise is
// Gaussian, so that AverageNoiseVar(gn2) = a + b gn2 for every gn2.
func (s System) AverageNoiseAffine() (a, b float64, ok bool) {
	n := float64(len(s.Agents))
	for _, ag := range s.Agents {
		g, isG := ag.Noise.(kit.GaussianLaw)
		if !isG {
			return 0, 0, false
		}
		s0, s1 := g.AffineVariance()
		a += s0
		b += s1
	}
	return a / (n * n), b / (n * n), true
}

// DiscreteStep applies one step of the discrete method with step size h
// (= eta eta_k): x -= h (1/N) sum_i u_i, with u_i = g_i, C_i(g_i) or
// sign(g_i) and g_i = grad + Z_i. grad must hold grad f(x) and gn2 its
// squared norm. With Gaussian noise on every agent, DSGD draws the average
// noise (1/N) sum_i Z_i directly, d normals instead of N d (same law).
func (s System) DiscreteStep(x, grad []float64, gn2, h float64, ws *Workspace, r *Rand) {
	s.Method.Step(s, x, grad, gn2, h, ws, r)
}

// DiscreteStepGrad is DiscreteStep followed by F.Grad(grad, x), for the
// systems where the two together cost less than a full gradient: DCSGD
// with one agent, rand-k and Gaussian noise on a sum of quartics
// (Homogeneous{Quartic}, certified or not: Figure 1's centre), where only the k kept
// coordinates move, so only their gradient changes (the others are
// unchanged to the bit). It also reports over: whether a moved coordinate
// has |x_j| > thresh or is NaN, for tb the bits of thresh (the others are
// unchanged, so a caller that tested them before need not again). For
// other systems it does nothing and reports ok = false. Same draws, same
// values as the two calls (tested).
func (s System) DiscreteStepGrad(x, grad []float64, gn2, h float64, tb uint64, ws *Workspace, r *Rand) (over, ok bool) {
	m, has := s.Method.(GradStepper)
	if !has {
		return false, false
	}
	return m.StepGrad(s, x, grad, gn2, h, tb, ws, r)
}

// GradStepper is a Method with a fused step and gradient for some systems
// (System.DiscreteStepGrad; model/update/dcsgd.go).
type GradStepper interface {
	StepGrad(s System, x, grad []float64, gn2, h float64, tb uint64, ws *Workspace, r *Rand) (over, ok bool)
}

// Drift writes the SDE drift b(x) into dst: grad f for DSGD and DCSGD,
// (1/N) sum_i E sign(g_i) for DSignSGD (eq. 49).
func (s System) Drift(dst, grad []float64, gn2 float64) {
	s.Method.Drift(s, dst, grad, gn2)
}

// Diffusion writes into dst (not a Workspace buffer) a draw of N(0, Sigma(x)) in O(d) (O(N d) with
// QSGD agents), where Sigma is the SDE's covariance (docs/math.md section 2):
//
//	DSGD:     (1/N) sum_i Sigma_i
//	DCSGD:    (1/N) sum_i (E[Phi_i Phi_i^T] + Sigma_i)
//	DSignSGD: diag((1/N) sum_i Var(sign g_ij)), = 1 - (E sign g_ij)^2 for continuous noise
//
// For DCSGD with a compressor whose D(v) = alpha v^2 (identity, Bernoulli,
// rand-k) the expectation over the gradient noise is exact:
//
//	E_Z[alpha diag((g+Z)^2) - beta (g+Z)(g+Z)^T] + Sigma_i
//	  = alpha diag(g^2) - beta g g^T + (1 + alpha - beta) diag(var_i),
//
// summed over agents into one diag-minus-rank-one matrix. For QSGD (D(v) not
// proportional to v^2) each agent adds a Gaussian with covariance
// D(g + Z') + Sigma_i for a fresh noise draw Z': its covariance averaged over
// Z' is the required E_Z D(g+Z) + Sigma_i exactly, but the increment is a
// Gaussian mixture rather than a Gaussian (a weak scheme for the same SDE).
func (s System) Diffusion(dst, grad []float64, gn2 float64, ws *Workspace, r *Rand) {
	z := dst[:len(grad)]
	if needsNormalsApart(s.Method) {
		z = ws.Z[:len(grad)]
	}
	r.Normals(z)
	s.DiffusionFrom(dst, z, grad, gn2, ws, r)
}

// DiffusionFrom is Diffusion with the d standard normals of the Gaussian
// part given in z (which may be dst, not another Workspace buffer): dst
// gets S(x) z, plus for QSGD agents under DCSGD the mixture's own draws
// from r. Diffusion is r.Normals then DiffusionFrom, the same draws in the
// same order; SDEStepCoupled builds z from a Brownian bridge.
func (s System) DiffusionFrom(dst, z, grad []float64, gn2 float64, ws *Workspace, r *Rand) {
	s.diffuse(dst, z, grad, gn2, ws, r, nil)
}

// diffuse is DiffusionFrom; for DSignSGD with drift not nil it also writes
// the drift (as Drift does, the same additions in the same order) from the
// same evaluations of E sign, and returns true.
func (s System) diffuse(dst, z, grad []float64, gn2 float64, ws *Workspace, r *Rand, drift []float64) bool {
	return s.Method.Diffuse(s, dst, z, grad, gn2, ws, r, drift)
}

// gaussianVar returns sum_i (sigma0_i^2 + sigma1_i^2 gn2), in agent order,
// and true when every agent's noise is Gaussian (isotropic).
func (s System) gaussianVar(gn2 float64) (float64, bool) {
	var v float64
	for _, a := range s.Agents {
		g, ok := a.Noise.(kit.GaussianLaw)
		if !ok {
			return 0, false
		}
		v += g.Variance(gn2)
	}
	return v, true
}

// Scheme is an SDE integrator.
type Scheme int

const (
	EulerMaruyama Scheme = iota
	// TamedEuler replaces the drift increment h mu by h mu / (1 + h ||mu||)
	// (Hutzenthaler, Jentzen and Kloeden 2012), which keeps moments bounded
	// on superlinear drifts such as x^3 where plain EM blows up.
	TamedEuler
)

func (s Scheme) String() string {
	if s == TamedEuler {
		return "tamed"
	}
	return "em"
}

// Integrator says how an SDE path is advanced over one optimiser step of
// length eta: Substeps fixed substeps h = eta/Substeps, refined where the
// path is stiff so that h eta_k ||Hess f(X)|| <= Stiffness at every substep
// (re-checked at each substep), but never below eta/MaxSubsteps; a step that
// hits that floor is reported as capped (unresolved).
type Integrator struct {
	Scheme      Scheme
	Substeps    int     // >= 1
	Stiffness   float64 // c > 0 enables adaptation (docs/math.md section 2: about 0.1); 0 disables it
	MaxSubsteps int     // floor eta/MaxSubsteps on the substep; >= Substeps
	// Minimizer, when set (mc.Simulate sets it), adds the secant
	// curvature ||grad f(x)|| / ||x - x*|| to the adaptation of DSGD and
	// DCSGD: a substep is at most Stiffness/(rate max(||Hess f(x)||,
	// secant)), so that its drift moves x by at most Stiffness times its
	// distance to the minimiser. Where the Hessian vanishes but the
	// gradient does not (log cosh far out), a substep sized by the local
	// Hessian alone carried the path across the minimiser and back, farther
	// each time; the coupled twins overshoot alike, so their bias estimate
	// did not see it (found by the property comparing a check's Monte Carlo
	// SDE with its law: 0.96 with a bias bound of 0.018 against the law's
	// 0.844). For a quadratic the secant is the Hessian; on x^4/4 it is a
	// third of it.
	Minimizer []float64
	Perturb   Perturbation
}

// Perturbation deliberately breaks the SDE model, to measure whether the
// suite notices (mutation testing). The zero value is the paper's model.
type Perturbation struct {
	DiffusionScale float64 // multiplies the diffusion (0 means 1)
	// NoiseRatePower is p in the noise multiplier eta_t^p (0 means 1, the
	// model's: covariance eta_t^2 Sigma); 0.5 makes the covariance scale with eta_t.
	NoiseRatePower float64
	DriftBias      float64 // added to every drift coordinate
	// StaleDrift evaluates the drift once per optimiser step, at the
	// step's start, and uses it on every substep: an error that refining
	// the substeps does not remove.
	StaleDrift bool
	// GradPower multiplies the diffusion by ||grad f||^GradPower (0: the
	// model's): a diffusion growing with a higher power of the gradient,
	// which fattens the SDE's tails.
	GradPower float64
}

// Noise returns the multiplier of the diffusion at schedule value rate:
// rate itself for the paper's model.
func (p Perturbation) Noise(rate float64) float64 {
	m := rate
	if p.NoiseRatePower != 0 && p.NoiseRatePower != 1 {
		m = math.Pow(rate, p.NoiseRatePower)
	}
	if p.DiffusionScale != 0 {
		m *= p.DiffusionScale
	}
	return m
}

// Validate checks the integrator.
func (in Integrator) Validate() error {
	if in.Scheme != EulerMaruyama && in.Scheme != TamedEuler {
		return Invalid("scheme", int(in.Scheme), "must be em or tamed")
	}
	if in.Substeps < 1 {
		return Invalid("substeps", in.Substeps, "must be >= 1")
	}
	if err := kit.CheckNonNeg("stiffness", in.Stiffness); err != nil {
		return err
	}
	if in.MaxSubsteps < in.Substeps {
		return Invalid("max_substeps", in.MaxSubsteps, fmt.Sprintf("must be >= substeps = %d", in.Substeps))
	}
	return nil
}

// SDEStepResult is what one SDE step reports besides the new state.
type SDEStepResult struct {
	I1, I2    float64 // int rate ||grad f||^2 dt and int rate^2 ||grad f||^2 dt over the step (trapezoidal on the substeps)
	Substeps  int
	Capped    bool // the substep floor eta/MaxSubsteps was hit
	GradNorm2 float64
	// MaxGradNorm2 is the largest ||grad f||^2 at the step's start and
	// after each substep (a schedule read at the start is held over the
	// step: its admissibility must hold at all of them).
	MaxGradNorm2 float64
}

// SDEStep advances x over one optimiser step (time eta) of
//
//	dX = -rate b(X) dt + rate sqrt(eta/N) S(X) dW,  S S^T = Sigma,
//
// the schedule value rate held over the step (docs/math.md section 2, eq. 11).
// grad must hold grad f(x) with squared norm gn2; on return it holds
// grad f at the new x. Since -W is a Brownian motion the implementation
// subtracts the noise term, so that with Substeps = 1 and EM the increment
// is exactly -eta rate (b + S xi / sqrt N), the discrete DSGD step under
// Gaussian noise for the same normals xi.
func (s System) SDEStep(x, grad []float64, gn2, eta, rate float64, in Integrator, ws *Workspace, r *Rand) SDEStepResult {
	if s.scalarSDE(len(x), in) {
		return s.sdeStep1(x, grad, gn2, eta, rate, in, ws, r)
	}
	return s.sdeStep(x, grad, gn2, eta, rate, in, ws, r)
}

// sdeStep is SDEStep's general path.
func (s System) sdeStep(x, grad []float64, gn2, eta, rate float64, in Integrator, ws *Workspace, r *Rand) SDEStepResult {
	var res SDEStepResult
	remaining := eta
	var stale []float64
	if in.Perturb.StaleDrift {
		stale = ws.Stale[:len(x)]
		s.Drift(stale, grad, gn2)
	}
	for remaining > 0 {
		h, capped := s.substep(x, gn2, eta, rate, remaining, in)
		res.Capped = res.Capped || capped
		z := ws.DW[:len(grad)]
		if needsNormalsApart(s.Method) {
			z = ws.Z[:len(grad)]
		}
		r.Normals(z) // Diffusion's draws
		done := s.diffuse(ws.DW, z, grad, gn2, ws, r, ws.Acc)
		gn2 = s.move(x, grad, gn2, h, eta, rate, in, ws, &res, stale, done)
		remaining -= h
		if math.IsNaN(gn2) || math.IsInf(gn2, 0) {
			break // the path has blown up; the caller counts it as diverged
		}
	}
	res.GradNorm2 = gn2
	return res
}

// substep returns the next substep's length at x (where ||grad f||^2 is
// gn2) with remaining time left in the step, and whether the floor
// eta/MaxSubsteps was hit.
func (s System) substep(x []float64, gn2, eta, rate, remaining float64, in Integrator) (h float64, capped bool) {
	h = eta / float64(in.Substeps)
	if in.Stiffness > 0 && rate > 0 {
		hn := s.F.HessNorm(x)
		if in.Minimizer != nil && GradientDrift(s.Method) && gn2 > 0 {
			var d2 float64
			for j, xs := range in.Minimizer {
				d := x[j] - xs
				d2 += d * d
			}
			if sec := math.Sqrt(gn2 / d2); sec > hn {
				hn = sec
			}
		}
		if hn > 0 {
			h = math.Min(h, in.Stiffness/(rate*hn))
		}
		if hmin := eta / float64(in.MaxSubsteps); h < hmin {
			h, capped = hmin, true
		}
	}
	if h >= remaining || remaining-h < 1e-12*eta {
		h = remaining
	}
	return h, capped
}

// move takes one substep of length h from x with the diffusion draw in
// ws.DW (S(x) times standard normals), refreshes grad, adds the substep to
// res's integrals and count, and returns the new ||grad f||^2. stale, if
// not nil, is the drift to use (Perturbation.StaleDrift); otherwise
// driftDone says ws.Acc already holds the drift at x (diffuse wrote it).
func (s System) move(x, grad []float64, gn2, h, eta, rate float64, in Integrator, ws *Workspace, res *SDEStepResult, stale []float64, driftDone bool) float64 {
	n := float64(len(s.Agents))
	drift := ws.Acc
	gn2Start := gn2
	switch {
	case stale != nil:
		copy(drift, stale) // the step's first drift (a mutant)
	case !driftDone:
		s.Drift(drift, grad, gn2)
	}
	tame := 1.0
	if in.Scheme == TamedEuler {
		var m2 float64
		for _, b := range drift {
			m2 += b * b
		}
		tame = 1 / (1 + h*rate*math.Sqrt(m2))
	}
	if in.Perturb.DriftBias != 0 {
		for j := range drift {
			drift[j] += in.Perturb.DriftBias
		}
	}
	sd := math.Sqrt(h*eta/n) * in.Perturb.Noise(rate)
	if in.Perturb.GradPower != 0 {
		sd *= math.Pow(gn2Start, in.Perturb.GradPower/2)
	}
	for j := range x {
		x[j] -= rate*h*tame*drift[j] + sd*ws.DW[j]
	}
	s.F.Grad(grad, x)
	gn2 = 0
	for _, g := range grad {
		gn2 += g * g
	}
	res.add(h, rate, gn2Start, gn2)
	return gn2
}

// add counts a substep of length h at schedule value rate over which
// ||grad f||^2 went from gn2Start to gn2: the integrals by the trapezoidal
// rule (||grad f||^2 can change by tens of percent over a substep in a
// fast transient, where a left-point sum is biased) and the largest
// ||grad f||^2 (plain comparisons, the builtin max's NaN handling being a
// call: a NaN gn2 is a diverged path, whose maximum does not matter).
func (res *SDEStepResult) add(h, rate, gn2Start, gn2 float64) {
	res.Substeps++
	res.I1 += h * rate * (gn2Start + gn2) / 2
	res.I2 += h * rate * rate * (gn2Start + gn2) / 2
	if gn2Start > res.MaxGradNorm2 {
		res.MaxGradNorm2 = gn2Start
	}
	if gn2 > res.MaxGradNorm2 {
		res.MaxGradNorm2 = gn2
	}
}

// SDEStepCoupled advances a path x (as SDEStep does, with the same draws
// from r: x ends exactly where SDEStep would take it) together with its
// refined twin xf driven by the same Brownian path: every substep h of x is
// two substeps h/2 of xf, whose Brownian increments are the two halves of
// x's, sqrt(h) Z, given by the Brownian bridge with a fresh normal B from
// rf: sqrt(h/2) (Z + B)/sqrt 2 and sqrt(h/2) (Z - B)/sqrt 2. So xf is the
// same SDE integrated on the halved grid, and x - xf is small where the
// integrator converges, which makes E[g(x) - g(xf)], the integrator's
// bias, cheap to estimate (the coupling of multilevel Monte Carlo). rateF
// is the schedule value xf uses. gradf and gn2f are xf's gradient and its
// squared norm; the fine result's GradNorm2 is NaN or Inf once xf blows
// up, and xf is then no longer advanced (nor is it when called with such a
// gn2f). The grid of substeps is x's: its adaptivity reads
// the coarse path only, so the fine grid is the coarse one halved.
func (s System) SDEStepCoupled(x, grad []float64, gn2 float64, xf, gradf []float64, gn2f, eta, rate, rateF float64, in Integrator, ws *Workspace, r, rf *Rand) (coarse, fine SDEStepResult) {
	remaining := eta
	d := len(x)
	fineLive := !(math.IsNaN(gn2f) || math.IsInf(gn2f, 0))
	zf := ws.ZF[:d]
	var stale, staleF []float64
	if in.Perturb.StaleDrift {
		stale, staleF = ws.Stale[:d], ws.StaleF[:d]
		s.Drift(stale, grad, gn2)
		if fineLive {
			s.Drift(staleF, gradf, gn2f)
		}
	}
	for remaining > 0 {
		h, capped := s.substep(x, gn2, eta, rate, remaining, in)
		coarse.Capped = coarse.Capped || capped
		z := ws.ZC[:d]
		r.Normals(z)
		if fineLive {
			// The bridge's normal first: the coarse draws of the mixture
			// (QSGD) come from r inside DiffusionFrom, after Normals, in
			// SDEStep's order.
			rf.Normals(ws.ZB[:d])
		}
		done := s.diffuse(ws.DW, z, grad, gn2, ws, r, ws.Acc)
		gn2 = s.move(x, grad, gn2, h, eta, rate, in, ws, &coarse, stale, done)
		if fineLive {
			fine.Capped = fine.Capped || capped
			for half := range 2 {
				sign := 1.0
				if half == 1 {
					sign = -1
				}
				for j := range zf {
					zf[j] = (z[j] + sign*ws.ZB[j]) * math.Sqrt2 / 2
				}
				done := s.diffuse(ws.DW, zf, gradf, gn2f, ws, rf, ws.Acc)
				gn2f = s.move(xf, gradf, gn2f, h/2, eta, rateF, in, ws, &fine, staleF, done)
				if math.IsNaN(gn2f) || math.IsInf(gn2f, 0) {
					fineLive = false
					break
				}
			}
		}
		remaining -= h
		if math.IsNaN(gn2) || math.IsInf(gn2, 0) {
			break
		}
	}
	coarse.GradNorm2, fine.GradNorm2 = gn2, gn2f
	return coarse, fine
}
