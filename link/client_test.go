package link_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/store"
)

func TestHTTPErrorUnwrap(t *testing.T) {
	tests := []struct {
		status    int
		code      string
		want      error
		temporary bool
	}{
		{409, link.CodeUnknownBase, link.ErrUnknownBase, false},
		{401, link.CodeUnauthorized, link.ErrUnauthorized, false},
		{413, link.CodeTooLarge, link.ErrTooLarge, false},
		{400, link.CodeCorrupt, link.ErrCorrupt, false},
		{400, link.CodeVerify, link.ErrVerify, false},
		{400, link.CodeVersion, link.ErrVersion, false},
		{404, link.CodeNotFound, store.ErrNotFound, false},
		// Without our header (a proxy answered), the status decides.
		{401, "", link.ErrUnauthorized, false},
		{409, "", link.ErrUnknownBase, false},
		{413, "", link.ErrTooLarge, false},
		{400, "", nil, false},
		{500, link.CodeInternal, nil, true},
		{502, "", nil, true},
		{429, "", nil, true},
		{408, "", nil, true},
	}
	for _, tc := range tests {
		e := &link.HTTPError{StatusCode: tc.status, Code: tc.code}
		if got := e.Unwrap(); got != tc.want {
			t.Errorf("%d %q: unwraps to %v, want %v", tc.status, tc.code, got, tc.want)
		}
		if e.Temporary() != tc.temporary {
			t.Errorf("%d %q: Temporary() = %v", tc.status, tc.code, !tc.temporary)
		}
		if e.Error() == "" {
			t.Errorf("%d: empty message", tc.status)
		}
	}
}

// fakeServer answers every request with a fixed status, headers and body.
func fakeServer(t *testing.T, status int, header map[string]string, body string) *link.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return &link.Client{BaseURL: srv.URL + "/", Env: "e", Secret: "s", HTTP: srv.Client()}
}

func TestClientDistrustsAnswers(t *testing.T) {
	ctx := context.Background()
	out := link.Outgoing{Seq: 1, Frame: []byte("frame")}

	// A 200 that is not an ack (a captive portal, a misrouted proxy).
	c := fakeServer(t, 200, nil, "<html>welcome</html>")
	if _, err := c.Send(ctx, out); err == nil || !strings.Contains(err.Error(), "not an ack") {
		t.Fatalf("HTML answer: %v", err)
	}
	// A snapshot whose body does not hash to the announced root.
	c = fakeServer(t, 200, map[string]string{link.HeaderRoot: "0123456789abcdef"}, `{"a":1}`)
	if _, err := c.Snapshot(ctx); !errors.Is(err, link.ErrVerify) {
		t.Fatalf("snapshot with a wrong root header: %v, want ErrVerify", err)
	}
	// A proxy's 502 page: temporary, and its text makes the message.
	c = fakeServer(t, 502, nil, "bad gateway")
	_, err := c.Send(ctx, out)
	var he *link.HTTPError
	if !errors.As(err, &he) || !he.Temporary() || !strings.Contains(err.Error(), "bad gateway") {
		t.Fatalf("502: %v", err)
	}
	// A malformed base URL fails before anything is sent.
	c = &link.Client{BaseURL: "://nope", Env: "e"}
	if _, err := c.Send(ctx, out); err == nil {
		t.Fatal("malformed URL accepted")
	}
}
