package bench

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	sdcodec "github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/snapshot"
)

func TestSnapdeltaRoundTrip(t *testing.T) {
	cases := []struct {
		p Profile
		n int
	}{{DockerSmall, 30}, {K8sSmall, 8}, {DockerLarge, 4}}
	if raceEnabled {
		cases = cases[:2]
		cases[0].n, cases[1].n = 12, 4
	}
	for _, tc := range cases {
		t.Run(string(tc.p), func(t *testing.T) {
			s := NewSnapdelta()
			ps := polls(t, tc.p, tc.n)
			// Run checks that every decode rebuilds its poll.
			r, err := Run(s, ps)
			if err != nil {
				t.Fatal(err)
			}
			want := SnapdeltaStats{FullFrames: 1, DeltaFrames: tc.n - 1}
			if got := s.Stats(); got != want {
				t.Fatalf("stats %+v, want %+v: a side did not keep its base between polls", got, want)
			}
			if !r.Cycles[0].Full || r.Cycles[0].WireBytes >= len(ps[0]) {
				t.Fatalf("first cycle %+v, snapshot %d bytes", r.Cycles[0], len(ps[0]))
			}
			if r.Deltas.MaxBytes*10 > r.Cycles[0].WireBytes {
				t.Fatalf("largest delta %d bytes, full frame %d", r.Deltas.MaxBytes, r.Cycles[0].WireBytes)
			}
			// A second run after Reset sends the same bytes.
			r2, err := Run(s, ps)
			if err != nil {
				t.Fatal(err)
			}
			if r2.All.WireBytes != r.All.WireBytes {
				t.Fatalf("second run sent %d bytes, first %d", r2.All.WireBytes, r.All.WireBytes)
			}
		})
	}
}

// A base that is not the document a side handled last is parsed from prev,
// even when the caller reused its buffer for a document of the same length.
func TestSnapdeltaForeignBase(t *testing.T) {
	s := NewSnapdelta()
	buf := []byte(`{"containers":[{"Id":"a","Status":"Up 1 minute"}],"n":1}`)
	next := []byte(`{"containers":[{"Id":"a","Status":"Up 3 minutes"}],"n":3}`)
	if _, err := s.Encode(nil, buf); err != nil {
		t.Fatal(err)
	}
	copy(buf, `{"containers":[{"Id":"a","Status":"Up 2 minute"}],"n":2}`)
	prev := bytes.Clone(buf)
	wire, err := s.Encode(buf, next)
	if err != nil {
		t.Fatal(err)
	}
	got, err := NewSnapdelta().Decode(prev, wire)
	if err != nil {
		t.Fatalf("delta not made against the bytes given as prev: %v", err)
	}
	if eq, _ := JSONEqual(got, next); !eq {
		t.Fatalf("decoded %s", got)
	}
	if st := s.Stats(); st.AgentParses != 1 || st.FullFrames != 1 || st.DeltaFrames != 1 {
		t.Fatalf("stats %+v", st)
	}

	// The server side: a fresh strategy has no kept snapshot, so it parses.
	d := NewSnapdelta()
	if _, err := d.Decode(prev, wire); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.ServerParses != 1 {
		t.Fatalf("stats %+v", st)
	}
	s.Reset()
	if st := s.Stats(); st != (SnapdeltaStats{}) {
		t.Fatalf("stats after Reset %+v", st)
	}
}

