package retrieval

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
)

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestLocalEmbedderVectors(t *testing.T) {
	t.Parallel()
	e := NewLocalEmbedder()
	if e.Name() != "local-ngram-v1" || e.Dimensions() != 512 {
		t.Fatalf("Name, Dimensions = %s, %d", e.Name(), e.Dimensions())
	}
	// The last text has more features than the vector has buckets: many
	// share one, and their sum must not depend on the map's order.
	long := strings.Repeat("Crews from three counties worked through the night to shore up levees along the swollen river. ", 3) +
		"Officials said evacuation orders for low-lying neighbourhoods would stay in place until Thursday at the earliest."
	texts := []string{"River floods force evacuations", "", "?!", "river flooding forced an evacuation", long}
	a, err := e.Embed(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range a {
		if len(v) != 512 {
			t.Fatalf("vector %d has %d dimensions", i, len(v))
		}
		for range 20 {
			if b, _ := e.Embed(t.Context(), texts[i:i+1]); !slices.Equal(v, b[0]) {
				t.Fatalf("vector %d differs between calls", i)
			}
		}
		norm := math.Sqrt(dot(v, v))
		wantNorm := 1.0
		if texts[i] == "" || texts[i] == "?!" {
			wantNorm = 0
		}
		if math.Abs(norm-wantNorm) > 1e-5 {
			t.Errorf("|vector %d| = %v, want %v", i, norm, wantNorm)
		}
	}
}

func TestLocalEmbedderSimilarity(t *testing.T) {
	t.Parallel()
	e := NewLocalEmbedder()
	tests := []struct{ query, near, far string }{
		{"river flooding evacuation", "Heavy rain pushed the river over its banks and homes were evacuated after the floods.", "The council voted to build bicycle lanes on Main Street."},
		{"bicycle lanes", "Protected bike lanes for cyclists on Main Street were approved.", "Wheat harvest threatened by a dry summer."},
		{"sourdough bakery award", "The bakery won an award for its sourdough bread.", "Electric buses join the fleet."},
		{"electrc buss", "Twelve electric buses started service.", "The mayor said the water will recede."}, // misspellings: character n-grams
	}
	for _, tt := range tests {
		v, err := e.Embed(t.Context(), []string{tt.query, tt.near, tt.far})
		if err != nil {
			t.Fatal(err)
		}
		if near, far := dot(v[0], v[1]), dot(v[0], v[2]); near <= far {
			t.Errorf("%q: similarity to related text %.3f <= unrelated %.3f", tt.query, near, far)
		}
	}
}

func TestLocalEmbedderContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := NewLocalEmbedder().Embed(ctx, []string{"x"}); err == nil {
		t.Error("Embed with a cancelled context succeeded")
	}
}

// BenchmarkLocalEmbedder measures news-article throughput (about 700
// words in 6 chunks per article).
func BenchmarkLocalEmbedder(b *testing.B) {
	var texts []string
	for _, a := range corpus {
		for _, p := range a.Paragraphs {
			texts = append(texts, a.Title+"\n\n"+p+" "+p+" "+p+" "+p)
		}
	}
	e := NewLocalEmbedder()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Embed(context.Background(), texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(texts))/b.Elapsed().Seconds(), "chunks/s")
}
