package link

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/snapdelta/snapdelta/snapshot"
)

// Retry defaults of an Agent.
const (
	DefaultRetries    = 7                      // so 8 tries per frame
	DefaultBackoff    = 100 * time.Millisecond // wait before the first retry
	DefaultMaxBackoff = 5 * time.Second        // the doubling stops here
)

// Agent is the agent loop's step: it turns one polled snapshot into frames
// and delivers them through a Client, retrying while the server is
// unreachable. Not safe for concurrent use, like its Sender.
//
// A poll that cannot be delivered after the retries is given up, not
// queued: the Sender still diffs against the last acknowledged snapshot, so
// the next poll's delta carries the skipped changes too.
type Agent struct {
	Sender *Sender
	Client *Client
	// Retries is how many times a frame is sent again after a failure to
	// reach the server (a network error, 5xx, 408 or 429): 0 means
	// DefaultRetries, a negative value no retry.
	Retries int
	// Backoff is the wait before the first retry (0: DefaultBackoff); it
	// doubles on each further retry up to MaxBackoff (0: DefaultMaxBackoff).
	// Each wait is drawn between half and all of it, so agents cut off
	// together do not come back in step.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Config parses the JSON given to Poll (nil: snapshot's default).
	Config *snapshot.Config

	stats AgentStats
	last  *snapshot.Snapshot // the previous poll, whose unchanged items Poll reuses
}

// AgentStats counts an Agent's work since it was made.
type AgentStats struct {
	Polls      int   // snapshots given to Poll or PollSnapshot
	Skipped    int   // polls that ended in an error (not acknowledged)
	Frames     int   // frames the server answered
	FullFrames int   // of which full frames
	Bytes      int64 // frame bytes of the frames the server answered
	Retries    int   // sends tried again after a failure
}

// Stats returns the counters.
func (a *Agent) Stats() AgentStats { return a.stats }

// Poll parses one snapshot's JSON and delivers it; see PollSnapshot. JSON
// that does not parse is an error that changes nothing and is not counted
// as a poll.
func (a *Agent) Poll(ctx context.Context, snapJSON []byte) (Ack, error) {
	cfg := a.Config
	if cfg == nil {
		cfg = snapshot.DefaultConfig()
	}
	snap, err := cfg.ParseNext(snapJSON, a.last)
	if err != nil {
		return Ack{}, fmt.Errorf("link: poll: %w", err)
	}
	ack, err := a.PollSnapshot(ctx, snap)
	// The next poll parses against the compact copy the Sender keeps, so
	// that the agent holds each item once.
	if kept := a.Sender.Kept(snap.Hash()); kept != nil {
		a.last = kept
	} else {
		a.last = snap.Compact()
	}
	return ack, err
}

// PollSnapshot delivers snap: a delta against the last acknowledged
// snapshot (or a full frame), sent with retries. When the server answers
// that it does not hold the delta's base, or refuses the delta as corrupt
// or failing verification, a full frame follows at once. It returns the
// server's last Ack; on success the Sender's base is now snap.
func (a *Agent) PollSnapshot(ctx context.Context, snap *snapshot.Snapshot) (Ack, error) {
	a.stats.Polls++
	ack, full, err := a.exchange(ctx, snap)
	if err != nil && !full && (errors.Is(err, ErrUnknownBase) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrVerify)) {
		// The Sender has taken the answer: its next frame is full.
		ack, _, err = a.exchange(ctx, snap)
	}
	if err != nil {
		a.stats.Skipped++
	}
	return ack, err
}

// exchange sends one frame of snap and hands the server's answer, if any,
// to the Sender. It reports whether the frame was full.
func (a *Agent) exchange(ctx context.Context, snap *snapshot.Snapshot) (Ack, bool, error) {
	o, err := a.Sender.Next(snap)
	if err != nil {
		return Ack{}, false, fmt.Errorf("link: poll: %w", err)
	}
	ack, err := a.send(ctx, o)
	if ack.Status != "" {
		// Refusals carry an Ack too: it tells the Sender to go full.
		if aerr := a.Sender.Ack(ack); aerr != nil && err == nil {
			err = fmt.Errorf("link: poll: seq %d: %w", o.Seq, aerr)
		}
	}
	return ack, o.Full, err
}

// send delivers o, retrying with exponential backoff while the failure may
// be temporary.
func (a *Agent) send(ctx context.Context, o Outgoing) (Ack, error) {
	retries, delay, maxDelay := a.Retries, a.Backoff, a.MaxBackoff
	if retries == 0 {
		retries = DefaultRetries
	}
	if delay <= 0 {
		delay = DefaultBackoff
	}
	if maxDelay <= 0 {
		maxDelay = DefaultMaxBackoff
	}
	for try := 0; ; try++ {
		ack, err := a.Client.Send(ctx, o)
		var he *HTTPError
		if err == nil || errors.As(err, &he) {
			a.stats.Frames++
			a.stats.Bytes += int64(len(o.Frame))
			if o.Full {
				a.stats.FullFrames++
			}
		}
		if err != nil && ctx.Err() != nil {
			// Cancelled while the request was failing: say so, whatever
			// the transport made of it (EOF, a reset).
			return ack, fmt.Errorf("link: seq %d: %w (last error: %w)", o.Seq, ctx.Err(), err)
		}
		if err == nil || !isTemporary(ctx, err) {
			return ack, err
		}
		if try >= retries {
			return ack, fmt.Errorf("link: giving up after %d tries: %w", try+1, err)
		}
		wait := delay/2 + rand.N(delay/2+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ack, fmt.Errorf("link: seq %d: %w (last error: %w)", o.Seq, ctx.Err(), err)
		case <-t.C:
		}
		a.stats.Retries++
		delay = min(2*delay, maxDelay)
	}
}
