package link

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// HTTP header names of the API.
const (
	// HeaderSeq carries a frame's sequence number on POST, and the seq of
	// the current snapshot on GET .../snapshot.
	HeaderSeq = "X-Snapdelta-Seq"
	// HeaderRoot carries the 16-hex root hash of the snapshot a GET
	// .../snapshot answers with.
	HeaderRoot = "X-Snapdelta-Root"
	// HeaderError carries a machine-readable code on every error answer;
	// see NewHandler for the codes.
	HeaderError = "X-Snapdelta-Error"
)

// Error codes sent in HeaderError.
const (
	CodeBadRequest   = "bad-request"
	CodeUnauthorized = "unauthorized"
	CodeNotFound     = "not-found"
	CodeUnknownBase  = "unknown-base"
	CodeTooLarge     = "too-large"
	CodeCorrupt      = "corrupt"
	CodeVerify       = "verify"
	CodeVersion      = "version"
	CodeInternal     = "internal"
)

// DefaultMaxBody is the largest request body NewHandler accepts unless
// WithMaxBody says otherwise.
const DefaultMaxBody int64 = 64 << 20

// ErrSecrets: a secrets file cannot be used (a malformed line, a repeated
// or invalid environment id).
var ErrSecrets = errors.New("invalid secrets")

// ParseSecrets reads a secrets file: one "ENV_ID SECRET" line per
// environment, separated by spaces or tabs. Blank lines and lines starting
// with '#' are skipped. Errors name the line but never echo a secret.
func ParseSecrets(r io.Reader) (map[string]string, error) {
	secrets := make(map[string]string)
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("link: secrets line %d: want \"ENV_ID SECRET\", got %d fields: %w", n, len(fields), ErrSecrets)
		}
		env, secret := fields[0], fields[1]
		if len(env) > store.MaxEnvLen || !utf8.ValidString(env) {
			return nil, fmt.Errorf("link: secrets line %d: environment id is not 1..%d bytes of UTF-8: %w", n, store.MaxEnvLen, ErrSecrets)
		}
		if _, dup := secrets[env]; dup {
			return nil, fmt.Errorf("link: secrets line %d: environment %q listed twice: %w", n, env, ErrSecrets)
		}
		secrets[env] = secret
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("link: read secrets: %w", err)
	}
	return secrets, nil
}

// HandlerOption configures NewHandler.
type HandlerOption func(*handler)

// WithMaxBody bounds the body of a POST (default DefaultMaxBody). A larger
// body is refused with 413 before it is decoded. n <= 0 keeps the default.
func WithMaxBody(n int64) HandlerOption {
	return func(h *handler) {
		if n > 0 {
			h.maxBody = n
		}
	}
}

// WithLogger sets where the handler reports refused frames and internal
// errors (default: nowhere).
func WithLogger(l *slog.Logger) HandlerOption {
	return func(h *handler) {
		if l != nil {
			h.log = l
		}
	}
}

// History is the answer to GET /v1/environments/{id}/history.
type History struct {
	Env  string `json:"env"`
	Seq  uint64 `json:"seq"`  // seq of the current snapshot
	Root string `json:"root"` // root of the current snapshot
	// Steps, newest first: Steps[i] turns the snapshot Root names back into
	// the one PrevRoot names. Every PrevRoot can be fetched with ?root=.
	Steps []HistoryStep `json:"steps"`
}

// HistoryStep is one entry of a History.
type HistoryStep struct {
	Seq      uint64    `json:"seq"`
	Root     string    `json:"root"`
	PrevRoot string    `json:"prev_root"`
	Time     time.Time `json:"time"`
	Bytes    int       `json:"bytes"` // size of the stored reverse delta
}

// errorBody is the JSON of an error answered before a frame reaches the
// Receiver (so there is no Ack to send).
type errorBody struct {
	Error string `json:"error"`
}

