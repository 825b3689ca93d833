package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/internal/llm"
	"github.com/citebot/citebot/retrieval"
)

// newRemoteEmbedder returns an embedder talking to a fresh fake server
// through the real client with fast retries; cfg sets its embedding
// fields.
func newRemoteEmbedder(t testing.TB, fo fakeopenai.Options, cfg llm.Config) (retrieval.Embedder, *fakeopenai.Server) {
	t.Helper()
	fake := fakeopenai.New(fo)
	t.Cleanup(fake.Close)
	cfg.BaseURL, cfg.Timeout, cfg.MaxAttempts = fake.URL, 5*time.Second, 3
	cfg.RetryBaseDelay, cfg.RetryMaxDelay = time.Millisecond, 2*time.Millisecond
	return retrieval.NewRemoteEmbedder(llm.New(cfg)), fake
}

func texts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("chunk %d about topic%d and word%d", i, i%7, i%13)
	}
	return out
}

func unit(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) / math.Sqrt(s))
	}
	return out
}

func TestRemoteEmbedderBatchesInOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		n        int
		cfg      llm.Config
		requests int
		dims     int
	}{
		{"600 inputs in 3 default batches", 600, llm.Config{EmbedModel: "m"}, 3, 32},
		{"exact multiple", 20, llm.Config{EmbedModel: "m", EmbedBatchSize: 10, EmbedMaxInFlight: 4}, 2, 32},
		{"one input, asked dimensions", 1, llm.Config{EmbedModel: "m", EmbedDimensions: 8}, 1, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, fake := newRemoteEmbedder(t, fakeopenai.Options{ShuffleEmbeddings: true}, tt.cfg)
			in := texts(tt.n)
			got, err := e.Embed(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if n := fake.Count(fakeopenai.Embeddings); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if e.Dimensions() != tt.dims {
				t.Errorf("Dimensions() = %d, want %d", e.Dimensions(), tt.dims)
			}
			for i, v := range got {
				want := unit(fakeopenai.Vector(in[i], tt.dims))
				for j := range want {
					if math.Abs(float64(v[j]-want[j])) > 1e-6 {
						t.Fatalf("vector %d is not the unit vector of its text: %v vs %v", i, v, want)
					}
				}
			}
			batch := tt.cfg.EmbedBatchSize
			if batch == 0 {
				batch = 256
			}
			for _, r := range fake.Requests() {
				if r.Embed.Model != "m" || r.Embed.Dimensions != tt.cfg.EmbedDimensions || len(r.Embed.Input) > batch {
					t.Errorf("request %+v", r.Embed)
				}
			}
		})
	}
}

func TestRemoteEmbedderNameAndLearnedDimensions(t *testing.T) {
	t.Parallel()
	e, _ := newRemoteEmbedder(t, fakeopenai.Options{Dimensions: 12}, llm.Config{})
	if e.Name() != "openai:text-embedding-3-small" || e.Dimensions() != 0 {
		t.Fatalf("before use: %q %d", e.Name(), e.Dimensions())
	}
	if _, err := e.Embed(context.Background(), []string{"x"}); err != nil {
		t.Fatal(err)
	}
	if e.Dimensions() != 12 {
		t.Errorf("learned %d dimensions, want 12", e.Dimensions())
	}
	if got, err := e.Embed(context.Background(), nil); err != nil || got != nil {
		t.Errorf("empty input: %v %v", got, err)
	}
}

func TestRemoteEmbedderFailure(t *testing.T) {
	t.Parallel()
	e, fake := newRemoteEmbedder(t, fakeopenai.Options{}, llm.Config{EmbedBatchSize: 10, EmbedMaxInFlight: 1})
	fake.Fail(fakeopenai.Embeddings, fakeopenai.Failure{Status: 400})
	got, err := e.Embed(context.Background(), texts(30))
	var le *llm.Error
	if got != nil || !errors.As(err, &le) || le.Kind != llm.BadRequest {
		t.Fatalf("got %d vectors, err %v; want kind %v", len(got), err, llm.BadRequest)
	}
	if um := le.UserMessage(); um == "" || um[:19] != "The embedding model" {
		t.Errorf("user message %q", um)
	}
}
