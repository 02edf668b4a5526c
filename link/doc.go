// Package link is the exchange between an agent and the server: the agent's
// Sender turns each polled snapshot into a frame, the server's Receiver
// applies frames per environment to the snapshots in a store and answers
// each with an Ack naming the root it now holds. A reference HTTP handler
// (NewHandler), client (Client) and agent loop (Agent) carry frames and acks
// over HTTP.
//
// The protocol is built so that the two sides cannot silently diverge and
// recover by themselves when frames or acks are lost, duplicated or
// reordered:
//
//   - The Sender diffs every snapshot against the last one the receiver
//     acknowledged, never against one merely sent, so lost polls coalesce
//     into one delta; it sends a full frame when it has no acknowledged base
//     or the receiver answers that it does not hold it.
//   - Every frame carries a seq, increasing per Sender (starting from the
//     wall clock, so a restarted agent starts above its old seqs); the
//     Receiver applies a seq at most once and never one below the last it
//     applied, so retries, duplicates and late frames change nothing.
//   - Every snapshot is named by its root hash, and the Receiver verifies
//     the snapshot it rebuilds against the root the frame names; a frame
//     refused for any reason changes nothing.
//   - The Receiver keeps a few recent snapshots per environment, so a delta
//     made against a snapshot whose ack was lost still applies.
//   - An Ack is sent only after the store committed what it names, so a
//     Sender only ever diffs against a snapshot the server holds durably,
//     and a restarted server resumes from its store; a restarted agent
//     given its last acknowledged snapshot (WithBase) resumes with a delta.
//
// Around each frame goes an HTTP exchange, which costs more than a small
// host's frame: NewHTTPClient, NewServer and Listen keep the connection
// open between polls, send no TCP keep-alive probes and trim the headers
// (BenchmarkWireBytes).
package link
