package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/internal/bytecount"
	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/snapshot"
)

// minSourceTimeout is the least time a --source command gets to print its
// snapshot (it gets the interval when that is longer).
const minSourceTimeout = 30 * time.Second

type agentRun struct {
	agent   *link.Agent
	stderr  io.Writer
	verbose bool
	gzBytes int64 // what a full-snapshot gzip of every poll would have sent
	lastOK  bool  // the last poll was acknowledged
	onLink  bytecount.Counter
	// lowMemory gives the memory of each poll back to the system after it.
	lowMemory bool
}

func runAgent(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	server := fs.String("server", "", "base URL of the server, e.g. https://mgmt.example.com:8443")
	env := fs.String("env", "", "environment id")
	secret := fs.String("secret", "", "the environment's secret")
	secretFile := fs.String("secret-file", "", "file holding the environment's secret (instead of --secret)")
	replay := fs.String("replay", "", "send DIR/snap-*.json in name order as successive polls, then stop")
	source := fs.String("source", "", "command (run with sh -c) printing one snapshot's JSON per poll")
	interval := fs.Duration("interval", 0, "time between polls (when not given: 0 with --replay, 1m with --source)")
	count := fs.Int("count", 0, "stop after N polls (0: all files with --replay, until SIGINT with --source)")
	retries := fs.Int("retries", link.DefaultRetries, "retries of a frame while the server is unreachable")
	backoff := fs.Duration("backoff", link.DefaultBackoff, "wait before the first retry; doubles on each retry")
	maxBackoff := fs.Duration("max-backoff", link.DefaultMaxBackoff, "longest wait between retries")
	caFile := fs.String("ca", "", "PEM file of the certificate authorities to trust for an https server (default: the system's)")
	verbose := fs.Bool("v", false, "print one line per poll on stderr")
	format := fs.Int("format", int(codec.Version), "frame format to write: 8, or 7, 6, 5, 4 or 3 for a server not yet upgraded")
	level := fs.String("level", "default", "zstd levels of frames: default (new items coded against 16 KiB of base items or more at zstd's better level), better (every frame at the better level: fewer bytes, more CPU), or lean (zstd's default level only: the least CPU and memory, more bytes on Kubernetes)")
	h2c := fs.Bool("h2c", false, "speak HTTP/2 without TLS to an http:// server (snapdelta serve accepts it; no HTTP/1-only proxy may sit in between): 80 instead of 376 bytes a poll around the frame")
	lowMemory := fs.Bool("low-memory", false, "keep no zstd state between polls: 10 MB less held (21 on Kubernetes), 1-3 ms more CPU a poll")
	state := fs.String("state", "", "file keeping the last acknowledged snapshot across restarts (written on exit, mode 0600): the first frame after a restart is then a delta")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 0:
		return usagef("unexpected argument %q", fs.Arg(0))
	case *server == "" || *env == "":
		return usagef("--server and --env are required")
	case (*secret == "") == (*secretFile == ""):
		return usagef("give one of --secret and --secret-file")
	case (*replay == "") == (*source == ""):
		return usagef("give one of --replay DIR and --source CMD")
	case *count < 0:
		return usagef("--count must be >= 0, got %d", *count)
	case *retries < 0:
		return usagef("--retries must be >= 0, got %d", *retries)
	case *backoff <= 0 || *maxBackoff <= 0:
		return usagef("--backoff and --max-backoff must be > 0")
	case *format < 3 || *format > codec.Version:
		return usagef("--format must be 3 to %d, got %d", codec.Version, *format)
	case *level != "default" && *level != "better" && *level != "lean":
		return usagef("--level must be default, better or lean, got %q", *level)
	case *interval < 0:
		return usagef("--interval must be >= 0, got %v", *interval)
	}
	intervalGiven := false
	fs.Visit(func(f *flag.Flag) { intervalGiven = intervalGiven || f.Name == "interval" })
	if !intervalGiven && *source != "" {
		*interval = time.Minute
	}
	if *secretFile != "" {
		b, err := os.ReadFile(*secretFile)
		if err != nil {
			return err
		}
		if *secret = strings.TrimSpace(string(b)); *secret == "" {
			return fmt.Errorf("%s: empty secret", *secretFile)
		}
	}
	hc, err := httpClient(*caFile, *h2c)
	if err != nil {
		return err
	}
	opts := []codec.EncoderOption{codec.WithVersion(uint8(*format))}
	switch *level {
	case "better":
		opts = append(opts, codec.WithLevel(zstd.SpeedBetterCompression), codec.WithItemsLevel(zstd.SpeedBetterCompression))
	case "lean":
		opts = append(opts, codec.WithItemsLevel(zstd.SpeedDefault))
	}
	if *lowMemory {
		opts = append(opts, codec.WithLowMemory())
	}
	enc, err := codec.NewEncoder(opts...)
	if err != nil {
		return err
	}
	senderOpts := []link.SenderOption{link.WithEncoder(enc)}
	if *state != "" {
		base, err := loadState(*state)
		switch {
		case err == nil:
			senderOpts = append(senderOpts, link.WithBase(base))
		case errors.Is(err, os.ErrNotExist):
		default:
			// A damaged state file costs one full frame, not the agent.
			fmt.Fprintf(stderr, "snapdelta agent: state: %v; the first frame is full\n", err)
		}
	}
	sender, err := link.NewSender(senderOpts...)
	if err != nil {
		return err
	}
	r := &agentRun{
		agent: &link.Agent{
			Sender: sender,
			Client: &link.Client{
				BaseURL: *server, Env: *env, Secret: *secret,
				HTTP: hc,
			},
			Retries:    *retries,
			Backoff:    *backoff,
			MaxBackoff: *maxBackoff,
		},
		stderr:    stderr,
		verbose:   *verbose,
		lowMemory: *lowMemory,
	}
	if *retries == 0 {
		r.agent.Retries = -1 // the Agent reads 0 as its default
	}
	// Counted below TLS: what the agent's link carries for its frames.
	if tr, ok := hc.Transport.(*http.Transport); ok {
		tr.DialContext = r.onLink.Dial(tr.DialContext)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *replay != "" {
		err = r.replay(ctx, *replay, *interval, *count)
	} else {
		err = r.poll(ctx, *source, *interval, *count)
	}
	fmt.Fprintln(stdout, r.summary())
	if *state != "" {
		if serr := saveState(*state, sender.Acked(), enc); serr != nil {
			fmt.Fprintf(stderr, "snapdelta agent: state: %v\n", serr)
		}
	}
	if err == nil && !r.lastOK && ctx.Err() == nil {
		err = errors.New("the server did not acknowledge the last snapshot")
	}
	return err
}

