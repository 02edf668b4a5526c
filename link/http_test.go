package link_test

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
	"strings"
	"testing"
	"time"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/delta"
	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// Environments and secrets of the HTTP tests.
var httpSecrets = map[string]string{
	"env-a":  "secret-a-0123456789",
	"env-b":  "secret-b-0123456789",
	"edge/7": "secret-edge-7",
}

// dockerPollJSON is a small Docker-like snapshot as polled at minute i:
// statuses and clocks tick every poll, a container comes and goes.
func dockerPollJSON(i int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"info":{"ID":"7TRN:IPZB","Containers":%d,"NGoroutines":%d,"SystemTime":"2026-11-24T06:%02d:00.000000001Z","ServerVersion":"27.3.1"},`, 3+i%2, 40+i%7, i%60)
	b.WriteString(`"version":{"ApiVersion":"1.47","Version":"27.3.1"},"containers":[`)
	for c := 0; c < 3; c++ {
		fmt.Fprintf(&b, `{"Id":"%064x","Names":["/app-%d"],"Image":"nginx:1.27","State":"running","Status":"Up %d minutes","Ports":[{"PrivatePort":80,"Type":"tcp"}],"Labels":{"tier":"web","n":"%d"}},`, c+1, c, 10+i, c)
	}
	if i%2 == 1 {
		fmt.Fprintf(&b, `{"Id":"%064x","Names":["/job-%d"],"Image":"busybox","State":"running","Status":"Up Less than a second","Ports":[],"Labels":{}},`, 100+i, i)
	}
	fmt.Fprintf(&b, `{"Id":"%064x","Names":["/db"],"Image":"postgres:17","State":"running","Status":"Up %d hours","Ports":[],"Labels":{"tier":"db"}}]`, 99, 2+i/60)
	b.WriteString(`,"images":[{"Id":"sha256:aa","RepoTags":["nginx:1.27"],"Size":187654321},{"Id":"sha256:bb","RepoTags":["postgres:17"],"Size":432109876}]}`)
	return []byte(b.String())
}

func mustParse(t testing.TB, data []byte) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// linkServer is a Receiver on a memory store behind NewHandler.
type linkServer struct {
	recv *link.Receiver
	srv  *httptest.Server
}

func startLinkServer(t *testing.T, opts ...link.HandlerOption) *linkServer {
	t.Helper()
	recv, err := link.NewReceiver(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(link.NewHandler(recv, httpSecrets, opts...))
	t.Cleanup(srv.Close)
	return &linkServer{recv: recv, srv: srv}
}

func (s *linkServer) client(env string) *link.Client {
	return &link.Client{BaseURL: s.srv.URL, Env: env, Secret: httpSecrets[env], HTTP: s.srv.Client()}
}

func newAgent(t testing.TB, c *link.Client) *link.Agent {
	t.Helper()
	sender, err := link.NewSender()
	if err != nil {
		t.Fatal(err)
	}
	return &link.Agent{Sender: sender, Client: c, Backoff: time.Millisecond, Retries: 2}
}

// post sends a raw request and returns the answer with its body read.
func (s *linkServer) do(t *testing.T, method, path, auth string, header map[string]string, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.srv.Client().Do(req)
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

// currentRoot is the root the receiver holds for env (0 if none).
func (s *linkServer) currentRoot(t *testing.T, env string) uint64 {
	t.Helper()
	snap, _, err := s.recv.Snapshot(env)
	if errors.Is(err, store.ErrNotFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return snap.Hash()
}

func TestHTTPRoundTrip(t *testing.T) {
	ls := startLinkServer(t)
	ctx := context.Background()
	c := ls.client("env-a")
	ag := newAgent(t, c)
	const polls = 6
	var sent []*snapshot.Snapshot
	for i := range polls {
		snap := mustParse(t, dockerPollJSON(i))
		sent = append(sent, snap)
		ack, err := ag.PollSnapshot(ctx, snap)
		if err != nil {
			t.Fatalf("poll %d: %v", i, err)
		}
		if ack.Status != link.StatusApplied || ack.Root != snapshot.FormatHash(snap.Hash()) || ack.Env != "env-a" {
			t.Fatalf("poll %d: ack %+v, want applied %s", i, ack, snapshot.FormatHash(snap.Hash()))
		}
		got, err := c.Snapshot(ctx)
		if err != nil {
			t.Fatalf("poll %d: get snapshot: %v", i, err)
		}
		if !bytes.Equal(got.MarshalCanonical(), snap.MarshalCanonical()) {
			t.Fatalf("poll %d: server holds\n%s\nwant\n%s", i, got.MarshalCanonical(), snap.MarshalCanonical())
		}
	}
	st := ag.Stats()
	if st.Polls != polls || st.Frames != polls || st.FullFrames != 1 || st.Skipped != 0 {
		t.Fatalf("stats %+v: want %d polls, %d frames, 1 full", st, polls, polls)
	}

	// The raw answer carries the root and seq headers and canonical JSON.
	resp, body := ls.do(t, "GET", "/v1/environments/env-a/snapshot", "Bearer "+httpSecrets["env-a"], nil, nil)
	last := sent[polls-1]
	if resp.StatusCode != 200 || resp.Header.Get(link.HeaderRoot) != snapshot.FormatHash(last.Hash()) ||
		resp.Header.Get(link.HeaderSeq) == "" || !bytes.Equal(body, last.MarshalCanonical()) ||
		resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET snapshot: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}

	h, err := c.History(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.Env != "env-a" || h.Root != snapshot.FormatHash(last.Hash()) || len(h.Steps) != polls-1 {
		t.Fatalf("history %+v: want root %s and %d steps", h, snapshot.FormatHash(last.Hash()), polls-1)
	}
	for i, step := range h.Steps {
		want := sent[polls-2-i]
		if step.PrevRoot != snapshot.FormatHash(want.Hash()) || step.Bytes <= 0 || step.Time.IsZero() {
			t.Fatalf("history step %d: %+v, want prev_root %s", i, step, snapshot.FormatHash(want.Hash()))
		}
		root, err := snapshot.ParseHash(step.PrevRoot)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.SnapshotAt(ctx, root)
		if err != nil {
			t.Fatalf("?root=%s: %v", step.PrevRoot, err)
		}
		if !got.Equal(want) {
			t.Fatalf("?root=%s: got another snapshot", step.PrevRoot)
		}
	}
	if got, err := c.SnapshotAt(ctx, last.Hash()); err != nil || !got.Equal(last) {
		t.Fatalf("?root= of the current snapshot: %v", err)
	}
	if _, err := c.SnapshotAt(ctx, 0x1234); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("?root= of a root never held: %v, want not found", err)
	}
	resp, _ = ls.do(t, "GET", "/v1/environments/env-a/snapshot?root=xyz", "Bearer "+httpSecrets["env-a"], nil, nil)
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get(link.HeaderError) != link.CodeBadRequest {
		t.Fatalf("?root=xyz: %d, want 400", resp.StatusCode)
	}

	// A retried frame (its answer lost) is a duplicate, not an error.
	o, err := ag.Sender.Next(mustParse(t, dockerPollJSON(polls)))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []link.Status{link.StatusApplied, link.StatusDuplicate} {
		ack, err := c.Send(ctx, o)
		if err != nil || ack.Status != want {
			t.Fatalf("send %d of seq %d: %+v, %v; want %s", i, o.Seq, ack, err, want)
		}
	}
}

func TestHTTPAuth(t *testing.T) {
	ls := startLinkServer(t)
	ctx := context.Background()
	if _, err := newAgent(t, ls.client("env-a")).Poll(ctx, dockerPollJSON(0)); err != nil {
		t.Fatal(err)
	}
	before := ls.currentRoot(t, "env-a")
	frame, err := codec.EncodeFull(mustParse(t, dockerPollJSON(1)))
	if err != nil {
		t.Fatal(err)
	}
	seq := map[string]string{link.HeaderSeq: "99"}
	tests := []struct {
		name, env, auth string
	}{
		{"no header", "env-a", ""},
		{"wrong secret", "env-a", "Bearer wrong"},
		{"secret prefix", "env-a", "Bearer " + httpSecrets["env-a"][:5]},
		{"another env's secret", "env-a", "Bearer " + httpSecrets["env-b"]},
		{"basic scheme", "env-a", "Basic " + httpSecrets["env-a"]},
		{"no scheme", "env-a", httpSecrets["env-a"]},
		{"empty bearer", "env-a", "Bearer "},
		{"env not in secrets", "env-x", "Bearer " + httpSecrets["env-a"]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, req := range []struct{ method, path string }{
				{"POST", "/v1/environments/" + tc.env + "/frames"},
				{"GET", "/v1/environments/" + tc.env + "/snapshot"},
				{"GET", "/v1/environments/" + tc.env + "/snapshot?root=" + snapshot.FormatHash(before)},
				{"GET", "/v1/environments/" + tc.env + "/history"},
			} {
				resp, body := ls.do(t, req.method, req.path, tc.auth, seq, frame)
				if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get(link.HeaderError) != link.CodeUnauthorized ||
					!strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Fatalf("%s %s: %d %v %s, want 401", req.method, req.path, resp.StatusCode, resp.Header, body)
				}
				if bytes.Contains(body, []byte("secret-")) {
					t.Fatalf("%s %s: answer echoes a secret: %s", req.method, req.path, body)
				}
			}
			if got := ls.currentRoot(t, "env-a"); got != before {
				t.Fatalf("state changed by a refused request: root %x, want %x", got, before)
			}
		})
	}

	// The Client reports it as ErrUnauthorized, and the Agent does not retry.
	c := ls.client("env-a")
	c.Secret = "wrong"
	ag := newAgent(t, c)
	if _, err := ag.Poll(ctx, dockerPollJSON(2)); !errors.Is(err, link.ErrUnauthorized) {
		t.Fatalf("poll with a wrong secret: %v, want ErrUnauthorized", err)
	}
	if st := ag.Stats(); st.Retries != 0 || st.Skipped != 1 {
		t.Fatalf("stats after 401: %+v, want no retry and one skipped poll", st)
	}
	// The scheme is case-insensitive.
	resp, _ := ls.do(t, "GET", "/v1/environments/env-a/snapshot", "bearer "+httpSecrets["env-a"], nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("lower-case bearer: %d", resp.StatusCode)
	}
}

func TestHTTPRefusedFrames(t *testing.T) {
	const maxBody = 4 << 10
	ls := startLinkServer(t, link.WithMaxBody(maxBody))
	ctx := context.Background()
	c := ls.client("env-a")
	if _, err := newAgent(t, c).Poll(ctx, dockerPollJSON(0)); err != nil {
		t.Fatal(err)
	}
	before := ls.currentRoot(t, "env-a")
	auth := "Bearer " + httpSecrets["env-a"]

	// A delta against a base the server never held.
	other, next := mustParse(t, []byte(`{"a":[1]}`)), mustParse(t, []byte(`{"a":[2]}`))
	d, err := delta.Diff(other, next)
	if err != nil {
		t.Fatal(err)
	}
	unknownBase, err := codec.EncodeDelta(d)
	if err != nil {
		t.Fatal(err)
	}
	full, err := codec.EncodeFull(next)
	if err != nil {
		t.Fatal(err)
	}
	// A delta whose target root is not what its edits build.
	cur, heldSeq, err := ls.recv.Snapshot("env-a")
	if err != nil {
		t.Fatal(err)
	}
	d2, err := delta.Diff(cur, mustParse(t, dockerPollJSON(1)))
	if err != nil {
		t.Fatal(err)
	}
	d2.Target ^= 1
	badTarget, err := codec.EncodeDelta(d2)
	if err != nil {
		t.Fatal(err)
	}
	// Seqs above the held one, so that only the frame decides.
	seqAbove := strconv.FormatUint(heldSeq+50, 10)

	tests := []struct {
		name   string
		seq    string
		body   []byte
		status int
		code   string
		ack    link.Status // "" when the answer is not an Ack
	}{
		{"garbage", seqAbove, []byte("this is not a frame"), 400, link.CodeCorrupt, link.StatusRejected},
		{"truncated frame", seqAbove, full[:len(full)-3], 400, link.CodeCorrupt, link.StatusRejected},
		{"verify fails", seqAbove, badTarget, 400, link.CodeVerify, link.StatusRejected},
		{"unknown base", seqAbove, unknownBase, 409, link.CodeUnknownBase, link.StatusUnknownBase},
		{"over max body", seqAbove, bytes.Repeat([]byte{'x'}, maxBody+1), 413, link.CodeTooLarge, ""},
		{"no seq", "", full, 400, link.CodeBadRequest, ""},
		{"seq zero", "0", full, 400, link.CodeBadRequest, ""},
		{"seq not a number", "x1", full, 400, link.CodeBadRequest, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.seq != "" {
				hdr[link.HeaderSeq] = tc.seq
			}
			resp, body := ls.do(t, "POST", "/v1/environments/env-a/frames", auth, hdr, tc.body)
			if resp.StatusCode != tc.status || resp.Header.Get(link.HeaderError) != tc.code {
				t.Fatalf("%d %q %s, want %d %q", resp.StatusCode, resp.Header.Get(link.HeaderError), body, tc.status, tc.code)
			}
			var ack link.Ack
			if err := json.Unmarshal(body, &ack); err != nil {
				t.Fatalf("answer is not JSON: %s", body)
			}
			if ack.Status != tc.ack || ack.Error == "" {
				t.Fatalf("answer %s: want status %q and an error", body, tc.ack)
			}
			if tc.ack != "" && ack.Root != snapshot.FormatHash(before) {
				t.Fatalf("ack %+v does not name the held root %s", ack, snapshot.FormatHash(before))
			}
			if got := ls.currentRoot(t, "env-a"); got != before {
				t.Fatalf("state changed by a refused frame: root %x, want %x", got, before)
			}
		})
	}

	// Through the Client: typed errors.
	ack, err := c.Send(ctx, link.Outgoing{Seq: heldSeq + 60, Frame: unknownBase, Base: other.Hash(), Target: next.Hash()})
	if !errors.Is(err, link.ErrUnknownBase) || ack.Status != link.StatusUnknownBase || ack.Root != snapshot.FormatHash(before) {
		t.Fatalf("Send unknown base: %+v, %v", ack, err)
	}
	if _, err := c.Send(ctx, link.Outgoing{Seq: heldSeq + 61, Frame: bytes.Repeat([]byte{'x'}, maxBody+1)}); !errors.Is(err, link.ErrTooLarge) {
		t.Fatalf("Send too large: %v", err)
	}
	if _, err := c.Send(ctx, link.Outgoing{Seq: heldSeq + 62, Frame: []byte("junk")}); !errors.Is(err, link.ErrCorrupt) {
		t.Fatalf("Send garbage: %v", err)
	}
	if _, err := c.Send(ctx, link.Outgoing{Seq: heldSeq + 63, Frame: badTarget}); !errors.Is(err, link.ErrVerify) {
		t.Fatalf("Send bad target: %v", err)
	}
}

func TestHTTPNotFoundAndHealth(t *testing.T) {
	ls := startLinkServer(t)
	ctx := context.Background()
	c := ls.client("env-b") // known, never sent anything
	if _, err := c.Snapshot(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("snapshot of an empty env: %v, want not found", err)
	}
	if _, err := c.History(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("history of an empty env: %v, want not found", err)
	}
	resp, _ := ls.do(t, "GET", "/v1/environments/env-b/snapshot", "Bearer "+httpSecrets["env-b"], nil, nil)
	if resp.StatusCode != 404 || resp.Header.Get(link.HeaderError) != link.CodeNotFound {
		t.Fatalf("GET snapshot of an empty env: %d", resp.StatusCode)
	}

	resp, body := ls.do(t, "GET", "/", "", nil, nil)
	if resp.StatusCode != 200 || string(body) != "ok\n" {
		t.Fatalf("health: %d %q", resp.StatusCode, body)
	}
	for _, path := range []string{"/nope", "/v1/environments/env-b", "/v1/environments/env-b/frames/x"} {
		if resp, _ := ls.do(t, "GET", path, "Bearer "+httpSecrets["env-b"], nil, nil); resp.StatusCode != 404 {
			t.Fatalf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
	if resp, _ := ls.do(t, "GET", "/v1/environments/env-b/frames", "Bearer "+httpSecrets["env-b"], nil, nil); resp.StatusCode != 405 {
		t.Fatalf("GET frames: %d, want 405", resp.StatusCode)
	}

	// An id that needs escaping in a path travels whole.
	edge := ls.client("edge/7")
	if _, err := newAgent(t, edge).Poll(ctx, dockerPollJSON(3)); err != nil {
		t.Fatalf("poll of env %q: %v", edge.Env, err)
	}
	if got, err := edge.Snapshot(ctx); err != nil || !got.Equal(mustParse(t, dockerPollJSON(3))) {
		t.Fatalf("snapshot of env %q: %v", edge.Env, err)
	}
}

// A client that sends its headers a byte at a time must be cut off by the
// header timeout and must not hold up anyone else.
func TestHTTPSlowClient(t *testing.T) {
	recv, err := link.NewReceiver(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(link.NewHandler(recv, httpSecrets))
	def := link.NewServer("", nil)
	if def.ReadHeaderTimeout <= 0 || def.ReadTimeout <= 0 || def.WriteTimeout <= 0 || def.IdleTimeout <= 0 || def.MaxHeaderBytes <= 0 {
		t.Fatalf("NewServer leaves a timeout unset: %+v", def)
	}
	srv.Config.ReadHeaderTimeout = 300 * time.Millisecond
	srv.Config.ReadTimeout = 500 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)

	const slow = 4
	cut := make(chan error, slow)
	for range slow {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		go func() {
			req := "POST /v1/environments/env-a/frames HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + httpSecrets["env-a"] + "\r\n"
			for i := 0; ; i++ {
				if _, err := conn.Write([]byte{req[i%len(req)]}); err != nil {
					break // the server hung up: what we want
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
		go func() {
			// Bounded: the test fails rather than hangs if the server
			// never cuts the connection.
			_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
			_, err := io.Copy(io.Discard, bufio.NewReader(conn))
			cut <- err
		}()
	}

	// Meanwhile others are served.
	ls := &linkServer{recv: recv, srv: srv}
	ctx := context.Background()
	ag := newAgent(t, ls.client("env-a"))
	for i := range 5 {
		if _, err := ag.Poll(ctx, dockerPollJSON(i)); err != nil {
			t.Fatalf("poll %d while slow clients hang on: %v", i, err)
		}
	}
	for range slow {
		if err := <-cut; err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the server kept a slow client's connection open past its header timeout")
			}
		}
	}
}

func TestParseSecrets(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
		ok       bool
	}{
		{"lines", "env-a s1\n\n# comment\n  env-b\ts2  \n", map[string]string{"env-a": "s1", "env-b": "s2"}, true},
		{"empty", "", map[string]string{}, true},
		{"crlf", "a s\r\n", map[string]string{"a": "s"}, true},
		{"one field", "env-a\n", nil, false},
		{"three fields", "env-a s1 extra\n", nil, false},
		{"duplicate", "a s1\na s2\n", nil, false},
		{"bad utf-8", "a\xff s\n", nil, false},
		{"id too long", strings.Repeat("e", store.MaxEnvLen+1) + " s\n", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := link.ParseSecrets(strings.NewReader(tc.in))
			if !tc.ok {
				if !errors.Is(err, link.ErrSecrets) {
					t.Fatalf("got %v, %v; want ErrSecrets", got, err)
				}
				if strings.Contains(err.Error(), "s1") || strings.Contains(err.Error(), "s2") {
					t.Fatalf("error echoes a secret: %v", err)
				}
				return
			}
			if err != nil || len(got) != len(tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func ExampleParseSecrets() {
	secrets, err := link.ParseSecrets(strings.NewReader(`
# one line per environment: ENV_ID SECRET
docker-host-1   3c9f0b2e7d41a6f8
k8s-prod        91d2aa07c4e35b6f
`))
	if err != nil {
		panic(err)
	}
	fmt.Println(len(secrets), secrets["k8s-prod"])
	// Output: 2 91d2aa07c4e35b6f
}
