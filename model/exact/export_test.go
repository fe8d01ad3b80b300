package exact

// ConstSteps is constSteps for the package's external tests (the Monte
// Carlo engine imports this package, so a test that reads a config runs
// outside it).
var ConstSteps = constSteps
