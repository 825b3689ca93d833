package main

import (
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Inputs (a URL, a question, a path, a scope) are echoed into errors and
// logs so the operator can tell which one failed, but a hostile or broken
// one can be 100 KB long: echoes are cut to a few hundred characters.
const (
	// maxEcho is the most characters kept of one echoed value, and of one
	// run of text without spaces (a URL) inside a longer message.
	maxEcho = 300
	// maxLine is the most characters kept of one line of a message; the
	// cut is in the middle, keeping the start (what failed) and the end
	// (why).
	maxLine = 1000
)

const ellipsis = "…"

// clip cuts s to at most maxEcho characters, ending with an ellipsis if
// it was cut.
func clip(s string) string { return cutRunes(s, maxEcho) }

func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, k := 0, 0
	for k < n-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		k++
	}
	return s[:i] + ellipsis
}

// clipMessage shortens a message that may echo a long input: each run
// of over maxEcho characters without white space (a URL, a path) is cut
// to maxEcho, then each line of over maxLine characters loses its middle.
func clipMessage(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			i = len(s)
		}
		b.WriteString(clip(s[:i]))
		s = s[i:]
		j := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) })
		if j < 0 {
			j = len(s)
		}
		b.WriteString(s[:j])
		s = s[j:]
	}
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		lines[i] = cutMiddle(l, maxLine)
	}
	return strings.Join(lines, "\n")
}

// cutMiddle keeps the first and last characters of s, at most n in all
// with the " … " that replaces the rest.
func cutMiddle(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	tail := n * 3 / 10
	head := n - tail - 3
	return string(rs[:head]) + " " + ellipsis + " " + string(rs[len(rs)-tail:])
}

// clipText quotes an input for a message: the input itself is cut
// (clip), and so is every copy of it in msg, then msg as a whole
// (clipMessage).
func clipText(msg, input string) string {
	if len(input) > maxEcho {
		msg = strings.ReplaceAll(msg, input, clip(input))
	}
	return clipMessage(msg)
}

// clipAttr is the loggers' slog.HandlerOptions.ReplaceAttr: it cuts the
// message and every string or error attribute (clipMessage), whichever
// package logged it.
func clipAttr(_ []string, a slog.Attr) slog.Attr {
	switch v := a.Value; v.Kind() {
	case slog.KindString:
		if s := v.String(); len(s) > maxEcho {
			a.Value = slog.StringValue(clipMessage(s))
		}
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			if s := err.Error(); len(s) > maxEcho {
				a.Value = slog.StringValue(clipMessage(s))
			}
		}
	}
	return a
}
