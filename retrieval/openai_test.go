package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/internal/llmerr"
	"github.com/citebot/citebot/retrieval"
)

// newOpenAIEmbedder returns an embedder talking to a fresh fake server
// through the real client with fast retries.
func newOpenAIEmbedder(t *testing.T, fo fakeopenai.Options, opt retrieval.OpenAIEmbedderOptions) (retrieval.Embedder, *fakeopenai.Server) {
	t.Helper()
	fake := fakeopenai.New(fo)
	t.Cleanup(fake.Close)
	cfg := bot.OpenAIConfig{BaseURL: fake.URL, Timeout: 5 * time.Second, MaxAttempts: 3,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 2 * time.Millisecond}
	return retrieval.NewOpenAIEmbedder(bot.NewOpenAIClient(cfg), opt), fake
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

func TestOpenAIEmbedderBatchesInOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		n        int
		opt      retrieval.OpenAIEmbedderOptions
		requests int
		dims     int
	}{
		{"600 inputs in 3 default batches", 600, retrieval.OpenAIEmbedderOptions{Model: "m"}, 3, 32},
		{"exact multiple", 20, retrieval.OpenAIEmbedderOptions{Model: "m", BatchSize: 10, MaxInFlight: 4}, 2, 32},
		{"one input, asked dimensions", 1, retrieval.OpenAIEmbedderOptions{Model: "m", Dimensions: 8}, 1, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, fake := newOpenAIEmbedder(t, fakeopenai.Options{ShuffleEmbeddings: true}, tt.opt)
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
			batch := tt.opt.BatchSize
			if batch == 0 {
				batch = 256
			}
			for _, r := range fake.Requests() {
				if r.Embed.Model != "m" || r.Embed.Dimensions != tt.opt.Dimensions || len(r.Embed.Input) > batch {
					t.Errorf("request %+v", r.Embed)
				}
			}
		})
	}
}

func TestOpenAIEmbedderBoundsInFlight(t *testing.T) {
	t.Parallel()
	e, fake := newOpenAIEmbedder(t, fakeopenai.Options{}, retrieval.OpenAIEmbedderOptions{BatchSize: 5, MaxInFlight: 2})
	if _, err := e.Embed(context.Background(), texts(200)); err != nil {
		t.Fatal(err)
	}
	if n, peak := fake.Count(fakeopenai.Embeddings), fake.MaxConcurrent(); n != 40 || peak > 2 {
		t.Errorf("%d requests with up to %d at once, want 40 with at most 2", n, peak)
	}
}

func TestOpenAIEmbedderNameAndLearnedDimensions(t *testing.T) {
	t.Parallel()
	e, _ := newOpenAIEmbedder(t, fakeopenai.Options{Dimensions: 12}, retrieval.OpenAIEmbedderOptions{})
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

func TestOpenAIEmbedderFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		failures []fakeopenai.Failure
		kind     llmerr.Kind // Other: success expected after retries
		requests int
	}{
		{"429 then success", []fakeopenai.Failure{{Status: 429, RetryAfterMS: "5"}}, llmerr.Other, 4},
		{"500 then success", []fakeopenai.Failure{{Status: 500}}, llmerr.Other, 4},
		{"bad request fails the call", []fakeopenai.Failure{{Status: 400}}, llmerr.BadRequest, 0},
		{"malformed JSON fails the call", []fakeopenai.Failure{{Malformed: true}}, llmerr.BadResponse, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, fake := newOpenAIEmbedder(t, fakeopenai.Options{}, retrieval.OpenAIEmbedderOptions{BatchSize: 10, MaxInFlight: 1})
			fake.Fail(fakeopenai.Embeddings, tt.failures...)
			got, err := e.Embed(context.Background(), texts(30))
			if tt.kind == llmerr.Other {
				if err != nil || len(got) != 30 {
					t.Fatalf("got %d vectors, %v", len(got), err)
				}
				if n := fake.Count(fakeopenai.Embeddings); n != tt.requests {
					t.Errorf("%d requests, want %d", n, tt.requests)
				}
				return
			}
			var le *llmerr.Error
			if got != nil || !errors.As(err, &le) || le.Kind != tt.kind {
				t.Fatalf("got %d vectors, err %v; want kind %v", len(got), err, tt.kind)
			}
			if um := le.UserMessage(); um == "" || um[:19] != "the embedding model" {
				t.Errorf("user message %q", um)
			}
		})
	}
}
