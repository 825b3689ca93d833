package llm

import (
	"context"
	"fmt"
	"sync"

	"github.com/sashabaranov/go-openai"
)

// Embed returns the embedding model's vectors for texts, in the order of
// texts, as the model sent them (not normalised; of EmbedDimensions when
// set). It sends batches of up to Config.EmbedBatchSize inputs,
// Config.EmbedMaxInFlight at a time. Errors are *Error values, wrapped
// with the texts of the batch that failed; one failed batch fails the whole
// call and stops the others. Embed of no texts is nil, nil.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	size := c.cfg.EmbedBatchSize
	out := make([][]float32, len(texts))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, c.cfg.EmbedMaxInFlight)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for start := 0; start < len(texts); start += size {
		end := min(start+size, len(texts))
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
			if err := c.embedBatch(ctx, texts[start:end], out[start:end]); err != nil {
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
		return nil, Classify("embeddings", c.cfg.EmbedModel, context.Cause(ctx))
	}
	return out, nil
}

// embedBatch embeds texts into out (same length), placing each vector by
// its index.
func (c *Client) embedBatch(ctx context.Context, texts []string, out [][]float32) (err error) {
	ctx, done := c.observe(ctx, "embeddings")
	defer func() { done(err) }()
	model := c.cfg.EmbedModel
	res, err := c.api.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input:      texts,
		Model:      openai.EmbeddingModel(model),
		Dimensions: c.cfg.EmbedDimensions,
	})
	if err != nil {
		return Classify("embeddings", model, err)
	}
	c.tokens("embeddings", res.Usage.PromptTokens, 0)
	if len(res.Data) != len(texts) {
		return &Error{Op: "embeddings", Model: model, Kind: BadResponse,
			Err: fmt.Errorf("%d vectors for %d inputs", len(res.Data), len(texts))}
	}
	for _, d := range res.Data {
		if d.Index < 0 || d.Index >= len(texts) || out[d.Index] != nil {
			return &Error{Op: "embeddings", Model: model, Kind: BadResponse,
				Err: fmt.Errorf("bad or repeated index %d", d.Index)}
		}
		out[d.Index] = d.Embedding
	}
	return nil
}
