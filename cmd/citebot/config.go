package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/llm"
	"github.com/citebot/citebot/internal/sentence"
	"github.com/citebot/citebot/metrics"
	"github.com/citebot/citebot/retrieval"
)

// environment is what a command may use of the process.
type environment struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// environ lists the variables (name=value) for the warnings about
	// unknown ones; nil skips them.
	environ []string
}

// common holds the flags every command shares.
type common struct {
	obs      observers // serve's metrics hooks (httpserve.go); none elsewhere
	dataDir  string
	scope    string
	hasScope bool // the command takes --scope
	verbose  bool
	// defaultLevel is the log level without -v or CITEBOT_LOG_LEVEL:
	// info for serve, warn for the other commands.
	defaultLevel slog.Level
	logLevel     string
	answerer     string
	// sentenceModel is on (the default) or off: whether the decision
	// reads meaning with the built-in sentence model (internal/sentence)
	// besides words.
	sentenceModel string
	embedder      string
	// OpenAI-compatible settings; flags override the environment.
	chatModel, embedModel, baseURL string
	embedDims                      int
	// modelPassages is how many passages a model answerer reads for each
	// question (bot.CoreOptions.K); 0 means bot.DefaultK.
	modelPassages int
	// chunking sizes the passages of newly ingested articles.
	chunking ingest.ChunkOptions
	// maxAnswers, if set, is the answering core's MaxAnswers: its cap on
	// answers in flight, in which the Discord frontend's answers and
	// ingests take their places (serve sets it from CITEBOT_MAX_IN_FLIGHT).
	maxAnswers int
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
	cfg.Observer = c.obs.llm
	return cfg, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
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
	dir      string           // the data directory
	cleanup  func()           // removes the stand-in of a data directory with no store
	metrics  *metrics.Metrics // serve's, when CITEBOT_HTTP_ADDR is set (httpserve.go); else nil
}

func (a *app) Close() error {
	err := a.store.Close()
	if a.cleanup != nil {
		a.cleanup()
	}
	return err
}

// storeUse is what a command may do when its data directory holds no store.
type storeUse int

const (
	// mayCreate: the command creates the store (ingest, serve, reindex,
	// demo).
	mayCreate storeUse = iota
	// readOnly: a data directory that does not exist is an error naming
	// it (a mistyped --data-dir); an existing one with no store reads as
	// an empty store, and nothing is created in it (ask, sources, forget,
	// eval).
	readOnly
	// listOnly: as readOnly, and the store is opened without search
	// indexes (forget, backup): they open in a moment at any size.
	listOnly
	// listing: as listOnly, and opened retrieval.Options.ReadOnly: no
	// check of the whole file, no repair, nothing written (sources).
	listing
	// serving: as mayCreate, for a long-running process (serve), whose
	// indexes follow other processes' writes as they happen (LISTEN on
	// PostgreSQL); the other commands do not listen.
	serving
)

// open wires the store, the embedder and the answering core.
func (c *common) open(ctx context.Context, env *environment, use storeUse) (*app, error) {
	return c.openStore(ctx, env, false, use)
}

// openForReindex opens a store even when it was built with another
// embedder, so that Reindex can convert it.
func (c *common) openForReindex(ctx context.Context, env *environment) (*app, error) {
	return c.openStore(ctx, env, true, mayCreate)
}

func (c *common) openStore(ctx context.Context, env *environment, allowMismatch bool, use storeUse) (*app, error) {
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
	dbURL, err := databaseURL(env.getenv)
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
	meaning, err := c.newMeaning()
	if err != nil {
		return nil, err
	}
	ans, rew, err := c.newAnswerer(cfg, client, meaning)
	if err != nil {
		return nil, err
	}
	openDir, cleanup := dir, func() {}
	if (use == readOnly || use == listOnly || use == listing) && dbURL == "" {
		if openDir, cleanup, err = storeOrStandIn(dir); err != nil {
			return nil, err
		}
	}
	opt := retrieval.Options{Embedder: emb, Logger: log, AllowMismatch: allowMismatch, WithoutIndexes: use == listOnly, ReadOnly: use == listing,
		DatabaseURL: dbURL, NoChangeListener: use != serving, Loading: tightGC} // each scope's search indexes, loaded when first searched
	if use == serving {
		opt.OnEmbedderSwitch = embedderSwitched(log)
	}
	if dbURL == "" {
		// Snapshots of the indexes load a scope at disk speed. Not for a
		// database: one data directory may serve several, whose scopes'
		// generations say nothing of each other.
		opt.SnapshotDir = filepath.Join(openDir, "index")
	}
	store, err := retrieval.Open(ctx, openDir, opt)
	if err != nil {
		cleanup()
		return nil, err
	}
	core := bot.NewCore(bot.CoreOptions{Store: store, Answerer: ans, Rewriter: rew, Logger: log, MaxAnswers: c.maxAnswers, Chunking: c.chunking, Observer: c.obs.core, K: c.modelPassages, Meaning: meaning})
	return &app{store: store, core: core, embedder: emb, log: log, dir: dir, cleanup: cleanup}, nil
}

