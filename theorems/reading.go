package theorems

import "fmt"

// Reading is how a check reads the theorems' admissibility condition on
// the schedule, which involves ||grad f(x_k)|| (docs/math.md section 3):
// the ensemble mean over the paths (Ensemble, the default) or each path's
// own (Pathwise). Its JSON form is its name.
type Reading string

// The readings.
const (
	Ensemble Reading = "ensemble"
	Pathwise Reading = "pathwise"
)

// Validate refuses a reading other than Ensemble and Pathwise.
func (r Reading) Validate() error {
	if r != Ensemble && r != Pathwise {
		return fmt.Errorf("reading = %q: must be %s or %s", string(r), Ensemble, Pathwise)
	}
	return nil
}
