// Command sdeverify runs the verification suite's experiments.
//
// Usage (sdeverify -h lists every command, sdeverify COMMAND -h its flags):
//
//	sdeverify simulate -config FILE [-json OUT]
//	sdeverify check -theorem ID -config FILE [-json OUT]
//	sdeverify pinned [-short] [-md OUT] [-json OUT]
//	sdeverify weak -config FILE [-json OUT]
//	sdeverify stability -config FILE [-json OUT]
//	sdeverify report [-out DIR]
//	sdeverify figure1 [-scale paper|small] [-out DIR]
//	sdeverify verify [-n N] [-seed S] [-shard i/n] [-json OUT [-resume]]
//	sdeverify merge -out DIR SHARD.json...
//
// Exit codes: 0 every outcome as expected, 1 an outcome not as expected (a
// new violation, a changed pinned outcome, a Monte Carlo run off its exact
// law), 2 usage or configuration error (one line on stderr, no output file
// written). Under 'go run' every nonzero code becomes 1 (go run prints
// "exit status N"): build the binary to see them.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// exitError carries an exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func usageErr(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

var commands = map[string]func(args []string, stdout, stderr io.Writer) error{
	"simulate": cmdSimulate,
	"check":    cmdCheck,
	"pinned":   cmdPinned,
	"weak":     cmdWeak,
	"report":   cmdReport,
	"figure1":  cmdFigure1,
	"verify":   cmdVerify,
	"merge":    cmdMerge,
}

const usage = `sdeverify: executable checks of the (L0,L1) SDE paper's theorems.

Usage:
  sdeverify simulate -config FILE [-json OUT]            run one experiment
  sdeverify check -theorem ID -config FILE [-json OUT]   check a theorem on an experiment
  sdeverify pinned [-short] [-md OUT] [-json OUT]        check the pinned set against its expected outcomes
  sdeverify weak -config FILE [-etas ...] [-json OUT]    weak error of the method against its SDE, with the order
  sdeverify stability -config FILE [-etas LO:HI:N] [-level Q] [-radius R,...] [-horizon T] [-json OUT]  critical step sizes of the method and its SDE models (d = 1)
  sdeverify report [-out DIR] [-scale small|paper]       the verification report (the main job)
  sdeverify figure1 [-scale paper|small] [-out DIR]      Figure 1's six panels and claims
  sdeverify verify [-n N] [-seed S] [-shard i/n] [-json OUT [-resume]]
                                                         a campaign over random configurations (-resume: continue an interrupted one)
  sdeverify merge -out DIR SHARD.json...                 combine one campaign's shards into one report

Exit codes: 0 every outcome as expected, 1 an outcome not as expected (a
new violation, a changed pinned outcome, a Monte Carlo run off its exact
law), 2 usage or configuration error. 'go run' turns every nonzero code
into 1 (printing "exit status N"): build the binary to see them.

Run 'sdeverify COMMAND -h' for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "sdeverify: unknown command %q\n%s", args[0], usage)
		return 2
	}
	err := cmd(args[1:], stdout, stderr)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	code := 2
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	fmt.Fprintf(stderr, "sdeverify %s: %v\n", args[0], err)
	return code
}

// cmdFlags is a subcommand's flag set: errors are returned as one line,
// and the usage text is printed only when asked for with -h.
type cmdFlags struct {
	*flag.FlagSet
	synopsis string
	stderr   io.Writer
}

func newFlags(name, synopsis string, stderr io.Writer) *cmdFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &cmdFlags{FlagSet: fs, synopsis: synopsis, stderr: stderr}
}

// parse parses args, turning flag errors into usage errors.
func (fs *cmdFlags) parse(args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(fs.stderr, "Usage: sdeverify %s\n\nFlags:\n", fs.synopsis)
			fs.SetOutput(fs.stderr)
			fs.PrintDefaults()
			return err
		}
		return &exitError{code: 2, err: fmt.Errorf("%v (see -h)", err)}
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q (see -h)", fs.Arg(0))
	}
	if rule := flagRules[fs.Name()]; rule != nil {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		return rule(fs.FlagSet, set)
	}
	return nil
}
