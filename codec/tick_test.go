package codec

import (
	"bytes"
	"errors"
	"fmt"
	units "github.com/docker/go-units"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/vmihailenco/msgpack/v5"
)

func TestTickRun(t *testing.T) {
	for _, tt := range []struct {
		s, word string
		step    int64
		run     int
		ok      bool
	}{
		{"Up 4 minutes", " minutes", 1, 0, true},
		{"Up 4 minutes (healthy)", " minutes", 1, 0, true},
		{"Exited (0) 5 minutes ago", " minutes", 1, 1, true},
		{"Exited (137) 12 minutes ago", " minutes", -2, 1, true},
		{"Up 2 hours", " minutes", 1, 0, false},
		{"Up About a minute", " minutes", 1, 0, false},
		{"minutes 4 minutes", " minutes", 1, 0, true}, // the first occurrence has no digit before it
		{"Up 05 minutes", " minutes", 1, 0, false},    // not canonical
		{"Up 0 minutes", " minutes", 1, 0, true},
		{"Up 0 minutes", " minutes", -1, 0, false}, // below zero
		{"9223372036854775807 minutes", " minutes", 1, 0, false},
		{"99999999999999999999 minutes", " minutes", 1, 0, false}, // past int64
		{"v1.2 3 minutes", " minutes", 1, 2, true},
		{"", " minutes", 1, 0, false},
		{"12minutes", "minutes", 1, 0, true},
	} {
		run, ok := tickRun(tt.s, tt.word, tt.step)
		if ok != tt.ok || (ok && run != tt.run) {
			t.Errorf("tickRun(%q, %q, %d) = %d, %v; want %d, %v", tt.s, tt.word, tt.step, run, ok, tt.run, tt.ok)
		}
	}
}

func TestWordAfterRun(t *testing.T) {
	for _, tt := range []struct {
		s    string
		run  int
		want string
	}{
		{"Up 4 minutes", 0, " minutes"},
		{"Up 4 minutes (healthy)", 0, " minutes"},
		{"Exited (0) 5 minutes ago", 1, " minutes"},
		{"Exited (0) 5 minutes ago", 0, ""}, // ")" follows
		{"Up 4", 0, ""},
		{"Up 4 ", 0, ""},
		{"Up 4 minutes", 1, ""},
	} {
		if got := wordAfterRun(tt.s, tt.run); got != tt.want {
			t.Errorf("wordAfterRun(%q, %d) = %q, want %q", tt.s, tt.run, got, tt.want)
		}
	}
}

// specTick is section 7.6's tick rule written again from the text, with a
// regular expression: the leftmost digits followed by word.
func specTick(s, word string, step int64) (string, bool) {
	m := regexp.MustCompile(`[0-9]+` + regexp.QuoteMeta(word)).FindStringIndex(s)
	if m == nil {
		return "", false
	}
	digits := s[m[0] : m[1]-len(word)]
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || strconv.FormatInt(v, 10) != digits || (step > 0 && v > math.MaxInt64-step) || v+step < 0 {
		return "", false
	}
	return s[:m[0]] + strconv.FormatInt(v+step, 10) + s[m[1]-len(word):], true
}

// statuses are what the tick property test draws Docker statuses from:
// %d is a count, %s the age of a container as the Docker daemon writes it.
var statuses = []string{
	"Up %s", "Up %s (healthy)", "Exited (0) %s ago", "Exited (137) %s ago", "Up %s (Paused)",
	"Up %d minutes", "Up %d hours", "Created", "Up 0%d minutes", "Up %d seconds",
}

