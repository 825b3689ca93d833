package retrieval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/citebot/citebot/internal/llmerr"
	"github.com/sashabaranov/go-openai"
)

// OpenAIEmbedderOptions configure NewOpenAIEmbedder. Zero values take the
// defaults noted on each field.
type OpenAIEmbedderOptions struct {
	// Model defaults to text-embedding-3-small.
	Model string
	// Dimensions, when set, is sent to the API (text-embedding-3 and later
	// can shorten their vectors) and is what Dimensions() reports. When
	// zero, Dimensions() is 0 until the first successful Embed call and then
	// the length of the vectors the model returned.
	Dimensions int
	// BatchSize is the most inputs per request; zero means 256 (OpenAI
	// allows 2048 inputs and 300k tokens per request: 256 chunks of ~180
	// words stay well under it).
	BatchSize int
	// MaxInFlight bounds the concurrent requests of one Embed call; zero
	// means 2.
	MaxInFlight int
}

// NewOpenAIEmbedder returns an Embedder calling the embeddings API of c,
// which should come from bot.NewOpenAIClient for its retries and timeouts.
// Vectors are L2-normalised. Errors are *llmerr.Error values (with a
// UserMessage) wrapped with the batch that failed; one failed batch fails
// the whole Embed call.
func NewOpenAIEmbedder(c *openai.Client, opt OpenAIEmbedderOptions) Embedder {
	if opt.Model == "" {
		opt.Model = "text-embedding-3-small"
	}
	if opt.BatchSize <= 0 {
		opt.BatchSize = 256
	}
	if opt.MaxInFlight <= 0 {
		opt.MaxInFlight = 2
	}
	return &openAIEmbedder{client: c, opt: opt, dims: opt.Dimensions}
}

type openAIEmbedder struct {
	client *openai.Client
	opt    OpenAIEmbedderOptions

	mu   sync.Mutex
	dims int
}

func (e *openAIEmbedder) Name() string { return "openai:" + e.opt.Model }

func (e *openAIEmbedder) Dimensions() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.dims
}

// Embed embeds texts in batches of BatchSize, MaxInFlight at a time, and
// returns the vectors in the order of texts.
func (e *openAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	out := make([][]float32, len(texts))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, e.opt.MaxInFlight)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for start := 0; start < len(texts); start += e.opt.BatchSize {
		end := min(start+e.opt.BatchSize, len(texts))
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := e.batch(ctx, texts[start:end], out[start:end]); err != nil {
				once.Do(func() {
					firstErr = fmt.Errorf("embed texts %d-%d of %d: %w", start+1, end, len(texts), err)
					cancel(firstErr)
				})
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, llmerr.Classify("embeddings", e.opt.Model, context.Cause(ctx))
	}
	return out, nil
}

// batch embeds texts into out (same length), placing each vector by its index.
func (e *openAIEmbedder) batch(ctx context.Context, texts []string, out [][]float32) error {
	res, err := e.client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input:      texts,
		Model:      openai.EmbeddingModel(e.opt.Model),
		Dimensions: e.opt.Dimensions,
	})
	if err != nil {
		return llmerr.Classify("embeddings", e.opt.Model, err)
	}
	bad := func(format string, args ...any) error {
		return &llmerr.Error{Op: "embeddings", Model: e.opt.Model, Kind: llmerr.BadResponse, Err: fmt.Errorf(format, args...)}
	}
	if len(res.Data) != len(texts) {
		return bad("%d vectors for %d inputs", len(res.Data), len(texts))
	}
	for _, d := range res.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return bad("bad or repeated index %d", d.Index)
		}
		if err := e.learn(len(d.Embedding)); err != nil {
			return bad("%w", err)
		}
		v, err := normalise(d.Embedding)
		if err != nil {
			return bad("vector %d: %w", d.Index, err)
		}
		out[d.Index] = v
	}
	return nil
}

// learn records the model's dimensions on first use and checks them after.
func (e *openAIEmbedder) learn(n int) error {
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

func normalise(v []float32) ([]float32, error) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	norm := math.Sqrt(sum)
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return nil, errZeroVector
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) / norm)
	}
	return out, nil
}
