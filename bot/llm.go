package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/citebot/citebot/internal/llm"
	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval"
)

// answerHistoryTurns is how many earlier turns the answer prompt repeats as
// conversation; their citation markers are removed since they refer to
// other passages.
const answerHistoryTurns = 2

// LLMAnswerer answers from passages with a chat model. It is safe for
// concurrent use.
type LLMAnswerer struct {
	client *llm.Client
	// Now tells the prompt today's date; nil means time.Now.
	Now func() time.Time
}

// NewLLMAnswerer returns an Answerer using c's chat model (c provides the
// retries and timeouts).
func NewLLMAnswerer(c *llm.Client) *LLMAnswerer { return &LLMAnswerer{client: c} }

// Name is "openai:<chat model>".
func (a *LLMAnswerer) Name() string { return "openai:" + a.client.ChatModel() }

// Declines is true: the model says itself when the passages do not hold
// the answer (prompts.DeclineMarker), so the core turns away only
// questions clearly unrelated to them.
func (a *LLMAnswerer) Declines() bool { return true }

// Answer asks the model to answer question from passages, numbered 1..k in
// order, citing them as [n]. With onDelta it streams, calling onDelta with
// each piece of text as it arrives (from this goroutine). Errors are
// *llm.Error values with a UserMessage; a stream that fails part-way
// returns the text received so far with the error.
func (a *LLMAnswerer) Answer(ctx context.Context, question string, passages []retrieval.Passage, history []Turn, onDelta func(string)) (string, error) {
	ps := make([]prompts.Passage, len(passages))
	for i, p := range passages {
		// The article's own footnote numerals would read as citations;
		// its editors' notes are not what it says.
		ps[i] = prompts.Passage{N: i + 1, Title: p.Title, Source: p.Source, Published: p.Published, Text: prompts.ForReading(p.Text)}
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	user, err := prompts.RenderAnswer(question, ps, now())
	if err != nil {
		return "", fmt.Errorf("answer %q: %w", question, err)
	}
	msgs := []llm.Message{{Role: llm.RoleSystem, Content: prompts.RenderSystem()}}
	if len(history) > answerHistoryTurns {
		history = history[len(history)-answerHistoryTurns:]
	}
	for _, t := range history {
		msgs = append(msgs,
			llm.Message{Role: llm.RoleUser, Content: t.Question},
			llm.Message{Role: llm.RoleAssistant, Content: prompts.CheckCitations(t.Answer, 0).Text})
	}
	msgs = append(msgs, llm.Message{Role: llm.RoleUser, Content: user})
	if onDelta == nil {
		return a.client.Chat(ctx, "chat", msgs)
	}
	return a.client.ChatStream(ctx, "chat stream", msgs, onDelta)
}

// LLMRewriter turns follow-up questions into standalone ones with one short
// chat call. It is safe for concurrent use.
type LLMRewriter struct{ client *llm.Client }

// NewLLMRewriter returns a Rewriter using c's chat model; it logs unusable
// rewrites to c.Logger().
func NewLLMRewriter(c *llm.Client) *LLMRewriter { return &LLMRewriter{client: c} }

// maxRewriteRunes bounds a rewritten question; a longer reply means the
// model answered instead of rewriting, and the question is kept.
const maxRewriteRunes = 500

// Rewrite returns question made standalone using history. With no history
// it returns question unchanged without calling the model; when the model
// replies with nothing usable it also keeps question (and logs why).
// Errors are *llm.Error values.
func (r *LLMRewriter) Rewrite(ctx context.Context, history []Turn, question string) (string, error) {
	if len(history) == 0 {
		return question, nil
	}
	turns := make([]prompts.Turn, len(history))
	for i, t := range history {
		turns[i] = prompts.Turn{Question: t.Question, Answer: t.Answer}
	}
	p, err := prompts.RenderRewrite(turns, question)
	if err != nil {
		return "", fmt.Errorf("rewrite %q: %w", question, err)
	}
	out, err := r.client.Chat(ctx, "rewrite", []llm.Message{{Role: llm.RoleUser, Content: p}})
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "Last question:"))
	line = strings.Trim(line, "\"'“”`")
	if line == "" || len([]rune(line)) > maxRewriteRunes {
		r.client.Logger().Warn("openai: unusable rewrite, keeping the question", "model", r.client.ChatModel(), "reply_runes", len([]rune(out)))
		return question, nil
	}
	return line, nil
}
