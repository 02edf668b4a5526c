// Package bytecount counts the bytes network connections carry each way:
// what a link carries above TCP (TLS records and HTTP included). The demo,
// the CLI agent and the link tests use it to show what a poll costs on the
// wire beyond its frame.
package bytecount
