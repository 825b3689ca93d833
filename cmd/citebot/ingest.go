package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
)

func cmdIngest(ctx context.Context, env *environment, args []string) error {
	var c common
	fs := newFlagSet("ingest", env, "[--scope S] PATH|URL...")
	c.register(fs, env, true)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError("nothing to ingest: name files, directories or URLs")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	failed := ingestAll(ctx, env, a, c.scope, pos)
	if failed > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d input(s) failed", failed)}
	}
	return nil
}

// ingestBatch is how many articles are embedded together: a remote
// embedder then gets one request per 256 passages, not one per article.
const ingestBatch = 64

// ingestAll ingests every input, printing one line per article on
// standard output and one per failure on standard error. It returns the
// number of failures.
func ingestAll(ctx context.Context, env *environment, a *app, scope string, inputs []string) int {
	failed := 0
	report := func(input string, err error) {
		failed++
		a.log.Error("ingest failed", "input", clip(input), "err", clipText(err.Error(), input))
		fmt.Fprintf(env.stderr, "citebot ingest: %s: %s\n", clip(input), clipText(userText(err), input))
	}
	var (
		names    []string
		articles []ingest.Article
		fetcher  *ingest.Fetcher // made at the first URL
	)
	flush := func() {
		for i, out := range a.core.IngestBatch(ctx, scope, articles) {
			if out.Err != nil {
				report(names[i], out.Err)
				continue
			}
			r := out.Result
			fmt.Fprintf(env.stdout, "%s\t%s\t%d chunks\t%s\n", r.ID, r.Title, r.Chunks, r.Status)
		}
		names, articles = names[:0], articles[:0]
	}
	add := func(name string, art ingest.Article, err error) {
		if err != nil {
			report(name, err)
			return
		}
		names, articles = append(names, name), append(articles, art)
		if len(articles) == ingestBatch {
			flush()
		}
	}
	for _, in := range inputs {
		if ctx.Err() != nil {
			report(in, ctx.Err())
			continue
		}
		if isURL(in) {
			if fetcher == nil {
				fetcher = newFetcher(env)
			}
			art, err := fetcher.Fetch(ctx, in)
			add(in, art, err)
			continue
		}
		files, err := ingest.Files([]string{in})
		if err != nil {
			report(in, err)
		}
		for _, f := range files {
			art, err := ingest.ParseFile(f)
			add(f, art, err)
		}
	}
	if len(articles) > 0 {
		flush()
	}
	return failed
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// userText is the short text of err for a person: its user message when
// it has one, else the error itself (the command line is for operators).
func userText(err error) string {
	if msg := bot.UserMessage(err); msg != bot.GenericUserMessage {
		return msg
	}
	return err.Error()
}