type handler struct {
	recv    *Receiver
	secrets map[string][sha256.Size]byte
	maxBody int64
	log     *slog.Logger
	mux     *http.ServeMux
}

// NewHandler returns the HTTP face of a Receiver. Each environment
// authenticates with its own secret from secrets (env id -> secret; empty
// secrets are ignored, so such an environment cannot authenticate).
//
// # Endpoints
//
// Every /v1 request carries "Authorization: Bearer SECRET", the secret of
// the environment named in its path. A missing header, another scheme, a
// wrong secret, another environment's secret, or an environment absent from
// the secrets all answer 401 (with WWW-Authenticate: Bearer), before
// anything else is looked at. Secrets are compared in constant time.
//
//	POST /v1/environments/{id}/frames
//	    Header X-Snapdelta-Seq: N (decimal, >= 1), the frame's sequence
//	    number; body: one codec frame (full or delta), at most the handler's
//	    max body (64 MiB by default). Answers the Ack as JSON
//	    ({"env","seq","root","status","error"}), which always names the root
//	    the server holds now:
//	    200  status "applied", or "duplicate": N is not above the last seq
//	         applied (a retry whose answer was lost, a late frame), nothing
//	         changed; so a frame may be sent again safely
//	    409  status "unknown-base": the delta's base is not held; send a
//	         full frame
//	    400  status "rejected": corrupt frame, unknown format version, or the
//	         rebuilt snapshot's root is not the one the frame names; also
//	         (with {"error"}) a missing or malformed X-Snapdelta-Seq
//	    413  the body or what it decodes to is over the limits
//	    500  status "error": the store failed; nothing changed, try again
//	    A rejected frame changes nothing.
//
//	GET /v1/environments/{id}/snapshot
//	    The current snapshot as canonical JSON (sorted keys, compact), with
//	    headers X-Snapdelta-Root (16 hex digits) and X-Snapdelta-Seq. 404 if
//	    the environment has sent nothing yet.
//
//	GET /v1/environments/{id}/snapshot?root=HASH
//	    The snapshot named HASH (16 hex digits) if it is the current one or
//	    one the history can rebuild; 404 otherwise, 400 for a malformed HASH.
//
//	GET /v1/environments/{id}/history
//	    JSON {"env","seq","root","steps":[{"seq","root","prev_root","time",
//	    "bytes"}]}: the current seq and root, then the stored reverse deltas,
//	    newest first. Every prev_root can be fetched with ?root=. 404 if the
//	    environment has sent nothing yet.
//
//	GET /
//	    200 "ok": health check, no authentication.
//
// Every error answer carries a header X-Snapdelta-Error with one of the
// codes bad-request, unauthorized, not-found, unknown-base, too-large,
// corrupt, verify, version, internal, and a JSON body: the Ack for frames
// the Receiver saw (409, 400, 413 from decoding, 500), {"error": "..."}
// otherwise. Other paths answer 404, other methods 405. Timeouts for slow
// clients are the http.Server's: see NewServer.
func NewHandler(r *Receiver, secrets map[string]string, opts ...HandlerOption) http.Handler {
	h := &handler{
		recv:    r,
		secrets: make(map[string][sha256.Size]byte, len(secrets)),
		maxBody: DefaultMaxBody,
		log:     slog.New(slog.DiscardHandler),
		mux:     http.NewServeMux(),
	}
	for env, s := range secrets {
		if s != "" {
			// Hashing first makes the comparison constant-time in the
			// secret's length too, not only in its content.
			h.secrets[env] = sha256.Sum256([]byte(s))
		}
	}
	for _, o := range opts {
		if o != nil {
			o(h)
		}
	}
	h.mux.HandleFunc("GET /{$}", h.health)
	h.mux.HandleFunc("POST /v1/environments/{id}/frames", h.postFrame)
	h.mux.HandleFunc("GET /v1/environments/{id}/snapshot", h.getSnapshot)
	h.mux.HandleFunc("GET /v1/environments/{id}/history", h.getHistory)
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Answers to the agents' POSTs cross metered links every poll and are
	// neither stored by caches (no freshness information, RFC 9111 section
	// 3) nor rendered by browsers: the 58 bytes of these headers were a
	// quarter of them.
	if r.Method != http.MethodPost {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
	}
	h.mux.ServeHTTP(w, r)
}

