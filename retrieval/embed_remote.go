package retrieval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/citebot/citebot/internal/llm"
)

// NewRemoteEmbedder returns an Embedder calling the embeddings API of an
// OpenAI-compatible server through c, with c's embedding model, dimensions,
// batching, retries and timeouts. Its Name is "openai:<model>". Its
// Dimensions are c.EmbedDimensions() when set; otherwise 0 until the first
// successful Embed call and then the length of the vectors the model
// returned, which later calls must keep. Vectors are L2-normalised. Errors
// are *llm.Error values (with a UserMessage).
func NewRemoteEmbedder(c *llm.Client) Embedder {
	return &remoteEmbedder{client: c, dims: c.EmbedDimensions()}
}

type remoteEmbedder struct {
	client *llm.Client

	mu   sync.Mutex
	dims int
}

func (e *remoteEmbedder) Name() string { return "openai:" + e.client.EmbedModel() }

func (e *remoteEmbedder) Dimensions() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dims
}

// Embed embeds texts through the client and returns their normalised
// vectors in the order of texts.
func (e *remoteEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vs, err := e.client.Embed(ctx, texts)
	if err != nil {
		return nil, err
	}
	for i, v := range vs {
		if err := e.learn(len(v)); err != nil {
			return nil, e.bad(fmt.Errorf("vector %d: %w", i, err))
		}
		if !finiteNonZero(v) {
			return nil, e.bad(fmt.Errorf("vector %d: %w", i, errZeroVector))
		}
		normalize(v) // the client's own slice: nothing else holds it
	}
	return vs, nil
}

// bad is the error for a vector the model should not have sent.
func (e *remoteEmbedder) bad(err error) error {
	return &llm.Error{Op: "embeddings", Model: e.client.EmbedModel(), Kind: llm.BadResponse, Err: err}
}

// learn records the model's dimensions on first use and checks them after.
func (e *remoteEmbedder) learn(n int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.dims == 0 && n > 0 {
		e.dims = n
	}
	if n != e.dims {
		return fmt.Errorf("vector of %d dimensions, want %d", n, e.dims)
	}
	return nil
}

var errZeroVector = errors.New("zero or non-finite vector")

// finiteNonZero reports whether v has a length to normalise by.
func finiteNonZero(v []float32) bool {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	return sum != 0 && !math.IsNaN(sum) && !math.IsInf(sum, 0)
}
