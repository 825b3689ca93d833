package text

import (
	"strings"
	"unicode/utf8"
)

// Truncate cuts s to at most n characters (runes), ending with "…" when it
// was cut; the space before the "…" is dropped.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	k := 0
	for i := range s {
		if k == n-1 {
			s = s[:i]
			break
		}
		k++
	}
	return strings.TrimSpace(s) + "…"
}
