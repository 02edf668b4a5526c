package codec

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestZstdCLIDecodesBodies hands the compressed body of every golden
// vector, current and format 4, to the reference zstd command as
// docs/wire-format.md section 6 says a reader may: the magic number put
// back in front of a zstd frame, a bare block (format 5) wrapped in the
// single-segment frame the header implies, the frame's zstd dictionary
// given with -D (for a patch-from frame, the base's full frame body). zstd must inflate each to the body this package decodes.
// Skipped where no zstd command of version 1.5 or later (the versions this
// was checked with) is installed.
func TestZstdCLIDecodesBodies(t *testing.T) {
	zstdCmd, err := exec.LookPath("zstd")
	if err != nil {
		t.Skip("no zstd command")
	}
	version, err := exec.Command(zstdCmd, "--version").Output()
	if err != nil {
		t.Skipf("zstd --version: %v", err)
	}
	m := regexp.MustCompile(`v(\d+)\.(\d+)\.`).FindSubmatch(version)
	if m == nil {
		t.Skipf("zstd %q: no version", bytes.TrimSpace(version))
	}
	major, _ := strconv.Atoi(string(m[1]))
	minor, _ := strconv.Atoi(string(m[2]))
	if major < 1 || (major == 1 && minor < 5) {
		t.Skipf("zstd %q: want 1.5 or later", bytes.TrimSpace(version))
	}
	dir := t.TempDir()
	checked := map[Compression]int{}
	for _, vectors := range []string{vectorsDir, "../testdata/vectors-v4", "../testdata/vectors-v5"} {
		entries, err := os.ReadDir(vectors)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			frame, err := os.ReadFile(filepath.Join(vectors, e.Name(), "frame.bin"))
			if err != nil {
				t.Fatal(err)
			}
			h, body, err := defaultDecoder.body(frame)
			if err != nil {
				t.Fatalf("%s: %v", e.Name(), err)
			}
			payload := frame[h.HeaderSize:]
			dict := dictionaries[h.Dictionary].zstd
			if h.Kind == PatchFrom {
				// Section 7.10: after the base's name, against the base's
				// full frame body.
				payload = payload[4:]
				dict = fullBody(t, parseFile(t, filepath.Join(vectors, e.Name(), "base.json")))
				body = fullBody(t, parseFile(t, filepath.Join(vectors, e.Name(), "next.json")))
			}
			var stream []byte
			switch h.Compression {
			case None:
				continue
			case ZstdBlock:
				stream = appendBlockFrame(nil, payload, h.BodySize)
			default:
				stream = append(zstdMagic[:len(zstdMagic):len(zstdMagic)], payload...)
			}
			args := []string{"-q", "-d", "-c"}
			if dict != nil {
				path := filepath.Join(dir, "dict")
				if err := os.WriteFile(path, dict, 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "-D", path)
			}
			cmd := exec.Command(zstdCmd, args...)
			cmd.Stdin = bytes.NewReader(stream)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s/%s (%s): zstd: %v: %s", filepath.Base(vectors), e.Name(), h.Compression, err, stderr.Bytes())
			}
			if !bytes.Equal(out, body) {
				t.Fatalf("%s/%s (%s): zstd inflates to %d bytes that differ from the %d-byte body", filepath.Base(vectors), e.Name(), h.Compression, len(out), len(body))
			}
			checked[h.Compression]++
		}
	}
	if checked[Zstd] == 0 || checked[ZstdBlock] == 0 {
		t.Fatalf("checked %v: want zstd frames and blocks", checked)
	}
	t.Logf("zstd decoded %d frame bodies and %d block bodies", checked[Zstd], checked[ZstdBlock])
}
