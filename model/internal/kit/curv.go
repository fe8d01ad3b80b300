package kit

// Curver is an atom that computes h_xx alone, to the bit as Eval's third
// result but without h and h_x (HessNorm, at every SDE substep, needs only
// it: log cosh's value costs an exp and a log1p).
type Curver interface {
	Curv(x float64) float64
}

// Curv returns an atom's h_xx(x): its Curv when it is a Curver, else
// Eval's third result. A is model.Atom at the callers: a type parameter,
// so that the atom is not converted to another interface per call.
func Curv[A interface {
	Eval(x float64) (h, d1, d2 float64)
}](a A, x float64) float64 {
	if c, ok := any(a).(Curver); ok {
		return c.Curv(x)
	}
	_, _, d2 := a.Eval(x)
	return d2
}
