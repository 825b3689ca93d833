//go:build readerdata

package bot

import (
	"bufio"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/sentence"
	"github.com/citebot/citebot/internal/text"
	"github.com/citebot/citebot/retrieval"
)

var (
	readerSquad = flag.String("readerdata-squad", "../../shared/data/squad-dev", "the SQuAD folder (articles/, qa-tune.jsonl, tune-articles.txt)")
	readerOut   = flag.String("readerdata-out", "", "the JSON-lines file to write")
)

// readerRecord is one question: the training script's input.
type readerRecord struct {
	Article  string            `json:"article"`
	Question string            `json:"question"`
	Pieces   []int32           `json:"pieces"`
	Cands    []readerCandidate `json:"cands"`
}

type readerCandidate struct {
	Score  float64 `json:"score"` // the scorer's rank by words
	Cos    float64 `json:"cos"`   // the built-in model's cosine with the question
	Gold   bool    `json:"gold"`
	Text   string  `json:"text"`
	Pieces []int32 `json:"pieces"`
}

// TestReaderData writes what scripts/readermodel trains a reader
// (Extractive.Reading) on: for every SQuAD tune question, asked of a store that
// holds its article alone, the sentences of the top passages with their
// score by words and whether each holds a gold answer, all as the
// sentence model's word pieces. It is no test: it runs only when built
// with the readerdata tag and given -readerdata-out:
//
//	go test -tags readerdata ./bot -run TestReaderData -timeout 2h \
//	  -args -readerdata-squad "$PWD/../shared/data/squad-dev" -readerdata-out /tmp/reader.jsonl
func TestReaderData(t *testing.T) {
	if *readerOut == "" {
		t.Skip("no -readerdata-out")
	}
	ctx := t.Context()
	list, err := os.ReadFile(filepath.Join(*readerSquad, "tune-articles.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tune := strings.Fields(string(list))
	slices.Sort(tune)
	by := map[string][]sampleQuestion{}
	for _, q := range sampleQuestions(t, filepath.Join(*readerSquad, "qa-tune.jsonl")) {
		by[q.ArticleID] = append(by[q.ArticleID], q)
	}
	enc, err := sentence.Default()
	if err != nil {
		t.Fatal(err)
	}
	cache := sentence.NewCache(enc, 200_000)
	f, err := os.Create(*readerOut)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	out := json.NewEncoder(w)
	for _, name := range tune {
		art, err := ingest.ParseFile(filepath.Join(*readerSquad, "articles", name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		st, err := retrieval.Open(ctx, t.TempDir(), retrieval.Options{Embedder: retrieval.NewLocalEmbedder()})
		if err != nil {
			t.Fatal(err)
		}
		core := NewCore(CoreOptions{Store: st, Answerer: Extractive{}, DeclineBelow: math.Inf(-1), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		for _, o := range core.IngestBatch(ctx, retrieval.SharedScope, []ingest.Article{art}) {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
		}
		for _, q := range by[name] {
			ans, err := core.Ask(ctx, Question{Text: q.Question})
			if err != nil {
				t.Fatal(err)
			}
			ps := ans.Passages[:min(len(ans.Passages), decisionPassages)]
			cands := scoreSentences(q.Question, text.Distinct(text.Terms(q.Question)), ps)
			texts := []string{q.Question}
			for _, c := range cands {
				texts = append(texts, c.raw)
			}
			vecs, err := cache.Encode(ctx, texts)
			if err != nil {
				t.Fatal(err)
			}
			rec := readerRecord{Article: name, Question: q.Question, Pieces: enc.Pieces(q.Question)}
			for i, c := range cands {
				rec.Cands = append(rec.Cands, readerCandidate{
					Score:  c.rank,
					Cos:    dot(vecs[0], vecs[i+1]),
					Gold:   retrieval.ContainsAnyAnswer(c.text, q.Answers),
					Text:   c.text,
					Pieces: enc.Pieces(c.raw),
				})
			}
			if err := out.Encode(rec); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
