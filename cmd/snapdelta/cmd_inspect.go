package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/snapdelta/snapdelta/codec"
)

func runInspect(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print JSON for machines")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want one frame file, got %d arguments", fs.NArg())
	}
	frame, err := readInput(fs.Arg(0))
	if err != nil {
		return err
	}
	info, err := codec.Inspect(frame)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	if *asJSON {
		b, err := json.MarshalIndent(info, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	_, err = io.WriteString(stdout, formatInfo(info))
	return err
}

func formatInfo(info *codec.Info) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kind         %s (format v%d, %s, dictionary %d)\n", info.Kind, info.Version, info.Compression, info.Dictionary)
	fmt.Fprintf(&b, "size         %d bytes on the wire, %d bytes of body\n", info.FrameBytes, info.BodyBytes)
	switch info.Kind {
	case codec.Full.String():
		fmt.Fprintf(&b, "root         %s\n", info.Root)
		return b.String()
	case codec.PatchFrom.String():
		fmt.Fprintf(&b, "base         %s\ntarget       the whole snapshot, compressed against the base's\n", info.Base)
		return b.String()
	}
	fmt.Fprintf(&b, "base         %s\ntarget       %s\n", info.Base, info.Target)
	if len(info.Edits) == 0 && len(info.Collections) == 0 {
		b.WriteString("changes      none\n")
	}
	for _, c := range info.Collections {
		fmt.Fprintf(&b, "collection   %s (by %s): %d added", c.Path, c.Rule, c.Added)
		switch {
		case c.Copies > 0:
			fmt.Fprintf(&b, " (%d as text coded against base items, %d copied-member rules)", c.AsText, c.Copies)
		case c.AsText > 0:
			fmt.Fprintf(&b, " (%d as text coded against base items)", c.AsText)
		}
		fmt.Fprintf(&b, ", %d replaced, %d patched", c.Replaced, c.Patched)
		if c.ShapeRun > 0 {
			fmt.Fprintf(&b, " (%d in shape runs)", c.ShapeRun)
		}
		fmt.Fprintf(&b, ", %d removed", c.Removed)
		if c.Reorder {
			b.WriteString(", reordered")
		}
		if c.Tick != "" {
			fmt.Fprintf(&b, ", status tick: %s", c.Tick)
		}
		b.WriteByte('\n')
	}
	if info.HexStrings > 0 {
		fmt.Fprintf(&b, "hex strings  %d\n", info.HexStrings)
	}
	if info.ItemsStreamBytes > 0 {
		fmt.Fprintf(&b, "items stream %d bytes\n", info.ItemsStreamBytes)
	}
	for _, e := range info.Edits {
		fmt.Fprintf(&b, "%-12s %s", e.Kind, e.Path)
		if e.Ops > 0 {
			fmt.Fprintf(&b, " (%d ops)", e.Ops)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
