package llm

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"

	"github.com/sashabaranov/go-openai"
)

// Role is who speaks a Message.
type Role string

// The roles of a chat.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one message of a chat.
type Message struct {
	Role    Role
	Content string
}

func (c *Client) chatRequest(msgs []Message) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{Model: c.cfg.ChatModel, Messages: make([]openai.ChatCompletionMessage, len(msgs))}
	for i, m := range msgs {
		req.Messages[i] = openai.ChatCompletionMessage{Role: string(m.Role), Content: m.Content}
	}
	return req
}

// Chat makes one non-streamed chat call with the configured chat model and
// returns the first choice's text. op names the call in errors and logs
// ("chat", "rewrite"). Errors are *Error values.
func (c *Client) Chat(ctx context.Context, op string, msgs []Message) (text string, err error) {
	ctx, done := c.observe(ctx, op)
	defer func() { done(err) }()
	req := c.chatRequest(msgs)
	res, err := c.api.CreateChatCompletion(ctx, req)
	if err != nil {
		return "", Classify(op, req.Model, err)
	}
	c.tokens(op, res.Usage.PromptTokens, res.Usage.CompletionTokens)
	if len(res.Choices) == 0 {
		return "", &Error{Op: op, Model: req.Model, Kind: BadResponse, Err: errors.New("response has no choices")}
	}
	logFinish(c.cfg.Logger, op, req.Model, res.Choices[0].FinishReason)
	return res.Choices[0].Message.Content, nil
}

// ChatStream makes one streamed chat call with the configured chat model,
// calling onDelta (from this goroutine) with each piece of the first
// choice's text as it arrives, and returns the whole text. op names the
// call in errors and logs ("chat stream"). Errors are *Error values; a
// stream that fails part-way returns the text received so far with the
// error. The call's timeout bounds the wait for the response and then each
// gap between streamed bytes, so a long answer that keeps coming is not cut.
func (c *Client) ChatStream(ctx context.Context, op string, msgs []Message, onDelta func(string)) (_ string, err error) {
	ctx, done := c.observe(ctx, op)
	defer func() { done(err) }()
	req := c.chatRequest(msgs)
	s, err := c.api.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", Classify(op, req.Model, err)
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
			return text.String(), Classify(op, req.Model, err)
		}
		if u := chunk.Usage; u != nil { // servers that report it send it last
			c.tokens(op, u.PromptTokens, u.CompletionTokens)
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			if ch.Delta.Content != "" {
				text.WriteString(ch.Delta.Content)
				onDelta(ch.Delta.Content)
			}
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}
	logFinish(c.cfg.Logger, op, req.Model, finish)
	return text.String(), nil
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
