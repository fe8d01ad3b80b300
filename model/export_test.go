package model

// Test hooks for the external tests (package model_test): unexported in
// the package's API, exported here only while testing.
var (
	SampleDiagMinusRankOne = sampleDiagMinusRankOne
	GammaRand              = gammaRand
)
