package retrieval

import (
	"context"
	"fmt"

	"github.com/citebot/citebot/ingest"
)

// Item is one article and its chunks, for AddBatch.
type Item struct {
	Article ingest.Article
	Chunks  []ingest.Chunk
}

// ItemResult is what AddBatch did with one Item.
type ItemResult struct {
	Status AddStatus
	Err    error
}

// AddBatch stores several articles in scope as Add does, but embeds the
// chunks of all of them together, so a remote embedder gets one request
// per 256 chunks instead of one per article. Each article is still
// written in its own transaction. The results are in the order of items:
// an invalid item fails alone; a failed embedding fails every article that
// needed embedding, with nothing written; a failed write fails only its
// article.
func (s *Store) AddBatch(ctx context.Context, scope string, items []Item) []ItemResult {
	results := make([]ItemResult, len(items))
	s.mu.RLock()
	err := s.writable()
	s.mu.RUnlock()
	var (
		todo   []int // items to embed and write
		hashes = make([]string, len(items))
		texts  []string
	)
	for i, it := range items {
		a := it.Article
		if err != nil {
			results[i].Err = fmt.Errorf("add %s: %w", a.ID, err)
			continue
		}
		if err := validateAdd(scope, a, it.Chunks); err != nil {
			results[i].Err = err
			continue
		}
		hashes[i] = a.ContentHash()
		old, err := s.storedHash(ctx, s.db, scope, a.ID)
		if err != nil {
			results[i].Err = fmt.Errorf("add %s: %w", a.ID, s.fileError(err))
			continue
		}
		if old == hashes[i] {
			results[i].Status = Unchanged
			continue
		}
		todo = append(todo, i)
		for _, c := range it.Chunks {
			texts = append(texts, embedText(chunkTitle(a, c), c.Text))
		}
	}
	if len(todo) == 0 {
		return results
	}
	vecs, err := s.embedAll(ctx, texts)
	if err != nil {
		for _, i := range todo {
			results[i].Err = fmt.Errorf("add %s: %w", items[i].Article.ID, err)
		}
		return results
	}
	for _, i := range todo {
		n := len(items[i].Chunks)
		results[i].Status, results[i].Err = s.write(ctx, scope, items[i].Article, hashes[i], items[i].Chunks, vecs[:n])
		vecs = vecs[n:]
	}
	return results
}
