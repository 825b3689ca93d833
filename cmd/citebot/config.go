package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/llm"
	"github.com/citebot/citebot/retrieval"
)

// environment is what a command may use of the process.
type environment struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// common holds the flags every command shares.
type common struct {
	dataDir  string
	scope    string
	hasScope bool // the command takes --scope
	verbose  bool
	// defaultLevel is the log level without -v or CITEBOT_LOG_LEVEL;
	// the zero value is info, commands other than serve raise it to warn.
	defaultLevel slog.Level
	logLevel     string
	answerer     string
	embedder     string
	// OpenAI-compatible settings; flags override the environment.
	chatModel, embedModel, baseURL string
	embedDims                      int
	// chunking sizes the passages of newly ingested articles.
	chunking ingest.ChunkOptions
	// maxAnswers, if set, is the answering core's MaxAnswers: its cap on
	// answers in flight, in which the Discord frontend's answers and
	// ingests take their places (serve sets it from CITEBOT_MAX_IN_FLIGHT).
	maxAnswers int
}

func (c *common) register(fs *flag.FlagSet, env *environment, withScope bool) {
	fs.StringVar(&c.dataDir, "data-dir", env.getenv("CITEBOT_DATA_DIR"), "where the store lives (default $CITEBOT_DATA_DIR, else $XDG_DATA_HOME/citebot)")
	c.hasScope = withScope
	if withScope {
		fs.StringVar(&c.scope, "scope", retrieval.SharedScope, `scope: "shared" or "guild:<id>"`)
	}
	fs.BoolVar(&c.verbose, "v", false, "log progress and details to standard error (same as --log-level debug)")
	fs.StringVar(&c.logLevel, "log-level", env.getenv("CITEBOT_LOG_LEVEL"), "debug, info, warn or error ($CITEBOT_LOG_LEVEL)")
	if fs.Name() != "serve" {
		c.defaultLevel = slog.LevelWarn
	}
	fs.StringVar(&c.answerer, "answerer", env.getenv("CITEBOT_ANSWERER"), "extractive or llm ($CITEBOT_ANSWERER; default llm when an OpenAI-compatible API is configured, else extractive)")
	fs.StringVar(&c.embedder, "embedder", orDefault(env.getenv("CITEBOT_EMBEDDER"), "local"), "local or openai ($CITEBOT_EMBEDDER)")
	fs.StringVar(&c.chatModel, "chat-model", "", "chat model ($CITEBOT_CHAT_MODEL, default "+llm.DefaultChatModel+")")
	fs.StringVar(&c.embedModel, "embed-model", "", "embedding model ($CITEBOT_EMBED_MODEL, default "+llm.DefaultEmbedModel+")")
	intFlag(fs, &c.embedDims, "embed-dimensions", 1, maxEmbedDimensions, "embedding dimensions to ask for ($CITEBOT_EMBED_DIMENSIONS)")
	intFlag(fs, &c.chunking.TargetWords, "chunk-words", 1, maxChunkWords, fmt.Sprintf("passages of new articles hold about this many words (default %d)", ingest.DefaultTargetWords))
	intFlag(fs, &c.chunking.MaxWords, "chunk-max-words", 1, maxChunkWords, fmt.Sprintf("and at most this many, unless one sentence is longer (default %d)", ingest.DefaultMaxWords))
	intFlag(fs, &c.chunking.OverlapSentences, "chunk-overlap", 0, maxOverlap, "sentences repeated from the end of the previous passage (default 0)")
	fs.StringVar(&c.baseURL, "base-url", "", "OpenAI-compatible API base URL ($OPENAI_BASE_URL)")
}

