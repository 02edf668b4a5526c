// Package demo is the main job of `make demo`: a reference server on
// loopback with a bbolt store, agents replaying simulated Docker and
// Kubernetes environments over HTTP through a link that drops and
// duplicates requests on purpose, and a table comparing the bytes snapdelta
// put on the wire with what the usual alternatives would have sent. It
// fails if the server's state ever differs from what the agent had
// acknowledged.
package demo
