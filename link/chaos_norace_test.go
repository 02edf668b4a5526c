//go:build !race

package link

const chaosUnderRace = false
