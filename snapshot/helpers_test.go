package snapshot

import (
	"testing"
)

// mustParse parses doc with the default configuration or fails the test.
func mustParse(t testing.TB, doc string) *Snapshot {
	t.Helper()
	s, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse(%.80q): %v", doc, err)
	}
	return s
}

// mustNode parses doc into its root node or fails the test.
func mustNode(t testing.TB, doc string) *Node {
	t.Helper()
	return mustParse(t, doc).Root()
}

// canon returns the canonical JSON of n as a string.
func canon(n *Node) string { return string(AppendCanonical(nil, n)) }