// openAIConfig reads the OpenAI-compatible settings from the environment
// and applies the flags over them.
func (c *common) openAIConfig(env *environment, log *slog.Logger) (llm.Config, error) {
	cfg, err := llmConfigFromEnv(env.getenv)
	if err != nil {
		return cfg, usageError("%v", err)
	}
	if c.chatModel != "" {
		cfg.ChatModel = c.chatModel
	}
	if c.embedModel != "" {
		cfg.EmbedModel = c.embedModel
	}
	if c.embedDims > 0 {
		cfg.EmbedDimensions = c.embedDims
	}
	if c.baseURL != "" {
		cfg.BaseURL = c.baseURL
	}
	cfg.Logger = log
	return cfg, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// parseArgs parses flags that may stand before, between or after the
// positional arguments, and returns the positional ones. Its error is an
// exitError: status 0 after -h (the flag set printed its usage), 2 for a
// bad flag (the flag set said which).
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &exitError{code: 0}
			}
			return nil, &exitError{code: 2}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, env *environment, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: citebot %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// resolveDataDir applies the data directory's fallbacks.
func resolveDataDir(flagValue string, getenv func(string) string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if x := getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "citebot"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no data directory: set --data-dir or CITEBOT_DATA_DIR: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", "citebot"), nil
}

func (c *common) logger(env *environment) (*slog.Logger, error) {
	level := c.defaultLevel
	switch {
	case c.verbose:
		level = slog.LevelDebug
	case c.logLevel != "":
		if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
			return nil, usageError("invalid log level %q: want debug, info, warn or error", c.logLevel)
		}
	}
	return slog.New(slog.NewTextHandler(env.stderr, &slog.HandlerOptions{Level: level, ReplaceAttr: clipAttr})), nil
}

// app is a command's wired parts.
type app struct {
	store    *retrieval.Store
	core     *bot.Core
	embedder retrieval.Embedder
	log      *slog.Logger
}

func (a *app) Close() error { return a.store.Close() }

// open wires the store, the embedder and the answering core.
func (c *common) open(ctx context.Context, env *environment) (*app, error) {
	return c.openStore(ctx, env, false)
}

// openForReindex opens a store even when it was built with another
// embedder, so that Reindex can convert it.
func (c *common) openForReindex(ctx context.Context, env *environment) (*app, error) {
	return c.openStore(ctx, env, true)
}

func (c *common) openStore(ctx context.Context, env *environment, allowMismatch bool) (*app, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	log, err := c.logger(env)
	if err != nil {
		return nil, err
	}
	dir, err := resolveDataDir(c.dataDir, env.getenv)
	if err != nil {
		return nil, err
	}
	cfg, err := c.openAIConfig(env, log)
	if err != nil {
		return nil, err
	}
	// One client serves chat and embeddings: it makes no request until used.
	client := llm.New(cfg)
	emb, err := c.newEmbedder(client)
	if err != nil {
		return nil, err
	}
	ans, rew, err := c.newAnswerer(cfg, client)
	if err != nil {
		return nil, err
	}
	restoreGC := tightGC()
	store, err := retrieval.Open(ctx, dir, retrieval.Options{Embedder: emb, Logger: log, AllowMismatch: allowMismatch})
	restoreGC()
	if err != nil {
		return nil, err
	}
	core := bot.NewCore(bot.CoreOptions{Store: store, Answerer: ans, Rewriter: rew, Logger: log, MaxAnswers: c.maxAnswers, Chunking: c.chunking})
	return &app{store: store, core: core, embedder: emb, log: log}, nil
}

func (c *common) newEmbedder(client *llm.Client) (retrieval.Embedder, error) {
	switch strings.ToLower(c.embedder) {
	case "local", "":
		return retrieval.NewLocalEmbedder(), nil
	case "openai":
		return retrieval.NewRemoteEmbedder(client), nil
	}
	return nil, usageError("unknown embedder %q: want local or openai", c.embedder)
}

// newAnswerer returns the answerer (and rewriter) --answerer asks for; by
// default the LLM one when cfg names a server or key.
func (c *common) newAnswerer(cfg llm.Config, client *llm.Client) (bot.Answerer, bot.Rewriter, error) {
	kind := strings.ToLower(c.answerer)
	if kind == "" {
		kind = "extractive"
		if cfg.Configured() {
			kind = "llm"
		}
	}
	switch kind {
	case "extractive":
		return bot.Extractive{}, nil, nil
	case "llm":
		return bot.NewLLMAnswerer(client), bot.NewLLMRewriter(client), nil
	}
	return nil, nil, usageError("unknown answerer %q: want extractive or llm", c.answerer)
}
