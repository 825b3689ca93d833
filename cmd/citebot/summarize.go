package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/citebot/citebot/bot"
)

// writeAnswer prints ans for people (the text, then Sources:), or as one
// JSON object in ask --json's shape.
func writeAnswer(env *environment, ans bot.Answer, asJSON bool) error {
	if asJSON {
		return writeJSON(env.stdout, toJSON(ans))
	}
	return printAnswer(env.stdout, ans)
}

func newSummarizeCmd(c *common, env *environment) *cobra.Command {
	var asJSON bool
	cmd := command("summarize [flags] ARTICLE_ID",
		"summarise one article, citing its passages",
		`Summarise one article the scope sees (its own or a shared one): with a model, at most five
bullet points citing the article's passages; offline, its lead sentences, cited. Prints the
summary and its sources as ask does; --json prints ask's JSON object, without answerability
(nothing is searched). citebot sources lists the articles with their IDs.`,
		`  citebot summarize t3f9c2a1b0d4e5f67
  citebot summarize --json --scope guild:123456789 t3f9c2a1b0d4e5f67`,
		[][]string{envStore, envAnswer, envEmbed},
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
				return usageError("summarize takes one article ID (see citebot sources)")
			}
			a, err := c.open(cmd.Context(), env, readOnly)
			if err != nil {
				return err
			}
			defer a.Close()
			fmt.Fprintf(env.stderr, "citebot: answerer %s, embedder %s\n", a.core.AnswererName(), a.embedder.Name())
			ans, err := a.core.Summarize(cmd.Context(), c.scope, pos[0])
			if err != nil {
				a.log.Debug("summarize failed", "id", clip(pos[0]), "err", err)
				return failure("%s", userText(err))
			}
			if asJSON {
				// ask's shape without answerability: a summary searches
				// nothing and decides nothing.
				out := toJSON(ans)
				out.Answerability = nil
				return writeJSON(env.stdout, out)
			}
			return printAnswer(env.stdout, ans)
		})
	c.register(cmd.Flags(), withScope|showAnswer|showEmbed)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object (ask --json's shape)")
	return cmd
}
