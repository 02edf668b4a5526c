package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/bench"
)

// TestRunShort runs the demo end to end on a few polls over a link that
// loses and duplicates requests: it must finish, account for every poll,
// and print the table with the verification line.
func TestRunShort(t *testing.T) {
	opts := DefaultOptions()
	opts.Environments = []Environment{{bench.DockerSmall, 25}, {bench.K8sSmall, 4}}
	opts.DropRequest, opts.DropAck, opts.Duplicate = 0.2, 0.1, 0.1
	var out bytes.Buffer
	results, err := Run(context.Background(), &out, opts)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(results) != 2 {
		t.Fatalf("%d results", len(results))
	}
	for _, r := range results {
		if r.Polls == 0 || r.Verified != r.Polls || r.FullFrames < 1 || r.WireBytes <= 0 || r.LinkBytes <= 0 {
			t.Errorf("%s: %+v", r.Env, r)
		}
		if r.Baselines["full-gzip"] <= r.WireBytes {
			t.Errorf("%s: snapdelta sent %d bytes, full-gzip %d", r.Env, r.WireBytes, r.Baselines["full-gzip"])
		}
	}
	if !strings.Contains(out.String(), "server state verified equal to agent state") {
		t.Fatalf("no verification line:\n%s", out.String())
	}
}
