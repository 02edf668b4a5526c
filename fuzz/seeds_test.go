package fuzz

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/store"
)

var update = flag.Bool("update", false, "rewrite the seed corpora in testdata/fuzz")

// fuzzTargets are the targets of this package, each with a seed corpus.
var fuzzTargets = []string{"FuzzApplyFrame", "FuzzRoundTrip", "FuzzReceiver"}

// TestWriteSeeds rewrites testdata/fuzz/<Target>/ with -update. Without it,
// it checks that every target has seeds in the go test fuzz v1 format
// (go test runs them; a target without seeds would only run when fuzzed).
func TestWriteSeeds(t *testing.T) {
	if !*update {
		for _, target := range fuzzTargets {
			files, err := filepath.Glob(filepath.Join("testdata", "fuzz", target, "*"))
			if err != nil || len(files) < 10 {
				t.Fatalf("%s: %d seeds, %v; run go test ./fuzz -run TestWriteSeeds -update", target, len(files), err)
			}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil || !bytes.HasPrefix(b, []byte("go test fuzz v1\n")) {
					t.Fatalf("%s: not a go test fuzz v1 file (%v)", f, err)
				}
			}
		}
		return
	}
	write := func(target string, seeds map[string][][]byte) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, args := range seeds {
			var b strings.Builder
			b.WriteString("go test fuzz v1\n")
			for _, a := range args {
				fmt.Fprintf(&b, "[]byte(%q)\n", a)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: %d seeds", target, len(seeds))
	}
	write("FuzzApplyFrame", applyFrameSeeds(t))
	write("FuzzRoundTrip", roundTripSeeds(t))
	write("FuzzReceiver", receiverSeeds(t))
}

// applyFrameSeeds: real frames with their bases (every golden vector of
// the current and older formats, poll deltas, no change, full frames) and hostile ones.
func applyFrameSeeds(t *testing.T) map[string][][]byte {
	seeds := map[string][][]byte{}
	for _, dir := range []string{"vectors", "vectors-v1", "vectors-v3", "vectors-v4", "vectors-v5"} {
		for _, v := range loadVectors(t, dir) {
			seeds[dir+"-"+v.name] = [][]byte{v.baseJSON, v.frame}
		}
	}
	for _, f := range validFrames(t) {
		if strings.HasPrefix(f.name, "vector") {
			continue
		}
		var base []byte
		if f.base != nil {
			base = f.base.MarshalCanonical()
		}
		seeds[strings.ReplaceAll(f.name, " ", "-")] = [][]byte{base, f.frame}
	}
	base := []byte(pollJSON(0))
	for name, b := range bombBodies() {
		seeds["bomb-"+strings.ReplaceAll(name, " ", "-")] = [][]byte{base, rawFrame(b.kind, []byte(b.body))}
	}
	seeds["zstd-rle-bomb"] = [][]byte{base, append(header(kindFull, compZstd, 1<<20), magicless(rleBomb(8<<20))...)}
	seeds["zstd-claim"] = [][]byte{base, append(header(kindFull, compZstd, 64<<20), zstdFrame(t, kindFull, []byte("\x92\x00\xc0"))[len(header(kindFull, compZstd, 3)):]...)}
	seeds["deep-arrays"] = [][]byte{base, rawFrame(kindFull, []byte(fullHd+strings.Repeat("\x91", 20000)+"\xc0"))}
	seeds["unknown-ext"] = [][]byte{base, rawFrame(kindFull, []byte(fullHd+"\xd4\x02\x31"))}
	seeds["trailing"] = [][]byte{base, rawFrame(kindFull, []byte(fullHd+"\xc0\xc0"))}
	seeds["copy-runs"] = [][]byte{[]byte(`{"x":[0,0],"n":0}`), copyRunsFrame(t)}
	return seeds
}

// copyRunsFrame is a delta doubling /x by copies, in runs split by
// increments.
func copyRunsFrame(t *testing.T) []byte {
	base := mustParse(t, `{"x":[0,0],"n":0}`)
	body := []byte{0x93, 0xcf}
	body = appendBE64(body, base.Hash())
	body = append(body, 0xcf)
	body = appendBE64(body, 1)
	body = append(body, 0x91, 0x93, 0x03, 0x90) // [[patch, [], ops]]
	const runs = 7
	body = append(body, 0x90|runs*2)
	for range runs {
		body = append(body, 0x93, 0x07, 0xa2, '/', 'n', 0x01)                     // [increment, "/n", 1]
		body = append(body, 0x93, 0x05, 0xa4, '/', 'x', '/', '-', 0xa2, '/', 'x') // [copy, "/x/-", "/x"]
	}
	return rawFrame(kindDelta, body)
}