// randomStatus returns a status and, when it holds an age, the status of
// the same container a minute later.
func randomStatus(r *rand.Rand) (now, later string) {
	f := statuses[r.IntN(len(statuses))]
	switch {
	case strings.Contains(f, "%s"):
		// Ages cluster where the words change: under two minutes, near an hour.
		var age time.Duration
		switch r.IntN(4) {
		case 0:
			age = time.Duration(r.IntN(130_000)) * time.Millisecond
		case 1:
			age = 58*time.Minute + time.Duration(r.IntN(180_000))*time.Millisecond
		default:
			age = time.Duration(r.Int64N(int64(50 * time.Hour)))
		}
		return fmt.Sprintf(f, units.HumanDuration(age)), fmt.Sprintf(f, units.HumanDuration(age+time.Minute))
	case strings.Contains(f, "%d"):
		n := r.IntN(100)
		if up, ok := specTick(fmt.Sprintf(f, n), " minutes", 1); ok {
			return fmt.Sprintf(f, n), up
		}
		return fmt.Sprintf(f, n), fmt.Sprintf(f, n)
	}
	return f, f
}

// specHumanized is section 8.4's humanized tick rule written again from
// the text: the leftmost phrase found by a regular expression, and its
// prediction by trying every whole second of the ages it stands for.
func specHumanized(s string, step int64) (string, bool) {
	var start, end int
	var lo, hi int64
	found := false
	for _, m := range regexp.MustCompile(`Less than a second|About a minute|About an hour|(?:^|[^0-9])([1-9][0-9]?) (seconds|second|minutes|hours)`).FindAllStringSubmatchIndex(s, -1) {
		start, end, found = m[0], m[1], true
		switch phrase := s[start:end]; {
		case phrase == "Less than a second":
			lo, hi = 0, 1
		case phrase == "About a minute":
			lo, hi = 60, 120
		case phrase == "About an hour":
			lo, hi = 3600, 5400
		default:
			start = m[2]
			n, _ := strconv.ParseInt(s[m[2]:m[3]], 10, 64)
			switch unit := s[m[4]:m[5]]; {
			case unit == "second" && n == 1 && !strings.HasPrefix(s[end:], "s"):
				lo, hi = 1, 2
			case unit == "seconds" && n >= 2 && n <= 59:
				lo, hi = n, n+1
			case unit == "minutes" && n >= 2 && n <= 59:
				lo, hi = 60*n, 60*n+60
			case unit == "hours" && n >= 2 && n <= 47:
				lo, hi = 3600*n-1800, 3600*n+1800
			default:
				found = false // not a phrase HumanDuration writes: look further
			}
		}
		if found {
			break
		}
	}
	if !found {
		return "", false
	}
	var want string
	for sec := lo; sec < hi; sec++ {
		got := units.HumanDuration(time.Duration(sec+60*step) * time.Second)
		if sec > lo && got != want {
			return "", false
		}
		want = got
	}
	if strings.HasSuffix(want, "days") || strings.HasSuffix(want, "weeks") || strings.HasSuffix(want, "months") || strings.HasSuffix(want, "years") {
		return "", false
	}
	return s[:start] + want + s[end:], true
}

func TestHumanizedOp(t *testing.T) {
	for _, tt := range []struct {
		s    string
		step int64
		want string // "" for no prediction
	}{
		{"Up Less than a second", 1, "Up About a minute"},
		{"Up 1 second", 1, "Up About a minute"},
		{"Up 59 seconds (health: starting)", 1, "Up About a minute (health: starting)"},
		{"Up About a minute", 1, "Up 2 minutes"},
		{"Up About a minute (healthy)", 2, "Up 3 minutes (healthy)"},
		{"Up 4 minutes", 1, "Up 5 minutes"},
		{"Exited (0) 58 minutes ago", 1, "Exited (0) 59 minutes ago"},
		{"Exited (137) 59 minutes ago", 1, "Exited (137) About an hour ago"},
		{"Up 59 minutes", 31, "Up 2 hours"},
		{"Up About an hour", 1, ""}, // 60 to 90 minutes: 2 hours from 89
		{"Up About an hour", 30, "Up 2 hours"},
		{"Up 2 hours", 1, ""},
		{"Up 2 hours", 60, "Up 3 hours"},
		{"Up 47 hours", 60, ""}, // 2 days
		{"Up 7 days", 1, ""},
		{"Up 60 minutes", 1, ""},  // not HumanDuration's
		{"Up 05 minutes", 1, ""},  // leading zero
		{"Up 1 seconds", 1, ""},   // not HumanDuration's
		{"Up 123 minutes", 1, ""}, // three digits: no phrase
		{"Exited (0) 75 minutes ago, Up 3 minutes", 1, "Exited (0) 75 minutes ago, Up 4 minutes"},
		{"v2 5 minutes", 1, "v2 6 minutes"},
		{"Up 5 minutes", 0, ""},
		{"Up 5 minutes", maxHumanizedStep + 1, ""},
		{"", 1, ""},
	} {
		want, wantOK := specHumanized(tt.s, tt.step)
		if wantOK != (tt.want != "") || want != tt.want {
			if tt.step >= 1 && tt.step <= maxHumanizedStep {
				t.Fatalf("the test's rule: %q +%d = %q, %v; the table says %q", tt.s, tt.step, want, wantOK, tt.want)
			}
		}
		op, ok := humanizedOp(tt.s, "/Status", tt.step)
		if ok != (tt.want != "") {
			t.Errorf("humanizedOp(%q, %d): %v, want a prediction %v", tt.s, tt.step, ok, tt.want != "")
			continue
		}
		if !ok {
			continue
		}
		if got, ok := textAfter(op, tt.s); !ok || got != tt.want {
			t.Errorf("humanizedOp(%q, %d) makes %q, want %q", tt.s, tt.step, got, tt.want)
		}
	}
}

