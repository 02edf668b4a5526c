package fuzz

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/snapdelta/snapdelta/codec"
	"github.com/snapdelta/snapdelta/link"
	"github.com/snapdelta/snapdelta/snapshot"
	"github.com/snapdelta/snapdelta/store"
)

// entryEnv and entrySecret are the environment the entry points' Receiver
// holds a snapshot for.
const (
	entryEnv    = "edge-1"
	entrySecret = "secret-edge-1-0123456789"
)

// entryPoint is one way a frame reaches a decoder: try returns nil when the
// frame was accepted and the refusal's sentinel otherwise.
type entryPoint struct {
	name string
	try  func(t *testing.T, frame []byte) error
}

// entryPoints returns every public way a frame is decoded: codec.Decode,
// Decoder.Apply (to base), Decoder.Inspect, link.Receiver.Receive and a POST
// to the HTTP handler. The last two hold base for entryEnv and check, on
// every refusal, that the stored state did not change.
func entryPoints(t *testing.T, base *snapshot.Snapshot) []entryPoint {
	t.Helper()
	dec, err := codec.NewDecoder()
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	recv, err := link.NewReceiver(st)
	if err != nil {
		t.Fatal(err)
	}
	seq := uint64(1)
	if _, err := recv.Receive(entryEnv, seq, mustFullFrame(t, base)); err != nil {
		t.Fatal(err)
	}
	handler := link.NewHandler(recv, map[string]string{entryEnv: entrySecret})
	// unchanged runs fn, which must refuse its frame, and fails if the
	// stored record moved.
	unchanged := func(t *testing.T, fn func() error) error {
		t.Helper()
		before, err := st.Load(entryEnv)
		if err != nil {
			t.Fatal(err)
		}
		ferr := fn()
		after, err := st.Load(entryEnv)
		if err != nil {
			t.Fatal(err)
		}
		if ferr != nil && (before.Seq != after.Seq || before.Root != after.Root || !bytes.Equal(before.Snapshot, after.Snapshot)) {
			t.Fatalf("a refused frame (%v) changed the stored record", ferr)
		}
		return ferr
	}
	return []entryPoint{
		{"codec.Decode", func(t *testing.T, frame []byte) error {
			_, err := codec.Decode(frame)
			return err
		}},
		{"Decoder.Apply", func(t *testing.T, frame []byte) error {
			_, err := dec.Apply(base, frame)
			return err
		}},
		{"Decoder.Inspect", func(t *testing.T, frame []byte) error {
			_, err := dec.Inspect(frame)
			return err
		}},
		{"Receiver.Receive", func(t *testing.T, frame []byte) error {
			return unchanged(t, func() error {
				seq++
				ack, err := recv.Receive(entryEnv, seq, frame)
				if err != nil && ack.Status != link.StatusRejected && ack.Status != link.StatusUnknownBase {
					t.Fatalf("refused (%v) with status %q", err, ack.Status)
				}
				return err
			})
		}},
		{"HTTP POST", func(t *testing.T, frame []byte) error {
			return unchanged(t, func() error {
				seq++
				req := httptest.NewRequest(http.MethodPost, "/v1/environments/"+entryEnv+"/frames", bytes.NewReader(frame))
				req.Header.Set("Authorization", "Bearer "+entrySecret)
				req.Header.Set(link.HeaderSeq, strconv.FormatUint(seq, 10))
				w := httptest.NewRecorder()
				handler.ServeHTTP(w, req)
				return httpError(t, w.Code, w.Header().Get(link.HeaderError))
			})
		}},
	}
}

// httpError maps the handler's answer back to the sentinel it stands for.
func httpError(t *testing.T, status int, code string) error {
	t.Helper()
	want := map[string]struct {
		status int
		err    error
	}{
		link.CodeCorrupt:     {http.StatusBadRequest, link.ErrCorrupt},
		link.CodeVerify:      {http.StatusBadRequest, link.ErrVerify},
		link.CodeVersion:     {http.StatusBadRequest, link.ErrVersion},
		link.CodeTooLarge:    {http.StatusRequestEntityTooLarge, link.ErrTooLarge},
		link.CodeUnknownBase: {http.StatusConflict, link.ErrUnknownBase},
	}
	if status == http.StatusOK {
		return nil
	}
	w, ok := want[code]
	if !ok || w.status != status {
		t.Fatalf("HTTP answer %d %q is not a frame refusal", status, code)
	}
	return w.err
}

// refusedEverywhere feeds frame to every entry point and fails unless each
// refuses it with one of wants, allocating at most maxAlloc bytes.
func refusedEverywhere(t *testing.T, eps []entryPoint, name string, frame []byte, maxAlloc uint64, wants ...error) {
	t.Helper()
	for _, ep := range eps {
		var err error
		total, _ := memUse(func() { err = ep.try(t, frame) })
		ok := false
		for _, w := range wants {
			ok = ok || errors.Is(err, w)
		}
		if !ok {
			t.Errorf("%s via %s: %v, want one of %v", name, ep.name, err, wants)
		}
		if total > maxAlloc {
			t.Errorf("%s via %s: allocated %d KiB, the bound is %d KiB", name, ep.name, total>>10, maxAlloc>>10)
		}
	}
}
