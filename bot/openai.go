package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sashabaranov/go-openai"
)

// OpenAIConfig configures the client for an OpenAI-compatible API: OpenAI
// itself, a local server (Ollama, vLLM, llama.cpp, LM Studio, LocalAI) via
// BaseURL, or Azure OpenAI via AzureEndpoint. Zero values take the defaults
// noted on each field.
type OpenAIConfig struct {
	// APIKey is sent as a bearer token (Azure: the api-key header). Local
	// servers usually need none.
	APIKey string
	// BaseURL of the API, e.g. http://localhost:11434/v1; empty means
	// https://api.openai.com/v1. Ignored when AzureEndpoint is set.
	BaseURL string
	// ChatModel defaults to gpt-4o-mini; EmbedModel to text-embedding-3-small.
	ChatModel  string
	EmbedModel string
	// EmbedDimensions asks the embedding model for shorter vectors
	// (text-embedding-3 and later); zero means the model's own size.
	EmbedDimensions int

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
}

// Defaults of OpenAIConfig.
const (
	DefaultChatModel       = "gpt-4o-mini"
	DefaultEmbedModel      = "text-embedding-3-small"
	DefaultAzureAPIVersion = "2024-10-21"
	DefaultOpenAITimeout   = 60 * time.Second
	DefaultMaxAttempts     = 4
)

// Environment variables read by ConfigFromEnv.
const (
	EnvAPIKey           = "OPENAI_API_KEY"
	EnvBaseURL          = "OPENAI_BASE_URL"
	EnvChatModel        = "CITEBOT_CHAT_MODEL"
	EnvEmbedModel       = "CITEBOT_EMBED_MODEL"
	EnvEmbedDimensions  = "CITEBOT_EMBED_DIMENSIONS"
	EnvLLMTimeout       = "CITEBOT_LLM_TIMEOUT"      // Go duration, e.g. 90s
	EnvLLMMaxAttempts   = "CITEBOT_LLM_MAX_ATTEMPTS" // integer >= 1
	EnvAzureEndpoint    = "AZURE_OPENAI_ENDPOINT"
	EnvAzureAPIKey      = "AZURE_OPENAI_API_KEY" // falls back to OPENAI_API_KEY
	EnvAzureAPIVersion  = "AZURE_OPENAI_API_VERSION"
	EnvAzureDeployments = "AZURE_OPENAI_DEPLOYMENTS" // "model=deployment,model=deployment"
)

// ConfigFromEnv reads an OpenAIConfig from the environment variables Env*
// through getenv (os.Getenv in main; a map lookup in tests). Unset
// variables leave the defaults; malformed numbers, durations or deployment
// lists are errors naming the variable.
func ConfigFromEnv(getenv func(string) string) (OpenAIConfig, error) {
	cfg := OpenAIConfig{
		APIKey:          strings.TrimSpace(getenv(EnvAPIKey)),
		BaseURL:         strings.TrimSpace(getenv(EnvBaseURL)),
		ChatModel:       strings.TrimSpace(getenv(EnvChatModel)),
		EmbedModel:      strings.TrimSpace(getenv(EnvEmbedModel)),
		AzureEndpoint:   strings.TrimSpace(getenv(EnvAzureEndpoint)),
		AzureAPIVersion: strings.TrimSpace(getenv(EnvAzureAPIVersion)),
	}
	if k := strings.TrimSpace(getenv(EnvAzureAPIKey)); k != "" && cfg.AzureEndpoint != "" {
		cfg.APIKey = k
	}
	var err error
	if cfg.EmbedDimensions, err = envInt(getenv, EnvEmbedDimensions, 1); err != nil {
		return cfg, err
	}
	if cfg.MaxAttempts, err = envInt(getenv, EnvLLMMaxAttempts, 1); err != nil {
		return cfg, err
	}
	if v := strings.TrimSpace(getenv(EnvLLMTimeout)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return cfg, fmt.Errorf("%s=%q: want a positive duration such as 90s", EnvLLMTimeout, v)
		}
		cfg.Timeout = d
	}
	if v := strings.TrimSpace(getenv(EnvAzureDeployments)); v != "" {
		cfg.AzureDeployments = map[string]string{}
		for _, pair := range strings.Split(v, ",") {
			model, dep, ok := strings.Cut(strings.TrimSpace(pair), "=")
			model, dep = strings.TrimSpace(model), strings.TrimSpace(dep)
			if !ok || model == "" || dep == "" {
				return cfg, fmt.Errorf("%s=%q: want model=deployment pairs separated by commas", EnvAzureDeployments, v)
			}
			cfg.AzureDeployments[model] = dep
		}
	}
	return cfg.withDefaults(), nil
}

