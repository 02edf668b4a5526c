package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/snapdelta/snapdelta/bench"
	"github.com/snapdelta/snapdelta/internal/bytecount"
	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// Environment is one simulated environment the demo drives.
type Environment struct {
	Profile bench.Profile
	Polls   int
}

// Options configure a demo run.
type Options struct {
	Environments []Environment
	Seed         uint64
	DropRequest  float64 // share of requests lost before the server
	DropAck      float64 // share of answers lost after the server applied
	Duplicate    float64 // share of requests delivered twice
}

// DefaultOptions is what `make demo` runs: a few hundred polls of a Docker
// host and a Kubernetes cluster, one request in ten lost, one answer in
// twenty lost, one request in twenty delivered twice.
func DefaultOptions() Options {
	return Options{
		Environments: []Environment{{bench.DockerSmall, 300}, {bench.K8sSmall, 200}},
		Seed:         1,
		DropRequest:  0.10,
		DropAck:      0.05,
		Duplicate:    0.05,
	}
}

// Result is what happened to one environment.
type Result struct {
	Env          string
	Polls        int
	Frames       int
	FullFrames   int
	Dropped      int
	LostAcks     int
	Duplicated   int
	WireBytes    int64 // frame bytes that left the agent, retries and duplicates included
	LinkBytes    int64 // bytes that crossed the server's socket both ways: frames, HTTP, acks
	Baselines    map[string]int64
	Verified     int // acks at which server and agent state were compared equal
	SnapshotSize int64
}

// ErrDiverged means the server held a snapshot the agent had not
// acknowledged: the one failure snapdelta exists to prevent.
var ErrDiverged = errors.New("demo: server state differs from the agent's")

