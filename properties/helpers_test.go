package properties

import (
	"github.com/sdeverify/sdeverify/model/gen"
	"github.com/sdeverify/sdeverify/model/mc"
)

func drawerFor(seed uint64) gen.Drawer { return gen.RandDrawer{R: mc.Stream(seed, 0)} }
