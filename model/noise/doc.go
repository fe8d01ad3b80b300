// Package noise holds the built-in gradient noise laws, one file each
// registering its kind with model.Register: agent i sees g_i(x) = grad f(x)
// + Z_i(x) with
//
//	Gaussian:  Z_i ~ N(0, s_i(x)^2 I),  s_i(x)^2 = sigma0_i^2 + sigma1_i^2 ||grad f(x)||^2
//	StudentT:  Z_i = diag(scale_i) T,   T_j i.i.d. t_nu
//
// and the Student-t helpers [Xi] (paper eq. 51) and [EllNu]. A law
// implements model.Noise; what only some laws can do is a capability of
// package model (model.VarianceBounder, model.TScaler, the exact engine's
// model.Normal1Der, model.ZeroScaler, model.Quantiler) or, for the step
// kernels' fast paths, of model/internal/kit. A user's law is one file of
// its own package (examples/extend/centredexp).
package noise
