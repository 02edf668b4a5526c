package codec

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/vmihailenco/msgpack/v5"
)

// textFrame writes by hand a raw delta frame of one collection edit at
// "c" (rule "id") inserting one item sent as text: put [nil, index, like,
// length], then the items stream.
type textFrame struct {
	version uint8
	base    *snapshot.Snapshot
	target  uint64
	index   int
	like    []int
	length  int
	stream  []byte
	noItems bool // write a 3-element delta
}

func (f textFrame) bytes(t *testing.T) []byte {
	t.Helper()
	put := func(enc *msgpack.Encoder) {
		_ = enc.EncodeArrayLen(1)
		_ = enc.EncodeArrayLen(4)
		_ = enc.EncodeNil()
		_ = enc.EncodeInt(int64(f.index))
		_ = enc.EncodeArrayLen(len(f.like))
		for _, i := range f.like {
			_ = enc.EncodeInt(int64(i))
		}
		_ = enc.EncodeInt(int64(f.length))
	}
	return handCollectionFrame(f.version, f.base.Hash(), f.target, put, noEntries, !f.noItems, f.stream)
}

func mustNodeAt(t *testing.T, n *snapshot.Node, path ...string) *snapshot.Node {
	t.Helper()
	n, ok := nodeAt(n, path)
	if !ok {
		t.Fatalf("no %v", path)
	}
	return n
}

