package bench

import (
	"errors"
	"testing"
)

// TestRandomIDFloor checks the floor against snapdelta itself: a lossless
// encoding that sent fewer bytes than the fresh ids hold would have to be
// dropping some of them.
func TestRandomIDFloor(t *testing.T) {
	profiles := []Profile{DockerSmall, K8sSmall}
	if !testing.Short() {
		profiles = append(profiles, DockerLarge)
	}
	for _, p := range profiles {
		const polls = 20
		floor, err := RandomIDFloor(p, 1, polls)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := RandomIDFloor(p, 1, polls)
		if floor <= 0 || again != floor {
			t.Fatalf("%s: floor %.1f, then %.1f: want the same positive number", p, floor, again)
		}
		raw, err := Polls(p, 1, polls)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Run(NewSnapdelta(), raw)
		if err != nil {
			t.Fatal(err)
		}
		if r.Deltas.MeanBytes < floor {
			t.Errorf("%s: snapdelta sends %.1f bytes a cycle, below the %.1f bytes of fresh random ids", p, r.Deltas.MeanBytes, floor)
		}
		t.Logf("%s: fresh random ids %.1f B/cycle, snapdelta %.1f", p, floor, r.Deltas.MeanBytes)
	}
}

func TestRandomIDFloorErrors(t *testing.T) {
	if _, err := RandomIDFloor(DockerSmall, 1, 1); err == nil {
		t.Error("one poll: no error")
	}
	if _, err := RandomIDFloor("nope", 1, 10); !errors.Is(err, ErrUnknownProfile) {
		t.Errorf("unknown profile: %v", err)
	}
}

// TestDrawnIDs checks that the ids the simulator draws are recorded with
// their randomness, and only when asked.
func TestDrawnIDs(t *testing.T) {
	g := newGen(1)
	g.hex64()
	if g.ids != nil {
		t.Fatal("ids collected without being asked")
	}
	var drawn []drawnID
	g.ids = &drawn
	id, uid, short, suffix := g.hex64(), g.uuid(), g.hexN(12), g.k8sSuffix(5)
	want := []drawnID{{id, 256}, {uid, 122}, {short, 48}}
	if len(drawn) != 4 || drawn[3].text != suffix || drawn[3].bits < 23.7 || drawn[3].bits > 23.8 {
		t.Fatalf("drawn %v", drawn)
	}
	for i, w := range want {
		if drawn[i] != w {
			t.Errorf("drawn[%d] = %v, want %v", i, drawn[i], w)
		}
	}
}
