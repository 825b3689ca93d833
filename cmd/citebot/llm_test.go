package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
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

// TestModelPassages: --model-passages, else CITEBOT_MODEL_PASSAGES, sets
// how many passages the model reads (5 by default); citebot config shows
// it and where it came from.
func TestModelPassages(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		read []int
	)
	srv := fakeopenai.New(fakeopenai.Options{Reply: func(req fakeopenai.ChatRequest) string {
		mu.Lock()
		read = append(read, strings.Count(req.Messages[len(req.Messages)-1].Content, "<passage n="))
		mu.Unlock()
		return "It was signed in March [1]."
	}})
	t.Cleanup(srv.Close)
	c := newCLI(t)
	if code, _, errOut := c.run("", "ingest", articlesDir); code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}
	c.env["OPENAI_BASE_URL"] = srv.URL
	q := loadQuestions(t)[0].Question
	tests := []struct {
		name string
		env  string
		args []string
		want int
		from string
	}{
		{"default", "", nil, 5, "default"},
		{"environment", "3", nil, 3, "environment"},
		{"flag over environment", "3", []string{"--model-passages", "8"}, 8, "flag --model-passages"},
	}
	for _, tt := range tests {
		env := maps.Clone(c.env)
		if tt.env != "" {
			env["CITEBOT_MODEL_PASSAGES"] = tt.env
		}
		cc := *c
		cc.env = env
		mu.Lock()
		read = nil
		mu.Unlock()
		if code, _, errOut := cc.run("", append([]string{"ask", q}, tt.args...)...); code != 0 {
			t.Fatalf("%s: ask exit %d: %s", tt.name, code, errOut)
		}
		mu.Lock()
		got := slices.Clone(read)
		mu.Unlock()
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s: the model read %v passages, want [%d]", tt.name, got, tt.want)
		}
		code, out, errOut := cc.run("", append([]string{"config"}, tt.args...)...)
		if code != 0 {
			t.Fatalf("%s: config exit %d: %s", tt.name, code, errOut)
		}
		if !regexp.MustCompile(fmt.Sprintf(`(?m)^CITEBOT_MODEL_PASSAGES +%d +%s$`, tt.want, tt.from)).MatchString(out) {
			t.Errorf("%s: config shows\n%s\nwant CITEBOT_MODEL_PASSAGES %d from %s", tt.name, out, tt.want, tt.from)
		}
	}
	for _, bad := range []string{"0", "51", "five"} {
		env := maps.Clone(c.env)
		env["CITEBOT_MODEL_PASSAGES"] = bad
		cc := *c
		cc.env = env
		if code, _, errOut := cc.run("", "ask", q); code != 2 || !strings.Contains(errOut, "CITEBOT_MODEL_PASSAGES") {
			t.Errorf("CITEBOT_MODEL_PASSAGES=%s: exit %d, stderr %q; want a usage error naming it", bad, code, errOut)
		}
	}
}

// When the model fails, ask says so in a short sentence and the log line
// beside it gives the cause, at the default log level.
func TestAskModelFailureIsLogged(t *testing.T) {
	t.Parallel()
	srv := fakeopenai.New(fakeopenai.Options{})
	t.Cleanup(srv.Close)
	c := newCLI(t)
	if code, _, errOut := c.run("", "ingest", articlesDir); code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}
	c.env["OPENAI_BASE_URL"] = srv.URL
	c.env["CITEBOT_ANSWERER"] = "llm"
	srv.Fail(fakeopenai.Chat, fakeopenai.Failure{Status: 401})
	code, _, errOut := c.run("", "ask", loadQuestions(t)[0].Question)
	if code != 1 {
		t.Fatalf("ask with a refused key: exit %d, want 1: %s", code, errOut)
	}
	for _, want := range []string{"refused the bot's credentials", `msg="ask failed"`, "HTTP 401"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}
