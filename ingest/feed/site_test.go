package feed

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

// site is a news site on 127.0.0.1 with feeds for the poller:
//   - /rss2.xml, /rss1.rdf, /atom.xml, /page.html: the testdata fixtures;
//   - /grow.xml: an RSS feed of the site's first grow stories, newest
//     first, with an ETag that changes when it grows (304 when it has not);
//   - /flaky.xml: /grow.xml, or 503 while failing is set;
//   - /story/NAME: an article page; 404 for names starting "gone-".
type site struct {
	*httptest.Server

	mu          sync.Mutex
	grow        int
	failing     bool
	requests    map[string]int
	notModified int
	// onStory, when set, runs before a story is served (the crash test
	// blocks there).
	onStory func(name string)
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := &site{requests: make(map[string]int)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *site) set(fn func(*site)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

func (s *site) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

func (s *site) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests[r.URL.Path]++
	n, failing, onStory := s.grow, s.failing, s.onStory
	s.mu.Unlock()
	switch p := r.URL.Path; {
	case p == "/flaky.xml" && failing:
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	case p == "/grow.xml" || p == "/flaky.xml":
		etag := fmt.Sprintf(`"grow-%d"`, n)
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			s.set(func(s *site) { s.notModified++ })
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, growFeed(n))
	case strings.HasPrefix(p, "/story/"):
		name := strings.TrimPrefix(p, "/story/")
		if onStory != nil {
			onStory(name)
		}
		if strings.HasPrefix(name, "gone-") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, storyPage(name))
	default:
		b, err := os.ReadFile(filepath.Join("testdata", filepath.Base(p)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		types := map[string]string{".xml": "application/xml", ".rdf": "application/rdf+xml", ".html": "text/html"}
		w.Header().Set("Content-Type", types[filepath.Ext(p)])
		w.Write(b)
	}
}

// growFeed is an RSS 2.0 feed of stories grow-1 … grow-n, newest first.
func growFeed(n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Saltmarsh Weekly</title>`)
	start := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	for i := n; i >= 1; i-- {
		fmt.Fprintf(&b, `<item><title>%s</title><link>/story/grow-%d</link><guid>grow-%d</guid><pubDate>%s</pubDate>
			<description>Short notice %d from the Saltmarsh council.</description></item>`,
			storyTitle(fmt.Sprintf("grow-%d", i)), i, i, start.Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z), i)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

func storyTitle(name string) string { return "Saltmarsh council notice " + name }

// storyPage is an article page for name: long enough to be extracted as
// an article, and different for every name.
func storyPage(name string) string {
	title := html.EscapeString(storyTitle(name))
	return `<!doctype html><html><head><title>` + title + `</title><meta property="og:site_name" content="Saltmarsh Weekly"></head>
<body><nav><a href="/">Home</a> <a href="/about">About</a></nav><article><h1>` + title + `</h1>
<p>The Saltmarsh council met on Tuesday evening to discuss notice ` + name + `, which concerns the repair of the
sea wall along the eastern shore and the closure of the footpath that runs beside it for most of the spring.</p>
<p>Residents who spoke at the meeting asked the council to keep the footpath open at weekends, when families
walk to the beach, and the council agreed to publish a timetable of the works before the end of the month.</p>
<p>The engineer in charge said the work on notice ` + name + ` would be finished before the summer storms,
provided the deliveries of stone from the quarry at Holloway arrive on time.</p></article>
<footer>Copyright Saltmarsh Weekly</footer></body></html>`
}

// clock is a settable clock for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func openStore(t *testing.T, dir string) *retrieval.Store {
	t.Helper()
	s, err := retrieval.Open(t.Context(), dir, retrieval.Options{Embedder: retrieval.NewLocalEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// loopbackFetcher may reach the test site on 127.0.0.1.
func loopbackFetcher() *ingest.Fetcher {
	return ingest.NewFetcher(ingest.FetchOptions{AllowPrivate: true, Timeout: 10 * time.Second})
}

// storeItems is the IngestFunc the frontends use, on the store directly:
// ArticleFor, then chunk and add.
func storeItems(s *retrieval.Store, f *ingest.Fetcher) IngestFunc {
	return func(ctx context.Context, fd retrieval.Feed, it Item) (Stored, error) {
		a, err := ArticleFor(ctx, f, fd.URL, fd.Title, it)
		if err != nil {
			return Stored{}, err
		}
		st, err := s.Add(ctx, fd.Scope, a, ingest.ChunkArticle(a, ingest.ChunkOptions{}))
		if err != nil {
			return Stored{}, err
		}
		return Stored{ArticleID: a.ID, Title: a.Title, Source: a.Source, URL: a.URL, Published: a.Published, Status: st}, nil
	}
}

// newPoller returns a Poller on store with the loopback fetcher, a
// settable clock and no jitter (every wait is its nominal length).
func newPoller(store *retrieval.Store, c *clock, opt Options) *Poller {
	f := loopbackFetcher()
	opt.Now, opt.Jitter = c.Now, func() float64 { return 0.5 }
	return NewPoller(store, f, storeItems(store, f), opt)
}

func titles(ss []Stored) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Title)
	}
	return out
}

func mustFollow(t *testing.T, p *Poller, scope, url string) retrieval.Feed {
	t.Helper()
	f, created, err := p.Follow(t.Context(), scope, url, "")
	if err != nil || !created {
		t.Fatalf("Follow(%s): %+v created %v: %v", url, f, created, err)
	}
	return f
}

// pollOne polls every feed and returns the report of the only one.
func pollOne(t *testing.T, p *Poller, all bool) FeedReport {
	t.Helper()
	poll := p.Poll
	if all {
		poll = p.PollAll
	}
	r, err := poll(t.Context())
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	if len(r.Feeds) != 1 {
		t.Fatalf("poll checked %d feeds, want 1: %+v", len(r.Feeds), r)
	}
	return r.Feeds[0]
}
