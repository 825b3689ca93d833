package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/internal/testweb"
)

// testFetcher allows private addresses, so it can reach the test server.
func testFetcher(opt FetchOptions) *Fetcher {
	opt.AllowPrivate = true
	return NewFetcher(opt)
}

func TestFetchArticle(t *testing.T) {
	t.Parallel()
	web := testweb.New(t)
	f := testFetcher(FetchOptions{})
	a, err := f.Fetch(t.Context(), web.URL(testweb.News))
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	if a.Title != "Ferry crews strike over night-shift staffing" || a.Source != "The Harbour Gazette" || a.Author != "Maren Okafor" {
		t.Errorf("metadata: title %q source %q author %q", a.Title, a.Source, a.Author)
	}
	// The page's canonical URL is on another site, so the fetched URL is kept.
	if a.URL != web.URL(testweb.News) || a.ID != NewID(a.URL, "", nil) {
		t.Errorf("URL %q ID %q, want the fetched URL and its ID", a.URL, a.ID)
	}
	text := a.Text()
	for _, boiler := range []string{"cookies", "Refinance", "Share on Facebook", "Related stories", "Most read", "sailorjoe77", "All rights reserved", "morning briefing"} {
		if strings.Contains(text, boiler) {
			t.Errorf("article text contains boilerplate %q", boiler)
		}
	}
	if ua := web.UserAgents(); len(ua) == 0 || !strings.HasPrefix(ua[0], "citebot/") {
		t.Errorf("User-Agent %q, want citebot/...", ua)
	}
}

func TestFetchOutcomes(t *testing.T) {
	t.Parallel()
	web := testweb.New(t)
	tests := []struct {
		name    string
		path    string
		opt     FetchOptions
		wantErr error  // nil: success
		inErr   string // must appear in the error text
		title   string // on success
	}{
		{name: "redirects within limit", path: testweb.Redirects(5, testweb.News), title: "Ferry crews strike over night-shift staffing"},
		{name: "too many redirects", path: testweb.Redirects(6, testweb.News), wantErr: ErrTooManyRedirects},
		{name: "redirect loop", path: testweb.Loop, wantErr: ErrTooManyRedirects},
		{name: "no redirects allowed", path: testweb.Redirects(1, testweb.News), opt: FetchOptions{MaxRedirects: -1}, wantErr: ErrTooManyRedirects},
		{name: "paywall", path: testweb.Paywall, wantErr: ErrNoArticle, inErr: "no article text found at http://"},
		{name: "javascript app", path: testweb.App, wantErr: ErrNoArticle},
		{name: "image", path: testweb.Image, wantErr: ErrUnsupportedType, inErr: "unsupported content type image/png at http://"},
		{name: "plain text", path: testweb.Text, title: "Tide tables move online"},
		{name: "markdown", path: testweb.Markdown, title: "Lighthouse reopens to visitors"},
		{name: "not found", path: testweb.Missing, wantErr: ErrHTTPStatus, inErr: "404"},
		{name: "endless body", path: testweb.Endless, opt: FetchOptions{MaxBytes: 64 << 10}, wantErr: ErrTooLarge},
		{name: "declared too large", path: testweb.Oversize, wantErr: ErrTooLarge},
		{name: "slow server", path: testweb.Slow, opt: FetchOptions{Timeout: 300 * time.Millisecond}, wantErr: ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := web.URL(tt.path)
			a, err := testFetcher(tt.opt).Fetch(t.Context(), url)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Fetch(%s): %v", url, err)
				}
				if a.Title != tt.title || len(a.Paragraphs) == 0 || a.URL == "" {
					t.Errorf("title %q, %d paragraphs, URL %q; want title %q", a.Title, len(a.Paragraphs), a.URL, tt.title)
				}
				return
			}
			checkPageError(t, err, tt.wantErr, tt.inErr)
		})
	}
}

// checkPageError checks that err is a *PageError wrapping want, with a
// user message, and that its text contains inErr.
func checkPageError(t *testing.T, err, want error, inErr string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	var pe *PageError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T is not a *PageError", err)
	}
	if msg := pe.UserMessage(); msg == "" || msg == "I couldn't fetch that page." {
		t.Errorf("UserMessage() = %q, want a specific message", msg)
	}
	if !strings.Contains(err.Error(), inErr) {
		t.Errorf("error %q does not contain %q", err, inErr)
	}
}

func TestFetchGuardRefuses(t *testing.T) {
	t.Parallel()
	web := testweb.New(t)
	port := web.Listener.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort().Port()
	guarded := NewFetcher(FetchOptions{Timeout: 5 * time.Second})
	tests := []struct{ name, url string }{
		{"loopback", web.URL(testweb.News)},
		{"metadata address", "http://169.254.169.254/latest/meta-data/"},
		{"name resolving to loopback", fmt.Sprintf("http://localhost:%d%s", port, testweb.News)},
		{"IPv4-mapped IPv6 loopback", fmt.Sprintf("http://[::ffff:127.0.0.1]:%d%s", port, testweb.News)},
		{"IPv6 loopback", fmt.Sprintf("http://[::1]:%d/", port)},
		{"private network", "http://10.0.0.1/"},
		{"unspecified", fmt.Sprintf("http://0.0.0.0:%d/", port)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := guarded.Fetch(t.Context(), tt.url)
			checkPageError(t, err, ErrPrivateAddress, "")
		})
	}
	if n := len(web.UserAgents()); n != 0 {
		t.Errorf("test server got %d requests through the guard, want 0", n)
	}
}

func TestFetchGuardRefusesRedirectToPrivate(t *testing.T) {
	t.Parallel()
	web := testweb.New(t)
	server := web.Listener.Addr().(interface{ AddrPort() netip.AddrPort }).AddrPort()
	// The guard is on, but lets the first hop reach the test server itself.
	f := newFetcher(FetchOptions{Timeout: 5 * time.Second}, func(ap netip.AddrPort) bool { return ap == server })
	if _, err := f.Fetch(t.Context(), web.URL(testweb.News)); err != nil {
		t.Fatalf("Fetch of the admitted test server: %v", err)
	}
	for _, to := range []string{"http://169.254.169.254/latest/meta-data/", "http://127.0.0.2/", "http://[::1]/"} {
		path := web.RedirectAway(to)
		_, err := f.Fetch(t.Context(), web.URL(path))
		checkPageError(t, err, ErrPrivateAddress, "")
	}
}

func TestFetchBadURL(t *testing.T) {
	t.Parallel()
	f := NewFetcher(FetchOptions{})
	for _, u := range []string{"", "ftp://example.com/a.txt", "file:///etc/passwd", "javascript:alert(1)", "example.com/news", "http://"} {
		_, err := f.Fetch(t.Context(), u)
		checkPageError(t, err, ErrBadURL, "")
	}
}

func TestFetchHonoursContext(t *testing.T) {
	t.Parallel()
	web := testweb.New(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := testFetcher(FetchOptions{}).Fetch(ctx, web.URL(testweb.News))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Fetch with cancelled context: %v, want context.Canceled", err)
	}
}
