package bot

import (
	"sync"
	"testing"
	"time"
)

// countingObserver records what the core reports.
type countingObserver struct {
	mu          sync.Mutex
	searches    int
	inFlight    int
	maxInFlight int
}

func (o *countingObserver) ObserveRetrieval(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if d > 0 {
		o.searches++
	}
}

func (o *countingObserver) AnswerInFlight(delta int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.inFlight += delta
	o.maxInFlight = max(o.maxInFlight, o.inFlight)
}

func TestCoreReportsRetrievalAndAnswersInFlight(t *testing.T) {
	t.Parallel()
	obs := &countingObserver{}
	core := NewCore(CoreOptions{Store: sampleStore(t), Answerer: Extractive{}, Observer: obs})
	for _, q := range []string{"When was the Northvale and Coastal Union trade agreement signed?", "Who won the cup final?"} {
		if _, err := core.Ask(t.Context(), Question{Text: q}); err != nil {
			t.Fatal(err)
		}
	}
	// An empty question is refused before admission: neither counted.
	if _, err := core.Ask(t.Context(), Question{Text: " "}); err == nil {
		t.Fatal("empty question answered")
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.searches != 2 || obs.maxInFlight != 1 || obs.inFlight != 0 {
		t.Errorf("searches %d, max in flight %d, in flight now %d; want 2, 1, 0", obs.searches, obs.maxInFlight, obs.inFlight)
	}
}
