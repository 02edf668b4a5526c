package link

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// maxAnswer bounds the JSON answers (acks, history, errors) a Client reads;
// snapshots are bounded by snapshot.DefaultMaxSize instead.
const maxAnswer = 1 << 20

// defaultHTTP is used when a Client has no HTTP client of its own.
var defaultHTTP = NewHTTPClient(nil)

// IdleTimeout is how long an idle connection between agent and server is
// kept open, on both ends (NewHTTPClient, NewServer): longer than the
// agents' one-minute polls, so that each poll does not pay a new TCP
// connection and TLS handshake, 3.7 KB (session resumed) to 4.7 KB on the
// link against a frame of tens of bytes (BenchmarkWireBytes).
const IdleTimeout = 5 * time.Minute

// NewHTTPClient returns an HTTP client made for polls over a metered link,
// trusting tlsConfig's roots (nil: the system's):
//   - it keeps its connection to the server between polls up to
//     IdleTimeout, and sends no TCP keep-alive probes on it meanwhile (Go's
//     default, one every 15-30 s, costs about 100 bytes each on the link).
//     A frame that meets a kept connection the server has closed is sent
//     again on a new one (Client.Send marks frames safe to resend); one
//     that a NAT dropped silently times out, and the Agent tries again;
//   - it resumes the TLS session on a new connection, sparing the
//     server's certificate chain;
//   - it asks for no gzip: answers are acks of a hundred bytes.
//
// It gives up on a server that does not answer within a minute, where
// http.DefaultClient waits forever.
func NewHTTPClient(tlsConfig *tls.Config, opts ...HTTPClientOption) *http.Client {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if tlsConfig != nil {
		cfg = tlsConfig.Clone()
	}
	if cfg.ClientSessionCache == nil {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(0)
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: -1}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       cfg,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       IdleTimeout,
		MaxIdleConns:          8,
		DisableCompression:    true,
	}
	for _, o := range opts {
		if o != nil {
			o(tr)
		}
	}
	return &http.Client{Timeout: time.Minute, Transport: tr}
}

// HTTPClientOption configures NewHTTPClient.
type HTTPClientOption func(*http.Transport)

// WithCleartextHTTP2 makes the client speak HTTP/2 without TLS to http://
// servers, from the first byte (h2c with prior knowledge): a poll costs 80
// bytes around its frame instead of 376 over HTTP/1.1, since HTTP/2
// compresses the headers that repeat. For a server reached over a VPN; it
// must accept it, as NewServer does, and no HTTP/1-only proxy may sit in
// between. https:// servers are spoken to in HTTP/2 as before, with no
// fallback to HTTP/1.1.
func WithCleartextHTTP2() HTTPClientOption {
	return func(tr *http.Transport) {
		p := new(http.Protocols)
		p.SetHTTP2(true)
		p.SetUnencryptedHTTP2(true)
		tr.Protocols = p
	}
}

// Client is the agent's transport: it speaks the API NewHandler serves for
// one environment. The zero HTTP field means NewHTTPClient(nil).
// A Client is safe for concurrent use.
type Client struct {
	BaseURL string // e.g. "https://mgmt.example.com:8443"
	Env     string
	Secret  string
	HTTP    *http.Client
}

// HTTPError is the error a Client returns when the server answered with a
// status other than 200. It unwraps to the matching sentinel: ErrUnknownBase
// (409), ErrUnauthorized (401), ErrTooLarge (413), ErrCorrupt, ErrVerify or
// ErrVersion (400, as the server's error code says), store.ErrNotFound
// (404).
type HTTPError struct {
	StatusCode int
	Code       string // the X-Snapdelta-Error header, "" if absent
	Message    string // the server's explanation, if any
}

func (e *HTTPError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.StatusCode)
	}
	return fmt.Sprintf("server answered %d: %s", e.StatusCode, msg)
}

// Unwrap returns the sentinel error the answer stands for, or nil.
func (e *HTTPError) Unwrap() error {
	switch e.Code {
	case CodeUnknownBase:
		return ErrUnknownBase
	case CodeUnauthorized:
		return ErrUnauthorized
	case CodeTooLarge:
		return ErrTooLarge
	case CodeCorrupt:
		return ErrCorrupt
	case CodeVerify:
		return ErrVerify
	case CodeVersion:
		return ErrVersion
	case CodeNotFound:
		return store.ErrNotFound
	}
	// A proxy in between answers without our header: go by the status.
	switch e.StatusCode {
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusConflict:
		return ErrUnknownBase
	case http.StatusRequestEntityTooLarge:
		return ErrTooLarge
	}
	return nil
}

// Temporary reports whether trying again later may succeed: the server or
// something in front of it is overloaded or failing (5xx, 408, 429).
func (e *HTTPError) Temporary() bool {
	return e.StatusCode >= 500 || e.StatusCode == http.StatusRequestTimeout || e.StatusCode == http.StatusTooManyRequests
}

