package properties_test

import (
	"fmt"

	"pgregory.net/rapid"

	"github.com/sdeverify/sdeverify/model/gen"
	"github.com/sdeverify/sdeverify/model/objective"
	"github.com/sdeverify/sdeverify/properties"
)

// ExampleDrawer draws random objectives through rapid (which owns the
// inputs, so a failing property shrinks them) and builds them: every drawn
// spec is valid and within the dimensions asked for.
func ExampleDrawer() {
	objective := rapid.Custom(func(t *rapid.T) objective.Spec {
		return gen.Objective(properties.Drawer{T: t}, gen.Options{MaxDim: 4})
	})
	ok := true
	for seed := range 20 {
		f, err := objective.Example(seed).Build()
		ok = ok && err == nil && f.Dim() >= 1 && f.Dim() <= 4
	}
	fmt.Println("20 objectives built, dimensions 1-4:", ok)
	// Output: 20 objectives built, dimensions 1-4: true
}