func envInt(getenv func(string) string, name string, lowest int) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lowest {
		return 0, fmt.Errorf("%s=%q: want an integer of at least %d", name, v, lowest)
	}
	return n, nil
}

// Configured reports whether any endpoint or key was given, i.e. whether
// the user asked for a remote model at all.
func (c OpenAIConfig) Configured() bool {
	return c.APIKey != "" || c.BaseURL != "" || c.AzureEndpoint != ""
}

// String describes the configuration for logs, without the key.
func (c OpenAIConfig) String() string {
	c = c.withDefaults()
	where := c.BaseURL
	if c.AzureEndpoint != "" {
		where = "azure " + c.AzureEndpoint
	}
	if where == "" {
		where = "api.openai.com"
	}
	return fmt.Sprintf("%s chat=%s embed=%s", where, c.ChatModel, c.EmbedModel)
}

func (c OpenAIConfig) withDefaults() OpenAIConfig {
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
		c.Timeout = DefaultOpenAITimeout
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
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// NewOpenAIClient returns a go-openai client for cfg whose HTTP transport
// has connect, TLS and response-header timeouts, retries failed attempts
// (429, 5xx, network errors) with backoff, and enforces cfg.Timeout per
// call. The client is safe for concurrent use.
func NewOpenAIClient(cfg OpenAIConfig) *openai.Client {
	cfg = cfg.withDefaults()
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
	oc.HTTPClient = &http.Client{Transport: newRetryTransport(cfg)}
	return openai.NewClientWithConfig(oc)
}

func newRetryTransport(cfg OpenAIConfig) *retryTransport {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	base.TLSHandshakeTimeout = 10 * time.Second
	// A plain chat completion sends its headers only once the whole answer
	// is written, so the header timeout is the call timeout.
	base.ResponseHeaderTimeout = cfg.Timeout
	base.MaxIdleConnsPerHost = 16
	return &retryTransport{
		base:        base,
		timeout:     cfg.Timeout,
		maxAttempts: cfg.MaxAttempts,
		baseDelay:   cfg.RetryBaseDelay,
		maxDelay:    cfg.RetryMaxDelay,
		log:         cfg.Logger,
	}
}

// errCallTimeout is the cause set when a call outlives the configured
// timeout; it wraps context.DeadlineExceeded so classification sees a timeout.
var errCallTimeout = fmt.Errorf("openai call timed out: %w", context.DeadlineExceeded)

// retryTransport retries attempts that failed before a usable response
// (network errors, 408, 429, 5xx) and enforces the per-call timeout. Once it
// returns a response, the body belongs to the caller: a stream that has
// started is never retried.
type retryTransport struct {
	base        http.RoundTripper
	timeout     time.Duration
	maxAttempts int
	baseDelay   time.Duration
	maxDelay    time.Duration
	log         *slog.Logger
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	stream := strings.Contains(req.Header.Get("Accept"), "text/event-stream")
	ctx, cancel := context.WithCancelCause(req.Context())
	timer := time.AfterFunc(t.timeout, func() { cancel(errCallTimeout) })
	deadline := time.Now().Add(t.timeout)
	fail := func(err error) (*http.Response, error) {
		timer.Stop()
		if context.Cause(ctx) == errCallTimeout {
			err = fmt.Errorf("%w after %s (%w)", errCallTimeout, t.timeout, err)
		}
		cancel(nil)
		return nil, err
	}

	getBody := req.GetBody
	if req.Body != nil && req.Body != http.NoBody && getBody == nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return fail(fmt.Errorf("read request body: %w", err))
		}
		getBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}

	for attempt := 1; ; attempt++ {
		r := req.Clone(ctx)
		if getBody != nil {
			body, err := getBody()
			if err != nil {
				return fail(fmt.Errorf("rewind request body: %w", err))
			}
			r.Body = body
		}
		resp, err := t.base.RoundTrip(r)
		if ctx.Err() != nil {
			// The caller gave up or the call timed out: no more attempts.
			if resp != nil {
				resp.Body.Close()
			}
			return fail(cmpOr(err, context.Cause(ctx)))
		}
		retry, why := t.retryable(resp, err)
		if !retry || attempt >= t.maxAttempts {
			if err != nil {
				return fail(err)
			}
			resp.Body = &callBody{ReadCloser: resp.Body, ctx: ctx, cancel: cancel, timer: timer, idle: t.timeout, stream: stream}
			return resp, nil
		}
		wait, serverAsked := t.backoff(attempt, resp)
		if time.Now().Add(wait).After(deadline) && resp != nil {
			// Waiting would outlive the call: hand back the failure now.
			t.log.Warn("openai: not retrying, the wait exceeds the call timeout",
				"path", req.URL.Path, "attempt", attempt, "reason", why, "wait", wait)
			resp.Body = &callBody{ReadCloser: resp.Body, ctx: ctx, cancel: cancel, timer: timer}
			return resp, nil
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		t.log.Info("openai: retrying", "path", req.URL.Path, "attempt", attempt, "reason", why,
			"wait", wait, "server_asked", serverAsked)
		select {
		case <-ctx.Done():
			return fail(context.Cause(ctx))
		case <-time.After(wait):
		}
	}
}