// Send posts one frame and returns the server's Ack. A 409 returns the Ack
// (naming the root the server holds) with an error matching ErrUnknownBase;
// other refusals return an *HTTPError (with the Ack when the server sent
// one); a network failure returns the transport's error, and the caller may
// retry: the server applies a seq at most once.
func (c *Client) Send(ctx context.Context, o Outgoing) (Ack, error) {
	req, err := c.request(ctx, http.MethodPost, "/frames", compactAckQuery, bytes.NewReader(o.Frame))
	if err != nil {
		return Ack{}, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set(HeaderSeq, strconv.FormatUint(o.Seq, 10))
	// The receiver applies a seq at most once, so sending the frame again
	// is safe: an Idempotency-Key entry tells the transport to retry it on
	// a new connection when a kept one turns out closed, and with no value
	// it is not sent.
	req.Header["Idempotency-Key"] = nil
	resp, err := c.do(req)
	if err != nil {
		return Ack{}, err
	}
	defer drain(resp)
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return Ack{}, fmt.Errorf("link: send seq %d: read answer: %w", o.Seq, err)
	}
	if resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Type") == AckContentType {
		ack, err := parseCompactAck(body, c.Env)
		if err != nil {
			return Ack{}, fmt.Errorf("link: send seq %d: %w", o.Seq, err)
		}
		return ack, nil
	}
	var ack Ack
	jsonErr := json.Unmarshal(body, &ack)
	if resp.StatusCode == http.StatusOK {
		if jsonErr != nil || ack.Status == "" {
			return Ack{}, fmt.Errorf("link: send seq %d: answer is not an ack: %s", o.Seq, snippet(body))
		}
		return ack, nil
	}
	herr := answerError(resp, body)
	if jsonErr != nil || ack.Status == "" {
		ack = Ack{}
	}
	return ack, fmt.Errorf("link: send seq %d: %w", o.Seq, herr)
}

// Snapshot fetches the environment's current snapshot and checks that it
// hashes to the root the server announces.
func (c *Client) Snapshot(ctx context.Context) (*snapshot.Snapshot, error) {
	return c.getSnapshot(ctx, nil)
}

// SnapshotAt fetches the snapshot named root, current or from the history.
func (c *Client) SnapshotAt(ctx context.Context, root uint64) (*snapshot.Snapshot, error) {
	return c.getSnapshot(ctx, url.Values{"root": {snapshot.FormatHash(root)}})
}

func (c *Client) getSnapshot(ctx context.Context, q url.Values) (*snapshot.Snapshot, error) {
	req, err := c.request(ctx, http.MethodGet, "/snapshot", q, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	defer drain(resp)
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		return nil, fmt.Errorf("link: get snapshot of %q: %w", c.Env, answerError(resp, body))
	}
	snap, err := snapshot.ParseReader(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("link: get snapshot of %q: %w", c.Env, err)
	}
	if want := resp.Header.Get(HeaderRoot); want != snapshot.FormatHash(snap.Hash()) {
		return nil, fmt.Errorf("link: get snapshot of %q: body hashes to %s, server announced %q: %w",
			c.Env, snapshot.FormatHash(snap.Hash()), want, ErrVerify)
	}
	return snap, nil
}

// History fetches the environment's current seq and root and its stored
// history.
func (c *Client) History(ctx context.Context) (History, error) {
	req, err := c.request(ctx, http.MethodGet, "/history", nil, nil)
	if err != nil {
		return History{}, err
	}
	resp, err := c.do(req)
	if err != nil {
		return History{}, err
	}
	defer drain(resp)
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return History{}, fmt.Errorf("link: get history of %q: %w", c.Env, err)
	}
	if resp.StatusCode != http.StatusOK {
		return History{}, fmt.Errorf("link: get history of %q: %w", c.Env, answerError(resp, body))
	}
	var h History
	if err := json.Unmarshal(body, &h); err != nil {
		return History{}, fmt.Errorf("link: get history of %q: %w", c.Env, err)
	}
	return h, nil
}

func (c *Client) request(ctx context.Context, method, suffix string, q url.Values, body io.Reader) (*http.Request, error) {
	u := strings.TrimRight(c.BaseURL, "/") + "/v1/environments/" + url.PathEscape(c.Env) + suffix
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("link: %s %s: %w", method, suffix, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.Secret)
	// An empty User-Agent is not sent: "Go-http-client/1.1" would be 32
	// bytes of every poll, and the path names the environment already.
	req.Header.Set("User-Agent", "")
	return req, nil
}

func (c *Client) do(req *http.Request) (*http.Response, error) {
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("link: %w", err)
	}
	return resp, nil
}

// answerError builds the *HTTPError of a non-200 answer.
func answerError(resp *http.Response, body []byte) *HTTPError {
	e := &HTTPError{StatusCode: resp.StatusCode, Code: resp.Header.Get(HeaderError)}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil && eb.Error != "" {
		e.Message = eb.Error
	} else if e.Code == "" {
		e.Message = snippet(body)
	}
	return e
}

// drain reads what is left of a body (a little) so the connection can be
// reused, then closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	_ = resp.Body.Close()
}

func snippet(b []byte) string {
	const n = 120
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "..."
	}
	return strconv.Quote(s)
}

// isTemporary reports whether a Send error is worth retrying: anything but
// a definite refusal by the server or the caller's own cancellation.
func isTemporary(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Temporary()
	}
	return true
}
