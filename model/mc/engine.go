package mc

// Engine names the engine that computed a result: EngineMonteCarlo (this
// package's paths) or EngineExact (model/exact: the law itself, in d = 1).
// Verdicts (theorems.Verdict, theorems.Options.SDEEngine), weak-error
// studies (weak.Result) and simulate's JSON all record it with these
// values.
type Engine string

const (
	EngineMonteCarlo Engine = "montecarlo"
	EngineExact      Engine = "exact"
)