// TestTickRoundTrip checks status ticks over thousands of generated pairs
// of container lists: most statuses count a minute up, some stay, change
// otherwise, leave or arrive, and the base is held compact as an agent
// holds it. Every frame must rebuild the next list exactly, and each
// tick's expansion must be what the specification's rule gives.
func TestTickRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pairs, ticked, humanized := 2000, 0, 0
	if testing.Short() {
		pairs = 300
	}
	for n := range pairs {
		count := 2 + r.IntN(30)
		var base, next []string
		for i := range count {
			s, later := randomStatus(r)
			item := func(status string) string {
				return fmt.Sprintf(`{"Id":"c%d","State":"running","Status":%q}`, i, status)
			}
			base = append(base, item(s))
			switch k := r.IntN(10); {
			case k < 6:
				s = later
			case k < 7:
				s, _ = randomStatus(r)
			case k < 8:
				continue // removed
			}
			next = append(next, item(s))
			if r.IntN(15) == 0 {
				next = append(next, fmt.Sprintf(`{"Id":"n%d","State":"created","Status":"Created"}`, i))
			}
		}
		b := mustParse(t, `{"containers":[`+strings.Join(base, ",")+`]}`)
		if n%2 == 0 {
			b = b.Compact()
		}
		nx := mustParse(t, `{"containers":[`+strings.Join(next, ",")+`]}`)
		frame := mustEncodeDelta(t, b, nx)
		f, err := Decode(frame)
		if err != nil {
			t.Fatalf("pair %d: %v", n, err)
		}
		if len(f.ticks) > 0 {
			ticked++
			if f.ticks[0].tick.humanized {
				humanized++
			}
			checkTickAgainstSpec(t, f.ticks[0].tick, b)
		}
		got, err := f.Apply(b)
		if err != nil {
			t.Fatalf("pair %d: %v\nbase %s\nnext %s", n, err, b.MarshalCanonical(), nx.MarshalCanonical())
		}
		sameSnapshot(t, got, nx)
	}
	if ticked < pairs/4 || humanized < ticked/4 || humanized > ticked*3/4 {
		t.Errorf("%d of %d frames sent a status tick, %d of them humanized", ticked, pairs, humanized)
	}
}

