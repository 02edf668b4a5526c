package bench

import (
	"errors"
	"testing"
	"time"
)

// lossy drops the last byte of every snapshot's whitespace-free JSON by
// rebuilding the previous poll instead of the next one.
type lossy struct{}

func (lossy) Name() string                             { return "lossy" }
func (lossy) Encode(prev, next []byte) ([]byte, error) { return next, nil }
func (lossy) Decode(prev, wire []byte) ([]byte, error) {
	if prev != nil {
		return prev, nil
	}
	return wire, nil
}

func TestRunDetectsMismatch(t *testing.T) {
	ps := polls(t, DockerSmall, 61)[:3]
	_, err := Run(lossy{}, ps)
	if !errors.Is(err, ErrMismatch) {
		t.Fatalf("err = %v, want ErrMismatch", err)
	}
}

type failing struct{ lossy }

func (failing) Encode(prev, next []byte) ([]byte, error) { return nil, errors.New("boom") }

func TestRunPropagatesErrors(t *testing.T) {
	if _, err := Run(failing{}, polls(t, DockerSmall, 61)[:2]); err == nil {
		t.Fatal("no error")
	}
}

func TestSummarize(t *testing.T) {
	cs := []Cycle{
		{WireBytes: 10, RawBytes: 100, Encode: 3 * time.Millisecond, Decode: time.Millisecond},
		{WireBytes: 30, RawBytes: 100, Encode: time.Millisecond, Decode: 2 * time.Millisecond},
		{WireBytes: 20, RawBytes: 100, Encode: 2 * time.Millisecond, Decode: 3 * time.Millisecond},
		{WireBytes: 40, RawBytes: 100, Encode: 4 * time.Millisecond, Decode: 4 * time.Millisecond},
	}
	st := summarize(cs)
	if st.Cycles != 4 || st.WireBytes != 100 || st.RawBytes != 400 || st.MeanBytes != 25 || st.MedianBytes != 25 || st.MaxBytes != 40 {
		t.Fatalf("%+v", st)
	}
	if st.EncodeTotal != 10*time.Millisecond || st.EncodeMedian != 2500*time.Microsecond || st.DecodeMedian != 2500*time.Microsecond {
		t.Fatalf("%+v", st)
	}
	if st := summarize(cs[:3]); st.MedianBytes != 20 || st.EncodeMedian != 2*time.Millisecond {
		t.Fatalf("odd count: %+v", st)
	}
	if st := summarize(nil); st.Cycles != 0 || st.MeanBytes != 0 {
		t.Fatalf("empty: %+v", st)
	}
}
