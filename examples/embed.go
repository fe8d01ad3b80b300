// Package examples holds the documented configuration files of
// examples/README.md, embedded so that the command line (the report's
// weak-error studies) runs the very files a user reads.
package examples

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

//go:embed *.json
var files embed.FS

// Read returns the named file (for example "weak-dsgd-sigma1-0.1.json").
func Read(name string) ([]byte, error) { return files.ReadFile(name) }

// Weak returns the names of the weak-error examples (weak-*.json), sorted.
func Weak() []string {
	names, _ := fs.Glob(files, "weak-*.json")
	return names
}

// Stem returns a file name without its .json extension.
func Stem(name string) string { return strings.TrimSuffix(path.Base(name), ".json") }
