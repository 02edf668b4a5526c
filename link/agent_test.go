package link_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// flakyHandler stands between the agent and a handler and misbehaves on
// demand.
type flakyHandler struct {
	next     http.Handler
	down     atomic.Bool  // drop every connection without an answer
	fail503  atomic.Int32 // answer 503 to this many more requests
	loseAcks atomic.Int32 // apply this many more frames but drop the answer
	requests atomic.Int32
}

func (f *flakyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	switch {
	case f.down.Load():
		panic(http.ErrAbortHandler) // the client sees the connection drop
	case f.fail503.Add(-1) >= 0:
		http.Error(w, "try later", http.StatusServiceUnavailable)
		return
	case r.Method == http.MethodPost && f.loseAcks.Add(-1) >= 0:
		f.next.ServeHTTP(httptest.NewRecorder(), r)
		panic(http.ErrAbortHandler)
	}
	f.next.ServeHTTP(w, r)
}

func startFlaky(t *testing.T, st store.Store) (*flakyHandler, *link.Receiver, *httptest.Server) {
	t.Helper()
	recv, err := link.NewReceiver(st)
	if err != nil {
		t.Fatal(err)
	}
	f := &flakyHandler{next: link.NewHandler(recv, httpSecrets)}
	f.fail503.Store(0)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, recv, srv
}

func flakyClient(srv *httptest.Server) *link.Client {
	return &link.Client{BaseURL: srv.URL, Env: "env-a", Secret: httpSecrets["env-a"], HTTP: srv.Client()}
}

// heldRoot is the root the receiver holds for env-a.
func heldRoot(t *testing.T, recv *link.Receiver) uint64 {
	t.Helper()
	s, _, err := recv.Snapshot("env-a")
	if err != nil {
		t.Fatal(err)
	}
	return s.Hash()
}

func TestAgentRetriesThenSucceeds(t *testing.T) {
	f, recv, srv := startFlaky(t, store.NewMemory())
	ag := newAgent(t, flakyClient(srv))
	ag.Retries = 3
	f.fail503.Store(2)
	snap := mustParse(t, dockerPollJSON(0))
	ack, err := ag.PollSnapshot(context.Background(), snap)
	if err != nil || ack.Status != link.StatusApplied {
		t.Fatalf("poll: %+v, %v", ack, err)
	}
	if st := ag.Stats(); st.Retries != 2 || st.Skipped != 0 || st.Polls != 1 {
		t.Fatalf("stats %+v: want 2 retries", st)
	}
	if heldRoot(t, recv) != snap.Hash() {
		t.Fatal("server does not hold the snapshot")
	}
}

func TestAgentUnreachableCoalesces(t *testing.T) {
	f, recv, srv := startFlaky(t, store.NewMemory())
	ctx := context.Background()
	ag := newAgent(t, flakyClient(srv))
	if _, err := ag.Poll(ctx, dockerPollJSON(0)); err != nil {
		t.Fatal(err)
	}
	f.down.Store(true)
	f.requests.Store(0)
	for i := 1; i <= 3; i++ {
		if _, err := ag.Poll(ctx, dockerPollJSON(i)); err == nil {
			t.Fatalf("poll %d succeeded with the server down", i)
		}
	}
	// Bounded retries: Retries+1 tries per poll, then the poll is skipped.
	// The first try went out on the connection kept from poll 0, so the
	// transport sent it once more on a new one (frames are safe to resend,
	// TestSendRetriesOnAClosedKeptConnection); the others were new
	// connections already.
	if got, want := f.requests.Load(), int32(3*(ag.Retries+1)+1); got != want {
		t.Fatalf("%d requests while down, want %d", got, want)
	}
	f.down.Store(false)
	last := mustParse(t, dockerPollJSON(4))
	ack, err := ag.PollSnapshot(ctx, last)
	if err != nil || ack.Status != link.StatusApplied {
		t.Fatalf("poll after the outage: %+v, %v", ack, err)
	}
	st := ag.Stats()
	if st.Polls != 5 || st.Skipped != 3 || st.FullFrames != 1 {
		t.Fatalf("stats %+v: want 5 polls, 3 skipped, only the first frame full", st)
	}
	if heldRoot(t, recv) != last.Hash() {
		t.Fatal("server did not converge to the last poll")
	}
}

func TestAgentLostAck(t *testing.T) {
	f, recv, srv := startFlaky(t, store.NewMemory())
	ctx := context.Background()
	ag := newAgent(t, flakyClient(srv))
	for i := range 4 {
		if i == 2 {
			f.loseAcks.Store(1) // the server applies poll 2, the agent hears nothing
			f.requests.Store(0)
		}
		snap := mustParse(t, dockerPollJSON(i))
		ack, err := ag.PollSnapshot(ctx, snap)
		if err != nil {
			t.Fatalf("poll %d: %v", i, err)
		}
		want := link.StatusApplied
		if i == 2 {
			want = link.StatusDuplicate // the retry of a frame already applied
		}
		if ack.Status != want || heldRoot(t, recv) != snap.Hash() {
			t.Fatalf("poll %d: ack %+v, want %s", i, ack, want)
		}
		if i == 2 {
			// The frame went out on the connection kept from poll 1, so
			// the transport sent it again itself, before the Agent's own
			// retries.
			if n := f.requests.Load(); n != 2 {
				t.Fatalf("poll 2 took %d requests: a lost ack must cost one resend", n)
			}
		}
	}
	if st := ag.Stats(); st.FullFrames != 1 || st.Retries != 0 {
		t.Fatalf("stats %+v: a lost ack must cost one resend by the transport, not a full frame", st)
	}
}