func TestSnapdeltaErrors(t *testing.T) {
	ps := polls(t, DockerSmall, 3)
	s := NewSnapdelta()
	full, err := s.Encode(nil, ps[0])
	if err != nil {
		t.Fatal(err)
	}
	d1, err := s.Encode(ps[0], ps[1])
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"encode invalid next", func() error { _, err := NewSnapdelta().Encode(nil, []byte(`{"a":`)); return err }, snapshot.ErrSyntax},
		{"encode invalid prev", func() error { _, err := NewSnapdelta().Encode([]byte(`[1,`), ps[0]); return err }, snapshot.ErrSyntax},
		{"decode delta without base", func() error { _, err := NewSnapdelta().Decode(nil, d1); return err }, sdcodec.ErrUnknownBase},
		{"decode delta on wrong base", func() error { _, err := NewSnapdelta().Decode(ps[2], d1); return err }, sdcodec.ErrUnknownBase},
		{"decode invalid base", func() error { _, err := NewSnapdelta().Decode([]byte(`nope`), d1); return err }, snapshot.ErrSyntax},
		{"decode garbage", func() error { _, err := NewSnapdelta().Decode(nil, []byte("not a frame")); return err }, sdcodec.ErrCorrupt},
		{"decode truncated", func() error { _, err := NewSnapdelta().Decode(nil, full[:len(full)/2]); return err }, sdcodec.ErrCorrupt},
		{"decode empty", func() error { _, err := NewSnapdelta().Decode(nil, nil); return err }, sdcodec.ErrCorrupt},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}

	// A rejected frame leaves the server's kept snapshot as it was.
	srv := NewSnapdelta()
	p0, err := srv.Decode(nil, full)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(d1)
	bad[len(bad)-1] ^= 0xff
	if _, err := srv.Decode(p0, bad); err == nil {
		t.Fatal("a corrupted frame decoded")
	}
	got, err := srv.Decode(p0, d1)
	if err != nil {
		t.Fatal(err)
	}
	if eq, _ := JSONEqual(got, ps[1]); !eq {
		t.Fatal("wrong snapshot after a rejected frame")
	}
	if st := srv.Stats(); st.ServerParses != 0 {
		t.Fatalf("stats %+v: the kept snapshot was lost", st)
	}
}

// Calls from several goroutines are serialised and still give each caller
// the answer its own arguments call for.
func TestSnapdeltaConcurrent(t *testing.T) {
	ps := polls(t, DockerSmall, 4)
	s := NewSnapdelta()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for k := 1; k < 4; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wire, err := s.Encode(ps[k-1], ps[k])
			if err == nil {
				var got []byte
				if got, err = s.Decode(ps[k-1], wire); err == nil {
					if eq, _ := JSONEqual(got, ps[k]); !eq {
						err = fmt.Errorf("poll %d rebuilt wrong", k)
					}
				}
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func ExampleSnapdelta() {
	polls, err := Polls(DockerSmall, 1, 5)
	if err != nil {
		panic(err)
	}
	s := NewSnapdelta()
	r, err := Run(s, polls)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d polls rebuilt and verified: %+v\n", len(r.Cycles), s.Stats())
	fmt.Println("median delta under 1% of the snapshot:", r.Deltas.MedianBytes*100 < float64(len(polls[4])))
	// Output:
	// 5 polls rebuilt and verified: {FullFrames:1 DeltaFrames:4 AgentParses:0 ServerParses:0}
	// median delta under 1% of the snapshot: true
}

// sdFrames is what the snapdelta agent sends for BenchPolls polls of a
// profile: a full frame, then deltas.
type sdFrames struct {
	polls  [][]byte
	frames [][]byte
	mean   float64 // bytes of a steady-state frame, on average
}

var (
	sdFramesMu    sync.Mutex
	sdFramesCache = map[Profile]*sdFrames{}
)

// sdFramesFor encodes the benchmark polls of p once per run.
func sdFramesFor(b *testing.B, p Profile) *sdFrames {
	b.Helper()
	ps := benchPollsFor(b, p)
	sdFramesMu.Lock()
	defer sdFramesMu.Unlock()
	if f, ok := sdFramesCache[p]; ok {
		return f
	}
	f := &sdFrames{polls: ps}
	var a sdAgent
	total := 0
	for i, poll := range ps {
		frame, err := a.poll(nil, poll)
		if err != nil {
			b.Fatalf("%s: poll %d: %v", p, i, err)
		}
		f.frames = append(f.frames, frame)
		if i > 0 {
			total += len(frame)
		}
	}
	f.mean = float64(total) / float64(len(ps)-1)
	sdFramesCache[p] = f
	return f
}

// meanRaw is the mean JSON size of the steady-state polls, for MB/s.
func meanRaw(ps [][]byte) int64 {
	n := 0
	for _, p := range ps[1:] {
		n += len(p)
	}
	return int64(n / (len(ps) - 1))
}

// BenchmarkSnapdelta/<profile>/encode measures the agent's work for one
// steady-state poll: parse the poll's JSON, diff it against the snapshot
// parsed the poll before, write the delta frame. .../decode measures the
// server's: decode the frame, apply it to the snapshot rebuilt the poll
// before, verify the root hash. Iteration i handles poll 1 + i mod 59; the
// base of poll 1 is prepared with the timer stopped. B/cycle is the mean size
// of the 59 steady-state frames, the same in every run, so benchstat sees
// the time change and not which polls a run happened to cover.
func BenchmarkSnapdelta(b *testing.B) {
	for _, p := range Profiles() {
		b.Run(string(p), func(b *testing.B) {
			f := sdFramesFor(b, p)
			n := len(f.polls)
			b.Run("encode", func(b *testing.B) {
				var a sdAgent
				var buf []byte
				b.SetBytes(meanRaw(f.polls))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					k := 1 + i%(n-1)
					if k == 1 {
						b.StopTimer()
						a.forget()
						if _, err := a.poll(nil, f.polls[0]); err != nil {
							b.Fatal(err)
						}
						b.StartTimer()
					}
					out, err := a.poll(buf[:0], f.polls[k])
					if err != nil {
						b.Fatalf("poll %d: %v", k, err)
					}
					buf = out
				}
				b.ReportMetric(f.mean, "B/cycle")
			})
			b.Run("decode", func(b *testing.B) {
				var s sdServer
				b.SetBytes(meanRaw(f.polls))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					k := 1 + i%(n-1)
					if k == 1 {
						b.StopTimer()
						s.forget()
						if _, err := s.apply(f.frames[0]); err != nil {
							b.Fatal(err)
						}
						b.StartTimer()
					}
					if _, err := s.apply(f.frames[k]); err != nil {
						b.Fatalf("poll %d: %v", k, err)
					}
				}
				b.ReportMetric(f.mean, "B/cycle")
			})
		})
	}
}

