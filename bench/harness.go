package bench

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Cycle is one poll sent and rebuilt.
type Cycle struct {
	Poll      int           // index in the polls given to Run
	Full      bool          // sent without a base (the first poll)
	RawBytes  int           // size of the snapshot's JSON
	WireBytes int           // size of what Encode returned
	Encode    time.Duration // wall time of Encode
	Decode    time.Duration // wall time of Decode
}

// Stats summarises a set of cycles.
type Stats struct {
	Cycles       int
	WireBytes    int64         // total
	RawBytes     int64         // total
	MeanBytes    float64       // wire bytes per cycle
	MedianBytes  float64       // wire bytes per cycle
	MaxBytes     int           // largest cycle
	EncodeTotal  time.Duration // total
	DecodeTotal  time.Duration // total
	EncodeMedian time.Duration
	DecodeMedian time.Duration
}

// Result is what Run measured for one strategy over one sequence of polls.
type Result struct {
	Strategy string
	Cycles   []Cycle
	All      Stats // every cycle, the first (full) one included
	Deltas   Stats // cycles with a base: the steady state
}

// ErrMismatch is returned by Run when a decode did not rebuild its poll.
var ErrMismatch = errors.New("bench: decoded snapshot differs from the poll")

// Run sends polls through s in order, as an agent and a server would: poll 0
// without a base, each later poll against the previous one. Every decode
// must rebuild its poll exactly as a JSON value, or Run fails with
// ErrMismatch. Encode and Decode are timed with time.Now around each call.
func Run(s Strategy, polls [][]byte) (Result, error) {
	if r, ok := s.(Resetter); ok {
		r.Reset()
	}
	res := Result{Strategy: s.Name(), Cycles: make([]Cycle, 0, len(polls))}
	var prev, rebuilt []byte
	for i, next := range polls {
		t0 := time.Now()
		wire, err := s.Encode(prev, next)
		enc := time.Since(t0)
		if err != nil {
			return res, fmt.Errorf("bench: run %s: poll %d: %w", s.Name(), i, err)
		}
		t1 := time.Now()
		got, err := s.Decode(rebuilt, wire)
		dec := time.Since(t1)
		if err != nil {
			return res, fmt.Errorf("bench: run %s: poll %d: %w", s.Name(), i, err)
		}
		eq, err := JSONEqual(got, next)
		if err != nil {
			return res, fmt.Errorf("bench: run %s: poll %d: %w", s.Name(), i, err)
		}
		if !eq {
			return res, fmt.Errorf("bench: run %s: poll %d: %w", s.Name(), i, ErrMismatch)
		}
		res.Cycles = append(res.Cycles, Cycle{Poll: i, Full: prev == nil, RawBytes: len(next), WireBytes: len(wire), Encode: enc, Decode: dec})
		prev, rebuilt = next, got
	}
	res.All = summarize(res.Cycles)
	if len(res.Cycles) > 1 {
		res.Deltas = summarize(res.Cycles[1:])
	}
	return res, nil
}

func summarize(cs []Cycle) Stats {
	st := Stats{Cycles: len(cs)}
	if len(cs) == 0 {
		return st
	}
	sizes := make([]int, len(cs))
	enc := make([]time.Duration, len(cs))
	dec := make([]time.Duration, len(cs))
	for i, c := range cs {
		st.WireBytes += int64(c.WireBytes)
		st.RawBytes += int64(c.RawBytes)
		st.EncodeTotal += c.Encode
		st.DecodeTotal += c.Decode
		st.MaxBytes = max(st.MaxBytes, c.WireBytes)
		sizes[i], enc[i], dec[i] = c.WireBytes, c.Encode, c.Decode
	}
	st.MeanBytes = float64(st.WireBytes) / float64(len(cs))
	slices.Sort(sizes)
	slices.Sort(enc)
	slices.Sort(dec)
	n := len(cs)
	if n%2 == 1 {
		st.MedianBytes = float64(sizes[n/2])
		st.EncodeMedian, st.DecodeMedian = enc[n/2], dec[n/2]
	} else {
		st.MedianBytes = float64(sizes[n/2-1]+sizes[n/2]) / 2
		st.EncodeMedian, st.DecodeMedian = (enc[n/2-1]+enc[n/2])/2, (dec[n/2-1]+dec[n/2])/2
	}
	return st
}
