package llm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/citebot/citebot/internal/fakeopenai"
)

// embedClient is a client of env's server for embeddings with model and
// dims, in batches of batch inputs, inFlight at a time (zero: defaults).
func (e *testEnv) embedClient(model string, dims, batch, inFlight int) *Client {
	cfg := e.cfg
	cfg.EmbedModel, cfg.EmbedDimensions, cfg.EmbedBatchSize, cfg.EmbedMaxInFlight = model, dims, batch, inFlight
	return New(cfg)
}

func texts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("chunk %d about topic%d and word%d", i, i%7, i%13)
	}
	return out
}

func TestEmbedBatchesInOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		n               int
		dims            int // asked for
		batch, inFlight int
		requests        int
		wantDims        int
	}{
		{"600 inputs in 3 default batches", 600, 0, 0, 0, 3, 32},
		{"exact multiple", 20, 0, 10, 4, 2, 32},
		{"one input, asked dimensions", 1, 8, 0, 0, 1, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, fakeopenai.Options{ShuffleEmbeddings: true})
			in := texts(tt.n)
			got, err := env.embedClient("m", tt.dims, tt.batch, tt.inFlight).Embed(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if n := env.fake.Count(fakeopenai.Embeddings); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if len(got) != len(in) {
				t.Fatalf("%d vectors for %d texts", len(got), len(in))
			}
			for i, v := range got {
				if want := fakeopenai.Vector(in[i], tt.wantDims); !slices.Equal(v, want) {
					t.Fatalf("vector %d is not the vector of its text: %v vs %v", i, v, want)
				}
			}
			batch := tt.batch
			if batch == 0 {
				batch = DefaultEmbedBatchSize
			}
			for _, r := range env.fake.Requests() {
				if r.Embed.Model != "m" || r.Embed.Dimensions != tt.dims || len(r.Embed.Input) > batch {
					t.Errorf("request %+v", r.Embed)
				}
			}
		})
	}
}

func TestEmbedBoundsInFlight(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, fakeopenai.Options{})
	if _, err := env.embedClient("", 0, 5, 2).Embed(context.Background(), texts(200)); err != nil {
		t.Fatal(err)
	}
	if n, peak := env.fake.Count(fakeopenai.Embeddings), env.fake.MaxConcurrent(); n != 40 || peak > 2 {
		t.Errorf("%d requests with up to %d at once, want 40 with at most 2", n, peak)
	}
}

func TestEmbedNothing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, fakeopenai.Options{})
	if got, err := env.client().Embed(context.Background(), nil); err != nil || got != nil {
		t.Errorf("empty input: %v %v", got, err)
	}
	if n := env.fake.Count(fakeopenai.Embeddings); n != 0 {
		t.Errorf("%d requests for no texts", n)
	}
}

func TestEmbedFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		failures []fakeopenai.Failure
		kind     Kind // Other: success expected after retries
		requests int
	}{
		{"429 then success", []fakeopenai.Failure{{Status: 429, RetryAfterMS: "5"}}, Other, 4},
		{"500 then success", []fakeopenai.Failure{{Status: 500}}, Other, 4},
		{"bad request fails the call", []fakeopenai.Failure{{Status: 400}}, BadRequest, 0},
		{"malformed JSON fails the call", []fakeopenai.Failure{{Malformed: true}}, BadResponse, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, fakeopenai.Options{})
			env.fake.Fail(fakeopenai.Embeddings, tt.failures...)
			got, err := env.embedClient("", 0, 10, 1).Embed(context.Background(), texts(30))
			if tt.kind == Other {
				if err != nil || len(got) != 30 {
					t.Fatalf("got %d vectors, %v", len(got), err)
				}
				if n := env.fake.Count(fakeopenai.Embeddings); n != tt.requests {
					t.Errorf("%d requests, want %d", n, tt.requests)
				}
				return
			}
			var le *Error
			if got != nil || !errors.As(err, &le) || le.Kind != tt.kind {
				t.Fatalf("got %d vectors, err %v; want kind %v", len(got), err, tt.kind)
			}
			if um := le.UserMessage(); um == "" || um[:19] != "The embedding model" {
				t.Errorf("user message %q", um)
			}
		})
	}
}
