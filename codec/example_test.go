package codec_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
)

// The agent diffs the snapshot the server acknowledged against the one it
// just took, and sends the delta frame.
func ExampleEncoder_AppendDelta() {
	acked, err := snapshot.Parse([]byte(`{"containers":[{"Id":"c1","State":"running","Status":"Up 3 minutes"}],"n":1}`))
	if err != nil {
		log.Fatal(err)
	}
	now, err := snapshot.Parse([]byte(`{"containers":[{"Id":"c1","State":"running","Status":"Up 4 minutes"}],"n":1.0}`))
	if err != nil {
		log.Fatal(err)
	}
	d, err := delta.Diff(acked, now)
	if err != nil {
		log.Fatal(err)
	}
	enc, err := codec.NewEncoder()
	if err != nil {
		log.Fatal(err)
	}
	frame, err := enc.AppendDelta(nil, d)
	if err != nil {
		log.Fatal(err)
	}
	h, err := codec.ParseHeader(frame)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s frame, %d bytes, body %s\n", h.Kind, len(frame), h.Compression)

	same, err := enc.AppendDelta(nil, &delta.Delta{Base: now.Hash(), Target: now.Hash()})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("no change: %d bytes\n", len(same))
	// Output:
	// delta frame, 40 bytes, body zstd-block
	// no change: 21 bytes
}

// The server applies a frame to the snapshot it holds: it gets the new
// snapshot, verified against the root the frame names, or an error that
// says what to do.
func ExampleDecoder_Apply() {
	held, err := snapshot.Parse([]byte(`{"containers":[{"Id":"c1","Status":"Up 3 minutes"}]}`))
	if err != nil {
		log.Fatal(err)
	}
	next, err := snapshot.Parse([]byte(`{"containers":[{"Id":"c1","Status":"Up 4 minutes"},{"Id":"c2","Status":"Created"}]}`))
	if err != nil {
		log.Fatal(err)
	}
	d, err := delta.Diff(held, next)
	if err != nil {
		log.Fatal(err)
	}
	frame, err := codec.EncodeDelta(d)
	if err != nil {
		log.Fatal(err)
	}

	dec, err := codec.NewDecoder(codec.WithMaxDecodedSize(16 << 20))
	if err != nil {
		log.Fatal(err)
	}
	got, err := dec.Apply(held, frame)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n%s\n", got.MarshalCanonical(), snapshot.FormatHash(got.Hash()))

	// The same frame against a snapshot the sender did not diff from.
	other, err := snapshot.Parse([]byte(`{"containers":[]}`))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := dec.Apply(other, frame); errors.Is(err, codec.ErrUnknownBase) {
		fmt.Println("unknown base: ask for a full frame")
	}
	// Output:
	// {"containers":[{"Id":"c1","Status":"Up 4 minutes"},{"Id":"c2","Status":"Created"}]}
	// b1b953d11fb94d66
	// unknown base: ask for a full frame
}

// A server that decodes a frame before it looks up the base (to learn which
// base it names) applies the decoded frame once it has the base: new items
// are coded against base items. A format 4 frame names its base by 32 bits
// of its root, so match held snapshots with NamesBase.
func ExampleFrame_Apply() {
	base, _ := snapshot.Parse([]byte(`{"containers":[{"Id":"a1","Image":"nginx:1.27","Labels":{"app":"web","tier":"front"}}]}`))
	next, _ := snapshot.Parse([]byte(`{"containers":[{"Id":"a1","Image":"nginx:1.27","Labels":{"app":"web","tier":"front"}},{"Id":"b2","Image":"nginx:1.27","Labels":{"app":"web","tier":"front"}}]}`))
	d, err := delta.Diff(base, next)
	if err != nil {
		log.Fatal(err)
	}
	frame, err := codec.EncodeDelta(d)
	if err != nil {
		log.Fatal(err)
	}
	f, err := codec.Decode(frame)
	if err != nil {
		log.Fatal(err)
	}
	needs := f.NeedsBase()                   // the new item's text waits for its models
	held := []*snapshot.Snapshot{next, base} // the server's recent snapshots
	var got *snapshot.Snapshot
	for _, s := range held {
		if f.NamesBase(s.Hash()) {
			if got, err = f.Apply(s); err != nil {
				log.Fatal(err)
			}
			break
		}
	}
	fmt.Println(f.Header.Version, needs, got.Hash() == next.Hash())
	// Output: 8 true true
}

// An agent upgraded before its server writes format 3 until the server
// reads format 4; both decode with this build.
func ExampleWithVersion() {
	base, _ := snapshot.Parse([]byte(`{"containers":[{"Id":"a","Status":"Up 3 minutes"},{"Id":"b","Status":"Up 3 minutes"},{"Id":"c","Status":"Up 8 minutes"}]}`))
	next, _ := snapshot.Parse([]byte(`{"containers":[{"Id":"a","Status":"Up 4 minutes"},{"Id":"b","Status":"Up 4 minutes"},{"Id":"c","Status":"Up 9 minutes"}]}`))
	for _, version := range []uint8{3, 4} {
		enc, err := codec.NewEncoder(codec.WithVersion(version))
		if err != nil {
			log.Fatal(err)
		}
		d, err := delta.Diff(base, next)
		if err != nil {
			log.Fatal(err)
		}
		frame, err := enc.AppendDelta(nil, d)
		if err != nil {
			log.Fatal(err)
		}
		info, err := codec.Inspect(frame)
		if err != nil {
			log.Fatal(err)
		}
		got, err := codec.Apply(base, frame)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("format %d, dictionary %d, status tick [%s], rebuilt %v\n", info.Version, info.Dictionary, info.Collections[0].Tick, got.Hash() == next.Hash())
	}
	// Output:
	// format 3, dictionary 2, status tick [], rebuilt true
	// format 4, dictionary 3, status tick [/Status counts " minutes" +1], rebuilt true
}