// itemStream compresses text against the canonical JSON of models.
func itemStream(t *testing.T, text string, models ...*snapshot.Node) []byte {
	t.Helper()
	var dict []byte
	for _, m := range models {
		dict = snapshot.AppendCanonical(dict, m)
	}
	opts := []zstd.EOption{zstd.WithEncoderCRC(false)}
	if len(dict) > 0 {
		opts = append(opts, zstd.WithEncoderDictRaw(0, dict))
	}
	z, err := zstd.NewWriter(nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	return z.EncodeAll([]byte(text), nil)
}

func TestItemsStreamHostile(t *testing.T) {
	base := mustParse(t, `{"c":[{"id":"a","image":"nginx:1.27","labels":{"app":"web"}},{"id":"b","image":"redis:7"}]}`)
	item := `{"id":"n","image":"nginx:1.27","labels":{"app":"web"}}`
	next := mustParse(t, `{"c":[{"id":"a","image":"nginx:1.27","labels":{"app":"web"}},{"id":"n","image":"nginx:1.27","labels":{"app":"web"}},{"id":"b","image":"redis:7"}]}`)
	good := textFrame{version: Version, base: base, target: next.Hash(), index: 1, like: []int{0},
		length: len(item), stream: itemStream(t, item, mustNodeAt(t, base.Root(), "c").Elem(0))}
	got, err := Apply(base, good.bytes(t))
	if err != nil {
		t.Fatalf("the hand-written frame does not apply: %v", err)
	}
	sameSnapshot(t, got, next)

	bad := func(edit func(*textFrame)) textFrame { f := good; edit(&f); return f }
	deep := strings.Repeat("[", 30) + strings.Repeat("]", 30)
	tests := []struct {
		name string
		f    textFrame
		want error
	}{
		{"like past the base", bad(func(f *textFrame) { f.like = []int{2} }), ErrCorrupt},
		{"like named twice", bad(func(f *textFrame) { f.like = []int{0, 0} }), ErrCorrupt},
		{"like negative", bad(func(f *textFrame) { f.like = []int{-1} }), ErrCorrupt},
		{"wrong models", bad(func(f *textFrame) { f.like = []int{1} }), ErrCorrupt},
		{"length past the stream", bad(func(f *textFrame) { f.length++ }), ErrCorrupt},
		{"length short of the stream", bad(func(f *textFrame) { f.length-- }), nil}, // corrupt or too large
		{"zero length", bad(func(f *textFrame) { f.length = 0 }), ErrCorrupt},
		{"negative index", bad(func(f *textFrame) { f.index = -1 }), ErrCorrupt},
		{"stream not zstd", bad(func(f *textFrame) { f.stream = []byte("not zstd at all") }), ErrCorrupt},
		{"empty stream", bad(func(f *textFrame) { f.stream = nil }), ErrCorrupt},
		{"text not JSON", bad(func(f *textFrame) {
			f.stream, f.length = itemStream(t, `{"id":"n",`), len(`{"id":"n",`)
		}), ErrCorrupt},
		{"text with a duplicate member", bad(func(f *textFrame) {
			f.stream, f.length = itemStream(t, `{"id":"n","id":"m"}`), len(`{"id":"n","id":"m"}`)
		}), ErrCorrupt},
		{"text not the item", bad(func(f *textFrame) {
			f.stream, f.length = itemStream(t, `{"id":"x"}`), len(`{"id":"x"}`)
		}), ErrVerify},
		{"text nesting past the limit", bad(func(f *textFrame) {
			f.stream, f.length = itemStream(t, deep), len(deep)
		}), ErrTooLarge},
		{"text put without a stream", bad(func(f *textFrame) { f.noItems = true }), ErrCorrupt},
		{"text put in a format 2 frame", bad(func(f *textFrame) { f.version = 2 }), ErrCorrupt},
		{"wrong base", bad(func(f *textFrame) { f.base = next }), ErrUnknownBase},
	}
	shallow, err := NewDecoder(WithMaxDepth(20))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shallow.Apply(base, tt.f.bytes(t))
			switch {
			case tt.want == nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooLarge):
				t.Fatalf("Apply: %v, want corrupt or too large", err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("Apply: %v, want %v", err, tt.want)
			}
		})
	}

	// Models past 1 MiB of text.
	big := strings.Repeat("x", 600<<10)
	bigBase := mustParse(t, `{"c":[{"id":"a","v":"`+big+`"},{"id":"b","v":"`+big+`"}]}`)
	over := textFrame{version: Version, base: bigBase, target: next.Hash(), index: 0, like: []int{0, 1},
		length: len(item), stream: itemStream(t, item)}
	if _, err := Apply(bigBase, over.bytes(t)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("models of 1.2 MiB: %v, want ErrTooLarge", err)
	}
	over.like = []int{1}
	if _, err := Apply(bigBase, over.bytes(t)); errors.Is(err, ErrTooLarge) {
		t.Fatalf("models of 0.6 MiB: %v", err)
	}

	// An items stream that inflates to many elements from a few bytes
	// counts against the item budget like a body does.
	many := `{"id":"n","z":[` + strings.Repeat("0,", 5000) + `0]}`
	bomb := textFrame{version: Version, base: base, target: next.Hash(), index: 1, like: []int{0},
		length: len(many), stream: itemStream(t, many, mustNodeAt(t, base.Root(), "c").Elem(0))}
	if len(bomb.stream) > 200 {
		t.Fatalf("the stream is %d bytes, want a small one", len(bomb.stream))
	}
	few, err := NewDecoder(WithMaxItems(1000))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := few.Apply(base, bomb.bytes(t)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("5,000 elements in a text under a 1,000-item budget: %v, want ErrTooLarge", err)
	}
	if _, err := Apply(base, bomb.bytes(t)); !errors.Is(err, ErrVerify) {
		t.Fatalf("the same under the default budget: %v, want ErrVerify (it is not the item)", err)
	}
	for _, tt := range []struct {
		text string
		max  int
	}{{`{}`, 1}, {`{"a":"x,y[{"}`, 1}, {`[1,2,3]`, 3}, {`{"a":"\\","b":[]}`, 3}, {`"\",["`, 0}} {
		if got := jsonElements([]byte(tt.text)); got != tt.max {
			t.Errorf("jsonElements(%s) = %d, want %d", tt.text, got, tt.max)
		}
	}

	// A 4-element delta without any item sent as text.
	var body bytes.Buffer
	enc := msgpack.NewEncoder(&body)
	_ = enc.EncodeArrayLen(4)
	_ = enc.EncodeUint32(uint32(base.Hash()))
	_ = enc.EncodeUint64(base.Hash())
	_ = enc.EncodeArrayLen(0)
	_ = enc.EncodeBytes([]byte{})
	frame := append(appendHeader(nil, Version, DeltaKind, None, NoDictionary, uint64(body.Len())), body.Bytes()...)
	if _, err := Decode(frame); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("items stream without items: %v, want corrupt", err)
	}
}

// TestItemsNeedTheBase checks the API around items coded against base
// items: Decode leaves them empty and says so, Frame.Apply fills them, and
// the applied delta encodes to the same frame.
func TestItemsNeedTheBase(t *testing.T) {
	base := mustParse(t, dockerDoc(6, 2))
	next := mustParse(t, strings.Replace(dockerDoc(7, 2), `"Status":"Up 3 minutes"`, `"Status":"Up 4 minutes"`, 1))
	d := mustDiff(t, base, next)
	frame, err := EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(frame)
	if err != nil {
		t.Fatal(err)
	}
	if !f.NeedsBase() {
		t.Fatal("a new container did not go as text coded against the base")
	}
	if _, err := f.Apply(nil); !errors.Is(err, ErrUnknownBase) {
		t.Fatalf("Apply(nil): %v, want ErrUnknownBase", err)
	}
	if _, err := f.Apply(next); !errors.Is(err, ErrUnknownBase) {
		t.Fatalf("Apply(wrong base): %v, want ErrUnknownBase", err)
	}
	got, err := f.Apply(base)
	if err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, got, next)
	if f.NeedsBase() {
		t.Fatal("NeedsBase after Apply")
	}
	again, err := EncodeDelta(f.Delta)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, frame) {
		t.Fatalf("the applied delta encodes to another frame:\n% x\n% x", again, frame)
	}

	// Without base coding the same delta decodes complete, and is larger.
	plain, err := NewEncoder(WithoutBaseCoding())
	if err != nil {
		t.Fatal(err)
	}
	pframe, err := plain.AppendDelta(nil, d)
	if err != nil {
		t.Fatal(err)
	}
	pf, err := Decode(pframe)
	if err != nil || pf.NeedsBase() {
		t.Fatalf("WithoutBaseCoding: %v, NeedsBase %v", err, pf != nil && pf.NeedsBase())
	}
	if len(pframe) <= len(frame) {
		t.Errorf("base coding gave %d bytes, without it %d", len(frame), len(pframe))
	}
	t.Logf("new container: %d bytes coded against the base, %d without", len(frame), len(pframe))
}

