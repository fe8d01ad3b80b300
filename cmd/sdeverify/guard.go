package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"

	"github.com/sdeverify/sdeverify/internal/atomicfile"
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
	b, err := json.MarshalIndent(v, "", "  ")
	var uve *json.UnsupportedValueError
	if errors.As(err, &uve) {
		var t any
		if t, err = finiteTree(reflect.ValueOf(v)); err == nil {
			b, err = json.MarshalIndent(t, "", "  ")
		}
	}
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return atomicfile.Write(path, append(b, '\n'))
}

var marshaler = reflect.TypeFor[json.Marshaler]()

// finiteTree turns v into maps, slices and scalars as encoding/json would
// see them (struct tags, omitempty, embedded structs, Marshalers), with
// NaN and +-Inf as nil.
func finiteTree(v reflect.Value) (any, error) {
	if !v.IsValid() {
		return nil, nil
	}
	if v.Type().Implements(marshaler) && !(v.Kind() == reflect.Pointer && v.IsNil()) {
		b, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return nil, err
		}
		return json.RawMessage(b), nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return finiteTree(v.Elem())
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, nil
		}
		return v.Interface(), nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil, nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Interface(), nil
		}
		out := make([]any, v.Len())
		for i := range out {
			e, err := finiteTree(v.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case reflect.Map:
		if v.IsNil() {
			return nil, nil
		}
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			e, err := finiteTree(it.Value())
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(it.Key().Interface())] = e
		}
		return out, nil
	case reflect.Struct:
		out := map[string]any{}
		if err := structFields(v, out); err != nil {
			return nil, err
		}
		return out, nil
	}
	return v.Interface(), nil
}

func structFields(v reflect.Value, out map[string]any) error {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() && !sf.Anonymous {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if sf.Anonymous && name == "" && fv.Kind() == reflect.Struct {
			if err := structFields(fv, out); err != nil {
				return err
			}
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if strings.Contains(opts, "omitempty") && fv.IsZero() {
			continue
		}
		if (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && strings.Contains(opts, "omitempty") && fv.Len() == 0 {
			continue
		}
		e, err := finiteTree(fv)
		if err != nil {
			return err
		}
		out[name] = e
	}
	return nil
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
