package snapshot

import "errors"

// Sentinel errors; match them with errors.Is.
var (
	// ErrSyntax: the input is not valid JSON. The error is a *SyntaxError
	// giving the position.
	ErrSyntax = errors.New("invalid JSON")
	// ErrTooDeep: arrays and objects nest deeper than the configured bound.
	ErrTooDeep = errors.New("nesting too deep")
	// ErrTooLarge: the input is longer than the configured bound.
	ErrTooLarge = errors.New("input too large")
	// ErrInvalidValue: a value built in code is not valid JSON (a bad number
	// literal, invalid UTF-8, a repeated object key).
	ErrInvalidValue = errors.New("invalid JSON value")
	// ErrInvalidRule: an identity rule cannot be parsed.
	ErrInvalidRule = errors.New("invalid identity rule")
	// ErrInvalidOption: an option's value is out of range.
	ErrInvalidOption = errors.New("invalid option")
)
