package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/pgtest"
	"github.com/citebot/citebot/retrieval"
)

const articlesDir = "../../testdata/articles"

// cli runs citebot in-process with its own data directory.
type cli struct {
	t       *testing.T
	dataDir string
	env     map[string]string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	c := newSQLiteCLI(t)
	if os.Getenv(testBackendVar) == "postgres" {
		c.env[envDatabaseURL] = pgtest.DB(t)
	}
	return c
}

// newSQLiteCLI makes a cli whose store is SQLite in its data directory,
// whatever CITEBOT_TEST_BACKEND says.
func newSQLiteCLI(t *testing.T) *cli {
	t.Helper()
	return &cli{t: t, dataDir: t.TempDir(), env: map[string]string{}}
}

// openStore opens c's store beside the cli, as another process would:
// SQLite in its data directory, or its PostgreSQL database.
func (c *cli) openStore(opt retrieval.Options) (*retrieval.Store, error) {
	opt.DatabaseURL = c.env[envDatabaseURL]
	return retrieval.Open(c.t.Context(), c.dataDir, opt)
}

// ingestID ingests the test article name (in articlesDir) and returns its
// ID, from ingest's first column.
func (c *cli) ingestID(name string) string {
	c.t.Helper()
	code, out, errOut := c.run("", "ingest", filepath.Join(articlesDir, name))
	if code != 0 {
		c.t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	id, _, _ := strings.Cut(out, "\t")
	return id
}

func (c *cli) run(stdin string, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "CITEBOT_DATA_DIR" {
			return c.dataDir
		}
		return c.env[k]
	}
	code = run(ctx, args, strings.NewReader(stdin), &out, &errb, getenv)
	return code, out.String(), errb.String()
}

type sampleQuestion struct {
	Question       string   `json:"question"`
	Article        string   `json:"article"`
	AnswerSentence string   `json:"answer_sentence"`
	Answers        []string `json:"answers"`
}

func loadQuestions(t *testing.T) []sampleQuestion {
	t.Helper()
	f, err := os.Open("../../testdata/questions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []sampleQuestion
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q sampleQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("questions.jsonl: %v", err)
		}
		qs = append(qs, q)
	}
	return qs
}

