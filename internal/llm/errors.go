package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"

	"github.com/sashabaranov/go-openai"
)

// Kind is what went wrong, as far as the user is concerned.
type Kind int

const (
	Other         Kind = iota
	RateLimited        // 429: too many requests
	QuotaExceeded      // 429 insufficient_quota: the account has no credit
	Timeout            // the call, or the wait for the next streamed bytes, took too long
	Unavailable        // 5xx or a network failure
	Unauthorized       // 401/403: missing or wrong key
	BadRequest         // 400/404/413/422: wrong model or deployment name, prompt too long, ...
	BadResponse        // the server's answer could not be read: malformed JSON, a stream cut short
	Canceled           // the caller gave up
)

var kindNames = [...]string{"error", "rate limited", "quota exceeded", "timed out", "unavailable",
	"unauthorized", "bad request", "bad response", "canceled"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Error is a classified failure of one API call. Its Error text is for logs
// (keys redacted); UserMessage is for users.
type Error struct {
	Op     string // what was called: "chat", "chat stream", "rewrite", "embeddings"
	Model  string
	Kind   Kind
	Status int // HTTP status, 0 when there was no response
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "openai %s", e.Op)
	if e.Model != "" {
		fmt.Fprintf(&b, " (model %s)", e.Model)
	}
	fmt.Fprintf(&b, ": %s", e.Kind)
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %s", Redact(e.Err.Error()))
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// UserMessage is a short, friendly sentence saying what happened, for the
// person who asked (in Discord, anyone in the server): a capital, a full
// stop, and nothing only the operator would understand.
func (e *Error) UserMessage() string {
	who := "The language model"
	if e.Op == "embeddings" {
		who = "The embedding model"
	}
	const tell = "please tell whoever runs the bot"
	switch e.Kind {
	case RateLimited:
		return who + " is limiting how fast the bot may ask it; try again in a minute."
	case QuotaExceeded:
		return who + "'s account has run out of quota; " + tell + "."
	case Timeout:
		return who + " did not answer in time; please try again."
	case Unavailable:
		return who + " is unavailable right now; try again later."
	case Unauthorized:
		return who + " refused the bot's credentials; " + tell + "."
	case BadRequest:
		return who + " rejected the request; " + tell + " if this keeps happening."
	case BadResponse:
		return who + " sent a broken answer; please try again."
	case Canceled:
		return "The request was cancelled."
	}
	return who + " failed; try again later."
}

// Classify wraps err, returned by a go-openai call op on model, in an *Error.
// It returns nil for nil and err itself when it already holds an *Error.
// Client's methods return errors already classified; callers outside this
// package need Classify only for a cause of their own (a cancelled context).
func Classify(op, model string, err error) error {
	if err == nil {
		return nil
	}
	var done *Error
	if errors.As(err, &done) {
		return err
	}
	e := &Error{Op: op, Model: model, Err: err}
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	switch {
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode != 0:
		e.Status = apiErr.HTTPStatusCode
		e.Kind = byStatus(apiErr.HTTPStatusCode)
		if e.Kind == RateLimited && (apiErr.Code == "insufficient_quota" || apiErr.Type == "insufficient_quota") {
			e.Kind = QuotaExceeded
		}
	case errors.As(err, &reqErr):
		e.Status = reqErr.HTTPStatusCode
		e.Kind = byStatus(reqErr.HTTPStatusCode)
	case errors.As(err, &apiErr):
		// An error event inside a stream: no status code.
		e.Kind = Unavailable
	default:
		e.Kind = byCause(err)
	}
	return e
}

func byStatus(code int) Kind {
	switch {
	case code == http.StatusTooManyRequests:
		return RateLimited
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return Unauthorized
	case code == http.StatusRequestTimeout || code == http.StatusGatewayTimeout:
		return Timeout
	case code >= 500:
		return Unavailable
	case code >= 400:
		return BadRequest
	}
	return BadResponse
}

func byCause(err error) Kind {
	var netErr net.Error
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return Timeout
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.As(err, &netErr) && netErr.Timeout():
		return Timeout
	case errors.As(err, &syntaxErr), errors.As(err, &typeErr),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, openai.ErrTooManyEmptyStreamMessages):
		return BadResponse
	case errors.As(err, &netErr):
		return Unavailable
	}
	return Other
}

// secret matches API keys and bearer tokens as they appear in error texts
// (OpenAI echoes a masked key in its 401 message).
var secret = regexp.MustCompile(`(?i)(sk-[A-Za-z0-9_\-*.]{4,}|bearer\s+\S+)`)

// Redact hides anything looking like an API key or bearer token in s.
func Redact(s string) string {
	return secret.ReplaceAllString(s, "[redacted]")
}