func TestAgentRecoversFromServerLoss(t *testing.T) {
	ctx := context.Background()
	// The server loses its store: the agent's delta base is unknown there.
	_, recv1, srv1 := startFlaky(t, store.NewMemory())
	ag := newAgent(t, flakyClient(srv1))
	for i := range 3 {
		if _, err := ag.Poll(ctx, dockerPollJSON(i)); err != nil {
			t.Fatal(err)
		}
	}
	_, recv2, srv2 := startFlaky(t, store.NewMemory())
	ag.Client = flakyClient(srv2)
	snap := mustParse(t, dockerPollJSON(3))
	ack, err := ag.PollSnapshot(ctx, snap)
	if err != nil || ack.Status != link.StatusApplied || heldRoot(t, recv2) != snap.Hash() {
		t.Fatalf("poll against a fresh server: %+v, %v", ack, err)
	}
	if st := ag.Stats(); st.FullFrames != 2 || st.Skipped != 0 {
		t.Fatalf("stats %+v: want the unknown base answered by one more full frame", st)
	}

	// A restarted agent (no memory) against a server that kept its state.
	ag2 := newAgent(t, flakyClient(srv1))
	snap = mustParse(t, dockerPollJSON(5))
	if _, err := ag2.PollSnapshot(ctx, snap); err != nil || heldRoot(t, recv1) != snap.Hash() {
		t.Fatalf("restarted agent: %v", err)
	}
	if st := ag2.Stats(); st.FullFrames != 1 || st.Frames != 1 {
		t.Fatalf("restarted agent stats %+v: want one full frame", st)
	}
	if _, err := ag2.PollSnapshot(ctx, mustParse(t, dockerPollJSON(6))); err != nil {
		t.Fatal(err)
	}
	if st := ag2.Stats(); st.FullFrames != 1 || st.Frames != 2 {
		t.Fatalf("restarted agent stats %+v: the second frame must be a delta", st)
	}
}

func TestAgentBadInputAndCancel(t *testing.T) {
	f, _, srv := startFlaky(t, store.NewMemory())
	ag := newAgent(t, flakyClient(srv))
	if _, err := ag.Poll(context.Background(), []byte(`{"a":`)); !errors.Is(err, snapshot.ErrSyntax) {
		t.Fatalf("bad JSON: %v, want ErrSyntax", err)
	}
	if st := ag.Stats(); st.Polls != 0 || f.requests.Load() != 0 {
		t.Fatalf("bad JSON reached the wire: %+v", st)
	}

	// Cancelling stops the backoff at once.
	f.down.Store(true)
	ag.Retries = 5
	ag.Backoff = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for f.requests.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if _, err := ag.Poll(ctx, dockerPollJSON(0)); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled poll: %v", err)
	}
}

// An agent delivers two polls to a server: the first as a full frame, the
// second as a delta against the acknowledged first.
func ExampleAgent() {
	recv, err := link.NewReceiver(store.NewMemory())
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(link.NewHandler(recv, map[string]string{"host-1": "s3cret"}))
	defer srv.Close()

	sender, err := link.NewSender()
	if err != nil {
		panic(err)
	}
	agent := &link.Agent{
		Sender: sender,
		Client: &link.Client{BaseURL: srv.URL, Env: "host-1", Secret: "s3cret"},
	}
	ctx := context.Background()
	for _, poll := range []string{
		`{"containers":[{"Id":"a1","Status":"Up 3 minutes"},{"Id":"b2","Status":"Up 2 hours"}]}`,
		`{"containers":[{"Id":"a1","Status":"Up 4 minutes"},{"Id":"b2","Status":"Up 2 hours"}]}`,
	} {
		ack, err := agent.Poll(ctx, []byte(poll))
		if err != nil {
			panic(err)
		}
		fmt.Println(ack.Status, ack.Root == snapshot.FormatHash(agent.Sender.Acked().Hash()))
	}
	st := agent.Stats()
	fmt.Println(st.Frames, "frames,", st.FullFrames, "full")

	held, err := agent.Client.Snapshot(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", held.MarshalCanonical())
	// Output:
	// applied true
	// applied true
	// 2 frames, 1 full
	// {"containers":[{"Id":"a1","Status":"Up 4 minutes"},{"Id":"b2","Status":"Up 2 hours"}]}
}
