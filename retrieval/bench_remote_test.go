package retrieval_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/internal/llm"
	"github.com/citebot/citebot/retrieval"
)

// BenchmarkRemoteEmbedRequests counts the embedding requests an
// OpenAI-compatible embedder makes per 1,000 chunks ingested (news-length
// articles, default chunking, 64 articles to an AddBatch as citebot
// ingest does), against the fake OpenAI server.
func BenchmarkRemoteEmbedRequests(b *testing.B) {
	emb, fake := newRemoteEmbedder(b, fakeopenai.Options{Dimensions: 64}, llm.Config{EmbedDimensions: 64})
	ctx := context.Background()
	s, err := retrieval.Open(ctx, b.TempDir(), retrieval.Options{Embedder: emb})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	before := fake.Count(fakeopenai.Embeddings)
	chunks, articles := 0, 0
	var items []retrieval.Item
	flush := func() {
		for _, r := range s.AddBatch(ctx, retrieval.SharedScope, items) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
		items = items[:0]
	}
	for b.Loop() {
		for chunks < 1000 {
			var paras []string
			for p := range 8 {
				paras = append(paras, fmt.Sprintf("Paragraph %d of article %d says something about topic %d in about twenty words, "+
					"so that a news article has the usual length of several hundred words in total.", p, articles, articles%17))
			}
			a := ingest.Article{Title: fmt.Sprintf("Article %d", articles), Paragraphs: paras}
			a.ID = ingest.NewID("", a.Title, a.Paragraphs)
			cs := ingest.ChunkArticle(a, ingest.ChunkOptions{})
			items = append(items, retrieval.Item{Article: a, Chunks: cs})
			if len(items) == 64 {
				flush()
			}
			chunks += len(cs)
			articles++
		}
		flush()
	}
	requests := fake.Count(fakeopenai.Embeddings) - before
	b.ReportMetric(float64(requests)*1000/float64(chunks), "requests/1000chunks")
	b.ReportMetric(float64(chunks)/float64(articles), "chunks/article")
}
