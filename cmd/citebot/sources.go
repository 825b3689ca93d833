package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

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

func newSourcesCmd(c *common, env *environment) *cobra.Command {
	var asJSON, allScopes bool
	cmd := command("sources [flags]",
		"list the ingested articles",
		`List the articles a search in the scope sees (the scope's own and the shared ones), newest
first, with their IDs (for citebot forget) and scopes. --all-scopes (or --scope all) lists
every scope's articles: every Discord server's too.`,
		`  citebot sources
  citebot sources --scope guild:123456789 --json
  citebot sources --all-scopes`,
		[][]string{envStore, envEmbed},
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) > 0 {
				return usageError("unexpected arguments: %q", pos)
			}
			if c.scope == "all" {
				allScopes, c.scope = true, "shared"
			}
			a, err := c.open(cmd.Context(), env, listing)
			if err != nil {
				return err
			}
			defer a.Close()
			var infos []retrieval.ArticleInfo
			if allScopes {
				infos, err = a.store.AllArticles(cmd.Context())
			} else {
				infos, err = a.core.Sources(cmd.Context(), c.scope)
			}
			if err != nil {
				return err
			}
			return printSources(env, infos, asJSON)
		})
	c.register(cmd.Flags(), withScope|showEmbed)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	cmd.Flags().BoolVar(&allScopes, "all-scopes", false, `list every scope's articles (same as --scope all)`)
	return cmd
}

func printSources(env *environment, infos []retrieval.ArticleInfo, asJSON bool) error {
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
	header := []string{"ID", "TITLE", "SOURCE", "PUBLISHED", "INGESTED", "CHUNKS", "SCOPE", "URL"}
	cells := make([]string, 0, (len(infos)+1)*len(header))
	cells = append(cells, header...)
	for _, in := range infos {
		pub := "-"
		if !in.Published.IsZero() {
			pub = in.Published.Format(time.DateOnly)
		}
		cells = append(cells, in.ID, in.Title, dash(in.Source), pub, in.Ingested.Local().Format("2006-01-02 15:04"),
			strconv.Itoa(in.Chunks), in.Scope, dash(in.URL))
	}
	if err := writeTable(env.stdout, cells, len(header)); err != nil {
		return fmt.Errorf("list sources: %w", err)
	}
	return nil
}

func toSourceJSON(in retrieval.ArticleInfo) sourceJSON {
	out := sourceJSON{ID: in.ID, Title: in.Title, Source: in.Source, URL: in.URL, Chunks: in.Chunks, Scope: in.Scope,
		Ingested: in.Ingested.UTC().Format(time.RFC3339)}
	if !in.Published.IsZero() {
		p := in.Published.Format(time.RFC3339) // with the article's own offset
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

func newForgetCmd(c *common, env *environment) *cobra.Command {
	cmd := command("forget [flags] ARTICLE_ID",
		"remove an article and its passages",
		`Remove an article, with its passages, from the scope given (only from that one: a
server's scope cannot remove a shared article). citebot sources --all-scopes lists the
articles with their IDs and scopes.`,
		`  citebot forget t3f9c2a1b0d4e5f67
  citebot forget --scope guild:123456789 t3f9c2a1b0d4e5f67`,
		[][]string{envStore, envEmbed},
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) != 1 {
				return usageError("forget takes one article ID (see citebot sources)")
			}
			a, err := c.open(cmd.Context(), env, listOnly)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.core.Forget(cmd.Context(), c.scope, pos[0]); err != nil {
				a.log.Debug("forget failed", "id", clip(pos[0]), "err", err)
				return failure("%s", userText(err))
			}
			fmt.Fprintf(env.stdout, "forgot %s\n", pos[0])
			return nil
		})
	c.register(cmd.Flags(), withScope|showEmbed)
	return cmd
}

func newReindexCmd(c *common, env *environment) *cobra.Command {
	cmd := command("reindex [flags]",
		"re-embed every article with the configured embedder",
		`Re-embed every article with the configured embedder (after changing --embedder,
--embed-model or --embed-dimensions). Creates the store if there is none. Shows progress;
interrupted, it keeps the old embeddings in use and a rerun continues where it stopped.`,
		`  CITEBOT_EMBEDDER=openai citebot reindex`,
		[][]string{envStore, envEmbed},
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) > 0 {
				return usageError("unexpected arguments: %q", pos)
			}
			ctx := cmd.Context()
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
		})
	c.register(cmd.Flags(), showEmbed)
	return cmd
}