// Run runs the demo and prints its table to w.
func Run(ctx context.Context, w io.Writer, opts Options) ([]Result, error) {
	dir, err := os.MkdirTemp("", "snapdelta-demo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	st, err := store.OpenBolt(filepath.Join(dir, "snapdelta.db"))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	rcv, err := link.NewReceiver(st)
	if err != nil {
		return nil, err
	}
	secrets := map[string]string{}
	for _, e := range opts.Environments {
		secrets[string(e.Profile)] = fmt.Sprintf("secret-%s-%d", e.Profile, opts.Seed)
	}
	tcp, err := link.Listen(ctx, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var onLink bytecount.Counter
	ln := onLink.Listener(tcp)
	srv := link.NewServer(ln.Addr().String(), link.NewHandler(rcv, secrets))
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(w, "server listening on %s, store %s\n", url, filepath.Join(dir, "snapdelta.db"))

	var results []Result
	for i, e := range opts.Environments {
		before := onLink.Total()
		r, err := runEnvironment(ctx, w, url, secrets[string(e.Profile)], rcv, e, opts, uint64(i))
		if err != nil {
			return results, err
		}
		r.LinkBytes = onLink.Total() - before
		results = append(results, r)
	}
	printTable(w, results)
	return results, nil
}

func runEnvironment(ctx context.Context, w io.Writer, url, secret string, rcv *link.Receiver, e Environment, opts Options, n uint64) (Result, error) {
	env := string(e.Profile)
	res := Result{Env: env, Baselines: map[string]int64{}}
	sim, err := bench.NewSimulator(e.Profile, int64(opts.Seed+n))
	if err != nil {
		return res, err
	}
	lossy := &lossyTransport{
		next:        link.NewHTTPClient(nil).Transport,
		rng:         rand.New(rand.NewPCG(opts.Seed, n)),
		dropRequest: opts.DropRequest, dropAck: opts.DropAck, dupe: opts.Duplicate,
	}
	sender, err := link.NewSender()
	if err != nil {
		return res, err
	}
	agent := &link.Agent{
		Sender:  sender,
		Client:  &link.Client{BaseURL: url, Env: env, Secret: secret, HTTP: &http.Client{Transport: lossy, Timeout: 30 * time.Second}},
		Retries: 8,
		Backoff: time.Millisecond,
	}
	baselines := bench.Baselines()
	var prev []byte
	var last *snapshot.Snapshot
	polled := map[uint64]bool{}
	for poll := 0; poll < e.Polls; poll++ {
		js, err := sim.Next()
		if err != nil {
			return res, err
		}
		for _, b := range baselines {
			if !showBaseline(b.Name()) {
				continue
			}
			wire, err := b.Encode(prev, js)
			if err != nil {
				return res, fmt.Errorf("baseline %s: %w", b.Name(), err)
			}
			res.Baselines[b.Name()] += int64(len(wire))
		}
		prev = js
		res.SnapshotSize = int64(len(js))
		res.Polls++
		// A poll whose every try is lost is not an error for an agent: the
		// change coalesces into the next poll's delta.
		if _, err := agent.Poll(ctx, js); err != nil && !errors.Is(err, errDropped) {
			var ne net.Error
			if !errors.As(err, &ne) {
				return res, fmt.Errorf("%s poll %d: %w", env, poll, err)
			}
		}
		if last, err = snapshot.Parse(js); err != nil {
			return res, err
		}
		polled[last.Hash()] = true
		if err := verify(rcv, env, sender, polled); err != nil {
			return res, fmt.Errorf("%s poll %d: %w", env, poll, err)
		}
		res.Verified++
	}
	// A last poll over a clean link: the server must then hold exactly the
	// agent's final snapshot.
	lossy.mu.Lock()
	lossy.dropRequest, lossy.dropAck, lossy.dupe = 0, 0, 0
	lossy.mu.Unlock()
	if _, err := agent.Poll(ctx, prev); err != nil {
		return res, fmt.Errorf("%s final poll: %w", env, err)
	}
	got, _, err := rcv.Snapshot(env)
	if err != nil {
		return res, err
	}
	if last == nil || !got.Equal(last) {
		return res, fmt.Errorf("%s after the final poll: %w", env, ErrDiverged)
	}
	stats := sender.Stats()
	res.Frames, res.FullFrames = stats.Frames, stats.FullFrames
	res.Dropped, res.LostAcks, res.Duplicated = lossy.dropped, lossy.lostAcks, lossy.dupes
	res.WireBytes = lossy.bodyBytes
	fmt.Fprintf(w, "%-13s %d polls done, server state verified equal to agent state at every ack\n", env, res.Polls)
	return res, nil
}

// verify checks that the server holds the snapshot the agent last saw
// acknowledged, or a newer one the agent sent but whose ack was lost.
func verify(rcv *link.Receiver, env string, sender *link.Sender, polled map[uint64]bool) error {
	acked := sender.Acked()
	if acked == nil {
		return nil
	}
	got, _, err := rcv.Snapshot(env)
	if err != nil {
		return err
	}
	if got.Hash() == acked.Hash() {
		if !got.Equal(acked) {
			return ErrDiverged
		}
		return nil
	}
	if !polled[got.Hash()] {
		return fmt.Errorf("server holds %s, which the agent never sent: %w", snapshot.FormatHash(got.Hash()), ErrDiverged)
	}
	return nil
}

var shownBaselines = []string{"full-gzip", "jsonpatch-gzip", "patchfrom-zstd"}

func showBaseline(name string) bool {
	for _, n := range shownBaselines {
		if n == name {
			return true
		}
	}
	return false
}

func printTable(w io.Writer, results []Result) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "environment\tpolls\tsnapshot\tframes\tfull\tdropped\tlost acks\tduplicated\tsnapdelta\ton the link\t")
	for _, n := range shownBaselines {
		fmt.Fprintf(tw, "%s\t", n)
	}
	fmt.Fprint(tw, "\n")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t", r.Env, r.Polls, human(r.SnapshotSize), r.Frames, r.FullFrames, r.Dropped, r.LostAcks, r.Duplicated, human(r.WireBytes), human(r.LinkBytes))
		for _, n := range shownBaselines {
			fmt.Fprintf(tw, "%s (%s)\t", human(r.Baselines[n]), ratio(r.Baselines[n], r.WireBytes))
		}
		fmt.Fprint(tw, "\n")
	}
	_ = tw.Flush()
	fmt.Fprintln(w, "\nbytes are totals over all polls; (Nx) = baseline bytes / snapdelta bytes; snapdelta counts every retry and duplicate")
	fmt.Fprintln(w, "on the link: snapdelta's frames with their HTTP/1.1 requests and answers, both ways, as they crossed the server's socket")
	fmt.Fprintln(w, "(a request lost on the way never reached it); a baseline would pay the same HTTP around each of its frames")
	fmt.Fprintln(w, "server state verified equal to agent state")
}

// ratio formats how many times a baseline's bytes exceed snapdelta's.
func ratio(baseline, snapdelta int64) string {
	x := float64(baseline) / float64(max(snapdelta, 1))
	if x < 10 {
		return fmt.Sprintf("%.2fx", x)
	}
	return fmt.Sprintf("%.0fx", x)
}

func human(n int64) string {
	switch {
	case n >= 10<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 10<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
