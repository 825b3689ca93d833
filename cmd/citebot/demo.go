package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/citebot/citebot/bot"
)

// cmdDemo shows the main job on a fresh machine: it ingests the sample
// articles into a temporary store (or --data-dir) and answers a few of the
// sample questions, one of them not covered by the articles.
func cmdDemo(ctx context.Context, env *environment, args []string) error {
	var c common
	var articles string
	fs := newFlagSet("demo", env, "[--articles DIR] [QUESTION...]")
	c.register(fs, env, false)
	fs.StringVar(&articles, "articles", filepath.Join("testdata", "articles"), "directory of articles to ingest")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
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
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(env.stdout, "== citebot ingest %s\n", articles)
	if failed := ingestAll(ctx, env, a, c.scope, []string{articles}); failed > 0 {
		return fmt.Errorf("%d sample article(s) failed to ingest", failed)
	}
	for _, q := range questions {
		fmt.Fprintf(env.stdout, "\n== citebot ask %q\n", q)
		ans, err := a.core.Ask(ctx, bot.Question{Text: q, Scope: c.scope})
		if err != nil {
			return fmt.Errorf("ask %q: %w", q, err)
		}
		printAnswer(env.stdout, ans)
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
