package retrieval

import (
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/ingest"
)

// The benchmarks below measure retrieval at scale on synthetic corpora
// generated from a fixed seed, so runs compare. They run only with -bench
// (scripts/bench runs them all and prints a table); the 100k-chunk store
// takes a while to build.

// benchSeed seeds every synthetic corpus.
const benchSeed = 20250314

// synth generates article text from a Zipf-distributed vocabulary of
// made-up words, like the skewed word frequencies of real text.
type synth struct {
	rng   *rand.Rand
	zipf  *rand.Zipf
	vocab []string
}

func newSynth(seed uint64) *synth {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	vocab := make([]string, 30000)
	const letters = "abcdefghijklmnopqrstuvwxyzaeiouaeiou"
	for i := range vocab {
		b := make([]byte, 3+rng.IntN(8))
		for j := range b {
			b[j] = letters[rng.IntN(len(letters))]
		}
		vocab[i] = string(b)
	}
	return &synth{rng: rng, zipf: rand.NewZipf(rng, 1.07, 2, uint64(len(vocab)-1)), vocab: vocab}
}

func (s *synth) word() string { return s.vocab[s.zipf.Uint64()] }

// paragraph returns about n words in sentences of 8 to 20 words.
func (s *synth) paragraph(n int) string {
	var b strings.Builder
	for w := 0; w < n; {
		m := min(8+s.rng.IntN(13), n-w)
		for i := range m {
			word := s.word()
			if i == 0 {
				word = strings.ToUpper(word[:1]) + word[1:]
			}
			b.WriteString(word)
			if i < m-1 {
				b.WriteByte(' ')
			}
		}
		b.WriteString(". ")
		w += m
	}
	return strings.TrimSpace(b.String())
}

// article returns an article of paras paragraphs of about words words.
func (s *synth) article(paras, words int) ingest.Article {
	title := strings.Join([]string{s.word(), s.word(), s.word(), s.word(), s.word()}, " ")
	ps := make([]string, paras)
	for i := range ps {
		ps[i] = s.paragraph(words)
	}
	return article(title, "Synthetic Wire", ps...)
}

// question returns a question of 6 to 10 words taken from text.
func (s *synth) question(text string) string {
	ws := strings.Fields(text)
	n := 6 + s.rng.IntN(5)
	var q []string
	for range n {
		q = append(q, strings.Trim(ws[s.rng.IntN(len(ws))], "."))
	}
	return "What about " + strings.Join(q, " ") + "?"
}

// benchStore is a store of n synthetic chunks (one per 100-word
// paragraph, 10 to an article) with its vectors in one contiguous slice
// and questions drawn from its text.
type benchStore struct {
	dir       string
	store     *Store
	chunks    int
	textBytes int64
	vectors   []float32 // chunks × dims, in row order
	ids       []int64
	questions []string
}

func buildBenchStore(b *testing.B, n int) *benchStore {
	b.Helper()
	ctx := context.Background()
	bs := &benchStore{dir: b.TempDir()}
	s, err := Open(ctx, bs.dir, Options{Embedder: NewLocalEmbedder()})
	if err != nil {
		b.Fatal(err)
	}
	bs.store = s
	gen := newSynth(benchSeed)
	for bs.chunks < n {
		a := gen.article(min(10, n-bs.chunks), 100)
		cs := chunks(a)
		if _, err := s.Add(ctx, SharedScope, a, cs); err != nil {
			b.Fatal(err)
		}
		for _, c := range cs {
			bs.textBytes += int64(len(c.Text))
			if len(bs.questions) < 512 && gen.rng.IntN(n/512+1) == 0 {
				bs.questions = append(bs.questions, gen.question(c.Text))
			}
		}
		bs.chunks += len(cs)
	}
	for len(bs.questions) < 64 {
		bs.questions = append(bs.questions, gen.question(gen.paragraph(40)))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, embedding FROM chunks ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	dims := s.emb.Dimensions()
	bs.vectors = make([]float32, 0, n*dims)
	for rows.Next() {
		var (
			id   int64
			blob []byte
		)
		if err := rows.Scan(&id, &blob); err != nil {
			b.Fatal(err)
		}
		v, err := decodeVector(blob, dims)
		if err != nil {
			b.Fatal(err)
		}
		bs.ids = append(bs.ids, id)
		bs.vectors = append(bs.vectors, v...)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return bs
}

// scanHit is one result of the brute-force scan.
type scanHit struct {
	i     int
	score float32
}

// minHeap keeps the best n hits seen, worst on top.
type minHeap []scanHit

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i].score < h[j].score }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(scanHit)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// bruteForce returns the n rows of vectors (dims wide) most similar to q
// by dot product, scanning with two goroutines: the floor any exact
// vector index is measured against.
func bruteForce(vectors []float32, dims int, q []float32, n int) []scanHit {
	rowsN := len(vectors) / dims
	const workers = 2
	parts := make([]minHeap, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := rowsN*w/workers, rowsN*(w+1)/workers
		wg.Go(func() {
			h := make(minHeap, 0, n+1)
			for r := lo; r < hi; r++ {
				row := vectors[r*dims : (r+1)*dims : (r+1)*dims]
				var s0, s1, s2, s3 float32
				for i := 0; i+3 < len(row); i += 4 {
					s0 += row[i] * q[i]
					s1 += row[i+1] * q[i+1]
					s2 += row[i+2] * q[i+2]
					s3 += row[i+3] * q[i+3]
				}
				s := s0 + s1 + s2 + s3
				if len(h) < n {
					heap.Push(&h, scanHit{r, s})
				} else if s > h[0].score {
					h[0] = scanHit{r, s}
					heap.Fix(&h, 0)
				}
			}
			parts[w] = h
		})
	}
	wg.Wait()
	var all minHeap
	for _, p := range parts {
		all = append(all, p...)
	}
	heap.Init(&all)
	for len(all) > n {
		heap.Pop(&all)
	}
	return all
}

