package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/citebot/citebot/internal/llmerr"
	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval"
	"github.com/sashabaranov/go-openai"
)

// answerHistoryTurns is how many earlier turns the answer prompt repeats as
// conversation; their citation markers are removed since they refer to
// other passages.
const answerHistoryTurns = 2

// chatModel is a chat model reached through a client.
type chatModel struct {
	client *openai.Client
	model  string
	log    *slog.Logger
}

func newChatModel(c *openai.Client, cfg OpenAIConfig) chatModel {
	cfg = cfg.withDefaults()
	return chatModel{client: c, model: cfg.ChatModel, log: cfg.Logger}
}

// LLMAnswerer answers from passages with a chat model. It is safe for
// concurrent use.
type LLMAnswerer struct{ chatModel }

// NewLLMAnswerer returns an Answerer using cfg.ChatModel through c (made by
// NewOpenAIClient(cfg), which provides the retries and timeouts).
func NewLLMAnswerer(c *openai.Client, cfg OpenAIConfig) *LLMAnswerer {
	return &LLMAnswerer{newChatModel(c, cfg)}
}

// Name is "openai:<chat model>".
func (a *LLMAnswerer) Name() string { return "openai:" + a.model }

// Answer asks the model to answer question from passages, numbered 1..k in
// order, citing them as [n]. With onDelta it streams, calling onDelta with
// each piece of text as it arrives (from this goroutine). Errors are
// *llmerr.Error values with a UserMessage; a stream that fails part-way
// returns the text received so far with the error.
func (a *LLMAnswerer) Answer(ctx context.Context, question string, passages []retrieval.Passage, history []Turn, onDelta func(string)) (string, error) {
	ps := make([]prompts.Passage, len(passages))
	for i, p := range passages {
		ps[i] = prompts.Passage{N: i + 1, Title: p.Title, Source: p.Source, Text: p.Text}
	}
	user, err := prompts.RenderAnswer(question, ps)
	if err != nil {
		return "", fmt.Errorf("answer %q: %w", question, err)
	}
	msgs := []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleSystem, Content: prompts.RenderSystem()}}
	if len(history) > answerHistoryTurns {
		history = history[len(history)-answerHistoryTurns:]
	}
	for _, t := range history {
		msgs = append(msgs,
			openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: t.Question},
			openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: prompts.CheckCitations(t.Answer, 0).Text})
	}
	msgs = append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: user})
	req := openai.ChatCompletionRequest{Model: a.model, Messages: msgs}
	if onDelta == nil {
		return complete(ctx, a.client, req, "chat", a.log)
	}
	return a.stream(ctx, req, onDelta)
}

func (a *LLMAnswerer) stream(ctx context.Context, req openai.ChatCompletionRequest, onDelta func(string)) (string, error) {
	const op = "chat stream"
	s, err := a.client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", llmerr.Classify(op, a.model, err)
	}
	defer s.Close()
	var text strings.Builder
	var finish openai.FinishReason
	for {
		chunk, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return text.String(), llmerr.Classify(op, a.model, err)
		}
		for _, c := range chunk.Choices {
			if c.Index != 0 {
				continue
			}
			if c.Delta.Content != "" {
				text.WriteString(c.Delta.Content)
				onDelta(c.Delta.Content)
			}
			if c.FinishReason != "" {
				finish = c.FinishReason
			}
		}
	}
	logFinish(a.log, op, a.model, finish)
	return text.String(), nil
}

// complete makes one non-streamed chat call and returns the first choice's text.
func complete(ctx context.Context, c *openai.Client, req openai.ChatCompletionRequest, op string, log *slog.Logger) (string, error) {
	res, err := c.CreateChatCompletion(ctx, req)
	if err != nil {
		return "", llmerr.Classify(op, req.Model, err)
	}
	if len(res.Choices) == 0 {
		return "", &llmerr.Error{Op: op, Model: req.Model, Kind: llmerr.BadResponse, Err: errors.New("response has no choices")}
	}
	logFinish(log, op, req.Model, res.Choices[0].FinishReason)
	return res.Choices[0].Message.Content, nil
}

// logFinish notes answers that did not end normally. A stream ending
// without any finish reason is accepted (some compatible servers send
// none) but logged; a stream cut off mid-way fails in Recv instead.
func logFinish(log *slog.Logger, op, model string, finish openai.FinishReason) {
	switch finish {
	case openai.FinishReasonStop:
	case openai.FinishReasonLength:
		log.Warn("openai: answer cut at the token limit", "op", op, "model", model)
	case "":
		log.Warn("openai: answer ended without a finish reason", "op", op, "model", model)
	default:
		log.Warn("openai: answer ended unusually", "op", op, "model", model, "finish_reason", string(finish))
	}
}

// LLMRewriter turns follow-up questions into standalone ones with one short
// chat call. It is safe for concurrent use.
type LLMRewriter struct{ chatModel }

// NewLLMRewriter returns a Rewriter using cfg.ChatModel through c.
func NewLLMRewriter(c *openai.Client, cfg OpenAIConfig) *LLMRewriter {
	return &LLMRewriter{newChatModel(c, cfg)}
}

// maxRewriteRunes bounds a rewritten question; a longer reply means the
// model answered instead of rewriting, and the question is kept.
const maxRewriteRunes = 500

// Rewrite returns question made standalone using history. With no history
// it returns question unchanged without calling the model; when the model
// replies with nothing usable it also keeps question (and logs why).
// Errors are *llmerr.Error values.
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
	out, err := complete(ctx, r.client, openai.ChatCompletionRequest{
		Model:    r.model,
		Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: p}},
	}, "rewrite", r.log)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(strings.TrimSpace(out), "\n")
	line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "Last question:"))
	line = strings.Trim(line, "\"'“”`")
	if line == "" || len([]rune(line)) > maxRewriteRunes {
		r.log.Warn("openai: unusable rewrite, keeping the question", "model", r.model, "reply_runes", len([]rune(out)))
		return question, nil
	}
	return line, nil
}
