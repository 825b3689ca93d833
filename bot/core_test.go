package bot

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/retrieval"
)

// sampleStore opens a store in a temp dir holding the sample articles of
// testdata/articles in the shared scope.
func sampleStore(t *testing.T) *retrieval.Store {
	t.Helper()
	files, err := ingest.Files([]string{"../testdata/articles"})
	if err != nil {
		t.Fatal(err)
	}
	return storeOf(t, files...)
}

func TestCoreChecksTheModelsCitations(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		reply = ""
	)
	env := newLLMEnv(t, fakeopenai.Options{Reply: func(fakeopenai.ChatRequest) string {
		mu.Lock()
		defer mu.Unlock()
		return reply
	}})
	store := sampleStore(t)
	core := NewCore(CoreOptions{Store: store, Answerer: env.answerer()})
	ctx := t.Context()
	q := Question{Text: "When was the Northvale and Coastal Union trade agreement signed?"}

	tests := []struct {
		name      string
		reply     string
		wantText  string
		wantCited int
		wantFound bool
	}{
		{"renumbered in order of first use", "It was signed on March 14, 2025 [2][1]. Tariffs fall [2].", "It was signed on March 14, 2025 [1][2]. Tariffs fall [1].", 2, true},
		{"markers to no passage dropped", "Signed in Marenna [1, 9] on March 14 [42].", "Signed in Marenna [1] on March 14.", 1, true},
		{"ranges", "Both say so [1-2].", "Both say so [1, 2].", 2, true},
		{"no citations", "It was signed in spring.", "It was signed in spring.", 0, false},
	}
	for _, tt := range tests {
		mu.Lock()
		reply = tt.reply
		mu.Unlock()
		ans, err := core.Ask(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if ans.Text != tt.wantText || len(ans.Citations) != tt.wantCited || ans.Found != tt.wantFound {
			t.Errorf("%s: got %q with %d citations (found %v), want %q with %d", tt.name, ans.Text, len(ans.Citations), ans.Found, tt.wantText, tt.wantCited)
		}
		for i, c := range ans.Citations {
			if c.N != i+1 || c.ArticleID == "" || c.Quote == "" || c.Title == "" {
				t.Errorf("%s: citation %d = %+v", tt.name, i, c)
			}
		}
		if !tt.wantFound && ans.Note == "" {
			t.Errorf("%s: an answer citing nothing carries no note", tt.name)
		}
	}

	// The prompt held the retrieved passages, numbered, with their titles.
	reqs := env.fake.Requests()
	last := reqs[len(reqs)-1].Chat
	prompt := last.Messages[len(last.Messages)-1].Content
	if !strings.Contains(prompt, `<passage n="1"`) || !strings.Contains(prompt, "Northvale and the Coastal Union sign trade deal") {
		t.Errorf("prompt lacks the numbered passages:\n%s", prompt)
	}
}

// recordingStore passes searches through and remembers their queries.
type recordingStore struct {
	Store
	mu      sync.Mutex
	queries []string
}

func (r *recordingStore) Search(ctx context.Context, query string, opt retrieval.SearchOptions) ([]retrieval.Passage, error) {
	r.mu.Lock()
	r.queries = append(r.queries, query)
	r.mu.Unlock()
	return r.Store.Search(ctx, query, opt)
}

func TestCoreRewritesFollowUps(t *testing.T) {
	t.Parallel()
	env := newLLMEnv(t, fakeopenai.Options{Reply: func(req fakeopenai.ChatRequest) string {
		if strings.Contains(req.Messages[len(req.Messages)-1].Content, "<passage") {
			return "On March 14, 2025 [1]."
		}
		return "When was the Northvale and Coastal Union trade agreement signed?"
	}})
	client := env.client()
	store := &recordingStore{Store: sampleStore(t)}
	core := NewCore(CoreOptions{Store: store, Answerer: NewLLMAnswerer(client), Rewriter: NewLLMRewriter(client)})
	history := []Turn{{Question: "What did Northvale agree with the Coastal Union?", Answer: "A free trade agreement removing tariffs [1]."}}
	ans, err := core.Ask(t.Context(), Question{Text: "and when was it signed?", History: history})
	if err != nil {
		t.Fatal(err)
	}
	if got := store.queries[len(store.queries)-1]; got != "When was the Northvale and Coastal Union trade agreement signed?" {
		t.Errorf("searched %q, want the rewritten question", got)
	}
	if !ans.Found || !strings.Contains(ans.Citations[0].Quote, "March 14, 2025") {
		t.Errorf("follow-up answer %+v", ans)
	}
}

func TestCoreFollowUpWithoutRewriter(t *testing.T) {
	t.Parallel()
	store := &recordingStore{Store: sampleStore(t)}
	core := NewCore(CoreOptions{Store: store, Answerer: Extractive{}})
	history := []Turn{{Question: "What did Northvale agree with the Coastal Union?", Answer: "A trade deal [1]."}}
	ans, err := core.Ask(t.Context(), Question{Text: "when was it signed?", History: history})
	if err != nil {
		t.Fatal(err)
	}
	if q := store.queries[0]; !strings.Contains(q, "Coastal Union") || !strings.Contains(q, "when was it signed?") {
		t.Errorf("searched %q, want the previous question joined to the follow-up", q)
	}
	if !strings.Contains(ans.Text, "March 14, 2025") {
		t.Errorf("answer %q lacks the signing date", ans.Text)
	}
}

