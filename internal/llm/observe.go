package llm

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Observer receives measurements of the client's calls (package metrics
// implements it); Config.Observer nil means none. Every label it is given
// comes from a small fixed set: call kinds are CallKinds, error classes
// ErrorClasses, retry reasons RetryReasons.
type Observer interface {
	// ObserveCall reports one call of kind that took d, retries included;
	// class is "" when it succeeded, else its ErrorClass.
	ObserveCall(kind string, d time.Duration, class string)
	// ObserveRetry reports an attempt of kind retried for reason.
	ObserveRetry(kind, reason string)
	// ObserveTokens reports the tokens one call used, when the API said.
	ObserveTokens(kind string, prompt, completion int)
}

// The kinds of call an Observer hears of.
var CallKinds = []string{"chat", "stream", "rewrite", "embeddings", "summary", "other"}

// ErrorClasses are the classes of failed calls (see ErrorClass).
var ErrorClasses = []string{"rate_limit", "quota", "timeout", "server", "client", "bad_response", "canceled", "other"}

// RetryReasons are why an attempt is retried.
var RetryReasons = []string{"rate_limit", "timeout", "server", "network"}

// callKind maps an op ("chat stream", "summary part", …) to its CallKind.
func callKind(op string) string {
	switch {
	case op == "chat stream":
		return "stream"
	case op == "chat", op == "rewrite", op == "embeddings":
		return op
	case strings.HasPrefix(op, "summary"):
		return "summary"
	}
	return "other"
}

// ErrorClass names the class of err for metrics: "" for nil, else one of
// ErrorClasses.
func ErrorClass(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		return "other"
	}
	switch e.Kind {
	case RateLimited:
		return "rate_limit"
	case QuotaExceeded:
		return "quota"
	case Timeout:
		return "timeout"
	case Unavailable:
		return "server"
	case Unauthorized, BadRequest:
		return "client"
	case BadResponse:
		return "bad_response"
	case Canceled:
		return "canceled"
	}
	return "other"
}

// opKey carries the op of a call to the transport, which names retries.
type opKey struct{}

// observe starts measuring one call of op: it returns the context to make
// the call with and the func that reports how it ended.
func (c *Client) observe(ctx context.Context, op string) (context.Context, func(error)) {
	ctx = context.WithValue(ctx, opKey{}, op)
	if c.cfg.Observer == nil {
		return ctx, func(error) {}
	}
	start := time.Now()
	return ctx, func(err error) { c.cfg.Observer.ObserveCall(callKind(op), time.Since(start), ErrorClass(err)) }
}

// tokens reports what a call used, when the server said.
func (c *Client) tokens(op string, prompt, completion int) {
	if c.cfg.Observer != nil && prompt+completion > 0 {
		c.cfg.Observer.ObserveTokens(callKind(op), prompt, completion)
	}
}

// retried reports a retried attempt of the call ctx belongs to.
func (t *retryTransport) retried(ctx context.Context, reason string) {
	if t.observer == nil {
		return
	}
	op, _ := ctx.Value(opKey{}).(string)
	t.observer.ObserveRetry(callKind(op), reason)
}

// retryReason classes why an attempt failed (status 0: no response).
func retryReason(status int) string {
	switch {
	case status == 0:
		return "network"
	case status == 429:
		return "rate_limit"
	case status == 408:
		return "timeout"
	}
	return "server"
}
