package codec

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/vmihailenco/msgpack/v5"
)

// copiesEvent is a new Kubernetes event as the API lists it: every rule of
// section 7.9 but the last two applies to it.
const copiesEvent = `{"apiVersion":"v1","count":1,"eventTime":null,"firstTimestamp":"2026-03-14T09:21:06Z",
"involvedObject":{"kind":"Pod","name":"web-1","namespace":"shop","uid":"u1"},"kind":"Event",
"lastTimestamp":"2026-03-14T09:21:06Z","message":"Started container web",
"metadata":{"creationTimestamp":"2026-03-14T09:21:06Z","managedFields":[{"manager":"kubelet","time":"2026-03-14T09:21:06Z"}],
"name":"web-1.17bc9a2c8f7e6d5c","namespace":"shop","resourceVersion":"88176","uid":"e1"},
"reason":"Started","reportingComponent":"kubelet","reportingInstance":"worker-1",
"source":{"component":"kubelet","host":"worker-1"},"type":"Normal"}`

// copiesPod is a new pod: its first manager's time and its startTime are
// its creationTimestamp (rules 7 and 8).
const copiesPod = `{"kind":"Pod","metadata":{"creationTimestamp":"2026-03-14T09:21:05Z","managedFields":[
{"manager":"kube-controller-manager","time":"2026-03-14T09:21:05Z"},{"manager":"kubelet","time":"2026-03-14T09:21:07Z"}],
"name":"web-1","namespace":"shop"},"status":{"phase":"Running","startTime":"2026-03-14T09:21:05Z"}}`

// stripNode strips item as writers do, on its canonical JSON.
func stripNode(t testing.TB, item *snapshot.Node) (*snapshot.Node, uint64) {
	t.Helper()
	text, mask := stripCanonical(snapshot.AppendCanonical(nil, item), allCopies, &memberIndex{})
	return mustParse(t, string(text)).Root(), mask
}

