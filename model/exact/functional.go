package exact

import "fmt"

// GridRadius is the radius R of the grid [-R, R] the settings give a
// chain started at x0 (Radius, or its default 2|x0| + 2).
func (s Settings) GridRadius(x0 float64) float64 { return s.withDefaults(x0).Radius }

// Functional states what Discrete, SDE and Forward compute under the
// settings for a chain started at x0, which is E g(x_k) only for a chain
// that never leaves the grid: by default a path that leaves [-R, R] is
// frozen where it lands and valued there by g (the operator's constant
// vector), with Absorb it is killed, and with Reflect (the SDE's forward
// computation) the edges send it back. Where E g(x_k) is dominated by
// paths that leave (DSGD and DCSGD with unbounded noise on a superlinear
// gradient, see Divergence) the difference is everything.
func (s Settings) Functional(x0 float64) string {
	r := s.GridRadius(x0)
	switch {
	case s.Absorb:
		return fmt.Sprintf("E[g(x_k); |x_j| <= R for every j <= k], R = %.4g: the mass that leaves the grid [-R, R] is killed", r)
	case s.Reflect:
		return fmt.Sprintf("E g(x_k) of the chain reflected at the edges of the grid [-R, R], R = %.4g", r)
	}
	return fmt.Sprintf("E g(x_min(k, tau)), tau the first step at which the path is outside the grid [-R, R], R = %.4g: a path that leaves is frozen where it lands and valued there by g", r)
}
