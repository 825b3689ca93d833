package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/citebot/citebot/internal/llm"
)

// Environment variables of the OpenAI-compatible API, read by
// llmConfigFromEnv.
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

// llmConfigFromEnv reads an llm.Config from the environment variables
// above through getenv (os.Getenv in main; a map lookup in tests). Unset
// variables leave the defaults, filled in (llm.Config.WithDefaults);
// malformed numbers, durations or deployment lists are errors naming the
// variable.
func llmConfigFromEnv(getenv func(string) string) (llm.Config, error) {
	cfg := llm.Config{
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
	return cfg.WithDefaults(), nil
}

// envInt reads the integer variable name through getenv: 0 when unset, an
// error naming the variable when it is not an integer of at least lowest.
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
