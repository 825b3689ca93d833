package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/llm"
	"github.com/citebot/citebot/retrieval"
)

// Bounds of the numeric flags: a passage of more words than an embedding
// model reads is of no use, nor is a vector of more dimensions than any
// model makes.
const (
	maxChunkWords      = 5000
	maxOverlap         = 100
	maxEmbedDimensions = 65536
	// maxModelPassages bounds --model-passages: more passages than this
	// fill a model's context with the store's weakest matches.
	maxModelPassages = 50
)

// boundedInt is an int flag refused, as a usage error naming the flag,
// outside [min, max]; left unset, it keeps its zero ("the default").
type boundedInt struct {
	p        *int
	min, max int
}

func (b boundedInt) String() string {
	if b.p == nil {
		return "0"
	}
	return strconv.Itoa(*b.p)
}

func (b boundedInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < b.min || n > b.max {
		return fmt.Errorf("want a whole number from %d to %d", b.min, b.max)
	}
	*b.p = n
	return nil
}

func (b boundedInt) Type() string { return "int" }

// intFlag defines an int flag of fs bounded to [min, max].
func intFlag(fs *pflag.FlagSet, p *int, name string, min, max int, usage string) {
	fs.Var(boundedInt{p: p, min: min, max: max}, name, usage)
}

// flagGroups say which of the shared flags a command has (--scope) or
// shows in its help. Every store command accepts the model and chunk
// flags, as it always has (scripts keep working), but its help lists only
// those it uses.
type flagGroups int

const (
	withScope  flagGroups = 1 << iota // the command takes --scope
	showAnswer                        // --answerer, --chat-model, --model-passages
	showEmbed                         // --embedder, --embed-model, --embed-dimensions, --base-url
	showChunk                         // --chunk-words, --chunk-max-words, --chunk-overlap
)

// registerGlobal defines the flags of every command, on the root.
func (c *common) registerGlobal(fs *pflag.FlagSet) {
	fs.StringVar(&c.dataDir, "data-dir", "", "where the store lives (env CITEBOT_DATA_DIR; default $XDG_DATA_HOME/citebot, else ~/.local/share/citebot)")
	fs.BoolVarP(&c.verbose, "verbose", "v", false, "log progress and details to standard error (same as --log-level debug)")
	fs.StringVar(&c.logLevel, "log-level", "", "debug, info, warn or error (env CITEBOT_LOG_LEVEL)")
}

// register defines a store command's shared flags on fs.
func (c *common) register(fs *pflag.FlagSet, g flagGroups) {
	if g&withScope != 0 {
		fs.StringVar(&c.scope, "scope", retrieval.SharedScope, `scope: "shared" or "guild:<id>"`)
	}
	fs.StringVar(&c.answerer, "answerer", "", "extractive or llm (env CITEBOT_ANSWERER; default llm when a model API is configured, else extractive)")
	fs.StringVar(&c.sentenceModel, "sentence-model", "", "on or off: read the meaning of questions and passages with the built-in sentence model, to decide whether the articles cover a question (env "+envSentenceModel+"; default on)")
	fs.StringVar(&c.chatModel, "chat-model", "", "chat model (env "+EnvChatModel+"; default "+llm.DefaultChatModel+")")
	intFlag(fs, &c.modelPassages, "model-passages", 1, maxModelPassages, fmt.Sprintf("passages a language model reads for each question (env %s; default %d)", envModelPassages, bot.DefaultK))
	fs.StringVar(&c.embedder, "embedder", "", "local or openai (env CITEBOT_EMBEDDER; default local)")
	fs.StringVar(&c.embedModel, "embed-model", "", "embedding model (env "+EnvEmbedModel+"; default "+llm.DefaultEmbedModel+")")
	intFlag(fs, &c.embedDims, "embed-dimensions", 1, maxEmbedDimensions, "embedding dimensions to ask for (env "+EnvEmbedDimensions+")")
	fs.StringVar(&c.baseURL, "base-url", "", "OpenAI-compatible API base URL (env "+EnvBaseURL+")")
	intFlag(fs, &c.chunking.TargetWords, "chunk-words", 1, maxChunkWords, fmt.Sprintf("passages of new articles hold about this many words (default %d)", ingest.DefaultTargetWords))
	intFlag(fs, &c.chunking.MaxWords, "chunk-max-words", 1, maxChunkWords, fmt.Sprintf("and at most this many, unless one sentence is longer (default %d)", ingest.DefaultMaxWords))
	intFlag(fs, &c.chunking.OverlapSentences, "chunk-overlap", 0, maxOverlap, "sentences repeated from the end of the previous passage (default 0)")
	hide := func(show flagGroups, names ...string) {
		if g&show == 0 {
			for _, n := range names {
				_ = fs.MarkHidden(n) // the names are defined just above
			}
		}
	}
	hide(showAnswer, "answerer", "sentence-model", "chat-model", "model-passages")
	hide(showEmbed, "embedder", "embed-model", "embed-dimensions", "base-url")
	hide(showChunk, "chunk-words", "chunk-max-words", "chunk-overlap")
}

// applyEnv fills the settings no flag gave from the environment, once the
// flags are parsed. An empty --data-dir is a usage error: it would fall
// back to the default store silently.
func (c *common) applyEnv(fs *pflag.FlagSet, getenv func(string) string) error {
	changed := func(name string) bool {
		f := fs.Lookup(name)
		return f != nil && f.Changed
	}
	if changed("data-dir") {
		if c.dataDir == "" {
			return usageError(`--data-dir is empty: name a directory, or leave the flag out for the default`)
		}
	} else {
		c.dataDir = getenv("CITEBOT_DATA_DIR")
	}
	if !changed("log-level") {
		c.logLevel = getenv("CITEBOT_LOG_LEVEL")
	}
	if !changed("answerer") {
		c.answerer = getenv("CITEBOT_ANSWERER")
	}
	if !changed("sentence-model") {
		c.sentenceModel = orDefault(getenv(envSentenceModel), "on")
	}
	if !changed("embedder") {
		c.embedder = orDefault(getenv("CITEBOT_EMBEDDER"), "local")
	}
	if !changed("model-passages") {
		n, err := envInt(getenv, envModelPassages, 1)
		if err != nil || n > maxModelPassages {
			return usageError("%s=%q: want a whole number from 1 to %d", envModelPassages, clip(getenv(envModelPassages)), maxModelPassages)
		}
		c.modelPassages = n
	}
	return nil
}

// check refuses flag values that are wrong together, or that need more
// than a number's bounds: a scope that is not "shared" or a Discord
// server's, a passage limit below the passage target.
func (c *common) check() error {
	if c.hasScope {
		if err := retrieval.CheckScope(c.scope); err != nil {
			return usageError(`invalid --scope %q: %v`, clip(c.scope), err)
		}
	}
	target := c.chunking.TargetWords
	if target == 0 {
		target = ingest.DefaultTargetWords
	}
	if m := c.chunking.MaxWords; m != 0 && m < target {
		return usageError("--chunk-max-words %d is below the passage target (--chunk-words %d): passages could not reach it", m, target)
	}
	return nil
}
