package properties

import (
	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/mc"
)

func drawerFor(seed uint64) model.Drawer { return model.RandDrawer{R: mc.Stream(seed, 0)} }
