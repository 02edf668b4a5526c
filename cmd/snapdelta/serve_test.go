package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	crand "crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/snapdelta/snapdelta/bench"
	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// dockerLike is a small Docker-like snapshot as polled at minute i: every
// poll changes a status and the clock, so every poll has its own root.
func dockerLike(i int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"info":{"ID":"KQ3N:7TRN","Containers":%d,"NGoroutines":%d,"SystemTime":"2026-11-24T%02d:%02d:00Z"},"containers":[`, 2+i%2, 30+i%9, (i/60)%24, i%60)
	fmt.Fprintf(&b, `{"Id":"%064x","Names":["/web"],"Image":"nginx:1.27","State":"running","Status":"Up %d minutes"},`, 1, 5+i)
	if i%2 == 1 {
		fmt.Fprintf(&b, `{"Id":"%064x","Names":["/cron-%d"],"Image":"busybox","State":"running","Status":"Up 1 second"},`, 1000+i, i)
	}
	fmt.Fprintf(&b, `{"Id":"%064x","Names":["/db"],"Image":"postgres:17","State":"running","Status":"Up %d hours"}]`, 2, 3+i/60)
	b.WriteString(`,"images":[{"Id":"sha256:01","RepoTags":["nginx:1.27"],"Size":187654321},{"Id":"sha256:02","RepoTags":["postgres:17"],"Size":432109876}]}`)
	return []byte(b.String())
}

// buildBinary builds the snapdelta command into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	// go test puts its own GOROOT/bin first on the PATH.
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the binary with")
	}
	bin := filepath.Join(t.TempDir(), "snapdelta")
	out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serverProc is a running "snapdelta serve".
type serverProc struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
}

func startServe(t *testing.T, bin string, args ...string) *serverProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serverProc{cmd: cmd, stderr: new(bytes.Buffer)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	line := make(chan string, 1)
	go func() {
		br := bufio.NewReader(stdout)
		s, _ := br.ReadString('\n')
		line <- s
		_, _ = io.Copy(io.Discard, br) // keep the pipe from filling up
	}()
	select {
	case s := <-line:
		// "listening on http://127.0.0.1:PORT (...)"
		f := strings.Fields(s)
		if len(f) < 3 || f[0] != "listening" {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("serve printed %q; stderr:\n%s", s, p.stderr)
		}
		p.url = f[2]
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not start; stderr:\n%s", p.stderr)
	}
	return p
}

// sentLog is what the agent sent, in order, and how far it was acked.
type sentLog struct {
	mu        sync.Mutex
	snaps     []*snapshot.Snapshot
	lastAcked int // index into snaps, -1 before the first ack
}

func (l *sentLog) add(s *snapshot.Snapshot) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.snaps = append(l.snaps, s)
	return len(l.snaps) - 1
}

func (l *sentLog) acked(i int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastAcked = max(l.lastAcked, i)
}

// check says whether root names a snapshot sent at or after the last acked
// one: the server may be ahead of the agent's acks (an ack lost in the
// crash), never behind them.
func (l *sentLog) check(root uint64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.snaps) - 1; i >= 0; i-- {
		if l.snaps[i].Hash() == root {
			if i < l.lastAcked {
				return fmt.Errorf("server holds poll %d, older than the last acked poll %d", i, l.lastAcked)
			}
			return nil
		}
	}
	return fmt.Errorf("server holds root %016x, which the agent never sent", root)
}

var (
	errWrongAck   = errors.New("ack names another root")
	errBeforeKill = errors.New("push failed before the kill")
)

// TestServeKill9 kills the server with SIGKILL at random moments while an
// agent pushes, restarts it on the same data, and checks that no acked
// snapshot is lost and that pushing converges again.
func TestServeKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	secrets := filepath.Join(dir, "secrets")
	if err := os.WriteFile(secrets, []byte("# test\nenv-k secret-k\nother secret-o\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	sender, err := link.NewSender()
	if err != nil {
		t.Fatal(err)
	}
	ag := &link.Agent{Sender: sender, Retries: 1, Backoff: 5 * time.Millisecond}
	log := &sentLog{lastAcked: -1}
	poll := 0
	push := func(ctx context.Context) error {
		snap, err := snapshot.Parse(dockerLike(poll))
		poll++
		if err != nil {
			return err
		}
		i := log.add(snap)
		ack, err := ag.PollSnapshot(ctx, snap)
		if err != nil {
			return err
		}
		if ack.Root != snapshot.FormatHash(snap.Hash()) {
			return fmt.Errorf("poll %d acked with root %s, want %s: %w", i, ack.Root, snapshot.FormatHash(snap.Hash()), errWrongAck)
		}
		log.acked(i)
		return nil
	}

	// A second environment, written once, must survive every restart too.
	otherSender, err := link.NewSender()
	if err != nil {
		t.Fatal(err)
	}
	otherSnap := mustParseSnap(t, dockerLike(1000))
	other := func(url string) *link.Agent {
		return &link.Agent{Sender: otherSender, Client: &link.Client{BaseURL: url, Env: "other", Secret: "secret-o"}}
	}

	const restarts = 4
	deadline := time.Now().Add(20 * time.Second)
	for round := 0; round <= restarts; round++ {
		p := startServe(t, bin, "--data", data, "--secrets", secrets, "--history", "4")
		ag.Client = &link.Client{BaseURL: p.url, Env: "env-k", Secret: "secret-k"}
		ctx := context.Background()
		if round == 0 {
			if _, err := other(p.url).PollSnapshot(ctx, otherSnap); err != nil {
				t.Fatal(err)
			}
		}
		if round > 0 {
			if held, err := other(p.url).Client.Snapshot(ctx); err != nil || !held.Equal(otherSnap) {
				t.Fatalf("round %d: the other environment lost its snapshot: %v", round, err)
			}
			held, err := ag.Client.Snapshot(ctx)
			if err != nil {
				t.Fatalf("round %d: GET snapshot after restart: %v\n%s", round, err, p.stderr)
			}
			if err := log.check(held.Hash()); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			// Pushing converges at once (a delta or, at worst, a full frame).
			if err := push(ctx); err != nil {
				t.Fatalf("round %d: first push after restart: %v\n%s", round, err, p.stderr)
			}
			held, err = ag.Client.Snapshot(ctx)
			if err != nil || !held.Equal(log.snaps[len(log.snaps)-1]) {
				t.Fatalf("round %d: server did not converge to the pushed snapshot: %v", round, err)
			}
		}
		if round == restarts {
			// The last one ends gracefully.
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			if err := p.cmd.Wait(); err != nil {
				t.Fatalf("serve after SIGTERM: %v\n%s", err, p.stderr)
			}
			break
		}

		// Push in the background and kill the server mid-stream.
		ctx, cancel := context.WithCancel(ctx)
		var killed atomic.Bool
		done := make(chan error, 1)
		go func() {
			for ctx.Err() == nil {
				if err := push(ctx); err != nil {
					if !killed.Load() {
						err = fmt.Errorf("%w: %w", errBeforeKill, err)
					}
					done <- err
					return
				}
			}
			done <- nil
		}()
		time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		killed.Store(true)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = p.cmd.Wait()
		cancel()
		// Once the server is gone, pushes fail; before, or with a wrong
		// ack, they must not.
		if err := <-done; err != nil && (errors.Is(err, errBeforeKill) || errors.Is(err, errWrongAck) || errors.Is(err, link.ErrInvalidAck)) {
			t.Fatalf("round %d: push: %v\n%s", round, err, p.stderr)
		}

		// The store opens cleanly and holds an acked (or newer) snapshot.
		st, err := store.OpenBolt(filepath.Join(data, "snapdelta.db"))
		if err != nil {
			t.Fatalf("round %d: store after SIGKILL: %v", round, err)
		}
		rec, err := st.Load("env-k")
		if err == nil {
			err = log.check(rec.Root)
		} else if errors.Is(err, store.ErrNotFound) && log.lastAcked < 0 {
			err = nil
		}
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			t.Fatalf("round %d: store after SIGKILL: %v", round, err)
		}
		t.Logf("round %d: %d polls sent, last acked %d", round, len(log.snaps), log.lastAcked)
		if time.Now().After(deadline) {
			t.Fatal("took too long")
		}
	}
	if log.lastAcked < restarts {
		t.Fatalf("only %d polls acked", log.lastAcked+1)
	}
}

func writeReplay(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		writeFile(t, dir, fmt.Sprintf("snap-%03d.json", i), string(dockerLike(i)))
	}
	writeFile(t, dir, "README.txt", "not a snapshot")
	return dir
}

func TestAgentReplay(t *testing.T) {
	recv := memoryReceiver(t)
	srv := httptest.NewServer(link.NewHandler(recv, map[string]string{"host-1": "s3cret"}))
	defer srv.Close()
	const n = 5
	dir := writeReplay(t, n)

	r := runCLI(t, "agent", "--server", srv.URL, "--env", "host-1", "--secret", "s3cret", "--replay", dir)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("agent --replay: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var polls, skipped, frames, full, sent, gz, onLink int
	var pct float64
	_, err := fmt.Sscanf(r.stdout, "%d polls (%d skipped), %d frames (%d full), %d bytes sent; full-snapshot gzip would have sent %d bytes (%f%%); %d bytes on the link, both ways, with HTTP and TLS\n",
		&polls, &skipped, &frames, &full, &sent, &gz, &pct, &onLink)
	if err != nil {
		t.Fatalf("summary %q: %v", r.stdout, err)
	}
	if polls != n || skipped != 0 || frames != n || full != 1 || sent <= 0 || gz <= sent {
		t.Fatalf("summary %q: want %d polls, %d frames, 1 full, fewer bytes than gzip", r.stdout, n, n)
	}
	// Each poll's request and answer go around its frame.
	if onLink < sent+n*300 {
		t.Fatalf("summary %q: %d bytes on the link for %d bytes of frames in %d polls", r.stdout, onLink, sent, n)
	}
	held, _, err := recv.Snapshot("host-1")
	if err != nil || !bytes.Equal(held.MarshalCanonical(), mustCanonical(t, dockerLike(n-1))) {
		t.Fatalf("server does not hold the last replayed snapshot: %v", err)
	}

	// A restarted agent (no memory) starts with a full frame, then deltas;
	// --source runs a command per poll.
	src := "cat " + filepath.Join(dir, fmt.Sprintf("snap-%03d.json", n-1))
	r = runCLI(t, "agent", "--server", srv.URL, "--env", "host-1", "--secret", "s3cret", "--source", src, "--count", "2", "--interval", "1ms", "-v")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "2 polls (0 skipped), 2 frames (1 full)") || strings.Count(r.stderr, "\n") != 2 ||
		strings.Count(r.stderr, " on the link), applied") != 2 {
		t.Fatalf("agent --source: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestAgentState restarts an agent that keeps its acknowledged snapshot in
// a --state file: its first frame after the restart is a delta. A state
// the server does not hold, or a damaged one, costs a full frame and
// nothing else.
func TestAgentState(t *testing.T) {
	recv := memoryReceiver(t)
	srv := httptest.NewServer(link.NewHandler(recv, map[string]string{"host-1": "s3cret"}))
	defer srv.Close()
	state := filepath.Join(t.TempDir(), "agent.state")
	first, second := t.TempDir(), t.TempDir()
	for i := range 6 {
		dir := first
		if i >= 3 {
			dir = second
		}
		writeFile(t, dir, fmt.Sprintf("snap-%03d.json", i), string(dockerLike(i)))
	}
	agent := func(dir, want string) {
		t.Helper()
		r := runCLI(t, "agent", "--server", srv.URL, "--env", "host-1", "--secret", "s3cret", "--replay", dir, "--state", state)
		if r.code != 0 || !strings.HasPrefix(r.stdout, want) {
			t.Fatalf("agent --state: code %d, want %q\n%s%s", r.code, want, r.stdout, r.stderr)
		}
		held, _, err := recv.Snapshot("host-1")
		if err != nil || !bytes.Equal(held.MarshalCanonical(), mustCanonical(t, dockerLike(2+3*boolInt(dir == second)))) {
			t.Fatalf("the server does not hold the last poll: %v", err)
		}
	}

	agent(first, "3 polls (0 skipped), 3 frames (1 full)")
	if fi, err := os.Stat(state); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v, %v; want mode 0600", fi, err)
	}
	agent(second, "3 polls (0 skipped), 3 frames (0 full)")

	// The server lost what the state names: one full frame.
	recv = memoryReceiver(t)
	srv.Config.Handler = link.NewHandler(recv, map[string]string{"host-1": "s3cret"})
	agent(second, "3 polls (0 skipped), 4 frames (1 full)")

	if err := os.WriteFile(state, []byte("SD\x04garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "agent", "--server", srv.URL, "--env", "host-1", "--secret", "s3cret", "--replay", second, "--state", state)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "3 polls (0 skipped), 3 frames (1 full)") || !strings.Contains(r.stderr, "state:") {
		t.Fatalf("damaged state: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestAgentCleartextHTTP2 runs the same polls over HTTP/1.1 and, with
// --h2c, over HTTP/2 without TLS to a server made by link.NewServer, as
// serve's is: both arrive, and HTTP/2 costs fewer bytes on the link.
func TestAgentCleartextHTTP2(t *testing.T) {
	recv := memoryReceiver(t)
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = link.NewServer("", link.NewHandler(recv, map[string]string{"host-1": "s3cret", "host-2": "s3cret"}))
	srv.Start()
	defer srv.Close()
	const n = 5
	dir := writeReplay(t, n)
	onLink := map[string]int{}
	for env, flags := range map[string][]string{"host-1": nil, "host-2": {"--h2c"}} {
		r := runCLI(t, append([]string{"agent", "--server", srv.URL, "--env", env, "--secret", "s3cret", "--replay", dir}, flags...)...)
		_, tail, ok := strings.Cut(r.stdout, "%); ")
		var bytesOnLink int
		if _, err := fmt.Sscanf(tail, "%d bytes on the link", &bytesOnLink); r.code != 0 || !ok || err != nil {
			t.Fatalf("agent %v: code %d\n%s%s", flags, r.code, r.stdout, r.stderr)
		}
		onLink[env] = bytesOnLink
		held, _, err := recv.Snapshot(env)
		if err != nil || !bytes.Equal(held.MarshalCanonical(), mustCanonical(t, dockerLike(n-1))) {
			t.Fatalf("agent %v: the server does not hold the last poll: %v", flags, err)
		}
	}
	t.Logf("on the link: %d bytes over HTTP/1.1, %d over HTTP/2 without TLS", onLink["host-1"], onLink["host-2"])
	if onLink["host-2"] >= onLink["host-1"] {
		t.Errorf("on the link: %d bytes over HTTP/2 without TLS, %d over HTTP/1.1", onLink["host-2"], onLink["host-1"])
	}
}

// TestAgentFormat3 runs an agent writing format 3 for a server not yet
// upgraded: every frame it sends is format 3, and the server holds its last
// poll. A format outside 3 and 4 is a usage error.
func TestAgentFormat3(t *testing.T) {
	recv := memoryReceiver(t)
	var mu sync.Mutex
	var versions []uint8
	handler := link.NewHandler(recv, map[string]string{"host-1": "s3cret"})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if h, err := codec.ParseHeader(body); err == nil {
			mu.Lock()
			versions = append(versions, h.Version)
			mu.Unlock()
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		handler.ServeHTTP(w, req)
	}))
	defer srv.Close()
	const n = 4
	dir := writeReplay(t, n)
	r := runCLI(t, "agent", "--server", srv.URL, "--env", "host-1", "--secret", "s3cret", "--replay", dir, "--format", "3")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("agent --format 3: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(versions) != n || slices.ContainsFunc(versions, func(v uint8) bool { return v != 3 }) {
		t.Fatalf("frame versions %v, want %d frames of format 3", versions, n)
	}
	held, _, err := recv.Snapshot("host-1")
	if err != nil || !bytes.Equal(held.MarshalCanonical(), mustCanonical(t, dockerLike(n-1))) {
		t.Fatalf("server does not hold the last replayed snapshot: %v", err)
	}
	for _, bad := range []string{"2", "9"} {
		if r := runCLI(t, "agent", "--server", srv.URL, "--env", "host-1", "--secret", "s3cret", "--replay", dir, "--format", bad); r.code != 2 {
			t.Fatalf("--format %s: code %d, want 2\n%s", bad, r.code, r.stderr)
		}
	}
}

// TestAgentLevel runs an agent at each --level, and with --low-memory,
// over the same simulated polls of a Kubernetes cluster: "better" sends
// fewer bytes than "default", which sends fewer than "lean" (its largest
// items streams go at the better level), --low-memory the same as
// "default", and the server holds the last poll every time. Another level
// is a usage error.
func TestAgentLevel(t *testing.T) {
	const n = 12
	dir := t.TempDir()
	if err := bench.WriteReplay(dir, bench.K8sSmall, 1, n); err != nil {
		t.Fatal(err)
	}
	last, err := os.ReadFile(filepath.Join(dir, bench.ReplayName(n-1)))
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]int{}
	for _, level := range []string{"default", "better", "lean", "low-memory"} {
		recv := memoryReceiver(t)
		var mu sync.Mutex
		handler := link.NewHandler(recv, map[string]string{"host-1": "s3cret"})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			body, _ := io.ReadAll(req.Body)
			mu.Lock()
			sent[level] += len(body)
			mu.Unlock()
			req.Body = io.NopCloser(bytes.NewReader(body))
			handler.ServeHTTP(w, req)
		}))
		args := []string{"agent", "--server", srv.URL, "--env", "host-1", "--secret", "s3cret", "--replay", dir}
		if level == "low-memory" {
			args = append(args, "--low-memory") // at the default level
		} else {
			args = append(args, "--level", level)
		}
		r := runCLI(t, args...)
		srv.Close()
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("agent --level %s: code %d\n%s%s", level, r.code, r.stdout, r.stderr)
		}
		held, _, err := recv.Snapshot("host-1")
		if err != nil || !bytes.Equal(held.MarshalCanonical(), mustCanonical(t, last)) {
			t.Fatalf("--level %s: the server does not hold the last poll: %v", level, err)
		}
	}
	t.Logf("request bytes: better %d, default %d, lean %d", sent["better"], sent["default"], sent["lean"])
	if sent["better"] >= sent["default"] || sent["default"] >= sent["lean"] {
		t.Errorf("request bytes: better %d, default %d, lean %d", sent["better"], sent["default"], sent["lean"])
	}
	// --low-memory makes its zstd encoders per poll: the same frames.
	if sent["low-memory"] != sent["default"] {
		t.Errorf("request bytes: low-memory %d, default %d", sent["low-memory"], sent["default"])
	}
	if r := runCLI(t, "agent", "--server", "http://127.0.0.1:1", "--env", "host-1", "--secret", "s3cret", "--replay", dir, "--level", "best"); r.code != 2 {
		t.Fatalf("--level best: code %d, want 2\n%s", r.code, r.stderr)
	}
}

// memoryReceiver is a Receiver on a memory store.
func memoryReceiver(t *testing.T) *link.Receiver {
	t.Helper()
	r, err := link.NewReceiver(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustParseSnap(t *testing.T, data []byte) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustCanonical(t *testing.T, data []byte) []byte {
	t.Helper()
	return mustParseSnap(t, data).MarshalCanonical()
}

func TestAgentServeErrors(t *testing.T) {
	dir := writeReplay(t, 2)
	srv := httptest.NewServer(nil)
	deadURL := srv.URL
	srv.Close()
	secrets := writeFile(t, t.TempDir(), "secrets", "env-1 s1\n")
	badSecrets := writeFile(t, t.TempDir(), "bad", "env-1\n")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // prefix
		stderr string // substring
	}{
		{"agent no server", []string{"agent", "--env", "e", "--secret", "s", "--replay", dir}, 2, "", "--server and --env are required"},
		{"agent replay and source", []string{"agent", "--server", deadURL, "--env", "e", "--secret", "s", "--replay", dir, "--source", "true"}, 2, "", "one of --replay"},
		{"agent no secret", []string{"agent", "--server", deadURL, "--env", "e", "--replay", dir}, 2, "", "--secret"},
		{"agent empty replay", []string{"agent", "--server", deadURL, "--env", "e", "--secret", "s", "--replay", t.TempDir()}, 1, "0 polls", "no snap-*.json"},
		{"agent unreachable", []string{"agent", "--server", deadURL, "--env", "e", "--secret", "s", "--replay", dir, "--retries", "1", "--backoff", "1ms"},
			1, "2 polls (2 skipped), 0 frames (0 full), 0 bytes sent", "did not acknowledge"},
		{"serve no data", []string{"serve", "--secrets", secrets}, 2, "", "--data is required"},
		{"serve no secrets", []string{"serve", "--data", t.TempDir()}, 2, "", "--secrets is required"},
		{"serve tls half", []string{"serve", "--data", t.TempDir(), "--secrets", secrets, "--tls-cert", "c.pem"}, 2, "", "go together"},
		{"serve bad secrets", []string{"serve", "--data", t.TempDir(), "--secrets", badSecrets}, 1, "", "secrets line 1"},
		{"serve missing secrets", []string{"serve", "--data", t.TempDir(), "--secrets", filepath.Join(t.TempDir(), "none")}, 1, "", "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.args...)
			if r.code != tc.code || !strings.HasPrefix(r.stdout, tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("code %d, stdout %q, stderr %q; want code %d, %q, %q", r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
			}
			if tc.code == 1 && strings.Count(r.stderr, "\n") < 1 {
				t.Fatalf("no error line on stderr")
			}
		})
	}
}

// writeSelfSigned writes a self-signed certificate for 127.0.0.1 and its
// key as PEM files.
func writeSelfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "snapdelta test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(crand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile = writeFile(t, dir, "cert.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	keyFile = writeFile(t, dir, "key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	return certFile, keyFile
}

func TestServeTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGTERM")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	cert, key := writeSelfSigned(t, dir)
	secrets := writeFile(t, dir, "secrets", "host-1 s3cret\n")
	secretFile := writeFile(t, dir, "secret", "s3cret\n")
	p := startServe(t, bin, "--data", filepath.Join(dir, "data"), "--secrets", secrets, "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(p.url, "https://") {
		t.Fatalf("serve with TLS listens on %s", p.url)
	}
	replay := writeReplay(t, 3)

	r := runCLI(t, "agent", "--server", p.url, "--env", "host-1", "--secret-file", secretFile, "--ca", cert, "--replay", replay)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "3 polls (0 skipped), 3 frames (1 full)") {
		t.Fatalf("agent over TLS: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Without --ca the self-signed certificate is not trusted.
	r = runCLI(t, "agent", "--server", p.url, "--env", "host-1", "--secret-file", secretFile, "--replay", replay, "--retries", "0", "--count", "1")
	if r.code != 1 || !strings.Contains(r.stderr, "certificate") {
		t.Fatalf("agent without --ca: code %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v\n%s", err, p.stderr)
	}
}
