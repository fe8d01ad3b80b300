package model

// This file holds the capabilities that the exact engine's analytical
// lemmas ask of a kind: the lower bound on E g(x_K) of a method that
// escapes (exact.Divergence, docs/math.md section 7.2) and the SDE's
// explosion certificate (exact.RadialExplosion, docs/math.md section 9).
// Besides these they ask for Keeper1D, UpdateBounder (law1d.go), TScaler
// (noise.go) and Unbiased's Linear (compressor.go). A kind without them is
// outside the lemmas, which then say why; no kind is named outside its own
// file.

// A PowerLawer is an atom h(x) = a |x|^(r+1)/(r+1) with r > 1 (h' = a
// sign(x) |x|^r): PowerLaw returns a, r and true, or false when the atom
// is not of this form (x^4/4: a = 1, r = 3; |x|^p/p: a = 1, r = p - 1; c
// h(s x) of either: a = c |s|^(r+1)).
type PowerLawer interface {
	PowerLaw() (a, r float64, ok bool)
}

// A PowerSummer is an objective f(x) = sum_j a |x_j|^(r+1)/(r+1), r > 1,
// in its dimension: PowerSum returns a, r and true, or false when f is not
// of this form.
type PowerSummer interface {
	PowerSum() (a, r float64, ok bool)
}

// A CompressedMeaner is a method whose update is the agents' mean of
// their noisy gradients, each through the agent's compressor:
// U = (1/N) sum_i C_i(grad f + Z_i), C_i = AgentCompressor(a_i) (the
// Identity for a method that takes no compressor). DSGD and DCSGD.
type CompressedMeaner interface {
	AgentCompressor(a Agent) Compressor
}

// A NormalScaler is a noise law whose coordinates are independent normals
// of variance sigma0^2 + sigma1^2 |grad f|^2: NormalScales returns sigma0
// and sigma1 (the Gaussian law).
type NormalScaler interface {
	NormalScales() (sigma0, sigma1 float64)
}
