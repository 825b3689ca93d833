package bot

import (
	"strings"

	"github.com/citebot/citebot/prompts"
)

// declineFilter holds back the start of a streamed answer while it may
// still be prompts.DeclineMarker, so that a model's "not covered" reply is
// never shown as text: once the text cannot be the marker, what was held
// is passed on and the rest streams through; if it is the marker, nothing
// is passed on.
type declineFilter struct {
	onDelta func(string)
	held    strings.Builder
	passing bool
}

func (f *declineFilter) write(s string) {
	if f.passing {
		f.onDelta(s)
		return
	}
	f.held.WriteString(s)
	if prompts.MayBeDecline(f.held.String()) {
		return
	}
	f.passing = true
	f.onDelta(f.held.String())
}