// replay sends the snapshot files of dir in name order.
func (r *agentRun) replay(ctx context.Context, dir string, interval time.Duration, count int) error {
	files, err := filepath.Glob(filepath.Join(dir, "snap-*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: no snap-*.json files", dir)
	}
	slices.Sort(files)
	if count > 0 && count < len(files) {
		files = files[:count]
	}
	for i, name := range files {
		if i > 0 && !sleep(ctx, interval) {
			return nil
		}
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		snap, err := snapshot.Parse(data)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := r.send(ctx, filepath.Base(name), data, snap); err != nil {
			return err
		}
	}
	return nil
}

// poll runs the source command once per interval.
func (r *agentRun) poll(ctx context.Context, source string, interval time.Duration, count int) error {
	timeout := max(interval, minSourceTimeout)
	for n := 1; count == 0 || n <= count; n++ {
		start := time.Now()
		label := fmt.Sprintf("poll %d", n)
		data, err := runSource(ctx, source, timeout, r.stderr)
		if ctx.Err() != nil {
			return nil
		}
		var snap *snapshot.Snapshot
		if err == nil {
			snap, err = snapshot.Parse(data)
		}
		if err != nil {
			// A source that fails once (the engine restarting) must not stop
			// the agent; the next poll tries again.
			fmt.Fprintf(r.stderr, "snapdelta agent: %s: source: %v\n", label, err)
			r.lastOK = false
		} else if err := r.send(ctx, label, data, snap); err != nil {
			return err
		}
		if (count == 0 || n < count) && !sleep(ctx, interval-time.Since(start)) {
			return nil
		}
	}
	return nil
}

