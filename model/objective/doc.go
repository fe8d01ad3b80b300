// Package objective holds the built-in (L0,L1)-smooth objectives: the atoms
// ([Quartic], [Power], [Cosh], [LogCosh], [Square], [ExpLinear]), one file
// each registering its kind with model.Register, their sums [Separable] and
// [Homogeneous], [Quadratic], and the combinators [Shifted] and [Rotated];
// [Spec] is an objective's JSON form (a configuration's "objective"). The
// interfaces (model.Objective, model.Atom, model.Certificate) are package
// model's. A user's atom is one file of its own package
// (examples/extend/pseudohuber).
package objective