// generatedPods returns n pod-like items of six apps, with random ids.
func generatedPods(seed uint64, n int) []string {
	rng := rand.New(rand.NewPCG(seed, 6))
	hex := func(n int) string {
		const digits = "0123456789abcdef"
		b := make([]byte, n)
		for i := range b {
			b[i] = digits[rng.IntN(16)]
		}
		return string(b)
	}
	apps := []string{"web", "api", "worker", "cache", "gateway", "scheduler"}
	var items []string
	for range n {
		app := apps[rng.IntN(len(apps))]
		items = append(items, fmt.Sprintf(`{"metadata":{"uid":"%s","name":"%s-%s","labels":{"app":%q,"pod-template-hash":"%s"},"annotations":{"checksum/config":"%s"}},"spec":{"nodeName":"node-%d","containers":[{"name":%q,"image":"registry.example/%s:1.%d","env":[{"name":"MODE","value":"%s"}]}]},"status":{"phase":"Running","podIP":"10.0.%d.%d","containerStatuses":[{"containerID":"containerd://%s","restartCount":%d}]}}`,
			hex(32), app, hex(5), app, hex(10), hex(64), rng.IntN(20), app, app, rng.IntN(9), apps[rng.IntN(len(apps))], rng.IntN(255), rng.IntN(255), hex(64), rng.IntN(3)))
	}
	return items
}

// TestWithItemsLevel: a better zstd level for items streams sends fewer
// bytes for the same items, and the frames decode alike.
func TestWithItemsLevel(t *testing.T) {
	items := generatedPods(5, 160)
	b := mustParse(t, `{"pods":[`+strings.Join(items[:100], ",")+`]}`)
	n := mustParse(t, `{"pods":[`+strings.Join(items, ",")+`]}`)
	d := mustDiff(t, b, n)
	sizes := map[zstd.EncoderLevel]int{}
	for _, l := range []zstd.EncoderLevel{zstd.SpeedDefault, zstd.SpeedBetterCompression} {
		enc, err := NewEncoder(WithVersion(7), WithItemsLevel(l)) // format 7: no patch-from frame in place of the items stream
		if err != nil {
			t.Fatal(err)
		}
		frame, err := enc.AppendDelta(nil, d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Apply(b, frame)
		if err != nil {
			t.Fatal(err)
		}
		sameSnapshot(t, got, n)
		sizes[l] = len(frame)
	}
	t.Logf("items streams at the default level: %d bytes, better: %d", sizes[zstd.SpeedDefault], sizes[zstd.SpeedBetterCompression])
	if sizes[zstd.SpeedBetterCompression] >= sizes[zstd.SpeedDefault] {
		t.Errorf("better level %d bytes, default %d", sizes[zstd.SpeedBetterCompression], sizes[zstd.SpeedDefault])
	}
	if _, err := NewEncoder(WithItemsLevel(zstd.EncoderLevel(99))); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("level 99: %v, want ErrInvalidOption", err)
	}
}