// errNoStore is the refusal of a data directory that does not exist.
func errNoStore(dir string) error {
	return fmt.Errorf("no store in %s: the directory does not exist (check --data-dir or CITEBOT_DATA_DIR; citebot ingest creates a store)", dir)
}

// storeOrStandIn returns dir when it holds a store. When dir exists
// without one, it returns an empty temporary directory to open instead, so
// that a command that only reads creates nothing in dir, and cleanup
// removes it. A dir that does not exist is an error naming it.
func storeOrStandIn(dir string) (string, func(), error) {
	ok, err := retrieval.Exists(dir)
	if err != nil {
		return "", nil, err
	}
	if ok {
		return dir, func() {}, nil
	}
	if info, err := os.Stat(dir); err != nil {
		if l, lerr := os.Lstat(dir); lerr == nil && l.Mode()&fs.ModeSymlink != 0 {
			target, _ := os.Readlink(dir)
			return "", nil, fmt.Errorf("no store in %s: it is a symbolic link to %s, which cannot be followed (%w); mount or create the target, or check --data-dir or CITEBOT_DATA_DIR", dir, target, err)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil, errNoStore(dir)
		}
		return "", nil, fmt.Errorf("data directory %s: %w", dir, err)
	} else if !info.IsDir() {
		return "", nil, fmt.Errorf("data directory %s is not a directory (check --data-dir or CITEBOT_DATA_DIR)", dir)
	}
	tmp, err := os.MkdirTemp("", "citebot-empty-")
	if err != nil {
		return "", nil, fmt.Errorf("open the empty store of %s: %w", dir, err)
	}
	return tmp, func() { os.RemoveAll(tmp) }, nil
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

// meaningCacheSize is how many sentences' vectors a process keeps (2 KB
// each): the top passages of a few hundred recent questions.
const meaningCacheSize = 10_000

// newMeaning returns the built-in sentence model behind a cache, or nil
// when --sentence-model is off. The model is read on the first question.
func (c *common) newMeaning() (*sentence.Cache, error) {
	on, err := c.sentenceModelOn()
	if !on || err != nil {
		return nil, err
	}
	// Read when first used: most commands answer nothing.
	return sentence.NewLazyCache(sentence.Default, meaningCacheSize), nil
}

// sentenceModelOn reads --sentence-model (or CITEBOT_SENTENCE_MODEL).
func (c *common) sentenceModelOn() (bool, error) {
	switch strings.ToLower(c.sentenceModel) {
	case "on", "":
		return true, nil
	case "off":
		return false, nil
	}
	return false, usageError("unknown --sentence-model %q: want on or off (env %s)", clip(c.sentenceModel), envSentenceModel)
}

// newAnswerer returns the answerer (and rewriter) --answerer asks for; by
// default the LLM one when cfg names a server or key. The extractive one
// reads meaning, the sentence model (nil when it is off), to choose what
// to quote.
func (c *common) newAnswerer(cfg llm.Config, client *llm.Client, meaning *sentence.Cache) (bot.Answerer, bot.Rewriter, error) {
	kind := strings.ToLower(c.answerer)
	if kind == "" {
		kind = "extractive"
		if cfg.Configured() {
			kind = "llm"
		}
	}
	switch kind {
	case "extractive":
		return bot.Extractive{Meaning: meaning}, nil, nil
	case "llm":
		return bot.NewLLMAnswerer(client), bot.NewLLMRewriter(client), nil
	}
	return nil, nil, usageError("unknown answerer %q: want extractive or llm", c.answerer)
}
