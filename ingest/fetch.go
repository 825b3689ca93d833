package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// version is the citebot version named in the fetcher's User-Agent.
const version = "0.1"

// Errors a fetch can end in, besides ErrTooLarge (the body is longer than
// FetchOptions.MaxBytes), ErrPrivateAddress, ErrDisguisedURL and
// ErrNoArticle. Each is
// wrapped in a *PageError, which also names the URL and gives a short
// message for the user.
var (
	// ErrBadURL: not an absolute http or https URL.
	ErrBadURL = errors.New("not an http or https URL")
	// ErrTooManyRedirects: more redirects than FetchOptions.MaxRedirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrUnsupportedType: the page is not HTML, plain text or Markdown.
	ErrUnsupportedType = errors.New("unsupported content type")
	// ErrHTTPStatus: the server answered with a status other than 2xx.
	ErrHTTPStatus = errors.New("unexpected HTTP status")
	// ErrTimeout: the fetch took longer than FetchOptions.Timeout.
	ErrTimeout = errors.New("timed out")
)

// PageError reports why a URL (or an HTML document) could not become an
// Article. Err wraps one of the sentinel errors above, ErrPrivateAddress,
// ErrNoArticle, or a network error; Error names the URL.
type PageError struct {
	URL         string
	Err         error
	Status      int    // the HTTP status, for ErrHTTPStatus
	ContentType string // the media type, for ErrUnsupportedType
	Limit       int64  // the byte limit, for ErrTooLarge
}

func (e *PageError) Error() string {
	msg := e.Err.Error()
	if e.URL != "" && !strings.Contains(msg, e.URL) {
		return "fetch " + e.URL + ": " + msg
	}
	return msg
}

func (e *PageError) Unwrap() error { return e.Err }

// UserMessage is a short, friendly explanation for the person who asked.
func (e *PageError) UserMessage() string {
	switch {
	case errors.Is(e.Err, ErrBadURL):
		return "That doesn't look like a web link: only http:// and https:// addresses can be ingested."
	case errors.Is(e.Err, ErrDisguisedURL):
		return "That link is disguised: the part before \"@\" looks like a website, but the link leads somewhere else."
	case errors.Is(e.Err, ErrPrivateAddress):
		return "That link points to a private or local network address, which I'm not allowed to fetch."
	case errors.Is(e.Err, ErrTooManyRedirects):
		return "That link redirects too many times."
	case errors.Is(e.Err, ErrTooLarge):
		return fmt.Sprintf("That page is too large to ingest (over %d MiB).", max(e.Limit>>20, 1))
	case errors.Is(e.Err, ErrUnsupportedType):
		return fmt.Sprintf("That link is %s, not an article. I can read web pages, plain text and Markdown.", describeType(e.ContentType))
	case errors.Is(e.Err, ErrHTTPStatus):
		return fmt.Sprintf("The site answered %d %s.", e.Status, http.StatusText(e.Status))
	case errors.Is(e.Err, ErrTimeout):
		return "That page took too long to fetch and read."
	case errors.Is(e.Err, ErrNoArticle):
		return "I couldn't find any article text there (it may need a login or JavaScript, or have no article)."
	}
	return "I couldn't fetch that page."
}

func describeType(t string) string {
	if t == "" {
		return "of an unknown type"
	}
	return "a file of type " + t
}

// FetchOptions configure a Fetcher. Zero values mean the defaults.
type FetchOptions struct {
	// AllowPrivate lets fetches reach loopback, private, link-local and
	// other non-public addresses (for self-hosted sources and tests). Off by
	// default: the fetcher serves URLs that strangers give it.
	AllowPrivate bool
	// Timeout bounds a whole fetch, redirects and body included. Default 20s.
	Timeout time.Duration
	// MaxBytes caps the response body. Default 10 MiB.
	MaxBytes int64
	// MaxRedirects caps redirects followed. Default 5; negative means none.
	MaxRedirects int
	// UserAgent is sent with every request. Default
	// "citebot/0.1 (+https://github.com/citebot/citebot)", naming the
	// citebot version.
	UserAgent string
	// MaxConcurrent caps fetches in flight at once; further calls wait for
	// a slot or their context. Default 4.
	MaxConcurrent int
}