func (h *handler) health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "ok\n")
}

// authorize answers 401 and returns false unless the request carries the
// secret of the environment its path names.
func (h *handler) authorize(w http.ResponseWriter, r *http.Request) (string, bool) {
	env := r.PathValue("id")
	token, ok := bearerToken(r.Header.Get("Authorization"))
	want, known := h.secrets[env]
	got := sha256.Sum256([]byte(token))
	// Compare even when the env is unknown so timing does not tell which
	// environment ids exist.
	match := subtle.ConstantTimeCompare(got[:], want[:]) == 1
	if !ok || !known || !match {
		h.log.Warn("unauthorized request", "env", env, "remote", r.RemoteAddr, "path", r.URL.Path)
		w.Header().Set("WWW-Authenticate", `Bearer realm="snapdelta"`)
		h.fail(w, http.StatusUnauthorized, CodeUnauthorized, "missing or wrong bearer secret for this environment")
		return "", false
	}
	return env, true
}

// bearerToken extracts the token of an "Authorization: Bearer TOKEN" value;
// the scheme is case-insensitive (RFC 9110 section 11.1).
func bearerToken(v string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func (h *handler) postFrame(w http.ResponseWriter, r *http.Request) {
	env, ok := h.authorize(w, r)
	if !ok {
		return
	}
	seq, err := strconv.ParseUint(r.Header.Get(HeaderSeq), 10, 64)
	if err != nil || seq == 0 {
		h.fail(w, http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("header %s must be a decimal integer >= 1", HeaderSeq))
		return
	}
	frame, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.log.Warn("frame refused", "env", env, "seq", seq, "error", "body over limit", "limit", h.maxBody)
			h.fail(w, http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("body larger than %d bytes", h.maxBody))
			return
		}
		h.fail(w, http.StatusBadRequest, CodeBadRequest, "read body: "+err.Error())
		return
	}
	ack, err := h.recv.Receive(env, seq, frame)
	if err == nil {
		if r.URL.Query().Get("ack") == "compact" {
			if b, ok := appendCompactAck(nil, ack); ok {
				w.Header().Set("Content-Type", AckContentType)
				w.Header().Set("Content-Length", strconv.Itoa(len(b)))
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write(b)
				return
			}
		}
		writeJSON(w, http.StatusOK, ack)
		return
	}
	status, code := classify(err)
	if status == http.StatusInternalServerError {
		h.log.Error("frame failed", "env", env, "seq", seq, "error", err)
	} else {
		h.log.Warn("frame refused", "env", env, "seq", seq, "status", status, "error", err)
	}
	if ack.Error == "" {
		ack.Error = err.Error()
	}
	if ack.Env == "" {
		ack.Env = env
	}
	w.Header().Set(HeaderError, code)
	writeJSON(w, status, ack)
}

// classify maps a Receiver error to its HTTP status and error code.
func classify(err error) (int, string) {
	switch {
	case errors.Is(err, ErrUnknownBase):
		return http.StatusConflict, CodeUnknownBase
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge, CodeTooLarge
	case errors.Is(err, ErrVerify):
		return http.StatusBadRequest, CodeVerify
	case errors.Is(err, ErrVersion):
		return http.StatusBadRequest, CodeVersion
	case errors.Is(err, ErrCorrupt):
		return http.StatusBadRequest, CodeCorrupt
	case errors.Is(err, store.ErrInvalid):
		return http.StatusBadRequest, CodeBadRequest
	}
	return http.StatusInternalServerError, CodeInternal
}

