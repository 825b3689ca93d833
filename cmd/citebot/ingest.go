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
		return &exitError{code: 2}
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

// ingestAll ingests every input, printing one line per article on
// standard output and one per failure on standard error. It returns the
// number of failures.
func ingestAll(ctx context.Context, env *environment, a *app, scope string, inputs []string) int {
	failed := 0
	report := func(input string, err error) {
		failed++
		a.log.Error("ingest failed", "input", input, "err", err)
		fmt.Fprintf(env.stderr, "citebot ingest: %s: %s\n", input, userText(err))
	}
	var files []string
	for _, in := range inputs {
		if isURL(in) {
			art, err := fetch(ctx, env, in)
			if err != nil {
				report(in, err)
				continue
			}
			ingestOne(ctx, env, a, scope, in, art, report)
			continue
		}
		fs, err := ingest.Files([]string{in})
		if err != nil {
			report(in, err)
			continue
		}
		files = append(files, fs...)
	}
	for _, f := range files {
		if ctx.Err() != nil {
			report(f, ctx.Err())
			continue
		}
		art, err := ingest.ParseFile(f)
		if err != nil {
			report(f, err)
			continue
		}
		ingestOne(ctx, env, a, scope, f, art, report)
	}
	return failed
}

func ingestOne(ctx context.Context, env *environment, a *app, scope, input string, art ingest.Article, report func(string, error)) {
	res, err := a.core.Ingest(ctx, scope, art)
	if err != nil {
		report(input, err)
		return
	}
	fmt.Fprintf(env.stdout, "%s\t%s\t%d chunks\t%s\n", res.ID, res.Title, res.Chunks, res.Status)
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
