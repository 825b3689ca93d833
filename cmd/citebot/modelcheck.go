package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/citebot/citebot/internal/llm"
)

// modelCheckTimeout bounds each call of a model check.
const modelCheckTimeout = 30 * time.Second

// modelProblem is what a model check found wrong.
type modelProblem struct {
	msg string
	// fatal: the configuration is wrong (no scheme, a refused key, an
	// unknown model), not a server that may come back.
	fatal bool
}

// checkModels verifies, with one short call each, that the chat model
// (when chat) and the embedding model (when embed) answer. It returns one
// problem per failure, worded for the operator, and the names of those
// that answered.
func checkModels(ctx context.Context, cfg llm.Config, chat, embed bool) (ok []string, problems []modelProblem) {
	if !chat && !embed {
		return nil, nil
	}
	if p := checkURL(cfg); p != nil {
		return nil, []modelProblem{*p}
	}
	cfg.MaxAttempts = 1 // a check, not an answer: one try says what is wrong
	if cfg.Timeout <= 0 || cfg.Timeout > modelCheckTimeout {
		cfg.Timeout = modelCheckTimeout
	}
	client := llm.New(cfg)
	if chat {
		what := "chat model " + cfg.ChatModel
		_, err := client.Chat(ctx, "check", []llm.Message{{Role: llm.RoleUser, Content: "Reply with the word OK."}})
		if err != nil {
			problems = append(problems, explainModelError(what, EnvChatModel, cfg, err))
		} else {
			ok = append(ok, what)
		}
	}
	if embed {
		what := "embedding model " + cfg.EmbedModel
		_, err := client.Embed(ctx, []string{"check"})
		if err != nil {
			problems = append(problems, explainModelError(what, EnvEmbedModel, cfg, err))
		} else {
			ok = append(ok, what)
		}
	}
	return ok, problems
}

// checkURL refuses a base URL or Azure endpoint without an http(s)
// scheme, which the client would otherwise take for a path.
func checkURL(cfg llm.Config) *modelProblem {
	name, v := EnvBaseURL+" (or --base-url)", cfg.BaseURL
	if cfg.AzureEndpoint != "" {
		name, v = EnvAzureEndpoint, cfg.AzureEndpoint
	}
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return nil
	}
	return &modelProblem{fatal: true, msg: fmt.Sprintf("%s=%q has no http:// or https:// scheme: write it like http://localhost:11434/v1", name, clip(v))}
}

// explainModelError says what a failed check call means.
func explainModelError(what, modelVar string, cfg llm.Config, err error) modelProblem {
	where := cfg.BaseURL
	switch {
	case cfg.AzureEndpoint != "":
		where = cfg.AzureEndpoint
	case where == "":
		where = "api.openai.com"
	}
	var e *llm.Error
	if !errors.As(err, &e) {
		return modelProblem{msg: fmt.Sprintf("%s: %v", what, err)}
	}
	keyVar := EnvAPIKey
	if cfg.AzureEndpoint != "" {
		keyVar = EnvAzureAPIKey
	}
	switch {
	case e.Kind == llm.Unauthorized:
		return modelProblem{fatal: true, msg: fmt.Sprintf("%s: %s refused the API key (HTTP %d): check %s", what, where, e.Status, keyVar)}
	case e.Status == 404:
		return modelProblem{fatal: true, msg: fmt.Sprintf("%s: %s does not know this model (HTTP 404): check %s (or its flag), and that the base URL ends in /v1", what, where, modelVar)}
	case e.Kind == llm.BadRequest:
		return modelProblem{fatal: true, msg: fmt.Sprintf("%s: %s rejected the request (HTTP %d): %s", what, where, e.Status, clipMessage(llm.Redact(e.Err.Error())))}
	case e.Kind == llm.Unavailable && e.Status == 0:
		return modelProblem{msg: fmt.Sprintf("%s: cannot reach %s: %s", what, where, clipMessage(llm.Redact(rootCause(e.Err).Error())))}
	}
	return modelProblem{msg: fmt.Sprintf("%s: %s", what, clipMessage(e.Error()))}
}

// rootCause is the innermost error of a chain of single wraps.
func rootCause(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// modelConfig is the model API's configuration and the logger it logs to.
func (c *common) modelConfig(env *environment) (llm.Config, *slog.Logger, error) {
	log, err := c.logger(env)
	if err != nil {
		return llm.Config{}, nil, err
	}
	cfg, err := c.openAIConfig(env, log)
	return cfg, log, err
}

// usesModels says which models the configured answerer and embedder call.
func (c *common) usesModels(cfg llm.Config) (chat, embed bool) {
	kind := strings.ToLower(c.answerer)
	chat = kind == "llm" || (kind == "" && cfg.Configured())
	embed = strings.ToLower(c.embedder) == "openai"
	return chat, embed
}
