package main

import (
	"fmt"
	"io"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

func runDiff(args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 || len(args) > 2 {
		return usagef("want one or two snapshot files, got %d arguments", len(args))
	}
	snaps := make([]*snapshot.Snapshot, len(args))
	for i, name := range args {
		s, err := parseFile(name)
		if err != nil {
			return err
		}
		snaps[i] = s
	}
	var frame []byte
	var err error
	if len(snaps) == 1 {
		frame, err = codec.EncodeFull(snaps[0])
	} else {
		var d *delta.Delta
		if d, err = delta.Diff(snaps[0], snaps[1]); err == nil {
			frame, err = codec.EncodeDelta(d)
		}
	}
	if err != nil {
		return err
	}
	_, err = stdout.Write(frame)
	return err
}

func parseFile(name string) (*snapshot.Snapshot, error) {
	data, err := readInput(name)
	if err != nil {
		return nil, err
	}
	s, err := snapshot.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return s, nil
}