// quantiles returns the p50 and p95 of ds in milliseconds.
func quantiles(ds []time.Duration) (p50, p95 float64) {
	return millis(percentile(ds, 0.5)), millis(percentile(ds, 0.95))
}

// BenchmarkSearch measures Search (question embedding, BM25, vector
// query, fusion, fetching passages) at 10k and 100k chunks beside a
// brute-force two-goroutine dot-product scan over the same vectors in one
// contiguous []float32, and the vector index query alone. At each size it
// also reports the time to respell a question with a misspelt word
// (Store.Respell), disk bytes per chunk, the time to reopen the store and
// answer a first query, and the memory that takes against the raw vector
// bytes + text.
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run("chunks="+strconv.Itoa(n), func(b *testing.B) {
			bs := buildBenchStore(b, n)
			defer func() {
				if bs.store != nil {
					bs.store.Close()
				}
			}()
			ctx := context.Background()
			dims := bs.store.emb.Dimensions()
			b.Run("search", func(b *testing.B) {
				var search, index, scan []time.Duration
				for i := 0; b.Loop(); i++ {
					q := bs.questions[i%len(bs.questions)]
					t0 := time.Now()
					if _, err := bs.store.Search(ctx, q, SearchOptions{K: 5}); err != nil {
						b.Fatal(err)
					}
					search = append(search, time.Since(t0))

					b.StopTimer()
					qv, _ := bs.store.emb.Embed(ctx, []string{q})
					t1 := time.Now()
					bs.store.mu.RLock()
					shared := bs.store.loaded[SharedScope] // loaded by the Search above
					bs.store.mu.RUnlock()
					if _, err := shared.vec.query(ctx, qv[0], 50); err != nil {
						b.Fatal(err)
					}
					index = append(index, time.Since(t1))
					t2 := time.Now()
					bruteForce(bs.vectors, dims, qv[0], 50)
					scan = append(scan, time.Since(t2))
					b.StartTimer()
				}
				s50, s95 := quantiles(search)
				i50, i95 := quantiles(index)
				f50, f95 := quantiles(scan)
				b.ReportMetric(s50, "search-p50-ms")
				b.ReportMetric(s95, "search-p95-ms")
				b.ReportMetric(i50, "index-p50-ms")
				b.ReportMetric(i95, "index-p95-ms")
				b.ReportMetric(f50, "scan-p50-ms")
				b.ReportMetric(f95, "scan-p95-ms")
				b.ReportMetric(s50/f50, "search/scan")
				b.ReportMetric(i50/f50, "index/scan")
			})
			b.Run("respell", func(b *testing.B) {
				// A question with one word misspelt (two inner letters
				// swapped): the case that scans the scope's terms.
				var qs []string
				for _, q := range bs.questions {
					ws := strings.Fields(q)
					for i, w := range ws {
						if len(w) >= 7 {
							r := []byte(w)
							r[2], r[3] = r[3], r[2]
							ws[i] = string(r)
							qs = append(qs, strings.Join(ws, " "))
							break
						}
					}
				}
				if len(qs) == 0 {
					b.Skip("no question with a word of 7 letters")
				}
				var took []time.Duration
				for i := 0; b.Loop(); i++ {
					t0 := time.Now()
					if _, err := bs.store.Respell(ctx, nil, qs[i%len(qs)]); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(t0))
				}
				p50, p95 := quantiles(took)
				b.ReportMetric(p50, "respell-p50-ms")
				b.ReportMetric(p95, "respell-p95-ms")
			})
			b.Run("reopen", func(b *testing.B) {
				if bs.store != nil {
					if err := bs.store.Close(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(dirBytes(b, bs.dir))/float64(bs.chunks), "disk-B/chunk")
				// One measured reopen per call, whatever b.N: it is a
				// start-up time, seconds long at 100k chunks.
				bs.store = nil // let the old index go
				runtime.GC()
				debug.FreeOSMemory()
				before := heapBytes()
				rssBase := resetPeakRSS()
				t0 := time.Now()
				// GOGC 20 while the indexes are built (at the first
				// search), as cmd/citebot's Options.Loading sets it.
				s, err := Open(ctx, bs.dir, Options{Embedder: NewLocalEmbedder(), Loading: func() func() {
					gc := debug.SetGCPercent(20)
					return func() { debug.SetGCPercent(gc) }
				}})
				if err != nil {
					b.Fatal(err)
				}
				bs.store = s
				if _, err := s.Search(ctx, bs.questions[0], SearchOptions{K: 5}); err != nil {
					b.Fatal(err)
				}
				took := time.Since(t0)
				var peak uint64
				if rssBase > 0 {
					peak = peakRSS() - rssBase
				}
				runtime.GC()
				retained := heapBytes() - before
				raw := float64(int64(bs.chunks)*int64(dims)*4+bs.textBytes) / float64(bs.chunks)
				b.ReportMetric(took.Seconds(), "reopen+query-s")
				b.ReportMetric(raw, "raw-B/chunk")
				b.ReportMetric(float64(retained)/float64(bs.chunks), "heap-B/chunk")
				b.ReportMetric(float64(retained)/float64(bs.chunks)/raw, "heap/raw")
				if peak > 0 {
					b.ReportMetric(float64(peak)/float64(bs.chunks), "peak-rss-B/chunk")
					b.ReportMetric(float64(peak)/float64(bs.chunks)/raw, "peak-rss/raw")
				}
			})
		})
	}
}

