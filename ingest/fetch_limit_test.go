package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestFetchConcurrencyCap starts more fetches than FetchOptions.MaxConcurrent
// against a server that holds every request until the test lets it go,
// and checks that no more than the cap are ever at the server at once,
// that the cap is reached, that a fetch waiting for a place gives up when
// its context ends, and that every fetch completes in the end.
func TestFetchConcurrencyCap(t *testing.T) {
	t.Parallel()
	const limit, total = 3, 10
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var (
		mu           sync.Mutex
		inside, peak int
		arrived      = make(chan struct{}, total)
		release      = make(chan struct{})
		page         = ferryPage()
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inside++
		peak = max(peak, inside)
		mu.Unlock()
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
		mu.Lock()
		inside--
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer srv.Close()
	f := NewFetcher(FetchOptions{AllowPrivate: true, MaxConcurrent: limit})

	errs := make(chan error, total)
	for n := range total {
		go func() {
			_, err := f.Fetch(ctx, fmt.Sprintf("%s/ferry/%d", srv.URL, n))
			errs <- err
		}()
	}
	for range limit {
		<-arrived
	}
	// All places are taken: a fetch whose context ends while it waits
	// gives up without reaching the server.
	waitCtx, stop := context.WithCancel(ctx)
	waited := make(chan error, 1)
	go func() {
		_, err := f.Fetch(waitCtx, srv.URL+"/ferry/late")
		waited <- err
	}()
	stop()
	if err := <-waited; !errors.Is(err, context.Canceled) {
		t.Errorf("a fetch cancelled while waiting for a place: %v", err)
	}
	// Let them through one at a time; each release makes room for one more.
	for n := range total {
		release <- struct{}{}
		if err := <-errs; err != nil {
			t.Errorf("fetch: %v", err)
		}
		if n+limit < total {
			<-arrived
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if peak != limit {
		t.Errorf("at most %d requests were at the server at once, want exactly the cap %d", peak, limit)
	}
}

// ferryPage is a small news page with enough text to count as an article.
func ferryPage() string {
	p := "<p>The island ferry leaves the harbour at seven every morning and returns from the island at noon, the operator said on Monday.</p>"
	return "<html><head><title>Ferry timetable</title></head><body><article><h1>Ferry timetable</h1>" +
		p + p + p + "</article></body></html>"
}
