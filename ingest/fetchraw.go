package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Validators are what a server said about a response it may be asked for
// again: its ETag and Last-Modified headers. The zero value asks for the
// whole response.
type Validators struct {
	ETag         string
	LastModified string
}

// RawPage is a response fetched by FetchRaw.
type RawPage struct {
	// URL is the address reached after redirects, in its cleaned form (no
	// login details, fragment or tracking parameters).
	URL         string
	ContentType string
	Body        []byte
	// NotModified: the server answered 304 to the Validators sent, and
	// Body is empty.
	NotModified bool
	// Validators to send next time: the response's own, or on a 304 the
	// ones sent when the server gave none.
	Validators Validators
}

// FetchRaw downloads rawURL as bytes, without extraction, through the same
// guarded client, limits (timeout, body size, redirects, concurrent
// fetches) and User-Agent as Fetch. accept is the Accept header ("" sends
// */*). A conditional request is sent when v has validators
// (If-None-Match, If-Modified-Since); a 304 answer is a success with
// NotModified set. Every error is a *PageError, as for Fetch. It is what
// feeds are fetched with; safe for concurrent use.
func (f *Fetcher) FetchRaw(ctx context.Context, rawURL, accept string, v Validators) (RawPage, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return RawPage{}, &PageError{URL: rawURL, Err: fmt.Errorf("fetch %q: %w", rawURL, ErrBadURL)}
	}
	shown := cleanParsedURL(u)
	if disguisedUserinfo(u) {
		return RawPage{}, &PageError{URL: shown, Err: fmt.Errorf("fetch %s: %w", shown, ErrDisguisedURL)}
	}
	select {
	case f.slots <- struct{}{}:
	case <-ctx.Done():
		return RawPage{}, &PageError{URL: shown, Err: ctx.Err()}
	}
	defer func() { <-f.slots }()
	ctx, cancel := context.WithTimeoutCause(ctx, f.opt.Timeout, ErrTimeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return RawPage{}, f.rawError(ctx, shown, err)
	}
	if accept == "" {
		accept = "*/*"
	}
	req.Header.Set("User-Agent", f.opt.UserAgent)
	req.Header.Set("Accept", accept)
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the method and URL
		}
		return RawPage{}, f.rawError(ctx, shown, err)
	}
	defer resp.Body.Close()
	page := RawPage{
		URL:         cleanParsedURL(resp.Request.URL),
		ContentType: resp.Header.Get("Content-Type"),
		Validators:  Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")},
	}
	if resp.StatusCode == http.StatusNotModified {
		page.NotModified = true
		if page.Validators == (Validators{}) {
			page.Validators = v
		}
		return page, nil
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return RawPage{}, &PageError{URL: page.URL, Status: resp.StatusCode,
			Err: fmt.Errorf("fetch %s: %w %s", page.URL, ErrHTTPStatus, resp.Status)}
	}
	if resp.ContentLength > f.opt.MaxBytes {
		return RawPage{}, f.rawError(ctx, page.URL, fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, resp.ContentLength, f.opt.MaxBytes))
	}
	page.Body, err = io.ReadAll(io.LimitReader(resp.Body, f.opt.MaxBytes+1))
	if err != nil {
		return RawPage{}, f.rawError(ctx, page.URL, fmt.Errorf("read body: %w", err))
	}
	if int64(len(page.Body)) > f.opt.MaxBytes {
		return RawPage{}, f.rawError(ctx, page.URL, fmt.Errorf("%w: body over %d bytes", ErrTooLarge, f.opt.MaxBytes))
	}
	return page, nil
}

// rawError wraps a FetchRaw failure at address at in a *PageError, as a
// timeout when the deadline (or a transport timeout) caused it.
func (f *Fetcher) rawError(ctx context.Context, at string, err error) error {
	var ne net.Error
	if errors.Is(context.Cause(ctx), ErrTimeout) || (errors.As(err, &ne) && ne.Timeout()) {
		err = fmt.Errorf("after %s: %w", f.opt.Timeout, ErrTimeout)
	}
	return &PageError{URL: at, Err: fmt.Errorf("fetch %s: %w", at, err), Limit: f.opt.MaxBytes}
}

// CleanURL is the form of an address that citebot stores and shows: no
// login details, no #fragment, no tracking parameters (see cleanURL).
// Strings that do not parse are returned unchanged.
func CleanURL(raw string) string { return cleanURL(raw) }

// SameSite reports whether two host names belong to one site: the same
// registrable domain by the public-suffix list, or the same IP address.
func SameSite(hostA, hostB string) bool { return sameSite(hostA, hostB) }

// CleanLabel drops invisible format characters (bidirectional overrides,
// zero-width characters, soft hyphens) from a one-line label, such as a
// feed's title, and folds its white space.
func CleanLabel(s string) string { return cleanLabel(s) }
