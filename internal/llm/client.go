// Package llm is citebot's one client of OpenAI-compatible APIs (OpenAI,
// Azure OpenAI, and local servers such as Ollama or vLLM), and the only
// package that imports go-openai. A Client makes chat calls, plain and
// streamed (chat.go), and batched embedding calls (embed.go), with retries,
// backoff and timeouts (retry.go); every failure it returns is an *Error
// classified by kind, with a message for users (errors.go). Callers speak
// in this package's Message type and never see go-openai's.
package llm

import (
	"log/slog"
	"net/http"

	"github.com/sashabaranov/go-openai"
)

// Client calls the chat and embeddings APIs of one configured server. It is
// safe for concurrent use.
type Client struct {
	api *openai.Client
	cfg Config // with defaults
}

// New returns a Client for cfg whose HTTP transport has connect, TLS and
// response-header timeouts, retries failed attempts (429, 5xx, network
// errors) with backoff, and enforces cfg.Timeout per call. It makes no
// request.
func New(cfg Config) *Client {
	return newClient(cfg, realClock{})
}

// newClient is New with the clock the transport's timeouts run on.
func newClient(cfg Config, clk clock) *Client {
	cfg = cfg.WithDefaults()
	var oc openai.ClientConfig
	if cfg.AzureEndpoint != "" {
		oc = openai.DefaultAzureConfig(cfg.APIKey, cfg.AzureEndpoint)
		oc.APIVersion = cfg.AzureAPIVersion
		fallback := oc.AzureModelMapperFunc
		deployments := make(map[string]string, len(cfg.AzureDeployments))
		for k, v := range cfg.AzureDeployments {
			deployments[k] = v
		}
		oc.AzureModelMapperFunc = func(model string) string {
			if d, ok := deployments[model]; ok {
				return d
			}
			return fallback(model)
		}
	} else {
		oc = openai.DefaultConfig(cfg.APIKey)
		if cfg.BaseURL != "" {
			oc.BaseURL = cfg.BaseURL
		}
	}
	oc.HTTPClient = &http.Client{Transport: newRetryTransport(cfg, clk)}
	return &Client{api: openai.NewClientWithConfig(oc), cfg: cfg}
}

// ChatModel is the model Chat and ChatStream use.
func (c *Client) ChatModel() string { return c.cfg.ChatModel }

// EmbedModel is the model Embed uses.
func (c *Client) EmbedModel() string { return c.cfg.EmbedModel }

// EmbedDimensions is the vector length Embed asks for, 0 for the model's
// own.
func (c *Client) EmbedDimensions() int { return c.cfg.EmbedDimensions }

// Logger is where the client logs retries and unusual answers; callers
// log their own notes about its answers there too.
func (c *Client) Logger() *slog.Logger { return c.cfg.Logger }
