package bot

import (
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/citebot/citebot/internal/fakeopenai"
)

// openMarker matches a citation marker cut at the end of a text.
var openMarker = regexp.MustCompile(`\[[0-9 \t,\-–—]*$`)

// TestStreamedCitationsKeepTheirNumbers: what is streamed reads at each
// moment as the start of the final answer, markers numbered as there,
// none half written, and ends as the final answer.
func TestStreamedCitationsKeepTheirNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, reply, want string
	}{
		{"passage 3 cited first", "It was signed on March 14 [3], in Marenna [1]. Tariffs fall [3].",
			"It was signed on March 14 [1], in Marenna [2]. Tariffs fall [1]."},
		{"list cut by the stream", "Tariffs fall [4, 2] and ports open [2].",
			"Tariffs fall [1, 2] and ports open [2]."},
		{"range cut by the stream", "Both say so [3 - 5], first [5].",
			"Both say so [1-3], first [3]."},
		{"marker to no passage", "It was signed [9] on March 14 [2].",
			"It was signed on March 14 [1]."},
		{"footnote-like brackets", "It was signed in March.[4][2] Ports open [1-99]. [citation needed] [ 2 ]",
			"It was signed in March.[1][2] Ports open [1-5]. [citation needed] [ 2 ]"},
		{"marker inside a marker", "It was signed [3[9]] in March [1].",
			"It was signed [1] in March [2]."},
		{"already in order", "It was signed on March 14, 2025 [1].",
			"It was signed on March 14, 2025 [1]."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ans, partials := askStreamed(t, tt.reply)
			if len(ans.Passages) < 5 {
				t.Fatalf("%d passages found, want 5: the test proves nothing", len(ans.Passages))
			}
			if ans.Text != tt.want {
				t.Errorf("answer %q, want %q", ans.Text, tt.want)
			}
			if len(partials) < 2 {
				t.Fatalf("streamed %q: not piece by piece", partials)
			}
			for _, p := range partials {
				if !strings.HasPrefix(ans.Text, p) || openMarker.MatchString(p) {
					t.Errorf("streamed %q, not the start of the answer %q or ending in half a marker", p, ans.Text)
				}
			}
			if streamed := partials[len(partials)-1]; streamed != ans.Text {
				t.Errorf("streamed %q in all, want the answer %q", streamed, ans.Text)
			}
		})
	}
}

// askStreamed asks a core whose model replies reply, streaming, and
// returns the answer and what had been streamed after each piece.
func askStreamed(t *testing.T, reply string) (Answer, []string) {
	t.Helper()
	env := newLLMEnv(t, fakeopenai.Options{Reply: func(fakeopenai.ChatRequest) string { return reply }})
	core := NewCore(CoreOptions{Store: sampleStore(t), Answerer: env.answerer()})
	var (
		mu       sync.Mutex
		stream   strings.Builder
		partials []string
	)
	ans, err := core.AskStream(t.Context(), Question{Text: "When was the Northvale and Coastal Union trade agreement signed?"}, func(d string) {
		mu.Lock()
		defer mu.Unlock()
		stream.WriteString(d)
		partials = append(partials, stream.String())
	})
	if err != nil {
		t.Fatal(err)
	}
	if env.fake.Count(fakeopenai.Chat) == 0 {
		t.Fatal("the model was not asked")
	}
	mu.Lock()
	defer mu.Unlock()
	return ans, partials
}
