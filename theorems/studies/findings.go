package studies

// Finding documents a result of the suite: a bound that fails under its
// hypotheses, or a reading in which it does.
type Finding struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Explanation string `json:"explanation"`
	// Evidence says where the suite shows a finding that no pinned case
	// reproduces (a Figure 1 claim, the weak studies, a test); FINDINGS.md
	// lists it beside the pinned findings.
	Evidence string `json:"evidence,omitempty"`
}

// Findings of the suite (see FINDINGS.md for the evidence).
var (
	FindingThm7Phases = &Finding{
		ID:    "F1-thm7-outside-phase-3",
		Title: "Thm 7's merged bound fails when some agent's signal-to-noise ratio |d_j f|/sigma_ij exceeds 1, including Figure 1's own right-column setting",
		Explanation: "The proof bounds the drift by grad f . b >= (ell_nu/sigma_H) ||grad f||^2 only in Phase 3 (|Y| < 1 for every agent). " +
			"In Phases 1-2 the sign drift saturates (2 Xi_nu(y) < ell_nu y for y > 1), so f decreases only like eta_t ||grad f||_1 while the left-hand side " +
			"counts (ell_nu/sigma_H) eta_t ||grad f||^2; eq. 76 merges the phases 'by a worst-case approach' without covering this. " +
			"By hand, on f = x^4/4 from x0 = 2 with Cauchy noise of scale 1 (Figure 1, right), the noiseless sign flow from x = 2 to x = 1 alone gives " +
			"(1/2) int_1^2 x^6 dx = 9.07 > f(x0) - f* = 4, and noise only slows the descent; as sigma -> 0, a = ell_nu/sigma_H -> infinity while the dynamics tend " +
			"to the noiseless sign flow, so no finite bound of this form can hold. The suite confirms the SDE violates eq. 7 under its hypotheses.",
	}
	FindingThm4Ensemble = &Finding{
		ID:    "F2-ensemble-reading-at-the-boundary",
		Title: "At the boundary of Eq. 1 (eta eta_t = its right-hand side), the ensemble reading lets single paths escape: the discrete method diverges; the pathwise reading holds",
		Explanation: "With G_t the ensemble mean of ||grad f|| (eq. 26, the paper's experiments), a path far from the minimiser still takes the ensemble's step, " +
			"and with sigma1 > 0 its noise grows like sigma1 ||grad f||. On cosh (d = 2, sigma0 = sigma1 = 1) at margin 1, paths of the discrete method diverge (the " +
			"left-hand side is unbounded: FAIL) and the SDE's paths outrun the integrator (INCONCLUSIVE, no verdict on the SDE). The same configuration in the " +
			"pathwise reading (eq. 21, the inequality the proof uses) passes on the discrete method; the SDE there, whose rate is read at each step's start and held " +
			"over the step, leaves the admissible region inside steps where ||grad f|| grows (VACUOUS: checked on every substep since this round). docs/math.md " +
			"section 3 predicts the gap: E[G^3] >= E[G] E[G^2], so the ensemble reading does not imply the pathwise inequality. Under a Robbins-Monro schedule " +
			"(the boundary step decayed by 1/sqrt(k+1)) the discrete method passes in the ensemble reading too: F2 needs steps that stay at the boundary.",
	}
	FindingThm6Constant = &Finding{
		ID:    "F5-thm6-constant-lacks-L0-B6",
		Title: "Thm 6's bound (eq. 6, and eq. 48 of Thm 10) lacks the term L0 B6: it fails under its hypotheses where sigma0 > 0 and L0 B6 dominates, in both readings",
		Explanation: "Found by the property TestTheorem/thm6-printed-pathwise (rapid, shrunk). The proof's Ito term is at most eta eta_t^2/(2N) (L0 + L1 ||g||)(A6 ||g||^2 + B6) " +
			"with B6 = d (mean sigma0^2 + mean sigma0^2 omega); eq. 5 absorbs the A6 part (and L1 B6 ||g|| for ||g|| > 1), leaving eta eta_t^2 (L0 + L1) B6/(2N), " +
			"whereas eq. 6's constant is (L0 A6 + L1 B6)/(2N): with L1 = 0 (a quadratic) and omega, sigma1 small, A6 ~ 0 admits a step eta eta_t ~ 15 while the bound's " +
			"phi2 term vanishes. On the counterexample (x^2 curvature 8.2, two agents, sigma0 = 3 and QSGD s = 8) the SDE's left-hand side is 1.4x the bound. " +
			"The suite's corrected reading thm6-corrected, C = eta (L0 + L1) B6/(2N) (the analogue of Thms 4 and 5), holds there.",
	}
	FindingDiscreteBoundary = &Finding{
		ID:    "F4-discrete-methods-at-the-boundary",
		Title: "Near the admissibility boundary the SDE bounds do not transfer to the discrete methods",
		Explanation: "Thms 4-6 bound the SDE, whose Ito formula has only the covariance term eta eta_t^2 Tr(Hess f Sigma)/(2N). One discrete step of size h = eta eta_t has, " +
			"by the descent lemma, the extra term (L0/2) h^2 ||grad f||^2 from the mean of the update. At the boundary of eq. 1/3/5 h can be O(1): on log cosh with two " +
			"heterogeneous agents h = 1.6 and h L0/2 = 0.8 exceeds 1 - eps = 0.5, and the discrete method's left-hand side exceeds the bound (1.5x) while the SDE's is " +
			"below it (0.86x). The SDE is a weak order-1 model whose O(eta) error is exactly this term; the theorems say nothing about the discrete methods.",
	}
	FindingHeavyTails = &Finding{
		ID:    "F6-sde-heavy-tails",
		Title: "The SDE of DSGD with noise proportional to the gradient has power-law tails on x^4/4: E||grad f(X_t)||^2 is infinite, so Thm 4's SDE bound fails in the ensemble reading, however tame the samples look",
		Explanation: "For f = x^4/4 and noise variance sigma1^2 f'^2 the SDE is dX = -eta_t X^3 dt + eta_t sqrt(eta) sigma1 X^3 dW. Lamperti's Z = X^-2 is, " +
			"after a time change, a Bessel process of dimension 5/2 near 0 (for any deterministic eta_t bounded away from 0), so P(X_t > R) ~ C_t R^-5 and " +
			"E|X_t|^q is finite exactly when q < 5: E f(X_t) is finite but E f'(X_t)^2 = E X_t^6 is not, for every t > 0. +inf is an entrance boundary " +
			"(the paths never explode; Feller), the excursions are rare and fast, and 500 sampled paths put the left-hand side at 0.5x the bound: only the " +
			"classification shows that E[int eta_t ||grad f||^2] is infinite. In the pathwise reading eta_t ~ 1/|f'| tames both coefficients and every moment " +
			"is finite: the same configuration passes. The proof's Ito argument takes expectations of a local martingale that is not a martingale here. " +
			"The same holds for DCSGD's SDE with an unbiased compressor (its covariance has omega f'^2) and for |x|^p/p, p > 3 (E X^q finite iff q < 2p - 3).",
	}
	FindingFig1SDEDivergence = &Finding{
		ID:    "F7-figure-1-sde-cannot-diverge",
		Title: "Figure 1's left-top divergence (sigma = 3, no schedule) is a property of the discrete method: the SDE reaches the divergence threshold with probability below 1e-8",
		Explanation: "On x^4/4 with noise 3|f'|, eta = 0.01, x0 = 3 and T = 50, V = sqrt(1 + x^2) has LV <= c on the whole line (the drift -x^3 beats the Ito term " +
			"eta sigma^2 x^6/(2 V^3) ~ 0.045 |x|^3), so V(X_t) + c (T - t) is a nonnegative supermartingale and Ville's inequality bounds P(sup |X_t| >= 1e10) by " +
			"(V(x0) + c T)/1e10. The SDE does not explode (+-inf are entrance boundaries, F6); the paths that hit the integrator's substep floor were " +
			"numerical trouble, not divergence. The weak-order-1 correspondence between method and SDE holds on bounded horizons for smooth test functions; " +
			"escape to infinity is not such a functional, and here the two models part.",
		Evidence: "Figure 1's left-top claim on the SDE (`go test ./theorems/studies -run 'TestFigure1$' -v`; the report's Figure 1 claims); docs/math.md section 8 (escape).",
	}
	FindingWeakDivergence = &Finding{
		ID: "F8-weak-error-truncated-functional",
		Title: "The weak studies measure a truncated functional: with unbounded noise DSGD and DCSGD on x^4/4 have E f(x_{T/eta}) -> infinity as eta -> 0 " +
			"(E f(x_40) >= 10^(1.04e20) at eta = 0.05, T = 2, where the SDE's E f(X_2) = 0.01), so Def. 3 fails for them; DSignSGD's bounded step is immune",
		Explanation: "Def. 3 compares E g(x_k) with E g(X_{k eta}) for every g of polynomial growth. One noise draw can push a path of DSGD or DCSGD past the " +
			"contracting region |x| > sqrt(2/(eta eta_k)) of x^4/4; from there |x_{k+1}| >= eta eta_k |x_k|^3 - |x_k| whenever the noise does not point back " +
			"(probability >= 1/2 a step; DCSGD: every agent kept too), so log|x| triples each step. docs/math.md section 7.2 proves " +
			"E g(x_K) >= P pi(U) (P/2)^(K-1) C u_K^Q (exact.Divergence; P the probability that every agent keeps its coordinate, pi(U) the launch to |x_1| >= U): " +
			"with Gaussian noise the launch costs exp(-O(eta^-3)) and the growth gives exp(c 3^(T/eta)), so E f(x_{T/eta}) -> infinity, as Euler's method loses " +
			"its moments on superlinear SDEs (Hutzenthaler, Jentzen and Kloeden, Proc. R. Soc. A 467, 2011). On the weak examples (x0 = 1, T = 2) " +
			"log10 E f(x_{T/eta}) >= 1.04e20 (DSGD, sigma1 = 0.1), 1.2e20 (sigma1 = 1) and 1.23e20 (DCSGD, Bernoulli p = 0.5, sigma0 = 0.5) at eta = 0.05, " +
			"and 4.6e154 at eta = 0.00625, while the SDE's E f(X_2) is 0.0100-0.0130, finite (section 8); with Student-t noise E f(x_K) is infinite once " +
			"4 3^(K-1) > nu. So no C, alpha satisfy Def. 3 for g = f or ||x||^2. Each weak study states what it measures instead (weak.Result.Functional, " +
			"under its table): the exact engine E g(x_min(k, tau)), the chain stopped where it first leaves its grid [-R, R] (R = 2|x0| + 2 = 4 on the examples) " +
			"and valued by g where it lands (with Settings.Absorb the mass is killed: E[g(x_k); tau > k]), the SDE's law on the same grid; Monte Carlo the mean " +
			"over its paths, none of which escapes (the launch behind the bound has probability 10^(-1e9) or less at eta <= 0.1; an early escape would " +
			"overflow). The orders the studies report for DSGD and DCSGD (about 1) are orders of that truncated functional, which Def. 3 does not define; " +
			"for bounded g the escapes move E g by at most 2 sup|g| times their probability. DSignSGD's step is bounded by eta eta_k: |x_k| <= |x0| + T = 3 < R " +
			"on its examples, so its studies measure E g(x_k) itself.",
		Evidence: "exact.Divergence (`go test ./model/exact -run Divergence -v`: the bound against E f(x_K) computed directly on K = 1..3 steps, and its growth " +
			"on the weak examples); the 'Measured:' statement under every weak study's table (`sdeverify weak -config examples/weak-dsgd-sigma1-0.1.json`, the report); " +
			"docs/math.md section 7.2.",
	}
	FindingFig1RightAdmissibility = &Finding{
		ID:    "F3-figure-1-right-schedule-not-admissible",
		Title: "Figure 1's right-bottom schedule eta_k = 1/sqrt(k+1) is not admissible for Thm 7 at sigma = 16 in its first steps",
		Explanation: "Thm 7 needs eta eta_t < 2 N ell_nu/(sigma_H L1 d) = 1/(3 sigma) for N = d = 1, ell_1 = 1/2, L1 = 3; with eta = 0.1 and eta_0 = 1 this fails for " +
			"sigma > 10/3, so at sigma = 8 and 16 the theorem says nothing about the first (0.3 sigma)^2 - 1 steps and its bound is VACUOUS for the panel as drawn.",
	}
)

// Findings is the registry of the suite's findings, in the order of their
// IDs (F1, F2, ...). FINDINGS.md is generated from it and from the pinned
// cases that reproduce each (`sdeverify pinned -md FINDINGS.body.md`, under
// a hand-written header); a finding no pinned case reproduces is listed
// there with its Evidence.
var Findings = []*Finding{FindingThm7Phases, FindingThm4Ensemble, FindingFig1RightAdmissibility, FindingDiscreteBoundary, FindingThm6Constant, FindingHeavyTails, FindingFig1SDEDivergence, FindingWeakDivergence}