// checkTickAgainstSpec expands tk against base and compares each item it
// patches with the specification's rule.
func checkTickAgainstSpec(t *testing.T, tk tick, base *snapshot.Snapshot) {
	t.Helper()
	arr, _ := base.Root().Get("containers")
	c := &delta.CollectionEdit{}
	if err := tk.expand(c, arr); err != nil {
		t.Fatal(err)
	}
	patched := map[int]bool{}
	for _, p := range c.Patch {
		patched[p.At] = true
	}
	for i, item := range arr.Elems() {
		v, _ := item.Get("Status")
		var want bool
		if tk.humanized {
			_, want = specHumanized(v.Text(), tk.step)
		} else {
			_, want = specTick(v.Text(), tk.word, tk.step)
		}
		if slices.Contains(tk.except, i) {
			want = false
		}
		if patched[i] != want {
			t.Fatalf("tick %q %+d (humanized %v) on %q (position %d): patched %v, the rule says %v", tk.word, tk.step, tk.humanized, v.Text(), i, patched[i], want)
		}
	}
}

// TestTickDoesNotModifyTheDelta checks that the encoder's tick leaves the
// caller's delta as Diff made it.
func TestTickDoesNotModifyTheDelta(t *testing.T) {
	base := mustParse(t, `{"c":[{"Id":"a","Status":"Up 3 minutes"},{"Id":"b","Status":"Up 3 minutes"},{"Id":"c","Status":"Up 9 minutes"}]}`)
	next := mustParse(t, `{"c":[{"Id":"a","Status":"Up 4 minutes"},{"Id":"b","Status":"Up 4 minutes"},{"Id":"c","Status":"Up 10 minutes"}]}`)
	d := mustDiff(t, base, next)
	before := fmt.Sprintf("%+v", d.Edits[0].Collection.Patch)
	frame, err := EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	if after := fmt.Sprintf("%+v", d.Edits[0].Collection.Patch); after != before {
		t.Errorf("encoding changed the delta's patches:\n%s\n%s", before, after)
	}
	f, err := Decode(frame)
	if err != nil || len(f.ticks) != 1 || len(f.Delta.Edits[0].Collection.Patch) != 0 {
		t.Fatalf("want a frame with a tick and no patch: %v %+v", err, f)
	}
	got, err := f.Apply(base)
	if err != nil {
		t.Fatal(err)
	}
	sameSnapshot(t, got, next)
}

// tickFrame writes by hand a raw delta frame of the given version of one
// collection edit at "c" (keyed by Id) with a tick and no other change than
// removing the item keyed removeKey, when given.
func tickFrame(version uint8, base, target uint64, removeKey string, tick func(*msgpack.Encoder)) []byte {
	h := handFrame{version: version, base: base, target: target, rule: "Id", tick: tick}
	if removeKey != "" {
		h.remove = []string{removeKey}
	}
	return h.bytes()
}

