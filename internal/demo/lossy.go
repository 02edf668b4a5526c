package demo

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
)

// errDropped is what the lossy link answers when it loses a request.
var errDropped = errors.New("demo: request dropped on purpose")

// lossyTransport loses and duplicates requests the way a flaky mobile link
// does: a request lost before the server sees it, an answer lost after the
// server applied the frame, or a request delivered twice.
type lossyTransport struct {
	next http.RoundTripper

	mu                         sync.Mutex
	rng                        *rand.Rand
	dropRequest, dropAck, dupe float64
	dropped, lostAcks, dupes   int
	bodyBytes                  int64
}

func (t *lossyTransport) roll() (dropReq, dropAck, dupe bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	x := t.rng.Float64()
	switch {
	case x < t.dropRequest:
		t.dropped++
		return true, false, false
	case x < t.dropRequest+t.dropAck:
		t.lostAcks++
		return false, true, false
	case x < t.dropRequest+t.dropAck+t.dupe:
		t.dupes++
		return false, false, true
	}
	return false, false, false
}

func (t *lossyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || req.Body == nil {
		return t.next.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	dropReq, dropAck, dupe := t.roll()
	send := func() (*http.Response, error) {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		t.mu.Lock()
		t.bodyBytes += int64(len(body))
		t.mu.Unlock()
		return t.next.RoundTrip(r)
	}
	if dropReq {
		t.mu.Lock()
		t.bodyBytes += int64(len(body)) // it left the agent: the bytes were paid for
		t.mu.Unlock()
		return nil, errDropped
	}
	resp, err := send()
	if err != nil {
		return nil, err
	}
	if dropAck {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return nil, errDropped
	}
	if dupe {
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return send()
	}
	return resp, nil
}
