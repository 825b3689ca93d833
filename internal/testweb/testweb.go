// Package testweb is a small news website for tests: realistic pages written
// for citebot (an article buried in boilerplate, a paywall, a JavaScript
// shell, a plain page) and the awkward behaviours a fetcher must survive
// (redirect chains and loops, endless and oversized bodies, a server that
// never answers, non-HTML types). It listens on 127.0.0.1 only.
package testweb

import (
	"embed"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

//go:embed pages
var pages embed.FS

// Page paths served by a Server.
const (
	News     = "/news/2024/03/12/ferry-crews-strike" // article with heavy boilerplate
	Paywall  = "/subscribers/harbour-budget"         // login wall, no article
	App      = "/live"                               // JavaScript-only shell
	Simple   = "/simple"                             // two short paragraphs, no metadata
	Text     = "/notes.txt"                          // text/plain article
	Markdown = "/notes.md"                           // text/markdown article
	Image    = "/photo.png"                          // image/png
	Missing  = "/gone"                               // 404
	Endless  = "/endless"                            // HTML body that never ends
	Oversize = "/oversize"                           // declares a 1 GiB body
	Slow     = "/slow"                               // never answers until the client gives up
	Loop     = "/loop"                               // redirects to itself
)

// Server is a running test website. Close it with t.Cleanup (New does).
type Server struct {
	*httptest.Server

	mu         sync.Mutex
	userAgents []string
	redirectTo string
}

// New starts a Server on 127.0.0.1 and closes it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// URL returns the absolute URL of path on this server.
func (s *Server) URL(path string) string { return s.Server.URL + path }

// Redirects returns a path that redirects n (at least 1) times before
// landing on target.
func Redirects(n int, target string) string {
	return fmt.Sprintf("/redirect/%d?to=%s", n, target)
}

// RedirectAway makes the path "/away" redirect to an arbitrary URL, such as
// a private address the fetcher must refuse.
func (s *Server) RedirectAway(to string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirectTo = to
	return "/away"
}

// UserAgents returns the User-Agent of every request so far.
func (s *Server) UserAgents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.userAgents...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.userAgents = append(s.userAgents, r.UserAgent())
	away := s.redirectTo
	s.mu.Unlock()

	switch p := r.URL.Path; {
	case p == News:
		s.file(w, "news.html", "text/html; charset=utf-8")
	case p == Paywall:
		s.file(w, "paywall.html", "text/html; charset=utf-8")
	case p == App:
		s.file(w, "app.html", "text/html")
	case p == Simple:
		s.file(w, "simple.html", "text/html")
	case p == Text:
		s.file(w, "notes.txt", "text/plain; charset=utf-8")
	case p == Markdown:
		s.file(w, "notes.md", "text/markdown; charset=utf-8")
	case p == Image:
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"))
	case p == Endless:
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body>"))
		chunk := []byte(strings.Repeat("<p>The tide keeps coming in and the page keeps going on.</p>\n", 64))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	case p == Oversize:
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(1<<30))
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("<html><body><p>Only the start.</p>"))
	case p == Slow:
		<-r.Context().Done() // answers nothing until the client hangs up
	case p == Loop:
		http.Redirect(w, r, Loop, http.StatusFound)
	case p == "/away":
		http.Redirect(w, r, away, http.StatusFound)
	case strings.HasPrefix(p, "/redirect/"):
		n, err := strconv.Atoi(strings.TrimPrefix(p, "/redirect/"))
		if err != nil || n < 1 {
			http.NotFound(w, r)
			return
		}
		to := r.URL.Query().Get("to")
		if n > 1 {
			to = Redirects(n-1, to)
		}
		http.Redirect(w, r, to, http.StatusMovedPermanently)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) file(w http.ResponseWriter, name, contentType string) {
	data, err := pages.ReadFile("pages/" + name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(data)
}

// Page returns the content of one of the embedded pages by file name
// (news.html, paywall.html, app.html, simple.html, notes.txt, notes.md).
func Page(name string) []byte {
	data, err := pages.ReadFile("pages/" + name)
	if err != nil {
		panic(err)
	}
	return data
}
