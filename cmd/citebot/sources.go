package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/citebot/citebot/retrieval"
)

// sourceJSON is the --json shape of one article (a public contract).
type sourceJSON struct {
	ID        string  `json:"id"`
	Title     string  `json:"title"`
	Source    string  `json:"source"`
	URL       string  `json:"url"`
	Published *string `json:"published"`
	Ingested  string  `json:"ingested"`
	Chunks    int     `json:"chunks"`
	Scope     string  `json:"scope"`
}

func cmdSources(ctx context.Context, env *environment, args []string) error {
	var c common
	var asJSON bool
	fs := newFlagSet("sources", env, "[--scope S] [--json]")
	c.register(fs, env, true)
	fs.BoolVar(&asJSON, "json", false, "print a JSON array")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected arguments: %q", pos)
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	infos, err := a.core.Sources(ctx, c.scope)
	if err != nil {
		return err
	}
	if asJSON {
		out := make([]sourceJSON, 0, len(infos))
		for _, in := range infos {
			out = append(out, toSourceJSON(in))
		}
		return writeJSON(env.stdout, out)
	}
	if len(infos) == 0 {
		fmt.Fprintln(env.stdout, "No articles yet: add some with citebot ingest.")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tSOURCE\tPUBLISHED\tINGESTED\tCHUNKS\tSCOPE\tURL")
	for _, in := range infos {
		pub := "-"
		if !in.Published.IsZero() {
			pub = in.Published.Format(time.DateOnly)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", in.ID, in.Title, dash(in.Source), pub,
			in.Ingested.Local().Format("2006-01-02 15:04"), in.Chunks, in.Scope, dash(in.URL))
	}
	return tw.Flush()
}

func toSourceJSON(in retrieval.ArticleInfo) sourceJSON {
	out := sourceJSON{ID: in.ID, Title: in.Title, Source: in.Source, URL: in.URL, Chunks: in.Chunks, Scope: in.Scope,
		Ingested: in.Ingested.UTC().Format(time.RFC3339)}
	if !in.Published.IsZero() {
		p := in.Published.UTC().Format(time.RFC3339)
		out.Published = &p
	}
	return out
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cmdForget(ctx context.Context, env *environment, args []string) error {
	var c common
	fs := newFlagSet("forget", env, "[--scope S] ARTICLE_ID")
	c.register(fs, env, true)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError("forget takes one article ID (see citebot sources)")
	}
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.core.Forget(ctx, c.scope, pos[0]); err != nil {
		a.log.Error("forget failed", "id", pos[0], "err", err)
		return fmt.Errorf("%s", userText(err))
	}
	fmt.Fprintf(env.stdout, "forgot %s\n", pos[0])
	return nil
}

func cmdReindex(ctx context.Context, env *environment, args []string) error {
	var c common
	fs := newFlagSet("reindex", env, "")
	c.register(fs, env, false)
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	a, err := c.openForReindex(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	p := newReindexProgress(env.stderr)
	if err := a.store.ReindexWith(ctx, retrieval.ReindexOptions{Progress: p.report}); err != nil {
		return p.failed(ctx, err)
	}
	fmt.Fprintf(env.stdout, "reindexed with %s (%d dimensions)\n", a.embedder.Name(), a.embedder.Dimensions())
	return nil
}
