package ingest

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/internal/testweb"
)

// TestFetchStripsLogin: login details in a URL, typed or added by a
// redirect, never reach the article's URL or the error text (issue 12).
func TestFetchStripsLogin(t *testing.T) {
	t.Parallel()
	web := testweb.New(t)
	host := strings.TrimPrefix(web.URL(""), "http://")
	f := testFetcher(FetchOptions{})
	clean := web.URL(testweb.News)
	for _, u := range []string{
		"http://reporter:hunter2@" + host + testweb.News,
		web.URL(testweb.Redirects(1, "http://user:secret@"+host+testweb.News)),
	} {
		a, err := f.Fetch(t.Context(), u)
		if err != nil {
			t.Fatalf("Fetch(%s): %v", u, err)
		}
		if a.URL != clean || a.ID != NewID(clean, "", nil) {
			t.Errorf("Fetch(%s): URL %q ID %q, want %q", u, a.URL, a.ID, clean)
		}
	}
	_, err := f.Fetch(t.Context(), "http://reporter:hunter2@"+host+testweb.Missing)
	checkPageError(t, err, ErrHTTPStatus, "http://"+host+testweb.Missing)
	if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "reporter") {
		t.Errorf("error shows the login: %v", err)
	}
}

// TestFetchRefusesDisguisedHost: http://www.bbc.co.uk@host/news goes to
// host, not the BBC; it is refused before any request is made.
func TestFetchRefusesDisguisedHost(t *testing.T) {
	t.Parallel()
	web := testweb.New(t)
	host := strings.TrimPrefix(web.URL(""), "http://")
	f := testFetcher(FetchOptions{})
	for _, login := range []string{"www.bbc.co.uk", "www.bbc.co.uk:443", "93.184.216.34", "bbc.co.uk%2Fnews"} {
		_, err := f.Fetch(t.Context(), "http://"+login+"@"+host+testweb.News)
		checkPageError(t, err, ErrDisguisedURL, "http://"+host+testweb.News)
		if strings.Contains(err.Error(), "bbc") {
			t.Errorf("error shows the decoy: %v", err)
		}
	}
	if n := len(web.UserAgents()); n != 0 {
		t.Errorf("%d requests reached the server, want 0", n)
	}
}

// TestFetchDropsTracking: the same page under tracking parameters is one
// article, under the address without them.
func TestFetchDropsTracking(t *testing.T) {
	t.Parallel()
	web := testweb.New(t)
	f := testFetcher(FetchOptions{})
	want, err := f.Fetch(t.Context(), web.URL(testweb.News))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"?utm_source=newsletter&utm_medium=email", "?fbclid=IwAR0x1", "?gclid=Cj0KCQ&mc_eid=4f2a#comments"} {
		a, err := f.Fetch(t.Context(), web.URL(testweb.News+q))
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != want.ID || a.URL != want.URL {
			t.Errorf("%s: URL %q ID %q, want %q %q", q, a.URL, a.ID, want.URL, want.ID)
		}
	}
	// A redirect that adds them changes nothing either.
	a, err := f.Fetch(t.Context(), web.URL(testweb.Redirects(2, testweb.News+"?utm_campaign=spring")))
	if err != nil || a.ID != want.ID {
		t.Errorf("through a redirect: URL %q ID %q, %v", a.URL, a.ID, err)
	}
}

// TestFetchCanonicalOtherIP: a page at 127.0.0.1 cannot claim to be
// another address's article (both used to reduce to the "domain" 0.1).
func TestFetchCanonicalOtherIP(t *testing.T) {
	t.Parallel()
	const head = `<link rel="canonical" href="http://10.20.0.1/claimed-article">`
	srv := servePage(t, "<html><head><title>Ferry timetable</title>"+head+"</head><body><article>"+
		strings.Repeat("<p>The island ferry leaves the harbour at seven every morning and returns at noon, the operator said.</p>", 4)+
		"</article></body></html>")
	f := newFetcher(FetchOptions{Timeout: 10 * time.Second}, func(ap netip.AddrPort) bool { return ap.Addr().IsLoopback() })
	a, err := f.Fetch(t.Context(), srv+"/ferry")
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != srv+"/ferry" {
		t.Errorf("URL %q, want the fetched %q", a.URL, srv+"/ferry")
	}
}
