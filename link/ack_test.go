package link

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

func TestCompactAck(t *testing.T) {
	for _, a := range []Ack{
		{Env: "e", Seq: 1, Root: snapshot.FormatHash(1), Status: StatusApplied},
		{Env: "e", Seq: 1795553992868641, Root: snapshot.FormatHash(0x296d2b0753cd0568), Status: StatusDuplicate},
		{Env: "e", Seq: 1<<64 - 1, Root: snapshot.FormatHash(1<<64 - 1), Status: StatusApplied},
	} {
		b, ok := appendCompactAck(nil, a)
		if !ok || len(b) > 20 {
			t.Fatalf("%+v: %x, %v", a, b, ok)
		}
		got, err := parseCompactAck(b, "e")
		if err != nil || got != a {
			t.Fatalf("%+v: parsed %+v, %v", a, got, err)
		}
	}
	// Refusals and acks without a root keep JSON.
	for _, a := range []Ack{
		{Seq: 1, Status: StatusApplied},
		{Seq: 1, Root: snapshot.FormatHash(1), Status: StatusUnknownBase},
		{Seq: 1, Root: snapshot.FormatHash(1), Status: StatusRejected, Error: "corrupt"},
		{Seq: 1, Root: "not a root", Status: StatusApplied},
	} {
		if b, ok := appendCompactAck(nil, a); ok {
			t.Errorf("%+v has a compact form %x", a, b)
		}
	}
	good, _ := appendCompactAck(nil, Ack{Seq: 300, Root: snapshot.FormatHash(7), Status: StatusApplied})
	for _, b := range [][]byte{
		nil,
		{1},
		{2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 7}, // unknown version
		{1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7}, // no status 0
		{1, 3, 1, 0, 0, 0, 0, 0, 0, 0, 7}, // nor 3
		good[:len(good)-1],
		append(append([]byte(nil), good...), 0),
		{1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0, 0, 0, 0, 0, 0, 0, 7}, // seq past 64 bits
		{1, 2, 0xa1, 0, 0, 0, 0, 0, 0, 0, 0, 7},                                                          // seq 33 written in two bytes
	} {
		if a, err := parseCompactAck(b, "e"); !errors.Is(err, ErrInvalidAck) {
			t.Errorf("%x: %+v, %v; want ErrInvalidAck", b, a, err)
		}
	}
}

func FuzzCompactAck(f *testing.F) {
	good, _ := appendCompactAck(nil, Ack{Seq: 1795553992868641, Root: snapshot.FormatHash(0x296d2b0753cd0568), Status: StatusDuplicate})
	f.Add(good)
	f.Add([]byte{1, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parseCompactAck(b, "e")
		if err != nil {
			return
		}
		again, ok := appendCompactAck(nil, a)
		if !ok || !bytes.Equal(again, b) {
			t.Fatalf("%x parses to %+v, which writes %x", b, a, again)
		}
	})
}

// A Client talking to a server that does not know compact acks (it ignores
// the query) reads the JSON it answers.
func TestCompactAckNegotiation(t *testing.T) {
	h := NewHandler(newReceiverT(t, store.NewMemory()), map[string]string{wireEnv: wireSecret})
	var mu sync.Mutex
	var contentType string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Old-Server") != "" {
			r.URL.RawQuery = "" // a server from before compact acks
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		mu.Lock()
		contentType = rec.Header().Get("Content-Type")
		mu.Unlock()
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()
	sender, err := NewSender()
	if err != nil {
		t.Fatal(err)
	}
	current := &Client{BaseURL: srv.URL, Env: wireEnv, Secret: wireSecret, HTTP: NewHTTPClient(nil)}
	old := &Client{BaseURL: srv.URL, Env: wireEnv, Secret: wireSecret, HTTP: &http.Client{Transport: oldServerTransport{NewHTTPClient(nil).Transport}}}
	for i, c := range []*Client{current, old, current} {
		out, err := sender.Next(mustParseSnapshot(t, dockerPoll(i)))
		if err != nil {
			t.Fatal(err)
		}
		ack, err := c.Send(context.Background(), out)
		if err != nil || ack.Status != StatusApplied || ack.Env != wireEnv || ack.Root != snapshot.FormatHash(out.Target) || ack.Seq != out.Seq {
			t.Fatalf("poll %d: %+v, %v", i, ack, err)
		}
		want := AckContentType
		if c == old {
			want = "application/json"
		}
		mu.Lock()
		got := contentType
		mu.Unlock()
		if got != want {
			t.Errorf("poll %d: answered %s, want %s", i, got, want)
		}
		if err := sender.Ack(ack); err != nil {
			t.Fatal(err)
		}
	}
}

// oldServerTransport marks its requests for the test server to answer as
// a server from before compact acks.
type oldServerTransport struct{ next http.RoundTripper }

func (t oldServerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Old-Server", "1")
	return t.next.RoundTrip(r)
}
