package bot

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/sentence"
)

var meaningOnce = sync.OnceValues(func() (*sentence.Cache, error) {
	enc, err := sentence.Default()
	if err != nil {
		return nil, err
	}
	return sentence.NewCache(enc, 1000), nil
})

// testMeaning is the built-in sentence model, one cache for the package's
// tests.
func testMeaning(t *testing.T) *sentence.Cache {
	t.Helper()
	m, err := meaningOnce()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSignalsMeaning: a core with the sentence model measures the best
// cosine of the question and a sentence of the top passages, and weighs
// it; without it, the signals say the model was not read.
func TestSignalsMeaning(t *testing.T) {
	t.Parallel()
	store := sampleStore(t)
	meaning := testMeaning(t)
	question := Question{Text: "Who was named mediator in the Riverton transit dispute?"}
	with, err := NewCore(CoreOptions{Store: store, Answerer: Extractive{}, Meaning: meaning}).Ask(t.Context(), question)
	if err != nil {
		t.Fatal(err)
	}
	without, err := NewCore(CoreOptions{Store: store, Answerer: Extractive{}}).Ask(t.Context(), question)
	if err != nil {
		t.Fatal(err)
	}
	if without.Signals.Meant || without.Signals.Meaning != 0 {
		t.Errorf("signals without the model: %+v", without.Signals)
	}
	s := with.Signals
	if !s.Meant || s.Meaning <= 0.3 || s.Meaning > 1.0001 || s.MeaningTop > s.Meaning {
		t.Fatalf("signals with the model: %+v", s)
	}
	// The best cosine bounds the others; the best product of cosine and
	// coverage is at most the best of each.
	if s.MeaningTop3 <= 0 || s.MeaningTop3 > s.Meaning || s.MeaningOfWordsBest > s.Meaning ||
		s.MeaningJoint <= 0 || s.MeaningJoint > s.Meaning*s.SentenceCoverage+1e-9 {
		t.Errorf("signals with the model: %+v", s)
	}
	if !with.Found || with.Logit != s.Logit() {
		t.Errorf("answer found %t, logit %.2f, signals' %.2f", with.Found, with.Logit, s.Logit())
	}
	// The logit weighs the model's signals: the same signals without them
	// score lower.
	lower := s
	lower.Meaning, lower.MeaningTop, lower.MeaningTop3, lower.MeaningJoint, lower.MeaningOfWordsBest = 0, 0, 0, 0, 0
	if lower.Logit() >= s.Logit() {
		t.Errorf("logit without meaning %.2f ≥ with %.2f", lower.Logit(), s.Logit())
	}
	// Each of the answer's sentences was among those encoded.
	var sentences []string
	for _, p := range with.Passages {
		for _, span := range ingest.Sentences(p.Text) {
			sentences = append(sentences, p.Text[span[0]:span[1]])
		}
	}
	if !slices.ContainsFunc(sentences, func(x string) bool { return strings.HasPrefix(with.Text, x) }) {
		t.Errorf("answer %q does not start with a passage's sentence", with.Text)
	}
}
