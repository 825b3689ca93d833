package bot

import (
	"strings"
	"sync"

	"github.com/citebot/citebot/prompts"
)

// declineFilter passes on a streamed answer without ever passing on
// prompts.DeclineMarker or a part of it (see prompts.UntilDecline):
// nothing while the answer may still be the marker, then all but an end
// that may begin it. Once the marker has appeared anywhere nothing more
// is passed on; the final answer replaces the few words before it that
// were.
type declineFilter struct {
	onDelta func(string)

	mu       sync.Mutex
	raw      strings.Builder
	shown    int // bytes of raw passed on
	declined bool
}

func (f *declineFilter) write(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.declined {
		return
	}
	f.raw.WriteString(s)
	show, declined := prompts.UntilDecline(f.raw.String())
	if declined {
		f.declined = true
		return
	}
	if len(show) > f.shown {
		f.onDelta(show[f.shown:])
		f.shown = len(show)
	}
}

// markerSeen reports whether the marker has appeared in the stream.
func (f *declineFilter) markerSeen() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.declined
}