// BenchmarkRatio/<profile> times, for each steady-state poll in turn,
// snapdelta's agent encode (parse, diff, frame) against klauspost zstd
// compressing the same poll's JSON at the default level, and the server's
// decode + apply + verify against zstd decompressing that whole snapshot, and
// reports the two ratios of the summed times: encode/full-zstd and
// decode/full-zstd. The design asks for at most 1 on both. ns/op covers all
// four operations.
func BenchmarkRatio(b *testing.B) {
	for _, p := range Profiles() {
		b.Run(string(p), func(b *testing.B) {
			f := sdFramesFor(b, p)
			n := len(f.polls)
			zenc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
			if err != nil {
				b.Fatal(err)
			}
			zdec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
			if err != nil {
				b.Fatal(err)
			}
			defer zdec.Close()
			whole := make([][]byte, n)
			for k, poll := range f.polls {
				whole[k] = zenc.EncodeAll(poll, nil)
			}
			var a sdAgent
			var s sdServer
			var zbuf, sdbuf, raw []byte
			var sdEnc, zEnc, sdDec, zDec time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				k := 1 + i%(n-1)
				if k == 1 {
					b.StopTimer()
					a.forget()
					s.forget()
					if _, err := a.poll(nil, f.polls[0]); err != nil {
						b.Fatal(err)
					}
					if _, err := s.apply(f.frames[0]); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				t0 := time.Now()
				out, err := a.poll(sdbuf[:0], f.polls[k])
				t1 := time.Now()
				if err != nil {
					b.Fatalf("poll %d: %v", k, err)
				}
				sdbuf = out
				zbuf = zenc.EncodeAll(f.polls[k], zbuf[:0])
				t2 := time.Now()
				if _, err := s.apply(f.frames[k]); err != nil {
					b.Fatalf("poll %d: %v", k, err)
				}
				t3 := time.Now()
				if raw, err = zdec.DecodeAll(whole[k], raw[:0]); err != nil {
					b.Fatalf("poll %d: %v", k, err)
				}
				t4 := time.Now()
				sdEnc += t1.Sub(t0)
				zEnc += t2.Sub(t1)
				sdDec += t3.Sub(t2)
				zDec += t4.Sub(t3)
			}
			if zEnc > 0 && zDec > 0 {
				b.ReportMetric(float64(sdEnc)/float64(zEnc), "encode/full-zstd")
				b.ReportMetric(float64(sdDec)/float64(zDec), "decode/full-zstd")
				// Issue 6's server target compares with the same zstd pass
				// as the agent's: compressing the whole snapshot once.
				b.ReportMetric(float64(sdDec)/float64(zEnc), "decode/zstd-compress")
			}
		})
	}
}
