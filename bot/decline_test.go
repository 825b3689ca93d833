package bot

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/prompts"
)

const declineMarker = prompts.DeclineMarker

// TestDeclineIsNeverStreamed: the model's decline marker, wherever it
// is in the reply, never reaches the stream, nor anything after it.
func TestDeclineIsNeverStreamed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, reply string
		found       bool
		streamed    string // all that is streamed
	}{
		{"bare marker", declineMarker, false, ""},
		{"marker in emphasis", "**" + declineMarker + "**", false, ""},
		{"marker after white space", "\n  " + declineMarker + ".", false, ""},
		{"marker after words", "Sorry, " + declineMarker + ", the passages say nothing about that.", false, "Sorry,"},
		{"marker after a cited answer", "It was signed on March 14, 2025 [1]. " + declineMarker + " and then [2].", true, "It was signed on March 14, 2025 [1]."},
		{"an answer", "The deal was signed on March 14, 2025 [1].", true, "The deal was signed on March 14, 2025 [1]."},
		{"an answer starting like the marker", "NOT ONLY seafood: lumber too [1].", true, "NOT ONLY seafood: lumber too [1]."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans, partials := askStreamed(t, tt.reply)
			var streamed string
			if len(partials) > 0 {
				streamed = partials[len(partials)-1]
			}
			if streamed != tt.streamed {
				t.Errorf("streamed %q, want %q", streamed, tt.streamed)
			}
			for _, p := range partials {
				if strings.Contains(p, declineMarker) {
					t.Errorf("streamed %q", p)
				}
			}
			if tt.found {
				if !ans.Found || strings.Contains(ans.Text, declineMarker) {
					t.Errorf("answer %q: found %v, want found and without the marker", ans.Text, ans.Found)
				}
				return
			}
			if ans.Found || ans.Text != NotCoveredText || len(ans.Citations) != 0 {
				t.Errorf("got %+v, want not covered", ans)
			}
		})
	}
}

// TestStreamHoldsBackPartOfTheMarker: streamed in pieces cut anywhere,
// the marker never shows, nor its start at the end of what was streamed,
// nor anything after it.
func TestStreamHoldsBackPartOfTheMarker(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, reply string }{
		{"bare marker", declineMarker},
		{"marker in emphasis", "**" + declineMarker + "**"},
		{"marker after words", "Sorry, " + declineMarker + ", the passages say nothing about that."},
		{"marker after an answer", "It was signed in 1648 [1]. " + declineMarker},
		{"an answer", "NOT ONLY seafood: lumber too [1]. NOT_IN short supply."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before, _, seen := strings.Cut(tt.reply, declineMarker)
			for cut := range len(tt.reply) + 1 {
				var streamed strings.Builder
				f := &citationStream{onDelta: func(d string) { streamed.WriteString(d) }, nPassages: 9, declines: true}
				f.write(tt.reply[:cut])
				if s := streamed.String(); !strings.HasPrefix(before, s) {
					t.Errorf("after %q streamed %q, want at most %q", tt.reply[:cut], s, before)
				}
				f.write(tt.reply[cut:])
				if s := streamed.String(); !strings.HasPrefix(before, s) || !seen && s != tt.reply {
					t.Errorf("after %q and %q streamed %q, want at most %q", tt.reply[:cut], tt.reply[cut:], s, before)
				}
				if f.markerSeen() != seen {
					t.Errorf("after %q and %q marker seen %v, want %v", tt.reply[:cut], tt.reply[cut:], f.markerSeen(), seen)
				}
			}
		})
	}
}