func unrelatedQuestions(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../../testdata/unrelated.txt")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// articleIDs maps each sample file name to its article ID.
func articleIDs(t *testing.T) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(articlesDir)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, e := range entries {
		a, err := ingest.ParseFile(filepath.Join(articlesDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		ids[e.Name()] = a.ID
	}
	return ids
}

func TestIngestAskEndToEnd(t *testing.T) { forCLIBackends(t, testIngestAskEndToEnd) }

func testIngestAskEndToEnd(t *testing.T, newCLI func(*testing.T) *cli) {
	c := newCLI(t)
	code, out, errOut := c.run("", "ingest", articlesDir)
	if code != 0 {
		t.Fatalf("ingest exit %d: %s", code, errOut)
	}
	ids := articleIDs(t)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(ids) {
		t.Fatalf("ingest printed %d lines for %d articles:\n%s", len(lines), len(ids), out)
	}
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 4 || !strings.Contains(f[2], " chunk") || f[3] != "added" {
			t.Errorf("ingest line %q: want ID<TAB>title<TAB>N chunks<TAB>added", l)
		}
	}

	// Ingesting the same files again changes nothing and says so.
	code, out, _ = c.run("", "ingest", articlesDir)
	if code != 0 || strings.Count(out, "already ingested") != len(ids) {
		t.Errorf("second ingest: exit %d, want every article already ingested:\n%s", code, out)
	}

	qs := loadQuestions(t)
	answered, citedRight := 0, 0
	for _, q := range qs {
		t.Run(q.Question, func(t *testing.T) {
			code, out, errOut := c.run("", "ask", "--json", q.Question)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var ans askJSON
			if err := json.Unmarshal([]byte(out), &ans); err != nil {
				t.Fatalf("ask --json printed %q: %v", out, err)
			}
			// The documented keys are all there, "note" too when empty.
			var keys map[string]json.RawMessage
			if err := json.Unmarshal([]byte(out), &keys); err != nil {
				t.Fatalf("ask --json printed %q: %v", out, err)
			}
			for _, k := range []string{"answer", "found", "note", "citations", "passages"} {
				if _, ok := keys[k]; !ok {
					t.Errorf("ask --json lacks %q: %s", k, out)
				}
			}
			if !ans.Found || len(ans.Citations) == 0 {
				t.Fatalf("not found: %+v", ans)
			}
			cited := false
			for _, c := range ans.Citations {
				cited = cited || c.ArticleID == ids[q.Article]
			}
			if cited {
				citedRight++
			} else {
				t.Logf("answer %q does not cite %s: %+v", ans.Answer, q.Article, ans.Citations)
			}
			if containsAny(ans.Answer, q.Answers) {
				answered++
			} else {
				t.Logf("answer %q holds none of %q", ans.Answer, q.Answers)
			}
			if !strings.Contains(ans.Answer, "[1]") {
				t.Errorf("answer has no [1] marker: %q", ans.Answer)
			}
			if len(ans.Passages) < 5 {
				t.Errorf("got %d passages, want at least 5", len(ans.Passages))
			}
		})
	}
	// The extractive answerer picks sentences by their words, so it misses
	// answers that are only paraphrased; it must still find most, and cite
	// the right article for nearly all.
	if share := float64(citedRight) / float64(len(qs)); share < 0.9 {
		t.Errorf("the answer cites the expected article for %d of %d questions, want at least 90%%", citedRight, len(qs))
	}
	if share := float64(answered) / float64(len(qs)); share < 0.75 {
		t.Errorf("the answer text holds the expected answer for %d of %d questions, want at least 75%%", answered, len(qs))
	}
	for _, q := range unrelatedQuestions(t) {
		t.Run("unrelated/"+q, func(t *testing.T) {
			code, out, errOut := c.run("", "ask", q, "--json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var ans askJSON
			if err := json.Unmarshal([]byte(out), &ans); err != nil {
				t.Fatal(err)
			}
			if ans.Found || len(ans.Citations) != 0 || !strings.Contains(ans.Answer, "don't cover") {
				t.Errorf("want not covered, got %+v", ans)
			}
			if len(ans.Passages) < 5 {
				t.Errorf("got %d passages, want the top 5 even when not covered", len(ans.Passages))
			}
		})
	}
}

func TestAskTextOutputAndRestart(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("", "ingest", filepath.Join(articlesDir, "trade-agreement-signing.txt")); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	// A new process on the same data directory: the store survives.
	code, out, errOut := c.run("", "ask", "When was the trade agreement signed?")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "\nSources:\n[1] ") {
		t.Errorf("text answer lacks its sources:\n%s", out)
	}
	if !strings.Contains(errOut, "answerer extractive") || !strings.Contains(errOut, "embedder local") {
		t.Errorf("stderr does not name the answerer and embedder: %q", errOut)
	}
}

func TestAskFromStandardInput(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("", "ingest", articlesDir); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	qs := loadQuestions(t)[:3]
	var in strings.Builder
	for _, q := range qs {
		in.WriteString(q.Question + "\n\n")
	}
	code, out, errOut := c.run(in.String(), "ask", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(qs) {
		t.Fatalf("got %d lines for %d questions", len(lines), len(qs))
	}
	for i, l := range lines {
		var ans askJSON
		if err := json.Unmarshal([]byte(l), &ans); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if ans.Question != qs[i].Question || !ans.Found {
			t.Errorf("line %d: %+v", i, ans)
		}
	}
}

func TestSourcesForgetAndScopes(t *testing.T) { forCLIBackends(t, testSourcesForgetAndScopes) }

func testSourcesForgetAndScopes(t *testing.T, newCLI func(*testing.T) *cli) {
	c := newCLI(t)
	file := filepath.Join(articlesDir, "deep-sea-octopus-discovery.txt")
	if code, _, errOut := c.run("", "ingest", "--scope", "guild:1", file); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	sources := func(scope string) []sourceJSON {
		t.Helper()
		code, out, errOut := c.run("", "sources", "--json", "--scope", scope)
		if code != 0 {
			t.Fatalf("sources: %s", errOut)
		}
		var s []sourceJSON
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("sources --json printed %q: %v", out, err)
		}
		return s
	}
	got := sources("guild:1")
	if len(got) != 1 || got[0].Scope != "guild:1" || got[0].Chunks == 0 || got[0].Title == "" || got[0].Ingested == "" {
		t.Fatalf("guild:1 sources = %+v", got)
	}
	if other := sources("guild:2"); len(other) != 0 {
		t.Errorf("guild:2 sees guild:1's article: %+v", other)
	}
	if shared := sources("shared"); len(shared) != 0 {
		t.Errorf("shared sees guild:1's article: %+v", shared)
	}
	// Only the owning scope can forget it.
	if code, _, _ := c.run("", "forget", "--scope", "guild:2", got[0].ID); code == 0 {
		t.Error("guild:2 forgot guild:1's article")
	}
	if code, out, errOut := c.run("", "forget", "--scope", "guild:1", got[0].ID); code != 0 || !strings.Contains(out, got[0].ID) {
		t.Fatalf("forget: exit %d %s %s", code, out, errOut)
	}
	if left := sources("guild:1"); len(left) != 0 {
		t.Errorf("article still listed after forget: %+v", left)
	}
}

func TestCommandLineErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no command", nil, 2, ""},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"empty question", []string{"ask", "  "}, 2, "no question"},
		{"missing file", []string{"ingest", "does/not/exist.txt"}, 1, "does/not/exist.txt"},
		{"bad scope", []string{"sources", "--scope", "guild:"}, 2, "invalid --scope"},
		{"forget nothing", []string{"forget"}, 2, "one article ID"},
		{"forget unknown", []string{"forget", "t0000000000000000"}, 1, "No article"},
		{"unknown answerer", []string{"ask", "--answerer", "oracle", "hi?"}, 2, "unknown answerer"},
		{"unknown sentence model setting", []string{"ask", "--sentence-model", "maybe", "hi?"}, 2, `unknown --sentence-model "maybe": want on or off`},
		{"unknown flag", []string{"sources", "--colour"}, 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			code, _, errOut := c.run("", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.inStderr) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, tt.code, tt.inStderr)
			}
		})
	}
}

