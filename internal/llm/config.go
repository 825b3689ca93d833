package llm

import (
	"fmt"
	"log/slog"
	"time"
)

// Config configures the Client for an OpenAI-compatible API: OpenAI
// itself, a local server (Ollama, vLLM, llama.cpp, LM Studio, LocalAI) via
// BaseURL, or Azure OpenAI via AzureEndpoint. Zero values take the defaults
// noted on each field. Nothing here reads the environment: cmd/citebot
// fills a Config from its variables and flags.
type Config struct {
	// APIKey is sent as a bearer token (Azure: the api-key header). Local
	// servers usually need none.
	APIKey string
	// BaseURL of the API, e.g. http://localhost:11434/v1; empty means
	// https://api.openai.com/v1. Ignored when AzureEndpoint is set.
	BaseURL string
	// ChatModel defaults to DefaultChatModel; EmbedModel to
	// DefaultEmbedModel.
	ChatModel  string
	EmbedModel string
	// EmbedDimensions asks the embedding model for shorter vectors
	// (text-embedding-3 and later); zero means the model's own size.
	EmbedDimensions int
	// EmbedBatchSize is the most inputs per embeddings request; zero means
	// 256 (OpenAI allows 2048 inputs and 300k tokens per request: 256 chunks
	// of ~180 words stay well under it).
	EmbedBatchSize int
	// EmbedMaxInFlight bounds the concurrent requests of one Embed call;
	// zero means 2.
	EmbedMaxInFlight int

	// AzureEndpoint (https://<resource>.openai.azure.com) selects Azure.
	AzureEndpoint string
	// AzureAPIVersion defaults to DefaultAzureAPIVersion.
	AzureAPIVersion string
	// AzureDeployments maps model names to deployment names; a model not in
	// the map uses go-openai's default mapping (its name without "." and ":"
	// for 3.5 models, without ":" otherwise).
	AzureDeployments map[string]string

	// Timeout bounds each call, retries included; for a streamed answer it
	// bounds the wait for the response and then each gap between streamed
	// bytes, so long answers are not cut. Zero means 60s.
	Timeout time.Duration
	// MaxAttempts bounds the tries of one call (first try included). Zero
	// means 4; 1 disables retries.
	MaxAttempts int
	// RetryBaseDelay and RetryMaxDelay shape the exponential backoff with
	// jitter between attempts; zero means 500ms and 8s. A server's
	// Retry-After takes precedence when it asks for longer.
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// Logger receives retries (never keys); nil means slog.Default().
	Logger *slog.Logger
	// Observer receives the calls' latencies, retries, errors and tokens;
	// nil means none.
	Observer Observer
}

// Defaults of Config.
const (
	DefaultChatModel        = "gpt-4o-mini"
	DefaultEmbedModel       = "text-embedding-3-small"
	DefaultAzureAPIVersion  = "2024-10-21"
	DefaultTimeout          = 60 * time.Second
	DefaultMaxAttempts      = 4
	DefaultEmbedBatchSize   = 256
	DefaultEmbedMaxInFlight = 2
)

// Configured reports whether any endpoint or key was given, i.e. whether
// the user asked for a remote model at all.
func (c Config) Configured() bool {
	return c.APIKey != "" || c.BaseURL != "" || c.AzureEndpoint != ""
}

// String describes the configuration for logs, without the key.
func (c Config) String() string {
	c = c.WithDefaults()
	where := c.BaseURL
	if c.AzureEndpoint != "" {
		where = "azure " + c.AzureEndpoint
	}
	if where == "" {
		where = "api.openai.com"
	}
	return fmt.Sprintf("%s chat=%s embed=%s", where, c.ChatModel, c.EmbedModel)
}

// WithDefaults returns c with every zero field set to its default: the
// configuration New works with.
func (c Config) WithDefaults() Config {
	if c.ChatModel == "" {
		c.ChatModel = DefaultChatModel
	}
	if c.EmbedModel == "" {
		c.EmbedModel = DefaultEmbedModel
	}
	if c.AzureAPIVersion == "" {
		c.AzureAPIVersion = DefaultAzureAPIVersion
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.RetryBaseDelay <= 0 {
		c.RetryBaseDelay = 500 * time.Millisecond
	}
	if c.RetryMaxDelay <= 0 {
		c.RetryMaxDelay = 8 * time.Second
	}
	if c.RetryMaxDelay < c.RetryBaseDelay {
		c.RetryMaxDelay = c.RetryBaseDelay
	}
	if c.EmbedBatchSize <= 0 {
		c.EmbedBatchSize = DefaultEmbedBatchSize
	}
	if c.EmbedMaxInFlight <= 0 {
		c.EmbedMaxInFlight = DefaultEmbedMaxInFlight
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
