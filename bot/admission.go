package bot

import (
	"context"
	"errors"
)

// errBusy is the error an Admission refuses work with.
var errBusy = errors.New("too busy")

// busyMessage is what a user is told when an Admission refuses work.
const busyMessage = "I'm handling too many requests right now; please try again in a moment."

// Admission admits units of work: at most active run at once and at most
// waiting more wait for a place; beyond that work is refused at once, so a
// burst gets a quick "busy" instead of an ever longer queue. It is the one
// admission type of citebot: the Core admits its answers and its ingests
// with one each, and the Discord frontend takes its places in the Core's
// answer admission (see Core.Admission) instead of keeping a cap of its
// own in step with it. It is safe for concurrent use.
//
// The per-user limit on questions a minute is not admission: it counts
// questions over time, not work in flight, so it stays with the frontend.
type Admission struct {
	slots chan struct{} // one per unit running
	queue chan struct{} // one per unit running or waiting
}

// NewAdmission returns an Admission of active places, with room for
// waiting more units to wait for one. active must be at least 1.
func NewAdmission(active, waiting int) *Admission {
	return &Admission{slots: make(chan struct{}, active), queue: make(chan struct{}, active+waiting)}
}

// heldKey marks a context whose holder already has a place of the
// Admission it points to.
type heldKey struct{ a *Admission }

// Acquire takes a place, waiting for one while all are taken. It returns
// at once with an error carrying a message for the user (see UserMessage)
// when the waiting room is full too, or ctx's error if ctx ends while it
// waits. When ctx comes from TryAcquire on this Admission, its holder has
// a place already: Acquire returns at once without taking another, and
// the release it returns does nothing. Otherwise release must be called
// exactly once, when the work is done.
func (a *Admission) Acquire(ctx context.Context) (release func(), err error) {
	if ctx.Value(heldKey{a}) != nil {
		return func() {}, nil
	}
	select {
	case a.queue <- struct{}{}:
	default:
		return nil, UserError(busyMessage, errBusy)
	}
	select {
	case a.slots <- struct{}{}:
		return func() { <-a.slots; <-a.queue }, nil
	case <-ctx.Done():
		<-a.queue
		return nil, ctx.Err()
	}
}

// TryAcquire takes a place only if one is free now; it never waits. On
// success it returns ctx marked as holding the place — work done under it
// (Core.AskStream, say) is not admitted a second time by Acquire — and
// release, which must be called exactly once when the work is done.
func (a *Admission) TryAcquire(ctx context.Context) (held context.Context, release func(), ok bool) {
	select {
	case a.queue <- struct{}{}:
	default:
		return ctx, nil, false
	}
	select {
	case a.slots <- struct{}{}:
		return context.WithValue(ctx, heldKey{a}, true), func() { <-a.slots; <-a.queue }, true
	default:
		<-a.queue
		return ctx, nil, false
	}
}