// Fetcher downloads web pages safely and turns them into Articles. It is
// safe for concurrent use; make one and share it.
type Fetcher struct {
	opt    FetchOptions
	client *http.Client
	slots  chan struct{}
}

// NewFetcher returns a ready Fetcher. Unless opt.AllowPrivate, every
// connection (first request and each redirect, after DNS resolution) is
// refused when it would reach a non-public address (see isPublicIP).
// Environment proxy settings are ignored so that no connection escapes the
// check.
func NewFetcher(opt FetchOptions) *Fetcher { return newFetcher(opt, nil) }

// newFetcher is NewFetcher with addresses the guard lets through anyway.
func newFetcher(opt FetchOptions, except func(netip.AddrPort) bool) *Fetcher {
	if opt.Timeout <= 0 {
		opt.Timeout = 20 * time.Second
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 10 << 20
	}
	if opt.MaxRedirects == 0 {
		opt.MaxRedirects = 5
	}
	if opt.UserAgent == "" {
		opt.UserAgent = "citebot/" + version + " (+https://github.com/citebot/citebot)"
	}
	if opt.MaxConcurrent <= 0 {
		opt.MaxConcurrent = 4
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !opt.AllowPrivate {
		dialer.Control = dialGuard(except)
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opt.Timeout,
	}
	maxRedirects := max(opt.MaxRedirects, 0)
	client := &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("after %d redirects: %w", maxRedirects, ErrTooManyRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s: %w", cleanParsedURL(req.URL), ErrBadURL)
			}
			return nil
		},
	}
	return &Fetcher{opt: opt, client: client, slots: make(chan struct{}, opt.MaxConcurrent)}
}

// Fetch downloads rawURL and extracts its article: HTML and XHTML pages
// through extractHTML, text/plain and text/markdown through Parse, both
// within the fetch's deadline. The article's URL is its canonical URL, or
// the address reached after redirects, in its cleanURL form (no login
// details, no tracking parameters); errors name URLs in that form too. A
// URL whose login part looks like a site (http://www.bbc.co.uk@example.net/)
// is refused with ErrDisguisedURL. Every error is a *PageError (use
// errors.Is with the Err* sentinels, or UserMessage for the person who
// asked).
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (Article, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Article{}, &PageError{URL: rawURL, Err: fmt.Errorf("fetch %q: %w", rawURL, ErrBadURL)}
	}
	shown := cleanParsedURL(u)
	if disguisedUserinfo(u) {
		return Article{}, &PageError{URL: shown, Err: fmt.Errorf("fetch %s: %w", shown, ErrDisguisedURL)}
	}
	select {
	case f.slots <- struct{}{}:
	case <-ctx.Done():
		return Article{}, &PageError{URL: shown, Err: ctx.Err()}
	}
	// The place is given back when the work is done: by extract's
	// goroutine once it finishes, otherwise here.
	held := true
	defer func() {
		if held {
			<-f.slots
		}
	}()
	ctx, cancel := context.WithTimeoutCause(ctx, f.opt.Timeout, ErrTimeout)
	defer cancel()

	body, final, ctype, err := f.get(ctx, u)
	if err != nil {
		return Article{}, err
	}
	media, _, _ := mime.ParseMediaType(ctype)
	switch media {
	case "text/html", "application/xhtml+xml", "":
		if media == "" && !looksLikeHTML(body) {
			break
		}
		held = false
		return f.extract(ctx, final, func(ctx context.Context) (Article, error) {
			return extractPage(ctx, body, final, ctype)
		})
	case "text/plain", "text/markdown", "text/x-markdown":
		held = false
		return f.extract(ctx, final, func(context.Context) (Article, error) {
			return f.parseText(body, final, ctype, media)
		})
	}
	return Article{}, &PageError{URL: final, ContentType: media,
		Err: fmt.Errorf("%w %s at %s", ErrUnsupportedType, orUnknown(media), final)}
}