func TestTickHostile(t *testing.T) {
	base := mustParse(t, `{"c":[{"Id":"a","Status":"Up 3 minutes"},{"Id":"b","Status":"Up 2 hours"},{"Id":"d","Status":"Up 7 minutes"}]}`)
	next := mustParse(t, `{"c":[{"Id":"a","Status":"Up 4 minutes"},{"Id":"b","Status":"Up 2 hours"},{"Id":"d","Status":"Up 7 minutes"}]}`)
	tk := func(pointer, word string, step int64, except ...int64) func(*msgpack.Encoder) {
		return func(enc *msgpack.Encoder) {
			_ = enc.EncodeArrayLen(4)
			_ = enc.EncodeString(pointer)
			_ = enc.EncodeString(word)
			_ = enc.EncodeInt(step)
			_ = enc.EncodeArrayLen(len(except))
			for _, e := range except {
				_ = enc.EncodeInt(e)
			}
		}
	}
	humanized := func(step int64, except ...int64) func(*msgpack.Encoder) {
		return func(enc *msgpack.Encoder) {
			_ = enc.EncodeArrayLen(4)
			_ = enc.EncodeString("/Status")
			_ = enc.EncodeNil()
			_ = enc.EncodeInt(step)
			_ = enc.EncodeArrayLen(len(except))
			for _, e := range except {
				_ = enc.EncodeInt(e)
			}
		}
	}
	if got, err := Apply(base, tickFrame(Version, base.Hash(), next.Hash(), "", humanized(1, 2))); err != nil {
		t.Errorf("the hand-written humanized tick does not apply: %v", err)
	} else {
		sameSnapshot(t, got, next)
	}
	if _, err := Apply(base, tickFrame(Version, base.Hash(), next.Hash(), "", humanized(1))); !errors.Is(err, ErrVerify) {
		t.Errorf("a mispredicted humanized tick: %v, want ErrVerify", err)
	}
	good := tickFrame(Version, base.Hash(), next.Hash(), "", tk("/Status", " minutes", 1, 2))
	got, err := Apply(base, good)
	if err != nil {
		t.Fatalf("the hand-written tick does not apply: %v", err)
	}
	sameSnapshot(t, got, next)
	// Without the exception, item d counts up too: the target root refuses it.
	if _, err := Apply(base, tickFrame(Version, base.Hash(), next.Hash(), "", tk("/Status", " minutes", 1))); !errors.Is(err, ErrVerify) {
		t.Errorf("a mispredicted tick: %v, want ErrVerify", err)
	}
	v3 := tickFrame(3, base.Hash(), next.Hash(), "", tk("/Status", " minutes", 1, 2))
	for _, tt := range []struct {
		name  string
		frame []byte
		want  error
	}{
		{"a tick in a version 3 frame", v3, ErrCorrupt},
		{"empty word", tickFrame(Version, base.Hash(), next.Hash(), "", tk("/Status", "", 1)), ErrCorrupt},
		{"word beginning with a digit", tickFrame(Version, base.Hash(), next.Hash(), "", tk("/Status", "1 minutes", 1)), ErrCorrupt},
		{"step 0", tickFrame(Version, base.Hash(), next.Hash(), "", tk("/Status", " minutes", 0)), ErrCorrupt},
		{"humanized step 0", tickFrame(Version, base.Hash(), next.Hash(), "", humanized(0)), ErrCorrupt},
		{"humanized step -1", tickFrame(Version, base.Hash(), next.Hash(), "", humanized(-1)), ErrCorrupt},
		{"humanized step past 48 hours", tickFrame(Version, base.Hash(), next.Hash(), "", humanized(maxHumanizedStep+1)), ErrCorrupt},
		{"negative exception", tickFrame(Version, base.Hash(), next.Hash(), "", tk("/Status", " minutes", 1, -1)), ErrCorrupt},
		{"exception gap 0", tickFrame(Version, base.Hash(), next.Hash(), "", tk("/Status", " minutes", 1, 1, 0)), ErrCorrupt},
		{"exception past the base", tickFrame(Version, base.Hash(), next.Hash(), "", tk("/Status", " minutes", 1, 2, 1)), ErrCorrupt},
		{"invalid pointer", tickFrame(Version, base.Hash(), next.Hash(), "", tk("Status", " minutes", 1, 2)), ErrCorrupt},
		{"removal by key beside a tick", tickFrame(Version, base.Hash(), next.Hash(), "b", tk("/Status", " minutes", 1, 2)), ErrCorrupt},
	} {
		if _, err := Apply(base, tt.frame); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	// Decode alone leaves the tick for Apply, and says so.
	f, err := Decode(good)
	if err != nil || !f.NeedsBase() || len(f.Delta.Edits[0].Collection.Patch) != 0 {
		t.Fatalf("Decode: %v, NeedsBase %v", err, f.NeedsBase())
	}
}

// TestAppliedFramesEncodeAgain checks that a golden delta frame, once
// applied (its status ticks and items expanded against the base), encodes
// again to the very same bytes: the tick the encoder plans from the applied
// delta is the one the frame carried.
func TestAppliedFramesEncodeAgain(t *testing.T) {
	for _, v := range loadVectors(t) {
		if _, hand := handBuilt[v.name]; hand || v.base == nil || v.name == "worked-example" || v.name == "patch-from" {
			continue // written by other encoders, or no delta
		}
		f, err := Decode(v.frame)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Apply(v.base); err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		again, err := EncodeDelta(f.Delta)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if !bytes.Equal(again, v.frame) {
			t.Errorf("%s: the applied delta encodes to\n% x\nnot\n% x", v.name, again, v.frame)
		}
	}
}
