package prompts

import "strings"

// DeclineMarker is what the model is told to reply, alone, when the
// passages do not contain the answer. The core turns it into its ordinary
// "not covered" answer; it is never shown to anyone.
const DeclineMarker = "NOT_IN_PASSAGES"

// decorations are what a model may wrap its reply in: white space,
// Markdown emphasis or code, quotes.
const decorations = " \t\r\n*_`\"'“”"

// IsDecline reports whether a model's answer is the decline marker: the
// marker at the start (after decorations), or anywhere in an answer that
// cites no passage.
func IsDecline(answer string) bool {
	t := strings.TrimLeft(answer, decorations)
	if strings.HasPrefix(t, DeclineMarker) {
		return true
	}
	return strings.Contains(answer, DeclineMarker) && len(CheckCitations(answer, 0).Cited) == 0 && !marker.MatchString(answer)
}

// WithoutDecline removes DeclineMarker, and the decorations around it,
// from an answer IsDecline did not take for a decline (a cited answer
// that also says the marker): the marker is never shown to anyone.
func WithoutDecline(answer string) string {
	for {
		i := strings.Index(answer, DeclineMarker)
		if i < 0 {
			return strings.TrimSpace(answer)
		}
		before := strings.TrimRight(answer[:i], decorations)
		after := strings.TrimLeft(answer[i+len(DeclineMarker):], decorations+".,;:")
		switch {
		case before == "" || after == "":
			answer = before + after
		default:
			answer = before + " " + after
		}
	}
}

// MayBeDecline reports whether the start of a streamed answer could still
// become the decline marker, so it must not be shown yet.
func MayBeDecline(start string) bool {
	t := strings.TrimLeft(start, decorations)
	return strings.HasPrefix(DeclineMarker, t) || strings.HasPrefix(t, DeclineMarker)
}

// UntilDecline returns what of the start of a streamed answer can be
// shown without ever showing DeclineMarker: nothing while the answer may
// still be the marker (MayBeDecline), else all of it but an end that may
// be the start of the marker ("… NOT_IN"). Once the marker has appeared,
// anywhere, declined is true and nothing more of the answer should be
// shown: the answer is not covered, or mixes the marker with an answer.
func UntilDecline(start string) (show string, declined bool) {
	if strings.Contains(start, DeclineMarker) {
		return "", true
	}
	if MayBeDecline(start) {
		return "", false
	}
	for n := len(DeclineMarker) - 1; n > 0; n-- {
		if strings.HasSuffix(start, DeclineMarker[:n]) {
			return start[:len(start)-n], false
		}
	}
	return start, false
}
