package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/snapdelta/snapdelta/bench"
)

// benchProfiles is what --profile all runs; tests shorten it.
var benchProfiles = bench.Profiles

func runBench(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	profile := fs.String("profile", "", "simulated profile: "+profileNames()+" or all (default "+string(bench.DockerSmall)+")")
	dir := fs.String("dir", "", "run over DIR/snap-*.json in name order instead of a simulated profile")
	cycles := fs.Int("cycles", 60, "polls to simulate (with --dir: read at most N files; default all)")
	seed := fs.Int64("seed", 1, "simulator seed")
	asJSON := fs.Bool("json", false, "print JSON for machines")
	svgFile := fs.String("svg", "", "also draw the bytes of every cycle to FILE as an SVG chart")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case fs.NArg() != 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case set["profile"] && set["dir"]:
		return usagef("give --profile or --dir, not both")
	case set["dir"] && *dir == "":
		return usagef("--dir needs a folder")
	case set["dir"] && set["seed"]:
		return usagef("--seed applies to simulated profiles, not to --dir")
	case (set["cycles"] || *dir == "") && *cycles < 2:
		return usagef("--cycles must be at least 2 (one full poll, then deltas), got %d", *cycles)
	}

	var cs []*bench.Comparison
	if *dir != "" {
		polls, err := bench.ReadPolls(*dir)
		if err != nil {
			return err
		}
		if set["cycles"] && len(polls) > *cycles {
			polls = polls[:*cycles]
		}
		if len(polls) < 2 {
			return fmt.Errorf("%s holds one snap-*.json file: need at least two polls", *dir)
		}
		c, err := bench.Compare(*dir, polls, bench.Strategies())
		if err != nil {
			return err
		}
		cs = append(cs, c)
	} else {
		profiles, err := pickProfiles(*profile)
		if err != nil {
			return err
		}
		for _, p := range profiles {
			fmt.Fprintf(stderr, "snapdelta bench: %s: %d polls, %d strategies...\n", p, *cycles, len(bench.Strategies()))
			c, err := bench.CompareProfile(p, *seed, *cycles)
			if err != nil {
				return err
			}
			cs = append(cs, c)
		}
	}

	if *svgFile != "" {
		var buf bytes.Buffer
		if err := bench.WriteSVG(&buf, "snapdelta bench: wire bytes of every poll", cs...); err != nil {
			return err
		}
		if err := os.WriteFile(*svgFile, buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if *asJSON {
		var v any
		if len(cs) == 1 {
			v = cs[0].Summary()
		} else {
			all := make([]bench.Summary, len(cs))
			for i, c := range cs {
				all[i] = c.Summary()
			}
			v = all
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	for i, c := range cs {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		if err := c.WriteTable(stdout); err != nil {
			return err
		}
	}
	return nil
}

// pickProfiles resolves --profile: one profile, all of them, or the default.
func pickProfiles(name string) ([]bench.Profile, error) {
	switch name {
	case "":
		return []bench.Profile{bench.DockerSmall}, nil
	case "all":
		return benchProfiles(), nil
	}
	if p := bench.Profile(name); slices.Contains(bench.Profiles(), p) {
		return []bench.Profile{p}, nil
	}
	return nil, usagef("unknown profile %q (want %s or all)", name, profileNames())
}

func profileNames() string {
	ps := bench.Profiles()
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}