// extract runs fn, which owns one of f's places, on its own goroutine and
// waits for it or for ctx: a page that takes longer to read than the
// fetch's deadline ends in ErrTimeout. The goroutine gives the place back
// when fn returns (fn stops early when ctx ends, and its work is bounded
// anyway), so abandoned extractions still count against MaxConcurrent.
func (f *Fetcher) extract(ctx context.Context, final string, fn func(context.Context) (Article, error)) (Article, error) {
	type result struct {
		a   Article
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-f.slots }()
		a, err := fn(ctx)
		done <- result{a, err}
	}()
	select {
	case r := <-done:
		return r.a, r.err
	case <-ctx.Done():
		err := ctx.Err()
		if errors.Is(context.Cause(ctx), ErrTimeout) {
			err = fmt.Errorf("reading the page after %s: %w", f.opt.Timeout, ErrTimeout)
		}
		return Article{}, &PageError{URL: final, Err: fmt.Errorf("extract %s: %w", final, err)}
	}
}

// get performs the request and reads at most MaxBytes of the body. It
// returns the body, the final URL after redirects (its cleanURL form) and
// the Content-Type.
func (f *Fetcher) get(ctx context.Context, u *url.URL) ([]byte, string, string, error) {
	fail := func(at string, err error) ([]byte, string, string, error) {
		var ne net.Error
		// The transport's own timeouts (response headers, dialling) equal
		// or undercut the overall one and may fire first: a timeout too.
		if errors.Is(context.Cause(ctx), ErrTimeout) || (errors.As(err, &ne) && ne.Timeout()) {
			err = fmt.Errorf("after %s: %w", f.opt.Timeout, ErrTimeout)
		}
		return nil, "", "", &PageError{URL: at, Err: fmt.Errorf("fetch %s: %w", at, err), Limit: f.opt.MaxBytes}
	}
	shown := cleanParsedURL(u)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail(shown, err)
	}
	req.Header.Set("User-Agent", f.opt.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,*/*;q=0.1")
	resp, err := f.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the method and URL
		}
		return fail(shown, err)
	}
	defer resp.Body.Close()
	final := cleanParsedURL(resp.Request.URL)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, "", "", &PageError{URL: final, Status: resp.StatusCode,
			Err: fmt.Errorf("fetch %s: %w %s", final, ErrHTTPStatus, resp.Status)}
	}
	if resp.ContentLength > f.opt.MaxBytes {
		return fail(final, fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, resp.ContentLength, f.opt.MaxBytes))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.opt.MaxBytes+1))
	if err != nil {
		return fail(final, fmt.Errorf("read body: %w", err))
	}
	if int64(len(body)) > f.opt.MaxBytes {
		return fail(final, fmt.Errorf("%w: body over %d bytes", ErrTooLarge, f.opt.MaxBytes))
	}
	return body, final, resp.Header.Get("Content-Type"), nil
}

// parseText reads a plain text or Markdown page with the file parser.
func (f *Fetcher) parseText(body []byte, final, ctype, media string) (Article, error) {
	name := "page.txt"
	if media != "text/plain" {
		name = "page.md"
	}
	a, err := Parse(name, toUTF8(body, ctype))
	if err != nil {
		return Article{}, &PageError{URL: final, Err: fmt.Errorf("%w at %s: %w", ErrNoArticle, final, err)}
	}
	a.URL = final
	a.ID = NewID(a.URL, a.Title, a.Paragraphs)
	return a, nil
}

// looksLikeHTML sniffs a body served without a Content-Type.
func looksLikeHTML(body []byte) bool {
	return strings.HasPrefix(http.DetectContentType(body), "text/html")
}

func orUnknown(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
