package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
)

const (
	baseJSON = `{"containers":[{"Id":"a1","Status":"Up 3 minutes","Size":1.0},{"Id":"b2","Status":"Up 2 hours"}],"info":{"SystemTime":"2026-11-24T06:00:00Z","NGoroutines":52}}`
	nextJSON = `{"info":{"NGoroutines":53,"SystemTime":"2026-11-24T06:01:00Z"},"containers":[{"Id":"c3","Status":"Up Less than a second"},{"Id":"a1","Status":"Up 4 minutes","Size":1.00}]}`
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDiffApplyInspect(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, dir, "base.json", baseJSON)
	next := writeFile(t, dir, "next.json", nextJSON)

	r := runCLI(t, "diff", base, next)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("diff: code %d, stderr %q", r.code, r.stderr)
	}
	frame := writeFile(t, dir, "delta.sd", r.stdout)

	r = runCLI(t, "apply", base, frame)
	if r.code != 0 {
		t.Fatalf("apply: code %d, stderr %q", r.code, r.stderr)
	}
	want := `{"containers":[{"Id":"c3","Status":"Up Less than a second"},{"Id":"a1","Size":1.00,"Status":"Up 4 minutes"}],"info":{"NGoroutines":53,"SystemTime":"2026-11-24T06:01:00Z"}}` + "\n"
	if r.stdout != want {
		t.Fatalf("apply printed\n%s\nwant\n%s", r.stdout, want)
	}

	r = runCLI(t, "inspect", frame)
	if r.code != 0 || !strings.Contains(r.stdout, "kind         delta") || !strings.Contains(r.stdout, "collection   /containers (by Id): 1 added (1 as text coded against base items), 0 replaced, 1 patched, 1 removed") || !strings.Contains(r.stdout, "items stream ") {
		t.Fatalf("inspect: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "inspect", "--json", frame)
	if r.code != 0 || !strings.Contains(r.stdout, `"kind": "delta"`) {
		t.Fatalf("inspect --json: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A full frame needs no base.
	r = runCLI(t, "diff", next)
	if r.code != 0 {
		t.Fatalf("diff full: %q", r.stderr)
	}
	full := writeFile(t, dir, "full.sd", r.stdout)
	for _, args := range [][]string{{"apply", full}, {"apply", "-", full}} {
		r = runCLI(t, args...)
		if r.code != 0 || r.stdout != want {
			t.Fatalf("%v: code %d stdout %q stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	base := writeFile(t, dir, "base.json", baseJSON)
	next := writeFile(t, dir, "next.json", nextJSON)
	bad := writeFile(t, dir, "bad.json", "{\"a\":\n [1,2,}")
	r := runCLI(t, "diff", base, next)
	frame := writeFile(t, dir, "delta.sd", r.stdout)
	truncated := writeFile(t, dir, "trunc.sd", r.stdout[:len(r.stdout)-3])
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"no command", nil, 2, "usage"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"diff no args", []string{"diff"}, 2, "usage: snapdelta diff"},
		{"diff missing file", []string{"diff", base, filepath.Join(dir, "nope.json")}, 1, "no such file"},
		{"diff invalid json", []string{"diff", base, bad}, 1, "invalid JSON at line 2, column 7"},
		{"apply wrong base", []string{"apply", next, frame}, 1, "unknown base"},
		{"apply delta without base", []string{"apply", frame}, 1, "unknown base"},
		{"apply truncated", []string{"apply", base, truncated}, 1, "corrupt"},
		{"apply json as frame", []string{"apply", base, base}, 1, "bad magic"},
		{"inspect truncated", []string{"inspect", truncated}, 1, "corrupt"},
		{"inspect bad flag", []string{"inspect", "--yaml", frame}, 2, "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit code %d, want %d (stderr %q)", r.code, tc.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			if !strings.Contains(r.stderr, tc.msg) {
				t.Errorf("stderr %q does not say %q", r.stderr, tc.msg)
			}
		})
	}
}

// Each command with flags lists them for -h, on stderr, and exits 0.
func TestCommandHelp(t *testing.T) {
	for cmd, flag := range map[string]string{"agent": "-state", "serve": "-secrets", "bench": "-profile", "inspect": "-json"} {
		for _, h := range []string{"-h", "--help"} {
			r := runCLI(t, cmd, h)
			if r.code != 0 || r.stdout != "" || !strings.HasPrefix(r.stderr, "usage: snapdelta "+cmd) || !strings.Contains(r.stderr, "\n  "+flag) {
				t.Errorf("%s %s: code %d, stdout %q, stderr %q", cmd, h, r.code, r.stdout, r.stderr)
			}
		}
	}
	if r := runCLI(t, "agent", "--server", "http://127.0.0.1:1", "--env", "e", "--secret", "s", "--replay", t.TempDir(), "--interval", "-1s"); r.code != 2 || !strings.Contains(r.stderr, "--interval must be >= 0") {
		t.Errorf("negative --interval: code %d, stderr %q", r.code, r.stderr)
	}
}

// TestPatchFromCLI: diff writes a patch-from frame when most items changed
// (the golden vector's pair), inspect describes it, and apply rebuilds the
// target from the base only.
func TestPatchFromCLI(t *testing.T) {
	vec := filepath.Join("..", "..", "testdata", "vectors", "patch-from")
	base, next := filepath.Join(vec, "base.json"), filepath.Join(vec, "next.json")
	r := runCLI(t, "diff", base, next)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("diff: code %d, stderr %q", r.code, r.stderr)
	}
	frame := writeFile(t, t.TempDir(), "patch.sd", r.stdout)
	r = runCLI(t, "inspect", frame)
	if r.code != 0 || !strings.Contains(r.stdout, "kind         patch-from (format v8") || !strings.Contains(r.stdout, "target       the whole snapshot, compressed against the base's") {
		t.Fatalf("inspect: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "apply", base, frame)
	text, err := os.ReadFile(next)
	if err != nil {
		t.Fatal(err)
	}
	want, err := snapshot.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	if r.code != 0 || r.stdout != string(want.MarshalCanonical())+"\n" {
		t.Fatalf("apply: code %d, stderr %q", r.code, r.stderr)
	}
	if r = runCLI(t, "apply", "-", frame); r.code == 0 {
		t.Fatal("apply without a base: code 0")
	}
}
