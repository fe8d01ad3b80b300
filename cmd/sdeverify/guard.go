package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/sdeverify/sdeverify/internal/atomicfile"
	"github.com/sdeverify/sdeverify/internal/jsonfinite"
	"github.com/sdeverify/sdeverify/model/mc"
)

// checkOutFile checks, before any work, that a file can be written at
// path: its folder exists and accepts a new file (a usage error otherwise,
// naming the flag).
func checkOutFile(flagName, path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usageErr("%s = %s: is a folder, not a file", flagName, path)
	}
	return probeDir(flagName, path, filepath.Dir(path))
}

// checkOutDir checks, before any work, that a report folder can be made at
// path: it is a folder that accepts files, or its nearest existing parent
// is.
func checkOutDir(flagName, path string) error {
	dir := path
	for {
		fi, err := os.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return usageErr("%s = %s: %s is a file, not a folder", flagName, path, dir)
			}
			return probeDir(flagName, path, dir)
		}
		if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return usageErr("%s = %s: %v", flagName, path, err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return usageErr("%s = %s: no existing parent folder", flagName, path)
		}
		dir = parent
	}
}

func probeDir(flagName, path, dir string) error {
	f, err := os.CreateTemp(dir, ".sdeverify-probe-*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return usageErr("%s = %s: cannot write in %s: %v", flagName, path, dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// writeJSON writes v as indented JSON, whole or not at all, with every
// non-finite number as null (encoding/json refuses NaN and +-Inf).
func writeJSON(path string, v any) error {
	b, err := jsonfinite.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return atomicfile.Write(path, append(b, '\n'))
}

// availableMemory returns the machine's available memory in bytes
// (MemAvailable of /proc/meminfo), or 0 when it cannot be read.
func availableMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// checkMemory refuses a configuration whose estimated memory need exceeds
// what the machine has available, before anything is allocated (factor:
// copies of the paths' states the command keeps, 2 for a coupled SDE run).
func checkMemory(cfgPath string, cfg mc.Config, factor float64) error {
	need := cfg.MemoryNeed() * factor
	if avail := availableMemory(); avail > 0 && need > float64(avail) {
		return usageErr("%s: the run needs about %s (paths %d x dimension %d), more than the %s this machine has available: lower paths or the dimension",
			cfgPath, bytesText(need), cfg.Paths, cfg.Objective.Dimension(), bytesText(float64(avail)))
	}
	return nil
}

func bytesText(b float64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.0f MB", b/(1<<20))
	}
	return fmt.Sprintf("%.0f kB", b/(1<<10))
}
