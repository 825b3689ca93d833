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
type citationStream struct {
	onDelta   func(string)
	nPassages int

	mu    sync.Mutex
	raw   strings.Builder
	shown string
}

func (s *citationStream) write(delta string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raw.WriteString(delta)
	s.show(prompts.CheckPartialCitations(s.raw.String(), s.nPassages))
}

// finish passes on the rest of the final answer text.
func (s *citationStream) finish(final string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.show(final)
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
