package bot

import (
	"strings"
	"sync"

	"github.com/citebot/citebot/prompts"
)

// citationStream passes on a streamed answer as its final Text will read:
// it keeps the raw text written so far and passes on what more of
// prompts.CheckPartialCitations of it can be shown, so that markers carry
// the numbers Core.cite gives them, markers to no passage never show, and
// a marker still being written is held back until it is complete.
//
// With declines (the answerer may reply prompts.DeclineMarker) it never
// passes on the marker or a part of it (see prompts.UntilDecline):
// nothing while the answer may still be the marker, then all but an end
// that may begin it. Once the marker has appeared anywhere nothing more is
// passed on; the final answer replaces the few words before it that were.
type citationStream struct {
	onDelta   func(string)
	nPassages int
	declines  bool

	mu       sync.Mutex
	raw      strings.Builder
	shown    string
	declined bool // the marker has appeared
}

func (s *citationStream) write(delta string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.declined {
		return
	}
	s.raw.WriteString(delta)
	text := s.raw.String()
	if s.declines {
		if text, s.declined = prompts.UntilDecline(text); s.declined {
			return
		}
	}
	s.show(prompts.CheckPartialCitations(text, s.nPassages))
}

// finish passes on the rest of the final answer text, unless the marker
// has appeared.
func (s *citationStream) finish(final string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.declined {
		s.show(final)
	}
}

// markerSeen reports whether the marker has appeared in the stream.
func (s *citationStream) markerSeen() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.declined
}

// show passes on what text adds to what was shown. Shown text is the
// start of all that follows (see prompts.CheckPartialCitations); should
// it ever not be, nothing is passed on until it is again, and the final
// answer, shown whole by every frontend, corrects what was.
func (s *citationStream) show(text string) {
	if len(text) <= len(s.shown) || !strings.HasPrefix(text, s.shown) {
		return
	}
	delta := text[len(s.shown):]
	s.shown = text
	s.onDelta(delta)
}
