package main

import (
	"fmt"

	"github.com/sdeverify/sdeverify/reports"
	"github.com/sdeverify/sdeverify/theorems/stability"
)

// explosionPaths is the paths per omega and reading of Figure 1
// centre-top's explosion table (d = 1000), at -stability paper.
const explosionPaths = 200

// stabilityTasks returns the report's stability tasks for level ("none",
// "small": stability.SmallMaps, "paper": stability.PaperMaps and the
// centre-top explosion table) and the function that puts their results
// into the report in a fixed order. Each task runs on the workers the
// report's pool gives it; the numbers do not depend on them.
func stabilityTasks(level string, seed uint64) ([]reportTask, func(r *reports.Report), error) {
	var maps []stability.PaperMap
	switch level {
	case "none":
	case "small":
		maps = stability.SmallMaps()
	case "paper":
		maps = stability.PaperMaps()
	default:
		return nil, nil, usageErr("-stability = %q: want small, paper or none", level)
	}
	res := make([]*stability.Map, len(maps))
	var tasks []reportTask
	for i, pm := range maps {
		tasks = append(tasks, reportTask{"stability map, " + pm.Title, func(workers int) (err error) {
			s := pm.Spec
			s.Workers = workers
			res[i], err = stability.Compute(s)
			if err != nil {
				return fmt.Errorf("stability map %s: %w", pm.ID, err)
			}
			return nil
		}})
	}
	var rows []stability.ExplosionRow
	if level == "paper" {
		tasks = append(tasks, reportTask{"Figure 1 centre-top's SDE explosion", func(workers int) (err error) {
			rows, err = stability.CentreTopExplosion(1000, explosionPaths, seed, 1e-3, workers)
			return err
		}})
	}
	put := func(r *reports.Report) {
		for i, pm := range maps {
			r.Stability = append(r.Stability, reports.StabilityEntry{ID: pm.ID, Title: pm.Title, Map: res[i]})
		}
		r.Explosion = rows
	}
	return tasks, put, nil
}
