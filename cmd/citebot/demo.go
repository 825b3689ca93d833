package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/citebot/citebot/bot"
)

// newDemoCmd shows the main job on a fresh machine: it ingests the sample
// articles into a temporary store (or --data-dir) and answers a few of the
// sample questions, one of them not covered by the articles.
func newDemoCmd(c *common, env *environment) *cobra.Command {
	var articles string
	cmd := command("demo [flags] [QUESTION...]",
		"ingest testdata/articles into a temporary store and answer sample questions",
		`Ingest a directory of articles (default testdata/articles, from the repository's top
directory) into a temporary store, or --data-dir, and answer sample questions, or those given.
The demo never writes into the store CITEBOT_DATA_DIR or CITEBOT_DATABASE_URL name: only
--data-dir, given on the command line, keeps its articles.`,
		`  go run ./cmd/citebot demo
  citebot demo --articles ~/articles "Who won the vote?"`,
		[][]string{envAnswer, envEmbed},
		func(cmd *cobra.Command, pos []string) error {
			if f := cmd.Flag("data-dir"); f == nil || !f.Changed {
				// The sample articles are fiction: they never go into the
				// store that CITEBOT_DATA_DIR or CITEBOT_DATABASE_URL name,
				// which a loaded .env may set for serve.
				c.dataDir = ""
				env = demoEnvironment(env)
			}
			return runDemo(cmd.Context(), env, c, articles, pos)
		})
	c.register(cmd.Flags(), showAnswer|showEmbed|showChunk)
	cmd.Flags().StringVar(&articles, "articles", filepath.Join("testdata", "articles"), "directory of articles to ingest")
	return cmd
}

// demoEnvironment is env without the settings that name a store.
func demoEnvironment(env *environment) *environment {
	e := *env
	e.getenv = func(name string) string {
		if name == "CITEBOT_DATA_DIR" || name == envDatabaseURL {
			return ""
		}
		return env.getenv(name)
	}
	return &e
}

func runDemo(ctx context.Context, env *environment, c *common, articles string, pos []string) error {
	if _, err := os.Stat(articles); err != nil {
		return fmt.Errorf("demo needs the sample articles (run it from the repository's top directory, or pass --articles): %w", err)
	}
	if c.dataDir == "" {
		dir, err := os.MkdirTemp("", "citebot-demo-")
		if err != nil {
			return fmt.Errorf("demo: temporary store: %w", err)
		}
		defer os.RemoveAll(dir)
		c.dataDir = dir
	}
	c.scope = "shared"
	questions := pos
	if len(questions) == 0 {
		questions = sampleQuestions(filepath.Dir(articles))
	}
	a, err := c.open(ctx, env, mayCreate)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(env.stdout, "== citebot ingest %s\n", articles)
	// Files that fail are named on standard error; the questions are still
	// asked of the articles that went in, and the demo exits 1 at the end,
	// as ingest does.
	t := ingestAll(ctx, env, a, c.scope, []string{articles})
	if t.interrupted || t.added+t.updated+t.unchanged == 0 {
		return failure("articles in %s: %s", articles, t)
	}
	for _, q := range questions {
		fmt.Fprintf(env.stdout, "\n== citebot ask %q\n", q)
		ans, err := a.core.Ask(ctx, bot.Question{Text: q, Scope: c.scope})
		if err != nil {
			return fmt.Errorf("ask %q: %w", q, err)
		}
		if err := printAnswer(env.stdout, ans); err != nil {
			return err
		}
	}
	if t.failed > 0 {
		return failure("articles in %s: %s", articles, t)
	}
	return nil
}

// sampleQuestions takes the first two questions of questions.jsonl and the
// first of unrelated.txt in dir (a question no article touches).
func sampleQuestions(dir string) []string {
	var out []string
	if f, err := os.Open(filepath.Join(dir, "questions.jsonl")); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() && len(out) < 2 {
			var q struct {
				Question string `json:"question"`
			}
			if json.Unmarshal(sc.Bytes(), &q) == nil && q.Question != "" {
				out = append(out, q.Question)
			}
		}
		f.Close()
	}
	if data, err := os.ReadFile(filepath.Join(dir, "unrelated.txt")); err == nil {
		if line, _, _ := strings.Cut(strings.TrimSpace(string(data)), "\n"); line != "" {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}
