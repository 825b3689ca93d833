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

// MayBeDecline reports whether the start of a streamed answer could still
// become the decline marker, so it must not be shown yet.
func MayBeDecline(start string) bool {
	t := strings.TrimLeft(start, decorations)
	return strings.HasPrefix(DeclineMarker, t) || strings.HasPrefix(t, DeclineMarker)
}
