package fuzz

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// The HTTP tests here complement link/http_test.go, which covers the body
// limit for a body one byte too large (TestHTTPRefusedFrames), a client
// sending its headers a byte at a time (TestHTTPSlowClient) and every way
// of presenting a wrong or another environment's secret (TestHTTPAuth).

var httpSecrets = map[string]string{
	"env-a": "secret-a-0123456789abcdef",
	"env-b": "secret-b-0123456789abcdef",
}

type httpEnv struct {
	recv *link.Receiver
	st   *store.Memory
	srv  *httptest.Server
}

func newHTTPEnv(t *testing.T, start bool, opts ...link.HandlerOption) *httpEnv {
	t.Helper()
	st := store.NewMemory()
	recv, err := link.NewReceiver(st)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(link.NewHandler(recv, httpSecrets, opts...))
	if start {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return &httpEnv{recv: recv, st: st, srv: srv}
}

func (e *httpEnv) client(env string) *link.Client {
	return &link.Client{BaseURL: e.srv.URL, Env: env, Secret: httpSecrets[env], HTTP: e.srv.Client()}
}

// agent returns a fresh agent of env.
func (e *httpEnv) agent(t *testing.T, env string) *link.Agent {
	t.Helper()
	s, err := link.NewSender()
	if err != nil {
		t.Fatal(err)
	}
	return &link.Agent{Sender: s, Client: e.client(env), Backoff: time.Millisecond, Retries: 2}
}

func (e *httpEnv) record(t *testing.T, env string) (store.Record, bool) {
	t.Helper()
	rec, err := e.st.Load(env)
	if errors.Is(err, store.ErrNotFound) {
		return rec, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return rec, true
}

// countingReader yields bytes for ever, counting them.
type countingReader struct{ n atomic.Int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	clear(p)
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// TestHTTPEndlessBody posts a body that never ends, with no length: the
// handler answers 413 once the limit is read, and the server stops reading
// (the client is cut off) instead of consuming the stream.
func TestHTTPEndlessBody(t *testing.T) {
	const maxBody = 64 << 10
	e := newHTTPEnv(t, true, link.WithMaxBody(maxBody))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	body := &countingReader{}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+"/v1/environments/env-a/frames", io.NopCloser(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+httpSecrets["env-a"])
	req.Header.Set(link.HeaderSeq, "1")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		// The server may hang up before the client reads its answer; what
		// matters is that it did not read on.
		t.Logf("endless body: %v after %d bytes", err, body.n.Load())
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || resp.Header.Get(link.HeaderError) != link.CodeTooLarge {
			t.Fatalf("endless body: %d %q, want 413 %q", resp.StatusCode, resp.Header.Get(link.HeaderError), link.CodeTooLarge)
		}
	}
	if ctx.Err() != nil {
		t.Fatal("the server kept reading an endless body")
	}
	// Socket buffers hold a few MiB; the server itself reads the limit and
	// net/http's small drain allowance.
	if n := body.n.Load(); n > 64<<20 {
		t.Fatalf("the client wrote %d MiB before the server hung up", n>>20)
	}
	if _, ok := e.record(t, "env-a"); ok {
		t.Fatal("an endless body stored something")
	}
}

// TestHTTPSlowBody has clients send complete headers, then a body a byte
// at a time: the server's read timeout cuts them off, and meanwhile frames
// of the same environment and of others are served (the Receiver does not
// hold an environment while its body is being read).
func TestHTTPSlowBody(t *testing.T) {
	e := newHTTPEnv(t, false)
	e.srv.Config.ReadHeaderTimeout = 300 * time.Millisecond
	e.srv.Config.ReadTimeout = 600 * time.Millisecond
	e.srv.Start()

	const slow = 4
	cut := make(chan error, slow)
	for i := range slow {
		conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		env := []string{"env-a", "env-b"}[i%2]
		head := fmt.Sprintf("POST /v1/environments/%s/frames HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n%s: %d\r\nContent-Length: 1048576\r\n\r\n",
			env, httpSecrets[env], link.HeaderSeq, uint64(1)<<62)
		if _, err := conn.Write([]byte(head)); err != nil {
			t.Fatal(err)
		}
		go func() {
			for {
				if _, err := conn.Write([]byte{'S'}); err != nil {
					return // cut off: what we want
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
		go func() {
			// Bounded: the test fails rather than hangs if the server
			// never cuts the connection.
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, err := io.Copy(io.Discard, bufio.NewReader(conn))
			cut <- err
		}()
	}
	ctx := context.Background()
	for _, env := range []string{"env-a", "env-b"} {
		ag := e.agent(t, env)
		for i := range 4 {
			if _, err := ag.Poll(ctx, []byte(pollJSON(i))); err != nil {
				t.Fatalf("%s poll %d while slow bodies trickle in: %v", env, i, err)
			}
		}
	}
	for range slow {
		if err := <-cut; err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the server kept a slow body's connection open past its read timeout")
			}
		}
	}
	for _, env := range []string{"env-a", "env-b"} {
		if rec, ok := e.record(t, env); !ok || rec.Seq >= 1<<62 {
			t.Fatalf("%s: seq %d: a slow body was applied", env, rec.Seq)
		}
	}
}

// TestHTTPEnvironmentIsolation checks that an environment, holding its own
// valid secret, can neither read nor change another's state: not with the
// other's frames, not by naming the other's roots, not through paths that
// escape or fold case.
func TestHTTPEnvironmentIsolation(t *testing.T) {
	e := newHTTPEnv(t, true)
	ctx := context.Background()
	a := e.agent(t, "env-a")
	for i := range 3 {
		if _, err := a.Poll(ctx, []byte(pollJSON(i))); err != nil {
			t.Fatal(err)
		}
	}
	recA, _ := e.record(t, "env-a")
	heldA, _, err := e.recv.Snapshot("env-a")
	if err != nil {
		t.Fatal(err)
	}
	// A delta against env-a's snapshot, sent by env-b, which never held it.
	next := mustParse(t, pollJSON(3))
	deltaA := mustDeltaFrame(t, heldA, next)
	bAuth := "Bearer " + httpSecrets["env-b"]
	post := func(path, auth string, seq uint64, frame []byte) (*http.Response, []byte) {
		req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(frame))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set(link.HeaderSeq, strconv.FormatUint(seq, 10))
		return do(t, e.srv.Client(), req)
	}
	get := func(path, auth string) (*http.Response, []byte) {
		req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", auth)
		return do(t, e.srv.Client(), req)
	}

	resp, body := post("/v1/environments/env-b/frames", bAuth, 1<<50, deltaA)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("env-b posting a delta on env-a's root: %d %s, want 409", resp.StatusCode, body)
	}
	var ack link.Ack
	if err := json.Unmarshal(body, &ack); err != nil || ack.Env != "env-b" || ack.Root != "" {
		t.Fatalf("ack %s names another environment's state", body)
	}
	// Reading env-a's snapshot by its root, from env-b.
	resp, body = get("/v1/environments/env-b/snapshot?root="+snapshot.FormatHash(heldA.Hash()), bAuth)
	if resp.StatusCode != http.StatusNotFound || bytes.Contains(body, []byte("Containers")) {
		t.Fatalf("env-b reading env-a's root: %d %.200s, want 404", resp.StatusCode, body)
	}
	resp, body = get("/v1/environments/env-b/history", bAuth)
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("env-b's history before it sent anything: %d %.200s, want 404", resp.StatusCode, body)
	}
	// Paths naming env-a some other way, with env-b's secret.
	for _, p := range []string{
		"/v1/environments/env-a/frames",
		"/v1/environments/ENV-A/frames",
		"/v1/environments/env-a%2F/frames",
		"/v1/environments/env-b%2F..%2Fenv-a/frames",
		"/v1/environments/env-b/../env-a/frames",
		"/v1/environments//env-a/frames",
		"/v1/environments/env-a%00/frames",
		"/v1/environments/%20env-a/frames",
	} {
		resp, body := post(p, bAuth, 1<<51, mustFullFrame(t, next))
		if resp.StatusCode == http.StatusOK || bytes.Contains(body, []byte(`"status":"applied"`)) {
			t.Fatalf("POST %s with env-b's secret: %d %s", p, resp.StatusCode, body)
		}
		rp := p[:len(p)-len("frames")] + "snapshot"
		if resp, body := get(rp, bAuth); resp.StatusCode == http.StatusOK || bytes.Contains(body, []byte("Containers")) {
			t.Fatalf("GET %s with env-b's secret: %d %.200s", rp, resp.StatusCode, body)
		}
	}
	// env-b sending env-a's full frame gets its own copy; env-a is as it
	// was through all of it.
	if resp, body := post("/v1/environments/env-b/frames", bAuth, 1<<52, mustFullFrame(t, next)); resp.StatusCode != http.StatusOK {
		t.Fatalf("env-b's own full frame: %d %s", resp.StatusCode, body)
	}
	if rec, _ := e.record(t, "env-a"); rec.Seq != recA.Seq || rec.Root != recA.Root || !bytes.Equal(rec.Snapshot, recA.Snapshot) {
		t.Fatalf("env-a changed: seq %d -> %d", recA.Seq, rec.Seq)
	}
	if got, err := e.client("env-a").Snapshot(ctx); err != nil || got.Hash() != heldA.Hash() {
		t.Fatalf("env-a reads %v, %v; want its own snapshot", got, err)
	}
}

func do(t *testing.T, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}
