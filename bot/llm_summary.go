package bot

import (
	"context"
	"fmt"

	"github.com/citebot/citebot/internal/llm"
	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval"
)

// summaryPartChars bounds the passage text of one summary call. A longer
// article is summarised in parts of about this size, whose summaries are
// then combined in one more call: every call stays well within a small
// model's context.
const summaryPartChars = 12000

// Summarize implements Summarizer: one chat call for an article that fits
// in summaryPartChars, else one per part and one to combine them. The
// passages keep their numbers across parts, so the combined summary cites
// them as the parts did.
func (a *LLMAnswerer) Summarize(ctx context.Context, passages []retrieval.Passage) (string, error) {
	var parts [][]prompts.Passage
	size := 0
	for i, p := range passages {
		pp := prompts.Passage{N: i + 1, Title: p.Title, Source: p.Source, Published: p.Published, Text: prompts.ForReading(p.Text)}
		if len(parts) == 0 || (size > 0 && size+len(pp.Text) > summaryPartChars) {
			parts, size = append(parts, nil), 0
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], pp)
		size += len(pp.Text)
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("summarize: no passages")
	}
	ask := func(op, prompt string) (string, error) {
		return a.client.Chat(ctx, op, []llm.Message{{Role: llm.RoleUser, Content: prompt}})
	}
	if len(parts) == 1 {
		p, err := prompts.RenderSummarize(parts[0], MaxSummaryBullets, 0, 0)
		if err != nil {
			return "", err
		}
		return ask("summary", p)
	}
	sums := make([]string, len(parts))
	for k, part := range parts {
		p, err := prompts.RenderSummarize(part, MaxSummaryBullets, k+1, len(parts))
		if err != nil {
			return "", err
		}
		if sums[k], err = ask("summary part", p); err != nil {
			return "", err
		}
	}
	p, err := prompts.RenderCombine(sums, MaxSummaryBullets)
	if err != nil {
		return "", err
	}
	return ask("summary combine", p)
}
