package model_test

import (
	"fmt"

	"github.com/sdeverify/sdeverify/model"
)

// The registered kinds of a sort, as the configuration names them (a
// package that registers more, imported blank, adds to the list).
func ExampleKinds() {
	for _, k := range model.Kinds("noise") {
		fmt.Printf("%s %v\n", k.Name, k.Params())
	}
	// Output:
	// gaussian [sigma0 sigma1]
	// student-t [nu scale]
}
