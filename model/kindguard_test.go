package model_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sdeverify/sdeverify/model"
	"github.com/sdeverify/sdeverify/model/exact"
	"github.com/sdeverify/sdeverify/theorems/stability"
)

// kindGuardExceptions are the comparisons with a kind outside its file
// that remain, each with why (issue 25.1's list of what is left): a new
// one fails TestNoKindComparedOutsideItsFile. Keys are "path: Name".
var kindGuardExceptions = map[string]string{
	// None: the update-rule bounds ask their method's parameters as
	// capabilities (ClipRadius, NormBeta, StepConstants).
}

// TestNoKindComparedOutsideItsFile: no type assertion, type switch case or
// ==/!= comparison names a registered kind (an exported type or method
// value declared in a file that calls Register) outside that kind's own
// file, in the module's non-test Go files; what only some kinds can do is
// asked through a capability instead (docs/extending.md section 2).
// Deterministic: a parse of the source tree.
func TestNoKindComparedOutsideItsFile(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	// kind -> its file: "schedule.Constant" -> "model/schedule/constant.go"
	// (the built-in kinds' packages and package model itself).
	kindFile := map[string]string{}
	for _, dir := range []string{".", "noise", "compress", "objective", "schedule", "update"} {
		own, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		pkg := filepath.Base(dir)
		if dir == "." {
			pkg = "model"
		}
		for _, f := range own {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(src), "Register(") {
				continue
			}
			af, err := parser.ParseFile(fset, f, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range af.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok {
					continue
				}
				for _, s := range g.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							kindFile[pkg+"."+s.Name.Name] = filepath.ToSlash(filepath.Join("model", f))
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() && g.Tok == token.VAR {
								kindFile[pkg+"."+n.Name] = filepath.ToSlash(filepath.Join("model", f))
							}
						}
					}
				}
			}
		}
	}
	if len(kindFile) < 20 {
		t.Fatalf("found %d kinds in the kinds' files, want the registered ones", len(kindFile))
	}
	var found []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && d.Name() != ".." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, "../"))
		pkg := filepath.Base(filepath.Dir(rel))
		af, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		name := func(e ast.Expr) string {
			switch e := e.(type) {
			case *ast.Ident:
				return pkg + "." + e.Name
			case *ast.SelectorExpr:
				if x, ok := e.X.(*ast.Ident); ok {
					return x.Name + "." + e.Sel.Name
				}
			case *ast.StarExpr:
				if s, ok := e.X.(*ast.SelectorExpr); ok {
					if x, ok := s.X.(*ast.Ident); ok {
						return x.Name + "." + s.Sel.Name
					}
				}
			}
			return ""
		}
		check := func(e ast.Expr) {
			n := name(e)
			if f, ok := kindFile[n]; ok && f != rel {
				found = append(found, rel+": "+n)
			}
		}
		ast.Inspect(af, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.TypeAssertExpr:
				if x.Type != nil {
					check(x.Type)
				}
			case *ast.TypeSwitchStmt:
				for _, c := range x.Body.List {
					for _, e := range c.(*ast.CaseClause).List {
						check(e)
					}
				}
			case *ast.BinaryExpr:
				if x.Op == token.EQL || x.Op == token.NEQ {
					check(x.X)
					check(x.Y)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(found)
	for _, f := range found {
		if _, ok := kindGuardExceptions[f]; !ok {
			t.Errorf("%s: a kind compared outside its file; ask a capability instead", f)
		}
	}
}

// kindNameExceptions are the comparisons of a kind's name outside its
// file that remain, each with why: a new one fails
// TestNoKindNameComparedOutsideItsFile. Keys are "path: name".
var kindNameExceptions = map[string]string{
	// ModelSpec.Integrator refuses a spec of another kind: the spec's
	// own two-valued enum (mc.Model's names), in the spec's file.
	"model/spec.go: sde": "ModelSpec's own enum",
}

// kindNameOperand matches the name of an operand that holds a kind's name
// (a spec's Kind, a model, a method, a name, ...): a comparison of such an
// operand with a kind's name as a string literal is a comparison on a
// kind. The theorems' targets ("sde", "discrete") share words with the
// models but are not kinds, and their operands (target, v.Target) do not
// match. A kind's name held in a constant of another file is not caught.
var kindNameOperand = regexp.MustCompile(`(?i)kind|model|method|noise|compressor|atom|schedule|name`)

// TestNoKindNameComparedOutsideItsFile: no ==/!= comparison and no case
// of a switch compares an operand that holds a kind's name (an identifier
// or field whose name says kind, model, method, noise, compressor, atom,
// schedule or name: kindNameOperand) with the name of a registered kind (model's
// registry: noise laws, compressors, atoms, schedules, methods; the exact
// engine's SDE models and the stability maps' models, with their short
// names) as a string literal, outside the files that declare that name
// (a Kind's Name field, a Name, MapName or String method returning it, a
// constant, or a composite literal's Name field), in the module's non-test
// Go files. Deterministic: a parse of the source tree. On the tree before
// issue 25's last string comparisons went (e95bf99) it lists 13:
// model/mc/config.go ("constant", "discrete", "sde"), reports/stability.go
// (4 "discrete", 1 "sde"), reports/stabilitysection.go ("sde", "sde2")
// and cmd/sdeverify's 3 model.kind == "sde".
func TestNoKindNameComparedOutsideItsFile(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, sort := range []string{"noise", "compressor", "atom", "schedule", "method"} {
		for _, k := range model.Kinds(sort) {
			names[k.Name] = true
		}
	}
	for _, n := range exact.ModelNames() {
		names[n] = true
	}
	for _, n := range stability.ModelNames() {
		names[n] = true
	}
	if len(names) < 25 {
		t.Fatalf("found %d kind names, want every registered one", len(names))
	}
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && d.Name() != ".." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		af, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(strings.TrimPrefix(path, "../"))] = af
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	lit := func(e ast.Expr) (string, bool) {
		b, ok := e.(*ast.BasicLit)
		if !ok || b.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(b.Value)
		return s, err == nil
	}
	// The files that declare each name.
	declared := map[string]map[string]bool{}
	declare := func(e ast.Expr, file string) {
		if s, ok := lit(e); ok && names[s] {
			if declared[s] == nil {
				declared[s] = map[string]bool{}
			}
			declared[s][file] = true
		}
	}
	for rel, af := range files {
		ast.Inspect(af, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Name" {
					declare(x.Value, rel)
				}
			case *ast.ValueSpec:
				for _, v := range x.Values {
					declare(v, rel)
				}
			case *ast.FuncDecl:
				if x.Recv != nil && (x.Name.Name == "Name" || x.Name.Name == "MapName" || x.Name.Name == "String") && x.Body != nil {
					ast.Inspect(x.Body, func(y ast.Node) bool {
						if r, ok := y.(*ast.ReturnStmt); ok && len(r.Results) == 1 {
							declare(r.Results[0], rel)
						}
						return true
					})
				}
			}
			return true
		})
	}
	operand := func(e ast.Expr) bool {
		switch e := e.(type) {
		case *ast.Ident:
			return kindNameOperand.MatchString(e.Name)
		case *ast.SelectorExpr:
			return kindNameOperand.MatchString(e.Sel.Name)
		}
		return false
	}
	var found []string
	check := func(rel string, x, y ast.Expr) {
		s, ok := lit(y)
		if !ok {
			s, ok = lit(x)
			x = y
		}
		if ok && names[s] && operand(x) && !declared[s][rel] {
			found = append(found, rel+": "+s)
		}
	}
	for rel, af := range files {
		ast.Inspect(af, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.BinaryExpr:
				if x.Op == token.EQL || x.Op == token.NEQ {
					check(rel, x.X, x.Y)
				}
			case *ast.SwitchStmt:
				if x.Tag == nil {
					break
				}
				for _, c := range x.Body.List {
					for _, e := range c.(*ast.CaseClause).List {
						check(rel, x.Tag, e)
					}
				}
			}
			return true
		})
	}
	sort.Strings(found)
	for _, f := range found {
		if _, ok := kindNameExceptions[f]; !ok {
			t.Errorf("%s: a kind's name compared outside the files that declare it; ask the registry or a capability instead", f)
		}
	}
}
