package noise

// GammaRand is gammaRand for the external tests.
var GammaRand = gammaRand