func TestIngestKeepsGoingPastFailures(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := c.run("", "ingest", filepath.Join(dir, "empty.txt"), filepath.Join(articlesDir, "carson-ridge-wildfire.txt"))
	if code != 1 {
		t.Errorf("exit %d, want 1 when one input fails", code)
	}
	if !strings.Contains(errOut, "empty.txt") {
		t.Errorf("stderr does not name the failed file: %q", errOut)
	}
	if !strings.Contains(out, "Wildfire near Carson Ridge") {
		t.Errorf("the good article was not ingested: %q", out)
	}
}

func TestDemo(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.dataDir = ""
	code, out, errOut := c.run("", "demo", "--articles", articlesDir)
	if code != 0 {
		t.Fatalf("demo exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Sources:\n[1]") || !strings.Contains(out, "don't cover") {
		t.Errorf("demo output lacks a cited answer and a not-covered one:\n%s", out)
	}
}

// The demo's fictional articles never reach the store the environment
// names (a .env loaded for serve): only --data-dir keeps them.
func TestDemoLeavesTheConfiguredStoreAlone(t *testing.T) {
	t.Parallel()
	c := newSQLiteCLI(t)
	// A database the demo would fail to reach if it used it.
	c.env[envDatabaseURL] = "postgres://citebot@127.0.0.1:1/citebot?connect_timeout=1"
	code, _, errOut := c.run("", "demo", "--articles", articlesDir, "Who won the vote?")
	if code != 0 {
		t.Fatalf("demo with CITEBOT_DATA_DIR and CITEBOT_DATABASE_URL set: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(c.dataDir, "citebot.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("demo wrote a store into CITEBOT_DATA_DIR %s (stat: %v)", c.dataDir, err)
	}

	kept := filepath.Join(t.TempDir(), "kept")
	delete(c.env, envDatabaseURL)
	if code, _, errOut := c.run("", "demo", "--data-dir", kept, "--articles", articlesDir, "Who won the vote?"); code != 0 {
		t.Fatalf("demo --data-dir: exit %d: %s", code, errOut)
	}
	code, out, errOut := c.run("", "sources", "--data-dir", kept)
	if code != 0 || !strings.Contains(out, "Wildfire near Carson Ridge") {
		t.Errorf("demo --data-dir %s did not keep the articles: exit %d, %q %s", kept, code, out, errOut)
	}
}

// A file of the demo's directory that fails is named, the questions are
// still answered from the others, and the demo exits 1.
func TestDemoGoesOnPastAFailedFile(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(articlesDir)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := c.run("", "demo", "--articles", dir, "Who won the vote?")
	if code != 1 {
		t.Errorf("demo with an empty file: exit %d, want 1", code)
	}
	if !strings.Contains(errOut, "empty.txt") {
		t.Errorf("stderr does not name the failed file: %q", errOut)
	}
	if !strings.Contains(out, "Sources:\n[1]") {
		t.Errorf("the question was not answered from the other articles:\n%s", out)
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(strings.ToLower(s), strings.ToLower(sub)) {
			return true
		}
	}
	return false
}

func TestChunkSizeFlags(t *testing.T) {
	t.Parallel()
	file := filepath.Join(articlesDir, "riverton-transit-strike.txt")
	chunks := func(args ...string) int {
		t.Helper()
		c := newCLI(t)
		code, out, errOut := c.run("", append([]string{"ingest"}, append(args, file)...)...)
		if code != 0 {
			t.Fatalf("ingest %v: %s", args, errOut)
		}
		var n int
		if _, err := fmt.Sscanf(strings.Split(out, "\t")[2], "%d", &n); err != nil {
			t.Fatalf("ingest line %q: %v", out, err)
		}
		return n
	}
	def, small := chunks(), chunks("--chunk-words", "30", "--chunk-max-words", "45")
	if small <= def {
		t.Errorf("--chunk-words 30 gave %d chunks, the default %d; want more", small, def)
	}
}

// TestAskQuotesWithTheSentenceModel: the extractive answer of `ask` is
// chosen with the built-in sentence model by default (the sentence that
// says what happened, in other words than the question's) and on words
// alone with --sentence-model off (the sentence holding most of them).
func TestAskQuotesWithTheSentenceModel(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	article := filepath.Join(t.TempDir(), "visit.txt")
	text := "Queen visits Norway\n\nA trade agreement signed by the Queen and the Norwegian prime minister in Oslo " +
		"on Tuesday commits both countries to cut tariffs on fish and timber. " +
		"Cheering crowds and a military band greeted the Queen in Oslo. " +
		"It was her first visit to Norway in twelve years.\n"
	if err := os.WriteFile(article, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := c.run("", "ingest", article); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	question := "What happened when the Queen arrived in Oslo?"
	tests := []struct {
		setting, want string
	}{
		{"on", "Cheering crowds and a military band greeted the Queen in Oslo. [1]"},
		{"off", "A trade agreement signed by the Queen and the Norwegian prime minister in Oslo on Tuesday commits both countries to cut tariffs on fish and timber. [1]"},
	}
	for _, tt := range tests {
		code, out, errOut := c.run("", "ask", "--sentence-model", tt.setting, question)
		if code != 0 {
			t.Fatalf("--sentence-model %s: exit %d: %s", tt.setting, code, errOut)
		}
		if first, _, _ := strings.Cut(out, "\n"); first != tt.want {
			t.Errorf("--sentence-model %s: answer %q, want %q", tt.setting, first, tt.want)
		}
	}
}