func TestStripCopies(t *testing.T) {
	event := func(edit func(string) string) string { return edit(copiesEvent) }
	for _, tt := range []struct {
		name     string
		item     string
		mask     uint64
		stripped string
	}{
		{"event", copiesEvent, 0b1111111,
			`{"apiVersion":"v1","count":1,"eventTime":null,"firstTimestamp":"2026-03-14T09:21:06Z",` +
				`"involvedObject":{"kind":"Pod","name":"web-1","namespace":"shop","uid":"u1"},"kind":"Event",` +
				`"message":"Started container web","metadata":{"managedFields":[{"manager":"kubelet"}],` +
				`"name":".17bc9a2c8f7e6d5c","resourceVersion":"88176","uid":"e1"},"reason":"Started",` +
				`"source":{"component":"kubelet","host":"worker-1"},"type":"Normal"}`},
		{"pod", copiesPod, 1<<7 | 1<<8,
			`{"kind":"Pod","metadata":{"creationTimestamp":"2026-03-14T09:21:05Z","managedFields":[` +
				`{"manager":"kube-controller-manager"},{"manager":"kubelet","time":"2026-03-14T09:21:07Z"}],` +
				`"name":"web-1","namespace":"shop"},"status":{"phase":"Running"}}`},
		{"name not after its object", event(func(s string) string {
			return strings.Replace(s, `"name":"web-1.17bc`, `"name":"alert.17bc`, 1)
		}), 0b0111111, ""},
		{"a manager without time", event(func(s string) string {
			return strings.Replace(s, `[{"manager":"kubelet","time":"2026-03-14T09:21:06Z"}]`,
				`[{"manager":"kubelet","time":"2026-03-14T09:21:06Z"},{"manager":"x"},7]`, 1)
		}), 0b1111011, ""},
		{"non-object elements are left alone", event(func(s string) string {
			return strings.Replace(s, `[{"manager":"kubelet","time":"2026-03-14T09:21:06Z"}]`,
				`[{"manager":"kubelet","time":"2026-03-14T09:21:06Z"},7,"x",[]]`, 1)
		}), 0b1111111, ""},
		{"an empty reportingComponent", event(func(s string) string {
			return strings.Replace(s, `"reportingComponent":"kubelet"`, `"reportingComponent":""`, 1)
		}), 0b1011111, ""},
		{"firstTimestamp an object", event(func(s string) string {
			return strings.Replace(s, `"firstTimestamp":"2026-03-14T09:21:06Z"`, `"firstTimestamp":{"t":1}`, 1)
		}), 0b1111000 | 1<<7, ""},
		{"a number source", `{"firstTimestamp":1,"lastTimestamp":1.0,"metadata":{"creationTimestamp":1}}`, 1 << 1, `{"firstTimestamp":1,"lastTimestamp":1.0,"metadata":{}}`},
		{"nothing to strip", `{"a":[1,{"b":null}],"metadata":7}`, 0, `{"a":[1,{"b":null}],"metadata":7}`},
		{"not an object", `["lastTimestamp"]`, 0, `["lastTimestamp"]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			item := mustParse(t, tt.item).Root()
			stripped, mask := stripNode(t, item)
			if mask != tt.mask {
				t.Errorf("mask %#b, want %#b", mask, tt.mask)
			}
			if got := string(snapshot.AppendCanonical(nil, stripped)); tt.stripped != "" && got != tt.stripped {
				t.Errorf("stripped to\n%s\nwant\n%s", got, tt.stripped)
			}
			back, err := restoreCopies(stripped, mask, nil)
			if err != nil || !snapshot.Equal(back, item) {
				t.Fatalf("restored to %s, %v", snapshot.AppendCanonical(nil, back), err)
			}
		})
	}
}

// TestCopiesRoundTrip strips and restores 8,000 generated items
// whose members copy each other or nearly, and checks the rules the
// implementation applies against the document's (specStrip).
func TestCopiesRoundTrip(t *testing.T) {
	rules := specCopyRules(t, readSpec(t))
	rng := rand.New(rand.NewPCG(7, 11))
	values := []string{`"2026-03-14T09:21:06Z"`, `"2026-03-14T09:21:07Z"`, `"web"`, `"web-1"`, `"web-1.17bc"`, `"w\"e"`, `"w\"e.1"`, `"\u0001"`, `"\u0001é"`, `""`, `1`, `1.0`, `null`, `true`, `{"x":1}`, `[1]`}
	pick := func() string { return values[rng.IntN(len(values))] }
	member := func(name string) string {
		if rng.IntN(5) == 0 {
			return ""
		}
		return fmt.Sprintf(`%q:%s,`, name, pick())
	}
	applied := make([]int, len(memberCopies))
	for n := range 8000 {
		var mf strings.Builder
		for range rng.IntN(4) {
			switch rng.IntN(6) {
			case 0:
				mf.WriteString(pick() + ",")
			default:
				mf.WriteString(`{` + member("manager") + member("time") + `"i":1},`)
			}
		}
		managed := ""
		if rng.IntN(4) > 0 {
			managed = `"managedFields":[` + strings.TrimSuffix(mf.String(), ",") + `],`
		}
		objectName, name := member("name"), member("name")
		if rng.IntN(3) == 0 {
			// Names after their object, as Kubernetes makes them.
			objectName, name = `"name":"web-1",`, `"name":"web-1.17bc",`
		}
		doc := `{` + member("firstTimestamp") + member("lastTimestamp") + member("reportingInstance") + member("reportingComponent") +
			`"involvedObject":{` + objectName + member("namespace") + `"k":1},` +
			`"source":{` + member("host") + member("component") + `"k":1},` +
			`"status":{` + member("startTime") + `"k":1},` +
			`"metadata":{` + managed + member("creationTimestamp") + member("namespace") + name + `"k":1}}`
		item := mustParse(t, doc).Root()
		stripped, mask := stripNode(t, item)
		back, err := restoreCopies(stripped, mask, nil)
		if err != nil || !snapshot.Equal(back, item) {
			t.Fatalf("item %d %s: stripped by %#b to %s, restored to %s, %v", n, doc, mask,
				snapshot.AppendCanonical(nil, stripped), snapshot.AppendCanonical(nil, back), err)
		}
		want, wantMask := specStrip(specValue(t, doc), rules, allCopies)
		if mask != wantMask || string(snapshot.AppendCanonical(nil, stripped)) != specCanonicalValue(want) {
			t.Fatalf("item %d %s: stripped by %#b to %s; the document strips by %#b to %s", n, doc, mask,
				snapshot.AppendCanonical(nil, stripped), wantMask, specCanonicalValue(want))
		}
		for i := range memberCopies {
			if mask&(1<<i) != 0 {
				applied[i]++
			}
		}
	}
	for i, n := range applied {
		if n < 100 {
			t.Errorf("rule %d applied to %d items of 8000: the generator misses it", i, n)
		}
	}
}

func TestRestoreCopiesRefuses(t *testing.T) {
	for _, tt := range []struct {
		name string
		item string
		mask uint64
	}{
		{"a rule past the table", `{}`, 1 << len(memberCopies)},
		{"the target is there", `{"firstTimestamp":"t","lastTimestamp":"t"}`, 1 << 0},
		{"no source", `{"metadata":{}}`, 1 << 1},
		{"a source that is an object", `{"firstTimestamp":{},"metadata":{}}`, 1 << 1},
		{"no parent", `{"firstTimestamp":"t"}`, 1 << 1},
		{"a parent that is not an object", `{"firstTimestamp":"t","metadata":[]}`, 1 << 1},
		{"no array", `{"firstTimestamp":"t","metadata":{"managedFields":{}}}`, 1 << 2},
		{"every element has it", `{"firstTimestamp":"t","metadata":{"managedFields":[{"time":"t"},1]}}`, 1 << 2},
		{"a name that is not a string", `{"involvedObject":{"name":"a"},"metadata":{"name":1}}`, 1 << 6},
		{"a source name that is not a string", `{"involvedObject":{"name":1},"metadata":{"name":"a"}}`, 1 << 6},
		{"an item that is not an object", `[1]`, 1 << 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := restoreCopies(mustParse(t, tt.item).Root(), tt.mask, nil); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("restored to %s, %v; want ErrCorrupt", snapshot.AppendCanonical(nil, got), err)
			}
		})
	}
}

// TestCopiesInFrames writes puts naming copied members by hand, good and
// hostile.
func TestCopiesInFrames(t *testing.T) {
	base := mustParse(t, `{"c":[]}`)
	next := mustParse(t, `{"c":[`+copiesEvent+`]}`)
	coll, _ := next.Root().Get("c")
	item := coll.Elem(0)
	stripped, mask := stripNode(t, item)
	text := snapshot.AppendCanonical(nil, stripped)
	z, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	// put writes [nil, 0, [], len(text), copies...] (copies nil: four
	// elements) and the frame its stream.
	put := func(text []byte, copies ...any) func(*msgpack.Encoder) {
		return func(enc *msgpack.Encoder) {
			_ = enc.EncodeArrayLen(1)
			_ = enc.EncodeArrayLen(4 + len(copies))
			_ = enc.EncodeNil()
			_ = enc.EncodeInt(0)
			_ = enc.EncodeArrayLen(0)
			_ = enc.EncodeInt(int64(len(text)))
			for _, c := range copies {
				_ = enc.Encode(c)
			}
		}
	}
	frame := func(version uint8, text []byte, copies ...any) []byte {
		return handFrame{version: version, base: base.Hash(), target: next.Hash(), rule: "metadata.uid",
			puts: put(text, copies...), withStream: true, stream: z.EncodeAll(text, nil)}.bytes()
	}
	good := frame(Version, text, mask)
	got, err := Apply(base, good)
	if err != nil {
		t.Fatalf("the hand-written put does not apply: %v", err)
	}
	sameSnapshot(t, got, next)
	if info, err := Inspect(good); err != nil || len(info.Collections) != 1 || info.Collections[0].Copies != 7 {
		t.Errorf("Inspect: %+v, %v; want 7 copied-member rules", info, err)
	}
	// 100,000 managers lacking a time, each given a copy of a 1 KB
	// firstTimestamp: 100 MB of JSON from a few hundred bytes of stream.
	bomb := []byte(`{"firstTimestamp":"` + strings.Repeat("t", 1000) + `","metadata":{"managedFields":[{}` + strings.Repeat(`,{}`, 99999) + `]}}`)
	for _, tt := range []struct {
		name  string
		frame []byte
		want  error
	}{
		{"copies in a format 6 frame", frame(6, text, mask), ErrCorrupt},
		{"copies 0", frame(Version, text, 0), ErrCorrupt},
		{"copies past the table", frame(Version, text, mask|1<<len(memberCopies)), ErrCorrupt},
		{"copies a string", frame(Version, text, "1"), ErrCorrupt},
		{"a rule that cannot be put back", frame(Version, text, mask|1<<7), ErrCorrupt},
		{"six elements", frame(Version, text, mask, 0), ErrCorrupt},
		// The text without its copies: another event, refused by its root.
		{"no copies", frame(Version, text), ErrVerify},
		{"fewer copies", frame(Version, text, mask&^1), ErrVerify},
		{"copied members past the decoded-size limit", frame(Version, bomb, uint64(1<<2)), ErrTooLarge},
	} {
		if _, err := Apply(base, tt.frame); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	// A put built from a base item takes no copies.
	from := handFrame{version: Version, base: base.Hash(), target: next.Hash(), puts: func(enc *msgpack.Encoder) {
		_ = enc.EncodeArrayLen(1)
		_ = enc.EncodeArrayLen(5)
		_ = enc.EncodeNil()
		_ = enc.EncodeInt(0)
		_ = enc.EncodeInt(0)
		_ = enc.EncodeArrayLen(0)
		_ = enc.EncodeUint(1)
	}}.bytes()
	if _, err := Decode(from); !errors.Is(err, ErrCorrupt) {
		t.Errorf("[nil, index, from, ops, copies]: %v, want ErrCorrupt", err)
	}
}

// TestStripManyElements strips a member from each of 50,000 elements: one
// pass over the text (a move of the rest of the text for each element would
// be 50 GB of copying, and a reader strips models a hostile agent sent).
func TestStripManyElements(t *testing.T) {
	const n = 50000
	ts := `"2026-03-14T09:21:06Z"`
	var b strings.Builder
	b.WriteString(`{"firstTimestamp":` + ts + `,"metadata":{"managedFields":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"manager":"m%d","time":%s}`, i%7, ts)
	}
	b.WriteString(`]}}`)
	item := mustParse(t, b.String()).Root()
	text := snapshot.AppendCanonical(nil, item)
	stripped, mask := stripCanonical(append([]byte(nil), text...), allCopies, &memberIndex{})
	if mask != 1<<2 {
		t.Fatalf("mask %#b, want rule 2 alone", mask)
	}
	if cut := len(text) - len(stripped); cut != n*len(`,"time":`+ts) {
		t.Fatalf("cut %d bytes, want %d", cut, n*len(`,"time":`+ts))
	}
	back, err := restoreCopies(mustParse(t, string(stripped)).Root(), mask, nil)
	if err != nil || !snapshot.Equal(back, item) {
		t.Fatalf("restored: %v", err)
	}
}

// TestCopiesFramesRoundTrip sends 2,000 generated polls of events through
// Diff, the encoder and Apply: new events leave out their copied members,
// their models (older events) are stripped alike on both ends, and every
// poll must rebuild exactly. The events vary in what they copy, so that
// some rules do not fit some of them.
func TestCopiesFramesRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	reasons := []string{"Pulled", "Created", "Started", "Killing", "BackOff"}
	hosts := []string{"worker-1", "worker-2", `wo"rker-3`}
	event := func(uid, rv int, pod string, sec int) string {
		ts := fmt.Sprintf(`"2026-03-14T09:%02d:%02dZ"`, sec/60%60, sec%60)
		host := hosts[rng.IntN(len(hosts))]
		last, created, instance, component := ts, ts, fmt.Sprintf("%q", host), `"kubelet"`
		if rng.IntN(4) == 0 {
			last = fmt.Sprintf(`"2026-03-14T10:%02d:00Z"`, rng.IntN(60))
		}
		if rng.IntN(5) == 0 {
			created = `"2026-03-14T08:00:00Z"`
		}
		if rng.IntN(4) == 0 {
			instance = `""`
		}
		if rng.IntN(4) == 0 {
			component = `"kubelet-x"`
		}
		name := fmt.Sprintf("%s.%x", pod, 0x17bc9a2c00000000+rng.Int64N(1<<32))
		if rng.IntN(5) == 0 {
			name = fmt.Sprintf("alert-%d", uid)
		}
		managed := fmt.Sprintf(`[{"manager":"kubelet","operation":"Update","time":%s}]`, ts)
		switch rng.IntN(5) {
		case 0:
			managed = fmt.Sprintf(`[{"manager":"kubelet","time":%s},{"manager":"x"}]`, ts)
		case 1:
			managed = `[]`
		}
		return fmt.Sprintf(`{"count":1,"firstTimestamp":%s,"involvedObject":{"kind":"Pod","name":%q,"namespace":"shop","uid":"p-%s"},`+
			`"kind":"Event","lastTimestamp":%s,"message":"%s container web","metadata":{"creationTimestamp":%s,"managedFields":%s,`+
			`"name":%q,"namespace":"shop","resourceVersion":"%d","uid":"e-%d"},"reason":"%s","reportingComponent":%s,`+
			`"reportingInstance":%s,"source":{"component":"kubelet","host":%q},"type":"Normal"}`,
			ts, pod, pod, last, reasons[rng.IntN(len(reasons))], created, managed, name, rv, uid, reasons[rng.IntN(len(reasons))],
			component, instance, host)
	}
	var events []string
	uid, rv, sec := 0, 1000, 0
	add := func() {
		uid, rv, sec = uid+1, rv+1+rng.IntN(9), sec+rng.IntN(3)
		events = append(events, event(uid, rv, fmt.Sprintf("web-%d", rng.IntN(6)), sec))
	}
	for range 6 {
		add()
	}
	copied := 0
	for k := range 2000 {
		base := mustParse(t, `{"events":[`+strings.Join(events, ",")+`]}`)
		for range 1 + rng.IntN(4) {
			add()
		}
		if len(events) > 12 {
			events = events[len(events)-12:]
		}
		next := mustParse(t, `{"events":[`+strings.Join(events, ",")+`]}`)
		frame := mustEncodeDelta(t, base, next)
		got, err := Apply(base, frame)
		if err != nil {
			t.Fatalf("poll %d: %v", k, err)
		}
		sameSnapshot(t, got, next)
		if info, err := Inspect(frame); err == nil && len(info.Collections) > 0 && info.Collections[0].Copies > 0 {
			copied++
		}
	}
	if copied < 1500 {
		t.Errorf("%d of 2000 frames leave out copied members: the test no longer exercises them", copied)
	}
}
