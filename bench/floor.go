package bench

import (
	"bytes"
	"fmt"
)

// RandomIDFloor returns a lower bound on the mean wire bytes per cycle
// (polls 1 to n-1, as in Result.Deltas) that any lossless encoding of the
// first n polls of p with seed must send: the randomness of the ids the
// simulator draws (container and endpoint ids, digests, uids, name suffixes)
// that first show in each poll.
//
// Such an id is drawn uniformly and independently of every earlier poll, so
// no receiver can know it in advance: each one costs its bits on any link.
// The bound leaves out every other random choice (timings, restarts, which
// object changes), so real encodings sit well above it; what it tells is how
// far a target may go below the encodings and still be reachable.
func RandomIDFloor(p Profile, seed int64, n int) (float64, error) {
	if n < 2 {
		return 0, fmt.Errorf("bench: random id floor of %s over %d polls: need two or more", p, n)
	}
	s, err := NewSimulator(p, seed)
	if err != nil {
		return 0, err
	}
	var drawn []drawnID
	s.g.ids = &drawn
	pending := 0 // drawn[pending:] have not shown in a poll yet
	var bits float64
	for poll := range n {
		snap, err := s.Next()
		if err != nil {
			return 0, err
		}
		// An id that shows is moved before pending; one that has not shown
		// stays to be looked for in later polls.
		for i := pending; i < len(drawn); i++ {
			if !bytes.Contains(snap, []byte(drawn[i].text)) {
				continue
			}
			if poll > 0 {
				bits += drawn[i].bits
			}
			drawn[pending], drawn[i] = drawn[i], drawn[pending]
			pending++
		}
	}
	return bits / 8 / float64(n-1), nil
}
