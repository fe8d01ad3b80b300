// Package schedule holds the built-in learning-rate schedules eta_k (the
// step is eta eta_k), one file each registering its kind with
// model.Register: [Constant], [Inv] and [InvSqrt] (clock schedules of the
// step index or the time), and [Normalized] (a rate read from the
// gradient). model.Schedule is the interface and model.Phi the sums
// phi^1, phi^2 of paper Sec. 4. A user's schedule is one file of its own
// package (examples/extend/stepdecay).
package schedule