// BenchmarkIngest measures Add with the local embedder on news-length
// articles (8 paragraphs of about 60 words, chunked with the defaults).
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, b.TempDir(), Options{Embedder: NewLocalEmbedder()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	gen := newSynth(benchSeed)
	arts := make([]ingest.Article, 2000)
	for i := range arts {
		arts[i] = gen.article(8, 60)
	}
	n, chunksN := 0, 0
	start := time.Now()
	for b.Loop() {
		a := arts[n%len(arts)]
		a.ID = fmt.Sprintf("%s-%d", a.ID, n) // always new
		cs := ingest.ChunkArticle(a, ingest.ChunkOptions{})
		if _, err := s.Add(ctx, SharedScope, a, cs); err != nil {
			b.Fatal(err)
		}
		n++
		chunksN += len(cs)
	}
	sec := time.Since(start).Seconds()
	b.ReportMetric(float64(n)/sec, "articles/s")
	b.ReportMetric(float64(chunksN)/sec, "chunks/s")
}

// dirBytes is the size of the store's files in dir.
func dirBytes(b *testing.B, dir string) int64 {
	var total int64
	matches, _ := filepath.Glob(filepath.Join(dir, DBFile+"*"))
	for _, m := range matches {
		fi, err := os.Stat(m)
		if err != nil {
			b.Fatal(err)
		}
		total += fi.Size()
	}
	return total
}

func heapBytes() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// resetPeakRSS resets the process's peak resident set size (Linux) and
// returns the current one; 0 where that is not possible.
func resetPeakRSS() uint64 {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return 0
	}
	return procStatus("VmRSS:")
}

// peakRSS returns the peak resident set size since the last reset.
func peakRSS() uint64 { return procStatus("VmHWM:") }

func procStatus(key string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// decodeVector parses little-endian float32 bytes of dims values.
func decodeVector(b []byte, dims int) ([]float32, error) {
	if len(b) != 4*dims {
		return nil, fmt.Errorf("embedding of %d bytes, want %d (%d dimensions)", len(b), 4*dims, dims)
	}
	v := make([]float32, dims)
	decodeInto(v, b)
	return v, nil
}
