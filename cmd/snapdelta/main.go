// Command snapdelta diffs, applies and inspects snapshot frames, and runs the
// reference server and agent. Run "snapdelta help" for the commands.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// usageError marks a command line that cannot be run; main exits 2 for it.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// flagsHelp is what a command returns for -h: main prints its flags and
// exits 0.
type flagsHelp struct{ fs *flag.FlagSet }

func (flagsHelp) Error() string { return "help requested" }

// parseFlags parses a command's flags: a usage error for a bad one,
// flagsHelp for -h or --help.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return flagsHelp{fs}
	case err != nil:
		return usagef("%v", err)
	}
	return nil
}

type command struct {
	name    string
	args    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"diff", "[BASE] NEXT", "write the delta frame from BASE to NEXT (or a full frame of NEXT) to stdout", runDiff},
		{"apply", "[BASE|-] FRAME", "rebuild the snapshot a frame describes and print it as canonical JSON", runApply},
		{"inspect", "[--json] FRAME", "describe what a frame holds", runInspect},
		{"demo", "", "run a server and lossy agents on loopback and print the bytes saved", runDemo},
		{"bench", "[--profile P|all | --dir DIR] [FLAGS]", "compare snapdelta's wire bytes and times with the baselines", runBench},
		{"serve", "--data DIR --secrets FILE [FLAGS]", "run the reference HTTP server (receiver + bbolt store)", runServe},
		{"agent", "--server URL --env ID --secret S (--replay DIR | --source CMD) [FLAGS]", "send snapshots to a server as deltas", runAgent},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(args[1:], stdout, stderr)
		if err == nil {
			return 0
		}
		var help flagsHelp
		if errors.As(err, &help) {
			fmt.Fprintf(stderr, "usage: snapdelta %s %s\n\nflags:\n", c.name, c.args)
			help.fs.SetOutput(stderr)
			help.fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "snapdelta %s: %v\n", c.name, err)
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "usage: snapdelta %s %s\n", c.name, c.args)
			return 2
		}
		return 1
	}
	fmt.Fprintf(stderr, "snapdelta: unknown command %q (run \"snapdelta help\")\n", args[0])
	return 2
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "snapdelta: send environment snapshots as small verified deltas")
	fmt.Fprintln(w, "\nusage: snapdelta COMMAND [ARGS]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %-18s %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprintln(w, "\nFRAME may be \"-\" for standard input; \"apply - FRAME\" takes no base.")
	fmt.Fprintln(w, "\"snapdelta COMMAND -h\" lists the flags of agent, serve, bench and inspect.")
}

// readInput reads a named file, or standard input for "-".
func readInput(name string) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return b, nil
}
