// Package builtin registers the suite's built-in kinds: importing it (for
// its side effect, as a program imports a database/sql driver) makes the
// noise laws, compressors, objective atoms, schedules and methods of
// model/noise, model/compress, model/objective, model/schedule and
// model/update known to the configuration's decoder, the JSON Schema, the
// generators and the command line. model/mc imports it, so every program
// that reads a configuration has them.
package builtin

import (
	_ "github.com/sdeverify/sdeverify/model/compress"
	_ "github.com/sdeverify/sdeverify/model/noise"
	_ "github.com/sdeverify/sdeverify/model/objective"
	_ "github.com/sdeverify/sdeverify/model/schedule"
	_ "github.com/sdeverify/sdeverify/model/update"
)
