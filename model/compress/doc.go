// Package compress holds the built-in unbiased compressors, one file each
// registering its kind with model.Register: [Identity], [Bernoulli]
// sparsification, [RandK] and [QSGD], each with E||C(v) - v||^2 <= omega
// ||v||^2 (model.Unbiased). The biased sign compressor is model.Sign. A
// user's compressor is one file of its own package (examples/extend/ternary).
package compress
