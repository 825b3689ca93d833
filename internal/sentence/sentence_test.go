package sentence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// reference is testdata/reference.json: sentences of ours, with the
// pieces and vectors TensorFlow.js computed for them with the original
// (unpacked) model, through @energetic-ai/embeddings 0.2.0's tokenizer.
type reference struct {
	Text   string    `json:"text"`
	Pieces []int32   `json:"pieces"`
	Vector []float32 `json:"vector"`
}

func loadReference(t *testing.T) []reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var refs []reference
	if err := json.Unmarshal(b, &refs); err != nil {
		t.Fatal(err)
	}
	return refs
}

func defaultEncoder(t testing.TB) *Encoder {
	t.Helper()
	e, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func cosine(a, b []float32) float64 {
	var d float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
	}
	return d
}

// TestMatchesTensorFlowJS checks the Go model, packed, against the
// original run by TensorFlow.js: the same pieces, and vectors whose cosine
// is 0.999 or more (the int8 weights cost the rest).
func TestMatchesTensorFlowJS(t *testing.T) {
	t.Parallel()
	e := defaultEncoder(t)
	for _, r := range loadReference(t) {
		t.Run(r.Text[:min(len(r.Text), 24)], func(t *testing.T) {
			t.Parallel()
			if got := e.tok.encode(r.Text); !slices.Equal(got, r.Pieces) {
				t.Errorf("pieces of %q = %v, want %v", r.Text, got, r.Pieces)
			}
			v := e.Encode(r.Text)
			if len(v) != Dims {
				t.Fatalf("vector of %d values, want %d", len(v), Dims)
			}
			if c := cosine(v, r.Vector); c < 0.999 {
				t.Errorf("cosine to TensorFlow.js's vector of %q = %.5f, want ≥ 0.999", r.Text, c)
			}
			if n := cosine(v, v); n < 0.9999 || n > 1.0001 {
				t.Errorf("|v|² = %.5f, want 1", n)
			}
		})
	}
}

// TestPieces: Pieces gives the pieces Encode reads, at most the model's
// first 128.
func TestPieces(t *testing.T) {
	t.Parallel()
	e := defaultEncoder(t)
	for _, r := range loadReference(t) {
		got := e.Pieces(r.Text)
		if want := r.Pieces[:min(len(r.Pieces), 128)]; !slices.Equal(got, want) {
			t.Errorf("Pieces(%q) = %v, want %v", r.Text[:min(len(r.Text), 40)], got, want)
		}
	}
}

// TestMeaning checks what the model is for: a question is nearer the
// sentence that answers it than to one that shares its words.
func TestMeaning(t *testing.T) {
	t.Parallel()
	e := defaultEncoder(t)
	tests := []struct{ question, answer, other string }{
		{"What happened when the mayor arrived at the station?", "Cheering crowds and a brass band greeted the mayor on the platform.", "The station's roof will be repaired next year."},
		{"How much does a monthly pass cost?", "A monthly pass is now $95, up from $80.", "Passengers asked how the new pass would work each month."},
	}
	for _, tt := range tests {
		q := e.Encode(tt.question)
		if a, o := cosine(q, e.Encode(tt.answer)), cosine(q, e.Encode(tt.other)); a <= o {
			t.Errorf("%q: cosine to the answer %.3f ≤ to the other sentence %.3f", tt.question, a, o)
		}
	}
}

func TestEncodeEmpty(t *testing.T) {
	t.Parallel()
	e := defaultEncoder(t)
	for _, s := range []string{"", " "} {
		v := e.Encode(s)
		if len(v) != Dims {
			t.Fatalf("Encode(%q): %d values", s, len(v))
		}
		if s == "" && slices.ContainsFunc(v, func(x float32) bool { return x != 0 }) {
			t.Errorf("Encode(%q) is not the zero vector", s)
		}
	}
}