func (h *handler) getSnapshot(w http.ResponseWriter, r *http.Request) {
	env, ok := h.authorize(w, r)
	if !ok {
		return
	}
	var (
		snap *snapshot.Snapshot
		seq  uint64
		err  error
	)
	if q := r.URL.Query(); q.Has("root") {
		root, perr := snapshot.ParseHash(q.Get("root"))
		if perr != nil {
			h.fail(w, http.StatusBadRequest, CodeBadRequest, "query root: "+perr.Error())
			return
		}
		snap, err = h.recv.SnapshotAt(env, root)
	} else {
		snap, seq, err = h.recv.Snapshot(env)
	}
	if err != nil {
		h.failErr(w, env, err)
		return
	}
	body := snap.MarshalCanonical()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set(HeaderRoot, snapshot.FormatHash(snap.Hash()))
	if seq > 0 {
		w.Header().Set(HeaderSeq, strconv.FormatUint(seq, 10))
	}
	_, _ = w.Write(body)
}

func (h *handler) getHistory(w http.ResponseWriter, r *http.Request) {
	env, ok := h.authorize(w, r)
	if !ok {
		return
	}
	steps, err := h.recv.History(env)
	if err != nil {
		h.failErr(w, env, err)
		return
	}
	out := History{Env: env, Steps: make([]HistoryStep, len(steps))}
	for i, s := range steps {
		out.Steps[i] = HistoryStep{
			Seq:      s.Seq,
			Root:     snapshot.FormatHash(s.Root),
			PrevRoot: snapshot.FormatHash(s.PrevRoot),
			Time:     s.Time,
			Bytes:    len(s.Reverse),
		}
	}
	if len(steps) > 0 {
		// The history is a chain from the current snapshot: its newest step
		// names it.
		out.Seq, out.Root = steps[0].Seq, out.Steps[0].Root
	} else {
		snap, seq, err := h.recv.Snapshot(env)
		if err != nil {
			h.failErr(w, env, err)
			return
		}
		out.Seq, out.Root = seq, snapshot.FormatHash(snap.Hash())
	}
	writeJSON(w, http.StatusOK, out)
}

// failErr answers a read error: 404 for an environment or root the server
// does not hold, 500 (logged) for anything else.
func (h *handler) failErr(w http.ResponseWriter, env string, err error) {
	if errors.Is(err, store.ErrNotFound) {
		h.fail(w, http.StatusNotFound, CodeNotFound, err.Error())
		return
	}
	h.log.Error("read failed", "env", env, "error", err)
	h.fail(w, http.StatusInternalServerError, CodeInternal, "internal error")
}

func (h *handler) fail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set(HeaderError, code)
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own plain structs get here; they always marshal.
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// NewServer returns an http.Server for h on addr with timeouts that keep a
// slow or stalled client from holding a connection: 5 s to send the
// headers, 30 s for the whole request, 30 s to take the answer, and 16 KiB
// of headers at most. An idle connection is kept for IdleTimeout, longer
// than the agents' polls (with 60 s, as before, a one-minute poll raced the
// close and, when it lost, paid a new connection and TLS handshake). Serve
// it on Listen's listener.
//
// It speaks HTTP/1.1, HTTP/2 over TLS, and HTTP/2 without TLS to a client
// that starts with it (NewHTTPClient with WithCleartextHTTP2, for servers
// reached over a VPN): a poll then costs 80 bytes around its frame
// instead of 376 (BenchmarkWireBytes).
func NewServer(addr string, h http.Handler) *http.Server {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    16 << 10,
		Protocols:         protocols,
	}
}

// Listen returns a TCP listener on addr for NewServer's server whose
// connections send no keep-alive probes: Go's default, a probe every 15 s
// on each idle connection, would cost every agent about 100 bytes a probe
// on its link between polls, while the server closes a connection idle for
// IdleTimeout anyway.
func Listen(ctx context.Context, addr string) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1}
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("link: listen: %w", err)
	}
	return ln, nil
}