func appendBE64(b []byte, v uint64) []byte {
	for i := 7; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// roundTripSeeds: poll pairs, the golden vectors' snapshot pairs, and
// documents that stress numbers, strings, keys and shapes.
func roundTripSeeds(t *testing.T) map[string][][]byte {
	seeds := map[string][][]byte{}
	for i := range 4 {
		seeds[fmt.Sprintf("poll-%d-%d", i, i+1)] = [][]byte{[]byte(pollJSON(i)), []byte(pollJSON(i + 1))}
	}
	for _, v := range loadVectors(t, "vectors") {
		if v.baseJSON != nil {
			seeds["vector-"+v.name] = [][]byte{v.baseJSON, v.next.MarshalCanonical()}
		}
	}
	docs := map[string][2]string{
		"numbers":     {`[1,1.0,-0,1e400,12345678901234567890]`, `[1.00,1,0,1E400,12345678901234567891,2.5e-7]`},
		"strings":     {`{"s":"a\u0000b","t":"\ud834\udd1e","u":"\ud800"}`, `{"s":"a\u0000c","t":"é","u":"\\/\"~"}`},
		"keys":        {`{"a/b":1,"~0":2,"":3}`, `{"a/b":2,"~1":2,"":{"":[]}}`},
		"root-types":  {`null`, `[{"id":1},{"id":2}]`},
		"keyed-order": {`[{"id":"a"},{"id":"b"},{"id":"c"}]`, `[{"id":"c"},{"id":"a"},{"id":"d"},{"id":"b","x":1}]`},
		"dup-ids":     {`[{"id":"a"},{"id":"a"}]`, `[{"id":"a"},{"id":"b"}]`},
		"composite":   {`[{"metadata":{"namespace":"n","name":"a"}}]`, `[{"metadata":{"namespace":"n","name":"b"}},{"metadata":{"namespace":"m","name":"a"}}]`},
		"counters":    {`{"rv":"99","n":9,"t":"2026-11-24T06:00:00Z","s":"Up 9 minutes"}`, `{"rv":"100","n":10,"t":"2026-11-24T06:01:00.5Z","s":"Up 10 minutes"}`},
		"deep":        {strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200), strings.Repeat(`{"a":`, 200) + "[2]" + strings.Repeat("}", 200)},
		"empty":       {`{}`, `[]`},
	}
	for name, d := range docs {
		seeds[name] = [][]byte{[]byte(d[0]), []byte(d[1])}
	}
	// The delta package's own round-trip seeds: two JSON documents each.
	files, _ := filepath.Glob(filepath.Join("..", "delta", "testdata", "fuzz", "FuzzRoundTrip", "*"))
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var args [][]byte
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
			var s string
			if _, err := fmt.Sscanf(strings.TrimSuffix(strings.TrimPrefix(line, "[]byte("), ")"), "%q", &s); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			args = append(args, []byte(s))
		}
		if len(args) == 2 {
			seeds["delta-"+filepath.Base(f)] = args
		}
	}
	return seeds
}

// Seq modes of FuzzReceiver scripts (see harness.seq).
const (
	seqNext   = 0
	seqSame   = 3
	seqLate   = 4 | 1<<3
	seqZero   = 5
	seqMax    = 6
	seqFarOff = 7
)

