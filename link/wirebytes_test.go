package link

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/snapdelta/snapdelta/internal/bytecount"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// What a poll costs on the link beyond its frame: HTTP request and answer,
// and TLS. The server side of the connection is counted, so the numbers are
// what crosses the agent's link above TCP (each TCP/IP packet adds 40-60
// bytes more).

// wireTest is an agent and a receiver on loopback, the receiver's listener
// counting.
type wireTest struct {
	ln     *bytecount.Counter // on the server's listener: Read is up, Written down
	srv    *httptest.Server
	client *Client
	sender *Sender
	poll   int
}

// A realistic environment id and secret: their lengths go into every
// request.
const (
	wireEnv    = "edge-0042"
	wireSecret = "0123456789abcdef0123456789abcdef"
)

// The links measured: plain HTTP/1.1, HTTP/1.1 over TLS, HTTP/2 (which
// Go's server and NewHTTPClient agree on over TLS) and HTTP/2 without TLS
// (WithCleartextHTTP2).
const (
	plainHTTP = iota
	tlsHTTP1
	tlsHTTP2
	cleartextHTTP2
)

func newWireTest(t testing.TB, mode int) *wireTest {
	t.Helper()
	recv, err := NewReceiver(store.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config = NewServer("", NewHandler(recv, map[string]string{wireEnv: wireSecret}))
	ln := &bytecount.Counter{}
	srv.Listener = ln.Listener(srv.Listener)
	var tlsConfig *tls.Config
	var opts []HTTPClientOption
	switch mode {
	case tlsHTTP1, tlsHTTP2:
		srv.EnableHTTP2 = mode == tlsHTTP2
		srv.StartTLS()
		pool := x509.NewCertPool()
		pool.AddCert(srv.Certificate())
		tlsConfig = &tls.Config{RootCAs: pool}
	case cleartextHTTP2:
		opts = append(opts, WithCleartextHTTP2())
		srv.Start()
	default:
		srv.Start()
	}
	t.Cleanup(srv.Close)
	sender, err := NewSender()
	if err != nil {
		t.Fatal(err)
	}
	w := &wireTest{ln: ln, srv: srv, sender: sender,
		client: &Client{BaseURL: srv.URL, Env: wireEnv, Secret: wireSecret, HTTP: NewHTTPClient(tlsConfig, opts...)}}
	w.send(t) // the full frame
	return w
}

// send makes the next poll and sends it; it returns the frame's size.
func (w *wireTest) send(t testing.TB) int64 {
	t.Helper()
	snap := mustParseSnapshot(t, dockerPoll(w.poll))
	w.poll++
	out, err := w.sender.Next(snap)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := w.client.Send(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.sender.Ack(ack); err != nil {
		t.Fatal(err)
	}
	return int64(len(out.Frame))
}

// settled returns the counts once no byte has moved for 20 ms: the last
// bytes of an answer may cross after the Client has returned (a flow
// control frame of HTTP/2, the end of a server's write).
func (w *wireTest) settled() (up, down int64) {
	up, down = w.ln.Read.Load(), w.ln.Written.Load()
	for range 50 {
		time.Sleep(20 * time.Millisecond)
		u, d := w.ln.Read.Load(), w.ln.Written.Load()
		if u == up && d == down {
			break
		}
		up, down = u, d
	}
	return up, down
}

// perPoll sends n polls and returns the mean bytes each crossed the link
// beyond its frame, each way.
func (w *wireTest) perPoll(t testing.TB, n int, between func()) (up, down float64) {
	t.Helper()
	up0, down0 := w.settled()
	var frames int64
	for range n {
		if between != nil {
			between()
		}
		frames += w.send(t)
	}
	up1, down1 := w.settled()
	return float64(up1-up0-frames) / float64(n), float64(down1-down0) / float64(n)
}

// dockerPoll is a one-container Docker host at minute i.
func dockerPoll(i int) []byte {
	return []byte(`{"containers":[{"Id":"4f66ad9a0b2e","Names":["/web"],"State":"running","Status":"Up ` +
		strconv.Itoa(i+3) + ` minutes"}],"info":{"NGoroutines":` + strconv.Itoa(40+i%3) + `}}`)
}

func TestWireBytesPerPoll(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   int
		maxUp  float64 // request line and headers
		maxDwn float64 // status line, headers and the ack
	}{
		{"http", plainHTTP, 245, 150},
		{"https", tlsHTTP1, 270, 175},
		{"h2", tlsHTTP2, 120, 100},
		{"h2c", cleartextHTTP2, 60, 55},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWireTest(t, tc.mode)
			up, down := w.perPoll(t, 20, nil)
			t.Logf("a poll on the kept connection: %.0f bytes up beyond the frame, %.0f down", up, down)
			if up > tc.maxUp || down > tc.maxDwn {
				t.Errorf("a poll costs %.0f bytes up beyond its frame and %.0f down, want at most %.0f and %.0f", up, down, tc.maxUp, tc.maxDwn)
			}
			if n := w.ln.Conns.Load(); n != 1 {
				t.Errorf("21 polls took %d connections, want one kept between polls", n)
			}
		})
	}
}

