package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/citebot/citebot/internal/fakeopenai"
)

// With OPENAI_BASE_URL set, citebot embeds in batches and answers with the
// model through the real go-openai client, checking its citations.
func TestOpenAICompatibleServer(t *testing.T) {
	t.Parallel()
	srv := fakeopenai.New(fakeopenai.Options{Dimensions: 64, ShuffleEmbeddings: true})
	t.Cleanup(srv.Close)
	c := newCLI(t)
	c.env["OPENAI_BASE_URL"] = srv.URL
	c.env["CITEBOT_EMBEDDER"] = "openai"

	code, out, errOut := c.run("", "ingest", articlesDir)
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}
	chunks := 0
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var n int
		f := strings.Split(l, "\t")
		if len(f) < 3 {
			t.Fatalf("ingest line %q", l)
		}
		if _, err := fmt.Sscanf(f[2], "%d", &n); err != nil {
			t.Fatalf("ingest line %q: %v", l, err)
		}
		chunks += n
	}
	articles := len(strings.Split(strings.TrimSpace(out), "\n"))
	// The articles' chunks are embedded together, 256 to a request, plus
	// one request that learns the model's size.
	if got, want := srv.Count(fakeopenai.Embeddings), 1+(chunks+255)/256; got != want {
		t.Errorf("%d embedding requests for %d chunks of %d articles, want %d", got, chunks, articles, want)
	}

	q := loadQuestions(t)[0]
	code, out, errOut = c.run("", "ask", "--json", q.Question)
	if code != 0 {
		t.Fatalf("ask exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "answerer openai:gpt-4o-mini") || !strings.Contains(errOut, "embedder openai:") {
		t.Errorf("stderr does not name the model answerer and embedder: %q", errOut)
	}
	var ans askJSON
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatal(err)
	}
	if !ans.Found || len(ans.Citations) != 1 || !strings.HasSuffix(ans.Answer, "[1].") {
		t.Fatalf("model answer not checked into one citation: %+v", ans)
	}
	if srv.Count(fakeopenai.Chat) != 1 {
		t.Errorf("%d chat requests, want 1", srv.Count(fakeopenai.Chat))
	}

	// Nothing relevant: the model is not called.
	before := srv.Count(fakeopenai.Chat)
	code, out, _ = c.run("", "ask", "--json", unrelatedQuestions(t)[1])
	if code != 0 || !strings.Contains(out, `"found":false`) {
		t.Fatalf("uncovered question: exit %d %s", code, out)
	}
	if srv.Count(fakeopenai.Chat) != before {
		t.Error("the model was called for a question the articles do not cover")
	}

	// The store remembers its embedder: asking with the local one is refused.
	delete(c.env, "CITEBOT_EMBEDDER")
	code, _, errOut = c.run("", "ask", q.Question)
	if code == 0 || !strings.Contains(errOut, "reindex") {
		t.Errorf("embedder mismatch: exit %d, stderr %q; want a pointer at citebot reindex", code, errOut)
	}
}
