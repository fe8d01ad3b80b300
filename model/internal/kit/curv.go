package kit

// Curver is an atom that computes h_xx alone, to the bit as Eval's third
// result but without h and h_x (HessNorm, at every SDE substep, needs only
// it: log cosh's value costs an exp and a log1p).
type Curver interface {
	Curv(x float64) float64
}

// Curv returns an atom's h_xx(x): its Curv when it is a Curver, else
// Eval's third result.
func Curv(a interface {
	Eval(x float64) (h, d1, d2 float64)
}, x float64) float64 {
	if c, ok := a.(Curver); ok {
		return c.Curv(x)
	}
	_, _, d2 := a.Eval(x)
	return d2
}
