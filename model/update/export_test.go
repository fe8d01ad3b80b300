package update

// SampleDiagMinusRankOne is sampleDiagMinusRankOne for the external tests.
var SampleDiagMinusRankOne = sampleDiagMinusRankOne
