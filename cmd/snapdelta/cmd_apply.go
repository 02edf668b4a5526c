package main

import (
	"fmt"
	"io"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/snapshot"
)

func runApply(args []string, stdout, stderr io.Writer) error {
	var baseName, frameName string
	switch len(args) {
	case 1:
		frameName = args[0]
	case 2:
		baseName, frameName = args[0], args[1]
		if baseName == "-" {
			baseName = ""
		}
	default:
		return usagef("want [BASE|-] FRAME, got %d arguments", len(args))
	}
	if baseName != "" && frameName == "-" && baseName == "-" {
		return usagef("base and frame cannot both be standard input")
	}
	frame, err := readInput(frameName)
	if err != nil {
		return err
	}
	var base *snapshot.Snapshot
	if baseName != "" {
		if base, err = parseFile(baseName); err != nil {
			return err
		}
	}
	s, err := codec.Apply(base, frame)
	if err != nil {
		return fmt.Errorf("%s: %w", frameName, err)
	}
	out := append(s.MarshalCanonical(), '\n')
	_, err = stdout.Write(out)
	return err
}