func TestCache(t *testing.T) {
	t.Parallel()
	e := defaultEncoder(t)
	c := NewCache(e, 4)
	texts := []string{"One bus.", "Two trains.", "One bus.", "Three ferries."}
	got, err := c.Encode(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range texts {
		if cos := cosine(got[i], e.Encode(s)); cos < 0.99999 {
			t.Errorf("cached vector of %q strays: cosine %.6f", s, cos)
		}
	}
	if &got[0][0] != &got[2][0] {
		t.Error("a text given twice was encoded twice")
	}
	// Concurrent use, beyond the cache's size: vectors stay right.
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			s := []string{"Ferry " + string(rune('a'+i)), "One bus."}
			v, err := c.Encode(t.Context(), s)
			if err != nil {
				t.Error(err)
				return
			}
			if cos := cosine(v[1], got[0]); cos < 0.99999 {
				t.Errorf("vector of %q changed: cosine %.6f", s[1], cos)
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Encode(ctx, []string{"A sentence never seen before."}); !errors.Is(err, context.Canceled) {
		t.Errorf("Encode with a cancelled context: %v, want context.Canceled", err)
	}
	big := NewCache(e, 100)
	if _, err := big.Encode(t.Context(), []string{"One bus."}); err != nil {
		t.Fatal(err)
	}
	if _, err := big.Encode(ctx, []string{"One bus."}); err != nil {
		t.Errorf("Encode of a cached text with a cancelled context: %v", err)
	}
}

// TestUnpackDamaged: a damaged model file is an error, never a panic or a
// model that quietly computes nonsense.
func TestUnpackDamaged(t *testing.T) {
	t.Parallel()
	tests := map[string][]byte{
		"empty":       nil,
		"no magic":    []byte("not a model"),
		"cut short":   packed[:len(packed)/2],
		"extra bytes": append(slices.Clip(packed), 0),
		"header only": []byte(packMagic),
	}
	for name, p := range tests {
		if _, err := Unpack(p); err == nil {
			t.Errorf("%s: Unpack succeeded", name)
		}
	}
	// A weight renamed: the model lacks it.
	bad := bytes.Replace(slices.Clone(packed), []byte("tanh_layer_0/bias"), []byte("tanh_layer_0/bia_"), 1)
	if _, err := Unpack(bad); err == nil {
		t.Error("Unpack of a model without its output bias succeeded")
	}
}

func FuzzTokenize(f *testing.F) {
	e := defaultEncoder(f)
	for _, s := range []string{"Who signed the pact?", "東京 🌧 ﬁve", "", "▁▁", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids := e.tok.encode(s)
		for i, id := range ids {
			if id < 0 || int(id) >= len(e.tok.pieces) {
				t.Fatalf("piece %d of %q: id %d out of range", i, s, id)
			}
			if i > 0 && id == 0 && ids[i-1] == 0 {
				t.Fatalf("two unknown pieces in a row in %q", s)
			}
		}
	})
}

func FuzzUnpack(f *testing.F) {
	f.Add([]byte(packMagic))
	f.Add(packed[:4096])
	f.Fuzz(func(t *testing.T, p []byte) {
		// Must not panic or allocate without bound; an error is fine.
		_, _ = Unpack(p)
	})
}

// TestLazyCache: the model is read on the first text to encode, and an
// error reading it is Encode's.
func TestLazyCache(t *testing.T) {
	t.Parallel()
	loads := 0
	broken := errors.New("model file damaged")
	c := NewLazyCache(func() (*Encoder, error) { loads++; return nil, broken }, 10)
	if loads != 0 {
		t.Fatalf("NewLazyCache read the model")
	}
	if _, err := c.Encode(t.Context(), []string{"A question?"}); !errors.Is(err, broken) {
		t.Errorf("Encode with a model that fails to load: %v, want %v", err, broken)
	}
	e := defaultEncoder(t)
	ok := NewLazyCache(func() (*Encoder, error) { loads++; return e, nil }, 10)
	v, err := ok.Encode(t.Context(), []string{"A question?"})
	if err != nil || len(v) != 1 || len(v[0]) != Dims {
		t.Errorf("Encode: %d vectors, %v", len(v), err)
	}
}

// TestEncodeHuge: a text far past the model's 128 pieces is cut before it
// is tokenized, to the same vector as its beginning.
func TestEncodeHuge(t *testing.T) {
	t.Parallel()
	e := defaultEncoder(t)
	head := strings.Repeat("the harbour authority report on the piers and cranes ", 40)
	huge := head + strings.Repeat("é", 1<<20)
	if c := cosine(e.Encode(huge), e.Encode(head)); c < 0.9999 {
		t.Errorf("a 2 MB text's vector strays from its beginning's: cosine %.5f", c)
	}
}