// TestItemsLevelBySize: by default, an items stream coded against
// largeModels bytes of base items or more goes at zstd's "better" level,
// a smaller one at the default level, frame by frame whatever came before.
func TestItemsLevelBySize(t *testing.T) {
	items := generatedPods(7, 200)
	base := mustParse(t, `{"pods":[`+strings.Join(items[:100], ",")+`]}`)
	targets := map[string]*snapshot.Snapshot{
		"large": mustParse(t, `{"pods":[`+strings.Join(items, ",")+`]}`),
		"small": mustParse(t, `{"pods":[`+strings.Join(items[:102], ",")+`]}`),
	}
	deltas := map[string]*delta.Delta{"large": mustDiff(t, base, targets["large"]), "small": mustDiff(t, base, targets["small"])}
	frames := map[zstd.EncoderLevel]map[string][]byte{}
	for _, l := range []zstd.EncoderLevel{zstd.SpeedDefault, zstd.SpeedBetterCompression} {
		enc, err := NewEncoder(WithVersion(7), WithItemsLevel(l)) // format 7: no patch-from frame in place of the items stream
		if err != nil {
			t.Fatal(err)
		}
		frames[l] = map[string][]byte{}
		for name, d := range deltas {
			if frames[l][name], err = enc.AppendDelta(nil, d); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name := range deltas {
		if bytes.Equal(frames[zstd.SpeedDefault][name], frames[zstd.SpeedBetterCompression][name]) {
			t.Fatalf("%s: the same frame at both levels: the test covers nothing", name)
		}
	}
	enc, err := NewEncoder(WithVersion(7))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]zstd.EncoderLevel{"large": largeItemsLevel, "small": smallItemsLevel}
	for _, name := range []string{"small", "large", "small", "large"} {
		frame, err := enc.AppendDelta(nil, deltas[name])
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(frame, frames[want[name]][name]) {
			t.Errorf("%s: the default Encoder's frame is not the one at level %v", name, want[name])
		}
		got, err := Apply(base, frame)
		if err != nil {
			t.Fatal(err)
		}
		sameSnapshot(t, got, targets[name])
	}
}

// TestItemsStreamPastABlock: an items stream of more text than a zstd
// block holds (128 KiB) is written block by block and decodes alike, at
// both levels, after a stream of one block from the same Encoder.
func TestItemsStreamPastABlock(t *testing.T) {
	items := generatedPods(11, 900)
	base := mustParse(t, `{"pods":[`+strings.Join(items[:50], ",")+`]}`)
	small := mustParse(t, `{"pods":[`+strings.Join(items[:52], ",")+`]}`)
	large := mustParse(t, `{"pods":[`+strings.Join(items, ",")+`]}`)
	text := 0
	for _, item := range items[50:] {
		text += len(mustParse(t, item).MarshalCanonical())
	}
	if text <= 128<<10 {
		t.Fatalf("%d bytes of new items: the test covers nothing", text)
	}
	for _, l := range []zstd.EncoderLevel{zstd.SpeedDefault, zstd.SpeedBetterCompression} {
		enc, err := NewEncoder(WithVersion(7), WithItemsLevel(l)) // format 7: no patch-from frame in place of the items stream
		if err != nil {
			t.Fatal(err)
		}
		for _, next := range []*snapshot.Snapshot{small, large, small} {
			frame, err := enc.AppendDelta(nil, mustDiff(t, base, next))
			if err != nil {
				t.Fatal(err)
			}
			info, err := Inspect(frame)
			if err != nil {
				t.Fatal(err)
			}
			if info.ItemsStreamBytes == 0 {
				t.Fatalf("level %v: no items stream: the test covers nothing", l)
			}
			got, err := Apply(base, frame)
			if err != nil {
				t.Fatalf("level %v: %v", l, err)
			}
			sameSnapshot(t, got, next)
		}
	}
}

// An Encoder WithLowMemory writes the same frames as one that keeps its
// zstd encoders, and keeps none of them after a frame.
func TestWithLowMemory(t *testing.T) {
	var docs []*snapshot.Snapshot
	for i := range 6 {
		var items []string
		for k := range 20 + 3*i {
			items = append(items, fmt.Sprintf(`{"metadata":{"uid":"u-%04d-%x","name":"web-%d"},"spec":{"image":"registry.example/web:1.%d"},"status":{"phase":"Running","podIP":"10.0.0.%d"}}`, k, k*7919, k, k%4, k))
		}
		docs = append(docs, mustParse(t, fmt.Sprintf(`{"time":%d,"pods":[%s]}`, i, strings.Join(items, ","))))
	}
	kept, err := NewEncoder()
	if err != nil {
		t.Fatal(err)
	}
	low, err := NewEncoder(WithLowMemory())
	if err != nil {
		t.Fatal(err)
	}
	want, err := kept.AppendFull(nil, docs[0])
	if err != nil {
		t.Fatal(err)
	}
	got, err := low.AppendFull(nil, docs[0])
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("full frame: %v, same bytes %v", err, bytes.Equal(got, want))
	}
	for i := 1; i < len(docs); i++ {
		d := mustDiff(t, docs[i-1], docs[i])
		want, err := kept.AppendDelta(nil, d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := low.AppendDelta(nil, d)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("delta %d: %v, same bytes %v", i, err, bytes.Equal(got, want))
		}
		if info, _ := Inspect(got); info.ItemsStreamBytes == 0 {
			t.Fatalf("delta %d has no items stream: the test covers nothing", i)
		}
		if low.zenc != nil || low.items.z != [2]*zstd.Encoder{} || low.items.out.Cap() != 0 {
			t.Fatalf("delta %d: the low-memory encoder kept a zstd encoder", i)
		}
	}
}
