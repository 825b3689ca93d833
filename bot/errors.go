package bot

import (
	"context"
	"errors"
)

// userError pairs a short message for the person asking with the detailed
// error for the log.
type userError struct {
	msg string
	err error
}

func (e *userError) Error() string       { return e.err.Error() }
func (e *userError) Unwrap() error       { return e.err }
func (e *userError) UserMessage() string { return e.msg }

// UserError wraps err with a short, friendly message for the user.
func UserError(msg string, err error) error { return &userError{msg: msg, err: err} }

// ErrBusy is returned when too much work is already waiting.
var ErrBusy = errors.New("too busy")

// GenericUserMessage is shown when an error carries no message of its own.
const GenericUserMessage = "Something went wrong on my side; the details are in the bot's log."

// UserMessage returns the short message for the user that err carries
// (any error in its chain with a UserMessage() string method), else a
// generic one. Details stay in the log.
func UserMessage(err error) string {
	var um interface{ UserMessage() string }
	if errors.As(err, &um) {
		return um.UserMessage()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "That took too long; please try again."
	}
	return GenericUserMessage
}

// limiter admits at most active callers at once and lets at most waiting
// more wait; beyond that acquire fails at once with ErrBusy.
type limiter struct {
	slots chan struct{}
	queue chan struct{}
}

func newLimiter(active, waiting int) *limiter {
	return &limiter{slots: make(chan struct{}, active), queue: make(chan struct{}, active+waiting)}
}

func (l *limiter) acquire(ctx context.Context) (release func(), err error) {
	select {
	case l.queue <- struct{}{}:
	default:
		return nil, UserError("I'm handling too many requests right now; please try again in a moment.", ErrBusy)
	}
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots; <-l.queue }, nil
	case <-ctx.Done():
		<-l.queue
		return nil, ctx.Err()
	}
}
