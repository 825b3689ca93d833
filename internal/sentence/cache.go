package sentence

import (
	"context"
	"fmt"
	"runtime"
	"sync"
)

// Cache encodes texts with an Encoder and keeps the vectors of the most
// recent ones, so that a passage's sentences are encoded once while the
// passage keeps being found. It is safe for concurrent use.
type Cache struct {
	enc  func() (*Encoder, error)
	size int

	mu   sync.Mutex
	cur  map[string][]float32
	prev map[string][]float32 // the generation before cur, read until cur fills
}

// NewCache returns a Cache of about size vectors (2 KB each) over enc.
func NewCache(enc *Encoder, size int) *Cache {
	return NewLazyCache(func() (*Encoder, error) { return enc, nil }, size)
}

// NewLazyCache is NewCache over the encoder load returns, called when a
// text is first encoded (Default, say: a command that answers nothing
// never reads the model).
func NewLazyCache(load func() (*Encoder, error), size int) *Cache {
	return &Cache{enc: load, size: max(1, size), cur: map[string][]float32{}}
}

// Encode returns the unit vector of each text (a vector is shared: do not
// modify it). The texts not in the cache are encoded on all CPUs; it
// stops with ctx's error between texts.
func (c *Cache) Encode(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var missing []int
	// A text given twice (a sentence in two overlapping passages) is
	// encoded once: repeats maps its later places to its first.
	first := map[string]int{}
	var repeats [][2]int
	for i, t := range texts {
		if v, ok := c.get(t); ok {
			out[i] = v
		} else if j, ok := first[t]; ok {
			repeats = append(repeats, [2]int{i, j})
		} else {
			first[t] = i
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	enc, err := c.enc()
	if err != nil {
		return nil, fmt.Errorf("encode sentences: %w", err)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(len(missing), runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := range next {
				out[i] = enc.Encode(texts[i])
			}
		})
	}
feed:
	for _, i := range missing {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("encode sentences: %w", err)
	}
	for _, i := range missing {
		c.put(texts[i], out[i])
	}
	for _, r := range repeats {
		out[r[0]] = out[r[1]]
	}
	return out, nil
}

func (c *Cache) get(t string) ([]float32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cur[t]; ok {
		return v, true
	}
	if v, ok := c.prev[t]; ok {
		c.cur[t] = v
		c.rotate()
		return v, true
	}
	return nil, false
}

func (c *Cache) put(t string, v []float32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur[t] = v
	c.rotate()
}

// rotate starts a new generation when the current one is full: the
// texts used in the last two generations stay.
func (c *Cache) rotate() {
	if len(c.cur) >= c.size/2 {
		c.prev, c.cur = c.cur, map[string][]float32{}
	}
}
