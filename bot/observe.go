package bot

import "time"

// Observer receives the core's measurements (package metrics implements
// it); CoreOptions.Observer nil means none.
type Observer interface {
	// ObserveRetrieval reports one search of the store that took d.
	ObserveRetrieval(d time.Duration)
	// AnswerInFlight moves the answers being computed by delta (+1 when
	// one is admitted, -1 when it ends).
	AnswerInFlight(delta int)
}

// nopObserver observes nothing.
type nopObserver struct{}

func (nopObserver) ObserveRetrieval(time.Duration) {}
func (nopObserver) AnswerInFlight(int)             {}
