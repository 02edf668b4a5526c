//go:build race

package bench

// raceEnabled trims the slowest tests when the race detector multiplies their cost.
const raceEnabled = true
