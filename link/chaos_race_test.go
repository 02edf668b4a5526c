//go:build race

package link

// chaosUnderRace shortens the chaos run: the race detector slows it tenfold.
const chaosUnderRace = true