// send delivers one snapshot; it returns an error only for failures that
// retrying later cannot cure.
func (r *agentRun) send(ctx context.Context, label string, data []byte, snap *snapshot.Snapshot) error {
	r.gzBytes += gzipSize(data)
	before, onLink := r.agent.Stats(), r.onLink.Total()
	ack, err := r.agent.PollSnapshot(ctx, snap)
	r.lastOK = err == nil
	if r.lowMemory {
		// The zstd encoders this poll made are garbage now: collect them
		// and return their pages rather than hold them until the next
		// collection, which an idle agent may not reach for minutes.
		debug.FreeOSMemory()
	}
	switch {
	case err == nil:
		if r.verbose {
			after := r.agent.Stats()
			fmt.Fprintf(r.stderr, "snapdelta agent: %s: %d frame bytes (%d on the link), %s, root %s\n",
				label, after.Bytes-before.Bytes, r.onLink.Total()-onLink, ack.Status, ack.Root)
		}
	case ctx.Err() != nil:
	case errors.Is(err, link.ErrUnauthorized):
		return err
	default:
		fmt.Fprintf(r.stderr, "snapdelta agent: %s skipped: %v\n", label, err)
	}
	return nil
}

func (r *agentRun) summary() string {
	s := r.agent.Stats()
	line := fmt.Sprintf("%d polls (%d skipped), %d frames (%d full), %d bytes sent; full-snapshot gzip would have sent %d bytes",
		s.Polls, s.Skipped, s.Frames, s.FullFrames, s.Bytes, r.gzBytes)
	if r.gzBytes > 0 {
		line += fmt.Sprintf(" (%.1f%%)", 100*float64(s.Bytes)/float64(r.gzBytes))
	}
	return line + fmt.Sprintf("; %d bytes on the link, both ways, with HTTP and TLS", r.onLink.Total())
}

// loadState reads the snapshot saveState kept: a full frame, whose root
// proves it whole.
func loadState(path string) (*snapshot.Snapshot, error) {
	frame, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := codec.Apply(nil, frame)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// saveState keeps acked in path as a full frame (a fifth to a tenth of its
// JSON on Docker hosts, and self-checking), or removes path when the
// receiver no longer holds what it kept (an unknown-base or rejected
// answer left the Sender without a base). It writes a new file and renames it over the old one, so a
// crash leaves one or the other; the snapshot may hold secrets, so only the
// agent's user may read it.
func saveState(path string, acked *snapshot.Snapshot, enc *codec.Encoder) error {
	if acked == nil {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return nil
	}
	frame, err := enc.AppendFull(nil, acked)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp") // mode 0600
	if err != nil {
		return err
	}
	_, err = f.Write(frame)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// httpClient is the agent's HTTP client (link.NewHTTPClient: the
// connection kept between polls), trusting the certificates in caFile
// instead of the system's when it is given (a server with a self-signed
// certificate), speaking HTTP/2 without TLS when h2c is set.
func httpClient(caFile string, h2c bool) (*http.Client, error) {
	var opts []link.HTTPClientOption
	if h2c {
		opts = append(opts, link.WithCleartextHTTP2())
	}
	if caFile == "" {
		return link.NewHTTPClient(nil, opts...), nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate", caFile)
	}
	return link.NewHTTPClient(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, opts...), nil
}

// runSource runs the --source command and returns its standard output; its
// standard error goes to ours.
func runSource(ctx context.Context, source string, timeout time.Duration, stderr io.Writer) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", source)
	cmd.Stderr = stderr
	cmd.WaitDelay = time.Second
	return cmd.Output()
}

// sleep waits d (nothing if d <= 0) and reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// gzipSize is what sending data whole, gzipped at best compression, costs.
func gzipSize(data []byte) int64 {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level
	_, _ = zw.Write(data)
	_ = zw.Close()
	return int64(buf.Len())
}
