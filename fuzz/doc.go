// Package fuzz holds snapdelta's cross-package fuzz targets and hostile-input
// tests. It has no code of its own: everything is in its tests, which drive
// the public entry points the way an attacker or a broken peer would.
//
// The packages fuzz their own parsers (snapshot FuzzParse, codec FuzzDecode,
// delta FuzzRoundTrip and FuzzMutate, jsonpatch FuzzApply, store
// FuzzDecode); the targets here cross package lines:
//
//   - FuzzApplyFrame: codec.Decoder.Apply of any frame to any base never
//     panics, fails only with a codec sentinel, and any snapshot it builds
//     has the root the frame names, re-parses from its canonical JSON to
//     the same hash and can be sent again as a full frame.
//   - FuzzRoundTrip: any two JSON documents survive parse, delta.Diff,
//     codec encode, decode and apply exactly, in both directions.
//   - FuzzReceiver: a link.Receiver on a memory store fed a script of
//     hostile (seq, frame) pairs interleaved with a real Sender's frames:
//     a refused frame changes nothing, an applied one builds what the frame
//     names, and after the Sender's frames the Receiver holds exactly what
//     the Sender believes is acknowledged.
//
// The hostile-input tests (zstd and msgpack length bombs at every decoder
// entry point, deep nesting, oversized and malformed JSON, every bit flip,
// truncation and inserted byte of real frames, the HTTP server's limits and
// environment isolation) are ordinary tests and run with go test.
//
// Seed corpora live in testdata/fuzz/<Target>/ and run as part of go test;
// regenerate them with go test ./fuzz -run TestWriteSeeds -update. Limits,
// behaviours and how to run the fuzzers are in docs/hardening.md.
package fuzz