// A poll on a new connection resumes the TLS session of the last one: no
// certificate crosses the link again.
func TestWireTLSResumes(t *testing.T) {
	w := newWireTest(t, tlsHTTP1)
	full, fullDown := w.settled()
	var resumed bool
	w.client.HTTP.Transport.(*http.Transport).TLSClientConfig.VerifyConnection = func(cs tls.ConnectionState) error {
		resumed = cs.DidResume
		return nil
	}
	up, down := w.perPoll(t, 1, w.client.HTTP.CloseIdleConnections)
	t.Logf("first poll with a full handshake: %d bytes; a poll on a new connection that resumes: %.0f up, %.0f down", full+fullDown, up, down)
	if !resumed {
		t.Error("the new connection did not resume the TLS session")
	}
	if n := w.ln.Conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// BenchmarkWireBytes reports what a poll costs on the link beyond its
// frame, on a kept connection and on a new one (TLS resumed).
func BenchmarkWireBytes(b *testing.B) {
	for _, tc := range []struct {
		name     string
		mode     int
		newConns bool
	}{
		{"http/kept", plainHTTP, false},
		{"https/kept", tlsHTTP1, false},
		{"h2/kept", tlsHTTP2, false},
		{"h2c/kept", cleartextHTTP2, false},
		{"https/new-conn", tlsHTTP1, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			w := newWireTest(b, tc.mode)
			var between func()
			if tc.newConns {
				between = w.client.HTTP.CloseIdleConnections
			}
			b.ResetTimer()
			up, down := w.perPoll(b, b.N, between)
			b.ReportMetric(up, "up-B/poll")
			b.ReportMetric(down, "down-B/poll")
		})
	}
}

// A kept connection the server closes just as the next poll goes out (its
// idle timeout, a NAT forgetting it) is not an error: the Client marks its
// frames safe to send again and the transport does so on a new connection.
func TestSendRetriesOnAClosedKeptConnection(t *testing.T) {
	h := NewHandler(newReceiverT(t, store.NewMemory()), map[string]string{wireEnv: wireSecret})
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 2 {
			// Hang up on the second request without a word.
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close()
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	sender, err := NewSender()
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{BaseURL: srv.URL, Env: wireEnv, Secret: wireSecret, HTTP: NewHTTPClient(nil)}
	for i := range 3 {
		out, err := sender.Next(mustParseSnapshot(t, dockerPoll(i)))
		if err != nil {
			t.Fatal(err)
		}
		ack, err := c.Send(context.Background(), out)
		if err != nil {
			t.Fatalf("poll %d: %v", i, err)
		}
		if err := sender.Ack(ack); err != nil {
			t.Fatal(err)
		}
	}
	if n := requests.Load(); n != 4 {
		t.Errorf("%d requests, want 4: the one the server hung up on sent again", n)
	}
}

func mustParseSnapshot(t testing.TB, data []byte) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIdleTimeoutsOutlastAPoll(t *testing.T) {
	if d := NewServer(":0", http.NotFoundHandler()).IdleTimeout; d <= time.Minute {
		t.Errorf("server keeps an idle connection %v, not longer than a one-minute poll", d)
	}
	tr := NewHTTPClient(nil).Transport.(*http.Transport)
	if tr.IdleConnTimeout <= time.Minute {
		t.Errorf("client keeps an idle connection %v, not longer than a one-minute poll", tr.IdleConnTimeout)
	}
	if !tr.DisableCompression || tr.TLSClientConfig.ClientSessionCache == nil {
		t.Error("client asks for gzip or cannot resume TLS sessions")
	}
}
