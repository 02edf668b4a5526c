package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"
)

const crashChildEnv = "SNAPDELTA_STORE_CRASH_CHILD"

var crashEnvs = []string{"docker-a", "docker-b", "k8s-prod", "k8s-dev"}

// crashPayload is the snapshot committed as (env, seq): deterministic, of
// varying size so that records span and move between pages.
func crashPayload(env string, seq uint64) []byte {
	r := rand.New(rand.NewPCG(xxhash.Sum64String(env), seq))
	b := fmt.Appendf(nil, "%s #%d ", env, seq)
	for n := 500 + r.IntN(12000); len(b) < n; {
		b = append(b, byte('a'+r.IntN(26)))
	}
	return b
}

func crashRoot(env string, seq uint64) uint64 { return xxhash.Sum64(crashPayload(env, seq)) }

func crashReverse(env string, seq uint64) []byte { return fmt.Appendf(nil, "reverse %s #%d", env, seq) }

// TestBoltCrash kills a committing process with SIGKILL at random moments and
// checks that the file always reopens with whole records, none older than
// the last commit the process saw return.
func TestBoltCrash(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	if runtime.GOOS != "linux" {
		t.Skip("the crash test kills a child process with SIGKILL; Linux only")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rounds := 6
	if testing.Short() {
		rounds = 3
	}
	durable := map[string]uint64{} // seq found in the file after the last round
	for round := range rounds {
		acked := crashRun(t, exe, path, time.Duration(rand.IntN(150))*time.Millisecond)
		b, err := OpenBolt(path, WithTimeout(5*time.Second))
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		commits := 0
		for _, env := range crashEnvs {
			low := max(acked[env], durable[env])
			r, hist, err := b.LoadHistory(env)
			if errors.Is(err, ErrNotFound) && low == 0 {
				continue
			}
			if err != nil {
				t.Fatalf("round %d: %s: %v", round, env, err)
			}
			// The child commits one record at a time, so the file may hold
			// at most one commit it did not live to acknowledge.
			if r.Seq < low || r.Seq > low+1 {
				t.Fatalf("round %d: %s: seq %d in file, acknowledged %d", round, env, r.Seq, low)
			}
			if !bytes.Equal(r.Snapshot, crashPayload(env, r.Seq)) || r.Root != xxhash.Sum64(r.Snapshot) {
				t.Fatalf("round %d: %s: record seq %d does not match its payload", round, env, r.Seq)
			}
			for i, h := range hist {
				seq := r.Seq - uint64(i)
				if h.Seq != seq || h.Root != crashRoot(env, seq) || h.PrevRoot != crashRoot(env, seq-1) ||
					!bytes.Equal(h.Reverse, crashReverse(env, seq)) {
					t.Fatalf("round %d: %s: history[%d] = seq %d, want %d", round, env, i, h.Seq, seq)
				}
			}
			if want := min(int(r.Seq)-1, 4); len(hist) != want {
				t.Fatalf("round %d: %s: %d history steps at seq %d, want %d", round, env, len(hist), r.Seq, want)
			}
			commits += int(r.Seq - durable[env])
			durable[env] = r.Seq
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d commits, file holds %v", round, commits, durable)
	}
}

// crashRun starts the child on path, lets it commit for delay after its
// first acknowledgement, kills it, and returns the last seq acknowledged
// per environment.
func crashRun(t *testing.T, exe, path string, delay time.Duration) map[string]uint64 {
	t.Helper()
	cmd := exec.Command(exe, "-test.run=^TestBoltCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]uint64{}
	first := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var env string
			var seq uint64
			if _, err := fmt.Sscanf(sc.Text(), "ack %s %d", &env, &seq); err != nil {
				continue // test framework chatter
			}
			if len(acked) == 0 {
				close(first)
			}
			acked[env] = seq
		}
		done <- sc.Err()
	}()
	select {
	case <-first:
		time.Sleep(delay)
	case <-time.After(10 * time.Second):
		t.Log("child made no commit within 10 s")
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	killed := false
	if errors.As(err, &exit) {
		ws, ok := exit.Sys().(syscall.WaitStatus)
		killed = ok && ws.Signal() == syscall.SIGKILL
	}
	if !killed {
		t.Fatalf("child did not die by SIGKILL: %v\n%s", err, stderr.String())
	}
	if len(acked) == 0 {
		t.Fatalf("child acknowledged nothing\n%s", stderr.String())
	}
	return acked
}

// crashChild commits to every environment in turn until killed, printing
// each seq once Commit has returned.
func crashChild(path string) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(3)
	}
	b, err := OpenBolt(path, WithHistory(4), WithTimeout(5*time.Second))
	if err != nil {
		fail(err)
	}
	for {
		for _, env := range crashEnvs {
			var seq uint64 = 1
			var st *Step
			cur, err := b.Load(env)
			switch {
			case err == nil:
				seq = cur.Seq + 1
				st = &Step{Seq: seq, Root: crashRoot(env, seq), PrevRoot: cur.Root, Time: time.Now(), Reverse: crashReverse(env, seq)}
			case !errors.Is(err, ErrNotFound):
				fail(err)
			}
			p := crashPayload(env, seq)
			if err := b.Commit(env, Record{Seq: seq, Root: xxhash.Sum64(p), Time: time.Now(), Snapshot: p}, st); err != nil {
				fail(err)
			}
			if _, err := fmt.Fprintf(os.Stdout, "ack %s %d\n", env, seq); err != nil {
				fail(err)
			}
		}
	}
}
