package bot

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    func(OpenAIConfig) bool
		wantErr string
	}{
		{"defaults", nil, func(c OpenAIConfig) bool {
			return c.ChatModel == DefaultChatModel && c.EmbedModel == DefaultEmbedModel && c.Timeout == DefaultOpenAITimeout &&
				c.MaxAttempts == DefaultMaxAttempts && !c.Configured()
		}, ""},
		{"ollama", map[string]string{EnvBaseURL: "http://localhost:11434/v1", EnvChatModel: "llama3.2", EnvEmbedModel: "nomic-embed-text",
			EnvEmbedDimensions: "768", EnvLLMTimeout: "90s", EnvLLMMaxAttempts: "2"}, func(c OpenAIConfig) bool {
			return c.BaseURL == "http://localhost:11434/v1" && c.ChatModel == "llama3.2" && c.EmbedModel == "nomic-embed-text" &&
				c.EmbedDimensions == 768 && c.Timeout == 90*time.Second && c.MaxAttempts == 2 && c.Configured()
		}, ""},
		{"azure", map[string]string{EnvAPIKey: "openai-key", EnvAzureAPIKey: "azure-key", EnvAzureEndpoint: "https://r.openai.azure.com",
			EnvAzureDeployments: " gpt-4o-mini = chat-dep ,text-embedding-3-small=embed-dep"}, func(c OpenAIConfig) bool {
			return c.APIKey == "azure-key" && c.AzureAPIVersion == DefaultAzureAPIVersion &&
				reflect.DeepEqual(c.AzureDeployments, map[string]string{"gpt-4o-mini": "chat-dep", "text-embedding-3-small": "embed-dep"})
		}, ""},
		{"bad dimensions", map[string]string{EnvEmbedDimensions: "many"}, nil, EnvEmbedDimensions},
		{"zero attempts", map[string]string{EnvLLMMaxAttempts: "0"}, nil, EnvLLMMaxAttempts},
		{"bad timeout", map[string]string{EnvLLMTimeout: "soon"}, nil, EnvLLMTimeout},
		{"bad deployments", map[string]string{EnvAzureDeployments: "gpt-4o-mini"}, nil, EnvAzureDeployments},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(cfg) {
				t.Errorf("got %+v", cfg)
			}
			if strings.Contains(cfg.String(), "key") {
				t.Errorf("String() shows the key: %s", cfg)
			}
		})
	}
}

func TestRetryAfterHeader(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		h    map[string]string
		want time.Duration
		ok   bool
	}{
		{"seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second, true},
		{"fractional seconds", map[string]string{"Retry-After": "0.25"}, 250 * time.Millisecond, true},
		{"milliseconds win", map[string]string{"Retry-After": "1", "retry-after-ms": "20"}, 20 * time.Millisecond, true},
		{"http date", map[string]string{"Retry-After": now.Add(3 * time.Second).Format(http.TimeFormat)}, 3 * time.Second, true},
		{"past date", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0, true},
		{"junk", map[string]string{"Retry-After": "soon"}, 0, false},
		{"none", nil, 0, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.h {
			h.Set(k, v)
		}
		got, ok := retryAfter(h, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: retryAfter = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	tr := newRetryTransport(OpenAIConfig{RetryBaseDelay: 100 * time.Millisecond, RetryMaxDelay: time.Second}.withDefaults())
	for attempt := 1; attempt <= 40; attempt++ {
		want := min(100*time.Millisecond<<min(attempt-1, 30), time.Second)
		for range 20 {
			got, _ := tr.backoff(attempt, nil)
			if got < want/2 || got > want {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, got, want/2, want)
			}
		}
	}
}
