package llm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// clock starts the timers that bound calls; tests replace it to move time
// by hand.
type clock interface {
	AfterFunc(d time.Duration, f func()) timer
}

// timer is the part of *time.Timer a call uses.
type timer interface {
	Reset(d time.Duration) bool
	Stop() bool
}

type realClock struct{}

func (realClock) AfterFunc(d time.Duration, f func()) timer { return time.AfterFunc(d, f) }

// newRetryTransport returns the transport of a client for cfg (with
// defaults), its call timeouts running on clk.
func newRetryTransport(cfg Config, clk clock) *retryTransport {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	base.TLSHandshakeTimeout = 10 * time.Second
	// A plain chat completion sends its headers only once the whole answer
	// is written, so the header timeout is the call timeout.
	base.ResponseHeaderTimeout = cfg.Timeout
	base.MaxIdleConnsPerHost = 16
	return &retryTransport{
		base:        base,
		timeout:     cfg.Timeout,
		maxAttempts: cfg.MaxAttempts,
		baseDelay:   cfg.RetryBaseDelay,
		maxDelay:    cfg.RetryMaxDelay,
		log:         cfg.Logger,
		clock:       clk,
		observer:    cfg.Observer,
	}
}

// errCallTimeout is the cause set when a call outlives the configured
// timeout; it wraps context.DeadlineExceeded so classification sees a timeout.
var errCallTimeout = fmt.Errorf("openai call timed out: %w", context.DeadlineExceeded)

// retryTransport retries attempts that failed before a usable response
// (network errors, 408, 429, 5xx) and enforces the per-call timeout. Once it
// returns a response, the body belongs to the caller: a stream that has
// started is never retried.
type retryTransport struct {
	base        http.RoundTripper
	timeout     time.Duration
	maxAttempts int
	baseDelay   time.Duration
	maxDelay    time.Duration
	log         *slog.Logger
	clock       clock
	observer    Observer
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	stream := strings.Contains(req.Header.Get("Accept"), "text/event-stream")
	ctx, cancel := context.WithCancelCause(req.Context())
	timer := t.clock.AfterFunc(t.timeout, func() { cancel(errCallTimeout) })
	deadline := time.Now().Add(t.timeout)
	fail := func(err error) (*http.Response, error) {
		timer.Stop()
		if context.Cause(ctx) == errCallTimeout {
			err = fmt.Errorf("%w after %s (%w)", errCallTimeout, t.timeout, err)
		}
		cancel(nil)
		return nil, err
	}

	getBody := req.GetBody
	if req.Body != nil && req.Body != http.NoBody && getBody == nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return fail(fmt.Errorf("read request body: %w", err))
		}
		getBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}

	for attempt := 1; ; attempt++ {
		r := req.Clone(ctx)
		if getBody != nil {
			body, err := getBody()
			if err != nil {
				return fail(fmt.Errorf("rewind request body: %w", err))
			}
			r.Body = body
		}
		resp, err := t.base.RoundTrip(r)
		if ctx.Err() != nil {
			// The caller gave up or the call timed out: no more attempts.
			if resp != nil {
				resp.Body.Close()
			}
			return fail(cmpOr(err, context.Cause(ctx)))
		}
		retry, why := t.retryable(resp, err)
		if !retry || attempt >= t.maxAttempts {
			if err != nil {
				return fail(err)
			}
			resp.Body = &callBody{ReadCloser: resp.Body, ctx: ctx, cancel: cancel, timer: timer, idle: t.timeout, stream: stream}
			return resp, nil
		}
		wait, serverAsked := t.backoff(attempt, resp)
		if time.Now().Add(wait).After(deadline) && resp != nil {
			// Waiting would outlive the call: hand back the failure now.
			t.log.Warn("openai: not retrying, the wait exceeds the call timeout",
				"path", req.URL.Path, "attempt", attempt, "reason", why, "wait", wait)
			resp.Body = &callBody{ReadCloser: resp.Body, ctx: ctx, cancel: cancel, timer: timer}
			return resp, nil
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		t.log.Info("openai: retrying", "path", req.URL.Path, "attempt", attempt, "reason", why,
			"wait", wait, "server_asked", serverAsked)
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.retried(req.Context(), retryReason(status))
		select {
		case <-ctx.Done():
			return fail(context.Cause(ctx))
		case <-time.After(wait):
		}
	}
}

func cmpOr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// retryable says whether a failed attempt is worth another, and why.
func (t *retryTransport) retryable(resp *http.Response, err error) (bool, string) {
	if err != nil {
		return true, redactURL(err)
	}
	switch c := resp.StatusCode; {
	case c == http.StatusTooManyRequests:
		// An exhausted quota is not cured by waiting.
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		if bytes.Contains(b, []byte("insufficient_quota")) {
			return false, ""
		}
		return true, resp.Status
	case c == http.StatusRequestTimeout, c == http.StatusConflict,
		c >= 500 && c != http.StatusNotImplemented && c != http.StatusHTTPVersionNotSupported:
		return true, resp.Status
	}
	return false, ""
}

// redactURL keeps a network error's message short and free of query strings.
func redactURL(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		return ue.Unwrap().Error()
	}
	return err.Error()
}

// backoff returns how long to wait before attempt+1: the server's
// retry-after-ms or Retry-After (seconds, fractions allowed, or an HTTP
// date) when it asks for more than the computed delay, else exponential
// backoff from baseDelay, capped at maxDelay, with jitter in [d/2, d].
func (t *retryTransport) backoff(attempt int, resp *http.Response) (time.Duration, bool) {
	d := t.baseDelay << min(attempt-1, 30)
	if d <= 0 || d > t.maxDelay {
		d = t.maxDelay
	}
	d = d/2 + rand.N(d/2+1)
	if resp == nil {
		return d, false
	}
	if ra, ok := retryAfter(resp.Header, time.Now()); ok && ra > d {
		return ra, true
	}
	return d, false
}

func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("retry-after-ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}

// callBody ends the call when the body is closed. For a stream, each read
// that brings bytes pushes the timeout back by idle, so only a stalled
// stream times out.
type callBody struct {
	io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  timer
	idle   time.Duration
	stream bool
}

func (b *callBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 && b.stream {
		b.timer.Reset(b.idle)
	}
	if err != nil && err != io.EOF && context.Cause(b.ctx) == errCallTimeout {
		err = fmt.Errorf("%w: no data for %s (%w)", errCallTimeout, b.idle, err)
	}
	return n, err
}

func (b *callBody) Close() error {
	b.timer.Stop()
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}
