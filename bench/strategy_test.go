package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestBaselinesRoundTrip(t *testing.T) {
	cases := []struct {
		p Profile
		n int
	}{{DockerSmall, 12}, {K8sSmall, 6}, {DockerLarge, 3}}
	for _, tc := range cases {
		ps := polls(t, tc.p, tc.n)
		for _, s := range Baselines() {
			t.Run(string(tc.p)+"/"+s.Name(), func(t *testing.T) {
				r, err := Run(s, ps)
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Cycles) != tc.n || !r.Cycles[0].Full || r.Cycles[1].Full {
					t.Fatalf("cycles %+v", r.Cycles)
				}
				if r.All.Cycles != tc.n || r.Deltas.Cycles != tc.n-1 {
					t.Fatalf("stats cover %d and %d cycles", r.All.Cycles, r.Deltas.Cycles)
				}
				full := r.Cycles[0].WireBytes
				if full >= len(ps[0]) {
					t.Fatalf("full encoding %d bytes of %d", full, len(ps[0]))
				}
				// Every delta strategy must beat resending the snapshot.
				if !strings.HasPrefix(s.Name(), "full-") && r.Deltas.MedianBytes >= float64(full) {
					t.Fatalf("median delta %.0f bytes, full %d", r.Deltas.MedianBytes, full)
				}
			})
		}
	}
}

func TestBaselineNames(t *testing.T) {
	want := []string{"full-gzip", "full-zstd", "jsonpatch-gzip", "jsonpatch-zstd", "patchfrom-zstd"}
	got := Baselines()
	if len(got) != len(want) {
		t.Fatalf("%d baselines", len(got))
	}
	for i, s := range got {
		if s.Name() != want[i] {
			t.Errorf("baseline %d is %q, want %q", i, s.Name(), want[i])
		}
	}
}

// A delta applied to the wrong base must fail, not rebuild something else.
func TestBaselinesWrongBase(t *testing.T) {
	ps := polls(t, DockerSmall, 61)
	for _, s := range Baselines() {
		if strings.HasPrefix(s.Name(), "full-") {
			continue
		}
		t.Run(s.Name(), func(t *testing.T) {
			wire, err := s.Encode(ps[40], ps[41])
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Decode(ps[0], wire)
			if err == nil && bytes.Equal(got, ps[41]) {
				t.Fatal("decoded against the wrong base and got the right answer")
			}
			if err == nil {
				t.Fatal("decoded against the wrong base without an error")
			}
			if strings.HasPrefix(s.Name(), "jsonpatch") && !errors.Is(err, ErrBaseMismatch) {
				t.Fatalf("err = %v, want ErrBaseMismatch", err)
			}
			// The same strategy still works with the right base afterwards.
			if got, err = s.Decode(ps[40], wire); err != nil {
				t.Fatal(err)
			}
			if eq, _ := JSONEqual(got, ps[41]); !eq {
				t.Fatal("wrong rebuild")
			}
		})
	}
}

func TestBaselinesCorruptWire(t *testing.T) {
	ps := polls(t, DockerSmall, 61)
	for _, s := range Baselines() {
		t.Run(s.Name(), func(t *testing.T) {
			for _, wire := range [][]byte{{1, 2, 3}, bytes.Repeat([]byte{0xff}, 40)} {
				if _, err := s.Decode(ps[0], wire); err == nil {
					t.Errorf("decoded %x", wire)
				}
			}
		})
	}
}

func TestJSONEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, true},
		{`{"a":1}`, `{"a":1.0}`, true},
		{`{"a":100}`, `{"a":1e2}`, true},
		{`[1,2]`, `[2,1]`, false},
		{`{"a":"1"}`, `{"a":1}`, false},
		{`{"a":null}`, `{}`, false},
		{`12345678901234567890`, `12345678901234567891`, false},
	}
	for _, tt := range tests {
		got, err := JSONEqual([]byte(tt.a), []byte(tt.b))
		if err != nil || got != tt.want {
			t.Errorf("JSONEqual(%s, %s) = %v, %v; want %v", tt.a, tt.b, got, err, tt.want)
		}
	}
	if _, err := JSONEqual([]byte(`{`), []byte(`{}`)); err == nil {
		t.Error("no error for invalid JSON")
	}
	if _, err := JSONEqual([]byte(`{} {}`), []byte(`{}`)); err == nil {
		t.Error("no error for trailing data")
	}
}

func TestCanonicalHash(t *testing.T) {
	a, _ := parseJSON([]byte(`{"b":[1,{"y":2,"x":"é"}],"a":null}`))
	b, _ := parseJSON([]byte(`{ "a": null, "b": [1, {"x": "\u00e9", "y": 2}] }`))
	c, _ := parseJSON([]byte(`{"a":null,"b":[1,{"x":"é","y":3}]}`))
	if canonicalHash(a) != canonicalHash(b) {
		t.Error("formatting changed the hash")
	}
	if canonicalHash(a) == canonicalHash(c) {
		t.Error("a different value has the same hash")
	}
}

func TestPatchWindow(t *testing.T) {
	for _, tt := range []struct{ prev, next, want int }{{0, 10, 1024}, {600, 600, 2048}, {1 << 20, 1 << 20, 2 << 20}, {5 << 20, 5 << 20, 16 << 20}} {
		if got := patchWindow(tt.prev, tt.next); got != tt.want {
			t.Errorf("patchWindow(%d, %d) = %d, want %d", tt.prev, tt.next, got, tt.want)
		}
	}
}

// The jsonpatch baselines hash the base as a JSON value, so the server may
// hold it formatted differently from the agent.
func TestJSONPatchBaseFormatting(t *testing.T) {
	ps := polls(t, DockerSmall, 3)
	var indented bytes.Buffer
	if err := json.Indent(&indented, ps[1], "", "  "); err != nil {
		t.Fatal(err)
	}
	for _, s := range Baselines()[2:4] {
		wire, err := s.Encode(ps[1], ps[2])
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Decode(indented.Bytes(), wire)
		if err != nil {
			t.Fatalf("%s: %v", s.Name(), err)
		}
		if eq, err := JSONEqual(got, ps[2]); err != nil || !eq {
			t.Fatalf("%s: wrong rebuild (%v)", s.Name(), err)
		}
	}
}
