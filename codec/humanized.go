package codec

import (
	"strconv"
	"strings"

	"github.com/snapdelta/snapdelta/delta"
)

// Humanized ticks (format 4). A count alone misses the statuses that change
// words as they age: Docker writes a container's age with go-units'
// HumanDuration, so "Up 59 seconds" becomes "Up About a minute", "About a
// minute" becomes "2 minutes" and "59 minutes" becomes "About an hour". Both
// ends can work those out from the base too: a phrase stands for a range of
// whole seconds, and when the range moved on by the tick's minutes has one
// phrase throughout, that phrase is the prediction. The range of a phrase
// of an hour or more holds a change of phrase, so a tick of one minute never
// predicts one (a tick of an hour can: "2 hours" to "3 hours"); days and
// longer are not recognized at all.

// A humanized phrase found in a string: bytes [start, end) of it, standing
// for ages in seconds [lo, hi).
type humanPhrase struct {
	start, end int
	lo, hi     int64
	count      int64  // the number of a count
	unit       string // " seconds", " minutes" or " hours" after a count; "" otherwise
}

// The phrases HumanDuration writes without a count.
var wordedPhrases = []struct {
	text   string
	lo, hi int64
}{
	{"Less than a second", 0, 1},
	{"About a minute", 60, 120},
	{"About an hour", 3600, 5400},
}

// findHumanPhrase returns the first phrase of s that HumanDuration writes
// for an age under 48 hours (docs/wire-format.md section 7.6): a worded
// phrase, or a count of one or two digits that begins s or follows a
// non-digit, without a leading zero, then its unit: "1 second" (not followed
// by "s"), 2 to 59 " seconds", 2 to 59 " minutes", 2 to 47 " hours".
func findHumanPhrase(s string) (humanPhrase, bool) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 'L' || c == 'A' { // runs for every base item: look further only where a phrase may begin
			for _, w := range wordedPhrases {
				if strings.HasPrefix(s[i:], w.text) {
					return humanPhrase{start: i, end: i + len(w.text), lo: w.lo, hi: w.hi}, true
				}
			}
			continue
		}
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1])) {
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) && j-i < 2 {
			j++
		}
		if (j < len(s) && isDigit(s[j])) || s[i] == '0' {
			continue // three digits or more, or a leading zero: no phrase
		}
		n, _ := strconv.ParseInt(s[i:j], 10, 64)
		rest := s[j:]
		switch {
		case n == 1 && strings.HasPrefix(rest, " second") && !strings.HasPrefix(rest, " seconds"):
			return humanPhrase{start: i, end: j + len(" second"), lo: 1, hi: 2}, true
		case n >= 2 && n <= 59 && strings.HasPrefix(rest, " seconds"):
			return humanPhrase{start: i, end: j + len(" seconds"), lo: n, hi: n + 1, count: n, unit: " seconds"}, true
		case n >= 2 && n <= 59 && strings.HasPrefix(rest, " minutes"):
			return humanPhrase{start: i, end: j + len(" minutes"), lo: 60 * n, hi: 60*n + 60, count: n, unit: " minutes"}, true
		case n >= 2 && n <= 47 && strings.HasPrefix(rest, " hours"):
			return humanPhrase{start: i, end: j + len(" hours"), lo: 3600*n - 1800, hi: 3600*n + 1800, count: n, unit: " hours"}, true
		}
	}
	return humanPhrase{}, false
}

// humanDuration is go-units' HumanDuration for an age of sec whole seconds
// (it only ever looks at whole seconds), or false past 47 hours: a worded
// phrase with count 0, or a count and its unit. It formats nothing, as it
// runs twice for every base item of a ticked collection.
func humanDuration(sec int64) (worded string, count int64, unit string, ok bool) {
	switch minutes, hours := sec/60, (sec+1800)/3600; {
	case sec < 1:
		return "Less than a second", 0, "", true
	case sec == 1:
		return "1 second", 0, "", true
	case sec < 60:
		return "", sec, " seconds", true
	case minutes == 1:
		return "About a minute", 0, "", true
	case minutes < 60:
		return "", minutes, " minutes", true
	case hours == 1:
		return "About an hour", 0, "", true
	case hours < 48:
		return "", hours, " hours", true
	}
	return "", 0, "", false
}

// maxHumanizedStep bounds a humanized tick's step, in minutes: every age
// it could predict is under 48 hours.
const maxHumanizedStep = 48 * 60

// humanizedOp returns the operation a humanized tick of step minutes puts
// on the string s, or false when it predicts nothing for s. A count that
// keeps its unit is a text increment, as the diff writes it; a change of
// words is a splice of the phrase.
func humanizedOp(s, pointer string, step int64) (delta.Op, bool) {
	if step < 1 || step > maxHumanizedStep {
		return delta.Op{}, false
	}
	p, ok := findHumanPhrase(s)
	if !ok {
		return delta.Op{}, false
	}
	shift := 60 * step
	worded, count, unit, ok := humanDuration(p.lo + shift)
	if !ok {
		return delta.Op{}, false
	}
	if w, c, u, ok := humanDuration(p.hi - 1 + shift); !ok || w != worded || c != count || u != unit {
		return delta.Op{}, false // the phrase changes within the range
	}
	if unit != "" && unit == p.unit {
		return delta.Op{Kind: delta.OpIncrementText, Path: pointer, Int: count - p.count, Run: runsBefore(s, p.start)}, true
	}
	if unit != "" {
		worded = strconv.FormatInt(count, 10) + unit
	}
	return delta.Op{Kind: delta.OpSplice, Path: pointer, Prefix: p.start, Suffix: len(s) - p.end, Text: worded}, true
}