// receiverSeeds: scripts of the Sender's frames with losses, replays and
// corruption, golden vector frames of every format applied through the
// Receiver, and hostile frames.
func receiverSeeds(t *testing.T) map[string][][]byte {
	seeds := map[string][][]byte{}
	add := func(name string, s *scriptBuilder) { seeds[name] = [][]byte{s.b} }
	add("polls", new(scriptBuilder).send(0).send(1).send(2).send(3).send(4).send(5))
	add("no-change", new(scriptBuilder).send(2).send(2).send(2).send(3))
	add("lossy", new(scriptBuilder).send(0).op(opLoseFrame, 1).op(opLoseAck, 2).send(3).op(opReplay, seqSame).op(opReplay, seqLate).send(4).op(opLoseAck, 5).op(opLoseAck, 6).send(7))
	add("replay-ahead", new(scriptBuilder).send(0).op(opLoseAck, 1).op(opReplay, seqNext).send(2))
	add("corrupt", new(scriptBuilder).send(0).send(1).op(opFlip, 0, 20, 0x40, seqNext).op(opCut, 0, 30, seqNext).op(opFlip, 0, 3, 1, seqNext).send(2).op(opCut, 0, 0, seqNext).send(3))
	add("seq-zero-and-max", new(scriptBuilder).send(0).op(opReplay, seqZero).send(1).op(opReplay, seqFarOff).send(2))
	add("custom-polls", new(scriptBuilder).poll(`{"a":[{"id":1,"v":"x"}]}`).poll(`{"a":[{"id":2},{"id":1,"v":"y"}],"n":1e400}`).poll(`[1,2,3]`).send(0))
	p0, p1 := mustParse(t, pollJSON(0)), mustParse(t, pollJSON(1))
	// A full frame at the top seq: nothing can follow it.
	add("hostile-full-at-max", new(scriptBuilder).send(0).raw(opRaw, seqMax, mustFullFrame(t, p1)).send(1))
	add("hostile-full-ahead", new(scriptBuilder).send(0).raw(opRaw, seqFarOff, mustFullFrame(t, p1)).send(2).send(3))
	add("hostile-other-env", new(scriptBuilder).send(0).raw(opRawOther, seqNext, mustFullFrame(t, p0)).raw(opRawOther, seqNext, mustDeltaFrame(t, p0, p1)).send(1))
	for _, dir := range []string{"vectors", "vectors-v1", "vectors-v3", "vectors-v4", "vectors-v5"} {
		for _, v := range loadVectors(t, dir) {
			s := new(scriptBuilder)
			if v.base != nil {
				s.raw(opRaw, seqNext, mustFullFrame(t, v.base))
			}
			add(dir+"-"+v.name, s.raw(opRaw, seqNext, v.frame).raw(opRawOther, seqNext, v.frame).send(0).send(1))
		}
	}
	for name, b := range bombBodies() {
		if strings.HasPrefix(name, "full value") || strings.HasPrefix(name, "put value") || strings.Contains(name, "envelope") {
			add("bomb-"+strings.ReplaceAll(name, " ", "-"), new(scriptBuilder).send(0).raw(opRaw, seqNext, rawFrame(b.kind, []byte(b.body))).send(1))
		}
	}
	add("zstd-claim", new(scriptBuilder).send(0).raw(opRaw, seqNext, append(header(kindFull, compZstd, 64<<20), zstdFrame(t, kindFull, []byte("\x92\x00\xc0"))[len(header(kindFull, compZstd, 3)):]...)).send(1))
	add("copy-runs", new(scriptBuilder).poll(`{"x":[0,0],"n":0}`).raw(opRaw, seqNext, copyRunsFrame(t)).send(0))
	return seeds
}

// TestVectorsThroughReceiver applies every golden vector of every format
// through a link.Receiver holding its base, and checks the result and what
// a restarted Receiver reads back from the store.
func TestVectorsThroughReceiver(t *testing.T) {
	for _, dir := range []string{"vectors", "vectors-v1", "vectors-v3", "vectors-v4", "vectors-v5"} {
		for _, v := range loadVectors(t, dir) {
			st := store.NewMemory()
			recv, err := link.NewReceiver(st)
			if err != nil {
				t.Fatal(err)
			}
			seq := uint64(math.MaxUint32)
			if v.base != nil {
				if _, err := recv.Receive(entryEnv, seq, mustFullFrame(t, v.base)); err != nil {
					t.Fatal(err)
				}
			}
			ack, err := recv.Receive(entryEnv, seq+1, v.frame)
			if err != nil || ack.Status != link.StatusApplied {
				t.Fatalf("%s/%s: %+v, %v", dir, v.name, ack, err)
			}
			again, err := link.NewReceiver(st)
			if err != nil {
				t.Fatal(err)
			}
			got, gotSeq, err := again.Snapshot(entryEnv)
			if err != nil || gotSeq != seq+1 {
				t.Fatalf("%s/%s: restarted: seq %d, %v", dir, v.name, gotSeq, err)
			}
			sameSnapshot(t, dir+"/"+v.name, got, v.next)
			if h, _ := codec.ParseHeader(v.frame); (dir == "vectors-v1" && h.Version != 1) || (dir == "vectors-v3" && h.Version != 3) || (dir == "vectors-v4" && h.Version != 4) || (dir == "vectors-v5" && h.Version != 5) {
				t.Fatalf("%s/%s: format %d", dir, v.name, h.Version)
			}
		}
	}
}
