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
