package bot

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/retrieval"
)

func TestSummarizeQuotesTheLeadOffline(t *testing.T) {
	t.Parallel()
	st := storeOf(t, "../testdata/articles/riverton-transit-strike.txt")
	core := NewCore(CoreOptions{Store: st, Answerer: Extractive{}})
	infos, err := core.Sources(t.Context(), retrieval.SharedScope)
	if err != nil || len(infos) != 1 {
		t.Fatalf("sources: %v %v", infos, err)
	}
	ans, err := core.Summarize(t.Context(), retrieval.GuildScope("7"), infos[0].ID) // a guild sees shared articles
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(ans.Text, "\n")
	if !ans.Found || len(lines) != leadSentences || len(ans.Citations) == 0 {
		t.Fatalf("summary %q with %d citations, want %d cited lead sentences", ans.Text, len(ans.Citations), leadSentences)
	}
	if !strings.HasPrefix(lines[0], "- About 3,800 bus drivers") || !strings.HasSuffix(lines[0], "[1]") {
		t.Errorf("first bullet %q, want the article's first sentence cited [1]", lines[0])
	}
	for _, c := range ans.Citations {
		if c.ArticleID != infos[0].ID {
			t.Errorf("citation of another article: %+v", c)
		}
	}
}

func TestSummarizeRefusesArticlesNotHere(t *testing.T) {
	t.Parallel()
	st := storeOf(t)
	core := NewCore(CoreOptions{Store: st, Answerer: Extractive{}})
	a, err := ingest.ParseFile("../testdata/articles/carson-ridge-wildfire.txt")
	if err != nil {
		t.Fatal(err)
	}
	res, err := core.Ingest(t.Context(), retrieval.GuildScope("1"), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ scope, id string }{
		{retrieval.GuildScope("2"), res.ID}, // another server's article
		{retrieval.SharedScope, res.ID},
		{retrieval.GuildScope("1"), "tnosuchid"},
	} {
		_, err := core.Summarize(t.Context(), tt.scope, tt.id)
		if !errors.Is(err, retrieval.ErrNotFound) || !strings.Contains(UserMessage(err), "No article with ID") {
			t.Errorf("summarize %s in %s: %v (%q), want not found", tt.id, tt.scope, err, UserMessage(err))
		}
	}
	if _, err := core.Summarize(t.Context(), retrieval.GuildScope("1"), res.ID); err != nil {
		t.Errorf("its own server: %v", err)
	}
}

// TestModelSummarisesLongArticlesInParts: an article longer than one call
// holds is summarised part by part, then combined; the summary cites
// passages of both parts with their article-wide numbers, keeps at most
// MaxSummaryBullets points, and its sources are that article's passages.
func TestModelSummarisesLongArticlesInParts(t *testing.T) {
	t.Parallel()
	var (
		mu      sync.Mutex
		prompts []string
	)
	env := newLLMEnv(t, fakeopenai.Options{Reply: func(req fakeopenai.ChatRequest) string {
		p := req.Messages[len(req.Messages)-1].Content
		mu.Lock()
		prompts = append(prompts, p)
		mu.Unlock()
		switch {
		case strings.Contains(p, "part 1 of 2"):
			return "- The harbour plan begins [1].\n- Its cost is set [2]."
		case strings.Contains(p, "part 2 of"):
			return "- Work ends in spring [30]."
		case strings.Contains(p, "Combine them"):
			return "Here is the summary:\n- The harbour plan begins [1].\n- Its cost is set [2].\n- Work ends in spring [30].\n- One more [2].\n- And more [1].\n- Too many [30].\n\nHope this helps!"
		}
		return "unexpected prompt"
	}})
	var paras []string
	for i := range 30 {
		paras = append(paras, fmt.Sprintf("Paragraph %d of the harbour plan says the council will dredge the harbour and rebuild its north quay, %s.", i+1, strings.Repeat("with detail on costs, dates and contractors ", 12)))
	}
	a := ingest.Article{Title: "Harbour plan", Source: "Port Gazette", Published: time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), Paragraphs: paras}
	st := storeOf(t)
	core := NewCore(CoreOptions{Store: st, Answerer: env.answerer(), Chunking: ingest.ChunkOptions{TargetWords: 40, MaxWords: 130}})
	res, err := core.Ingest(t.Context(), retrieval.SharedScope, a)
	if err != nil || res.Chunks < 30 {
		t.Fatalf("ingest: %+v %v", res, err)
	}
	ans, err := core.Summarize(t.Context(), retrieval.SharedScope, res.ID)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	calls := len(prompts)
	mu.Unlock()
	if calls < 3 {
		t.Fatalf("%d chat calls, want one per part and one to combine", calls)
	}
	bullets := strings.Count(ans.Text, "- ")
	if bullets != MaxSummaryBullets || strings.Contains(ans.Text, "Hope this helps") {
		t.Errorf("summary %q: want %d bullets and nothing after them", ans.Text, MaxSummaryBullets)
	}
	if len(ans.Citations) != 3 || ans.Citations[2].Quote != ans.Passages[29].Text {
		t.Errorf("citations %+v, want passages 1, 2 and 30", ans.Citations)
	}
	for _, c := range ans.Citations {
		if c.ArticleID != res.ID || c.Published.IsZero() {
			t.Errorf("citation %+v", c)
		}
	}
}
