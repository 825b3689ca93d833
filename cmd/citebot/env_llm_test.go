package main

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/internal/llm"
)

func TestLLMConfigFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    func(llm.Config) bool
		wantErr string
	}{
		{"defaults", nil, func(c llm.Config) bool {
			return c.ChatModel == llm.DefaultChatModel && c.EmbedModel == llm.DefaultEmbedModel && c.Timeout == llm.DefaultTimeout &&
				c.MaxAttempts == llm.DefaultMaxAttempts && !c.Configured()
		}, ""},
		{"ollama", map[string]string{EnvBaseURL: "http://localhost:11434/v1", EnvChatModel: "llama3.2", EnvEmbedModel: "nomic-embed-text",
			EnvEmbedDimensions: "768", EnvLLMTimeout: "90s", EnvLLMMaxAttempts: "2"}, func(c llm.Config) bool {
			return c.BaseURL == "http://localhost:11434/v1" && c.ChatModel == "llama3.2" && c.EmbedModel == "nomic-embed-text" &&
				c.EmbedDimensions == 768 && c.Timeout == 90*time.Second && c.MaxAttempts == 2 && c.Configured()
		}, ""},
		{"azure", map[string]string{EnvAPIKey: "openai-key", EnvAzureAPIKey: "azure-key", EnvAzureEndpoint: "https://r.openai.azure.com",
			EnvAzureDeployments: " gpt-4o-mini = chat-dep ,text-embedding-3-small=embed-dep"}, func(c llm.Config) bool {
			return c.APIKey == "azure-key" && c.AzureAPIVersion == llm.DefaultAzureAPIVersion &&
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
			cfg, err := llmConfigFromEnv(func(k string) string { return tt.env[k] })
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