func TestCoreRefusesBadQuestions(t *testing.T) {
	t.Parallel()
	core := NewCore(CoreOptions{Store: sampleStore(t), Answerer: Extractive{}})
	tests := []struct {
		name, text, scope, userMsg string
	}{
		{"empty", "   ", "", "Please ask a question."},
		{"too long", strings.Repeat("why ", 2600), "", "That question is too long (10399 characters); please keep it to at most 1000."},
		{"bad scope", "what?", "guild:", ""},
		{"punctuation only", "?", "", "Please ask a question in words."},
		{"emoji only", "😀 ?!", "", "Please ask a question in words."},
	}
	for _, tt := range tests {
		_, err := core.Ask(t.Context(), Question{Text: tt.text, Scope: tt.scope})
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if tt.userMsg != "" && !strings.Contains(UserMessage(err), tt.userMsg) {
			t.Errorf("%s: user message %q, want %q", tt.name, UserMessage(err), tt.userMsg)
		}
	}
}

// blockingAnswerer says on started when an answer begins, then holds it
// until it receives from release: each value sent lets one answer finish,
// closing release lets them all.
type blockingAnswerer struct {
	started chan struct{}
	release chan struct{}
}

func (blockingAnswerer) Name() string { return "blocking" }

func (b blockingAnswerer) Answer(ctx context.Context, _ string, _ []retrieval.Passage, _ []Turn, _ func(string)) (string, error) {
	b.started <- struct{}{}
	select {
	case <-b.release:
		return "Done [1].", nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func TestCoreRejectsWorkBeyondItsQueue(t *testing.T) {
	t.Parallel()
	ans := blockingAnswerer{started: make(chan struct{}, 10), release: make(chan struct{})}
	core := NewCore(CoreOptions{Store: sampleStore(t), Answerer: ans, MaxAnswers: 1})
	q := Question{Text: "How many transit workers went on strike in Riverton?"}
	ctx := t.Context()
	errs := make(chan error, 3)
	go func() { _, err := core.Ask(ctx, q); errs <- err }()
	<-ans.started // one answer is running; the next waits in the queue
	queued := newQueuedCtx(ctx)
	go func() { _, err := core.Ask(queued, q); errs <- err }()
	// Wait until the second has queued, then a third is refused at once
	// instead of waiting.
	<-queued.entered
	_, err := core.Ask(ctx, q)
	if !errors.Is(err, errBusy) || !strings.Contains(UserMessage(err), "too many requests") {
		t.Errorf("third answer: %v (%q), want ErrBusy with a friendly message", err, UserMessage(err))
	}
	close(ans.release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("queued answer failed: %v", err)
		}
	}
}

func TestCoreIngestSourcesForget(t *testing.T) {
	t.Parallel()
	s, err := retrieval.Open(t.Context(), t.TempDir(), retrieval.Options{Embedder: retrieval.NewLocalEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	core := NewCore(CoreOptions{Store: s, Answerer: Extractive{}})
	ctx := t.Context()
	if ans, err := core.Ask(ctx, Question{Text: "Where did the fire start?"}); err != nil || ans.Text != NoArticlesText || ans.Found {
		t.Errorf("asking an empty store: %+v, %v", ans, err)
	}
	a, err := ingest.ParseFile(filepath.Join("..", "testdata", "articles", "carson-ridge-wildfire.txt"))
	if err != nil {
		t.Fatal(err)
	}
	g1 := retrieval.GuildScope("1")
	res, err := core.Ingest(ctx, g1, a)
	if err != nil || res.Status != retrieval.Added || res.Chunks == 0 || res.Title != a.Title {
		t.Fatalf("ingest: %+v, %v", res, err)
	}
	if res, _ := core.Ingest(ctx, g1, a); res.Status != retrieval.Unchanged {
		t.Errorf("second ingest status %v, want unchanged", res.Status)
	}
	if _, err := core.Ingest(ctx, g1, ingest.Article{Title: "blank", Paragraphs: nil}); err == nil || !strings.Contains(UserMessage(err), "no text") {
		t.Errorf("empty article: %v", err)
	}
	if list, _ := core.Sources(ctx, retrieval.GuildScope("2")); len(list) != 0 {
		t.Errorf("guild 2 sees guild 1's articles: %+v", list)
	}
	if err := core.Forget(ctx, retrieval.GuildScope("2"), a.ID); err == nil || !strings.Contains(UserMessage(err), "No article") {
		t.Errorf("guild 2 forgetting guild 1's article: %v", err)
	}
	if err := core.Forget(ctx, g1, a.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := core.Sources(ctx, g1); len(list) != 0 {
		t.Errorf("forgotten article still listed: %+v", list)
	}
}