func cmpOr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// retryable says whether a failed attempt is worth another, and why.
func (t *retryTransport) retryable(resp *http.Response, err error) (bool, string) {
	if err != nil {
		return true, redactURL(err)
	}
	switch c := resp.StatusCode; {
	case c == http.StatusTooManyRequests:
		// An exhausted quota is not cured by waiting.
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		if bytes.Contains(b, []byte("insufficient_quota")) {
			return false, ""
		}
		return true, resp.Status
	case c == http.StatusRequestTimeout, c == http.StatusConflict,
		c >= 500 && c != http.StatusNotImplemented && c != http.StatusHTTPVersionNotSupported:
		return true, resp.Status
	}
	return false, ""
}

// redactURL keeps a network error's message short and free of query strings.
func redactURL(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		return ue.Unwrap().Error()
	}
	return err.Error()
}

// backoff returns how long to wait before attempt+1: the server's
// retry-after-ms or Retry-After (seconds, fractions allowed, or an HTTP
// date) when it asks for more than the computed delay, else exponential
// backoff from baseDelay, capped at maxDelay, with jitter in [d/2, d].
func (t *retryTransport) backoff(attempt int, resp *http.Response) (time.Duration, bool) {
	d := t.baseDelay << min(attempt-1, 30)
	if d <= 0 || d > t.maxDelay {
		d = t.maxDelay
	}
	d = d/2 + rand.N(d/2+1)
	if resp == nil {
		return d, false
	}
	if ra, ok := retryAfter(resp.Header, time.Now()); ok && ra > d {
		return ra, true
	}
	return d, false
}

func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("retry-after-ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// callBody ends the call when the body is closed. For a stream, each read
// that brings bytes pushes the timeout back by idle, so only a stalled
// stream times out.
type callBody struct {
	io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	idle   time.Duration
	stream bool
}

func (b *callBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 && b.stream {
		b.timer.Reset(b.idle)
	}
	if err != nil && err != io.EOF && context.Cause(b.ctx) == errCallTimeout {
		err = fmt.Errorf("%w: no data for %s (%w)", errCallTimeout, b.idle, err)
	}
	return n, err
}

func (b *callBody) Close() error {
	b.timer.Stop()
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}
