package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval"
)

// MaxSummaryBullets bounds a summary's bullet points.
const MaxSummaryBullets = 5

// leadSentences is how many of an article's first sentences the offline
// summary quotes: news writing puts the essentials first.
const leadSentences = 3

// A Summarizer summarises an article from its passages, numbered 1..n in
// order, in at most MaxSummaryBullets bullet points citing them as [n].
// The LLM answerer is one; without one the core quotes the lead.
type Summarizer interface {
	Summarize(ctx context.Context, passages []retrieval.Passage) (string, error)
}

// Summarize returns a short summary of one article visible in scope (the
// scope's own or a shared one) with its passages cited: the answerer's
// summary when it is a Summarizer, else the article's lead sentences. An
// unknown article is an error with a message for the user.
func (c *Core) Summarize(ctx context.Context, scope, articleID string) (Answer, error) {
	if !retrieval.ValidScope(scope) {
		return Answer{}, fmt.Errorf("summarize: invalid scope %q", scope)
	}
	passages, err := c.opt.Store.ArticlePassages(ctx, retrieval.SearchScopes(scope), articleID)
	if errors.Is(err, retrieval.ErrNotFound) {
		return Answer{}, UserError(fmt.Sprintf("No article with ID %s here.", articleID), fmt.Errorf("summarize %s in %s: %w", articleID, scope, err))
	}
	if err != nil {
		return Answer{}, fmt.Errorf("summarize %s in %s: %w", articleID, scope, err)
	}
	release, err := c.answers.Acquire(ctx)
	if err != nil {
		return Answer{}, err
	}
	defer release()
	var raw string
	if s, ok := c.opt.Answerer.(Summarizer); ok {
		if raw, err = s.Summarize(ctx, passages); err != nil {
			return Answer{}, fmt.Errorf("summarize %s with %s: %w", articleID, c.opt.Answerer.Name(), err)
		}
		raw = limitBullets(raw, MaxSummaryBullets)
	} else {
		raw = leadSummary(passages)
	}
	ans := c.cite(raw, passages)
	ans.Passages = passages
	if !ans.Found {
		ans.Note = "The summary cites none of the article's passages."
	}
	return ans, nil
}

// leadSummary quotes the first leadSentences sentences of the article as
// bullet points, each citing its passage.
func leadSummary(passages []retrieval.Passage) string {
	var b strings.Builder
	n := 0
	for i, p := range passages {
		for _, span := range ingest.Sentences(p.Text) {
			s := strings.Join(strings.Fields(prompts.StripFootnotes(p.Text[span[0]:span[1]])), " ")
			if s == "" {
				continue
			}
			fmt.Fprintf(&b, "- %s [%d]\n", s, i+1)
			if n++; n == leadSentences {
				return b.String()
			}
		}
	}
	return b.String()
}

// limitBullets keeps at most n bullet points of a summary (lines starting
// with "-", "*" or "•") and the lines before the first; text without
// bullets is kept whole.
func limitBullets(text string, n int) string {
	var out []string
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "*") || strings.HasPrefix(t, "•") {
			if seen++; seen > n {
				break
			}
		} else if seen > 0 && t != "" {
			break // text after the bullets: commentary, not summary
		}
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
