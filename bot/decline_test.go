package bot

import (
	"strings"
	"sync"
	"testing"

	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/prompts"
)

func TestDeclineIsNeverStreamed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, reply string
		found       bool
	}{
		{"bare marker", prompts.DeclineMarker, false},
		{"marker in emphasis", "**" + prompts.DeclineMarker + "**", false},
		{"marker after white space", "\n  " + prompts.DeclineMarker + ".", false},
		{"an answer", "The deal was signed on March 14, 2025 [1].", true},
		{"an answer starting like the marker", "NOT ONLY seafood: lumber too [1].", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newLLMEnv(t, fakeopenai.Options{Reply: func(fakeopenai.ChatRequest) string { return tt.reply }})
			core := NewCore(CoreOptions{Store: sampleStore(t), Answerer: env.answerer()})
			var (
				mu     sync.Mutex
				stream strings.Builder
			)
			ans, err := core.AskStream(t.Context(), Question{Text: "When was the Northvale and Coastal Union trade agreement signed?"}, func(d string) {
				mu.Lock()
				stream.WriteString(d)
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			streamed := stream.String()
			mu.Unlock()
			if env.fake.Count(fakeopenai.Chat) == 0 {
				t.Fatal("the model was not asked")
			}
			if tt.found {
				if !ans.Found || streamed != tt.reply {
					t.Errorf("answer %q (found %v) streamed as %q, want all of %q", ans.Text, ans.Found, streamed, tt.reply)
				}
				return
			}
			if ans.Found || ans.Text != NotCoveredText || len(ans.Citations) != 0 {
				t.Errorf("got %+v, want not covered", ans)
			}
			if strings.Contains(streamed, "NOT") || streamed != "" {
				t.Errorf("streamed %q, want nothing", streamed)
			}
		})
	}
}
