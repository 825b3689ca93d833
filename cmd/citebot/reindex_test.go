package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/internal/testlog"
	"github.com/citebot/citebot/retrieval"
)

// citebot reindex with another embedder beside citebot serve on the same
// data directory: Ctrl-C stops it with the old embeddings in use and a
// rerun finishes it, with progress on standard error; the bot keeps
// answering, refuses ingests, and logs once what to do.
func TestReindexBesideServe(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("", "ingest", articlesDir); code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}

	// citebot serve's side: its store and its refresh, with the local
	// embedder, opened as serve opens it. This test's refresh calls stand
	// for serve's periodic ones; on PostgreSQL the change listener also
	// runs a Refresh at the reindex's commit, and whichever finds the
	// switch first, serve says once what to do.
	var logs testlog.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	store, err := c.openStore(retrieval.Options{Embedder: retrieval.NewLocalEmbedder(), OnEmbedderSwitch: embedderSwitched(log)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	serve := &app{store: store, log: log}
	q := loadQuestions(t)[0]
	answer := func(when string) {
		t.Helper()
		ps, err := store.Search(t.Context(), q.Question, retrieval.SearchOptions{K: 5})
		if err != nil || len(ps) == 0 || !strings.Contains(ps[0].Text, q.AnswerSentence) {
			t.Fatalf("%s: the bot's search gives %d passages, %v; want the answer first", when, len(ps), err)
		}
	}
	answer("before the reindex")

	// citebot reindex with an OpenAI-compatible embedder, interrupted on
	// its first batch (the request before it learns the model's size).
	ctx, interrupt := context.WithTimeout(context.Background(), 2*time.Minute)
	defer interrupt()
	var (
		mu       sync.Mutex
		requests int
	)
	srv := fakeopenai.New(fakeopenai.Options{Dimensions: 48, OnRequest: func(r fakeopenai.Request) {
		mu.Lock()
		defer mu.Unlock()
		if requests++; requests == 2 {
			interrupt()
		}
	}})
	t.Cleanup(srv.Close)
	env := map[string]string{"CITEBOT_DATA_DIR": c.dataDir, "OPENAI_BASE_URL": srv.URL, "CITEBOT_EMBEDDER": "openai"}
	if u := c.env[envDatabaseURL]; u != "" {
		env[envDatabaseURL] = u
	}
	var out, errb bytes.Buffer
	code := run(ctx, []string{"reindex"}, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	if code != 1 || !strings.Contains(errb.String(), "interrupted after 0 of 19 passages") ||
		!strings.Contains(errb.String(), "citebot reindex` again") {
		t.Fatalf("interrupted reindex: exit %d, stderr %q; want 1 and how to continue", code, errb.String())
	}
	refresh(t.Context(), serve)
	answer("after an interrupted reindex")
	if logs.String() != "" {
		t.Errorf("the bot logged after an interrupted reindex: %s", logs.String())
	}

	c.env = env
	code, stdout, stderr := c.run("", "reindex")
	if code != 0 || !strings.Contains(stdout, "reindexed with openai:") {
		t.Fatalf("reindex: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "reindex: 0 of 19 passages re-embedded") || !strings.Contains(stderr, "reindex: 19 of 19 passages re-embedded") {
		t.Errorf("reindex progress on stderr: %q", stderr)
	}

	for range 3 {
		refresh(t.Context(), serve)
		answer("after the reindex")
	}
	if n := strings.Count(logs.String(), "restart citebot with the new embedder settings (CITEBOT_EMBEDDER"); n != 1 {
		t.Errorf("the bot said %d times to restart with the new embedder settings, want once; log:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "run `citebot reindex`") {
		t.Errorf("the bot advises a reindex after one: %s", logs.String())
	}
	core := bot.NewCore(bot.CoreOptions{Store: store, Answerer: bot.Extractive{}})
	paras := []string{"The harbour ferry sailed again on Monday after the storm."}
	art := ingest.Article{ID: ingest.NewID("", "Harbour ferry returns", paras), Title: "Harbour ferry returns", Paragraphs: paras}
	_, err = core.Ingest(t.Context(), retrieval.SharedScope, art)
	if msg := bot.UserMessage(err); err == nil || !strings.Contains(msg, "restarted") {
		t.Errorf("ingest in the bot after the reindex: %v (user sees %q); want a refusal asking for a restart", err, msg)
	}

	// With the new settings, the store answers again.
	if code, _, errOut := c.run("", "ask", q.Question); code != 0 {
		t.Errorf("ask with the new embedder: exit %d: %s", code, errOut)
	}
}
