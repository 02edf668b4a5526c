package snapshot

import (
	"fmt"
)

// Defaults of a Config.
const (
	// DefaultMaxDepth bounds the nesting of arrays and objects. Real engine
	// payloads nest a dozen levels; the bound keeps recursion and hostile
	// input in check.
	DefaultMaxDepth = 10000
	// DefaultMaxSize bounds the JSON text Parse accepts.
	DefaultMaxSize = 256 << 20
)

// Config says how JSON becomes a Snapshot: which identities make an array a
// keyed collection, and the limits applied to input. A Config is immutable
// and safe for concurrent use. The zero value is not usable; use NewConfig.
type Config struct {
	rules    []Rule
	maxDepth int
	maxSize  int64
	kept     string
}

// DefaultKeptMember is the member a compact item keeps readable without
// being parsed again (see WithKeptMember): Docker's container Status, which
// a frame encoder reads on every container of the base to find the ones
// that count a minute up.
const DefaultKeptMember = "Status"

// WithKeptMember sets the top-level member whose scalar value a compact item
// (Snapshot.Compact) keeps beside its compressed text, so that Node.Get of
// it costs no parsing: for a member read on every item of a snapshot held
// compact. It costs a pointer per compact item, and the value's node where
// there is one. "" keeps none.
func WithKeptMember(name string) Option {
	return func(c *Config) error {
		c.kept = name
		return nil
	}
}

// An Option changes a Config.
type Option func(*Config) error

// WithRules replaces the identity rules (see DefaultRules), tried in order.
// No rules means every array stays positional.
func WithRules(rules ...string) Option {
	return func(c *Config) error {
		c.rules = c.rules[:0]
		for _, t := range rules {
			r, err := ParseRule(t)
			if err != nil {
				return err
			}
			c.rules = append(c.rules, r)
		}
		return nil
	}
}

// WithMaxDepth bounds the nesting depth of arrays and objects (at least 1).
func WithMaxDepth(n int) Option {
	return func(c *Config) error {
		if n < 1 {
			return fmt.Errorf("snapshot: max depth %d: %w", n, ErrInvalidOption)
		}
		c.maxDepth = n
		return nil
	}
}

// WithMaxSize bounds the length of the JSON text accepted (at least 1 byte).
func WithMaxSize(n int64) Option {
	return func(c *Config) error {
		if n < 1 {
			return fmt.Errorf("snapshot: max size %d: %w", n, ErrInvalidOption)
		}
		c.maxSize = n
		return nil
	}
}

// NewConfig returns a Config with the defaults changed by opts.
func NewConfig(opts ...Option) (*Config, error) {
	c := &Config{maxDepth: DefaultMaxDepth, maxSize: DefaultMaxSize, kept: DefaultKeptMember}
	for _, t := range DefaultRules {
		c.rules = append(c.rules, MustParseRule(t))
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

var defaultConfig, _ = NewConfig()

// DefaultConfig returns the configuration used when none is given.
func DefaultConfig() *Config { return defaultConfig }

// Rules returns the identity rules in the order they are tried.
func (c *Config) Rules() []Rule { return append([]Rule(nil), c.rules...) }

// MaxDepth returns the nesting bound.
func (c *Config) MaxDepth() int { return c.maxDepth }
