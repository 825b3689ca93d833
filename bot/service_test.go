package bot

// Temporary: an in-memory stand-in for the answering core, used until main
// builds (the core needs the retrieval and prompts packages); replaced by
// the real Core over a retrieval store in a temp dir once merged.

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

type testAnswerer interface {
	Answer(ctx context.Context, question string, passages []retrieval.Passage, history []Turn, onDelta func(string)) (string, error)
}

type memService struct {
	answerer testAnswerer
	mu       sync.Mutex
	articles map[string][]ingest.Article // by scope
}

func newTestService(a testAnswerer) *memService {
	return &memService{answerer: a, articles: make(map[string][]ingest.Article)}
}

var markerRe = regexp.MustCompile(`\[(\d+)\]`)

func (s *memService) AskStream(ctx context.Context, q Question, onDelta func(string)) (Answer, error) {
	words := strings.Fields(strings.ToLower(q.Text))
	var passages []retrieval.Passage
	s.mu.Lock()
	for _, scope := range retrieval.SearchScopes(q.Scope) {
		for _, a := range s.articles[scope] {
			text := strings.ToLower(a.Title + " " + a.Text())
			hits, n := 0, 0
			for _, w := range words {
				w = strings.Trim(w, "?.,!")
				if len(w) > 3 {
					n++
					if strings.Contains(text, w) {
						hits++
					}
				}
			}
			if n > 0 && 2*hits >= n {
				passages = append(passages, retrieval.Passage{ArticleID: a.ID, Title: a.Title, Source: a.Source, URL: a.URL, Scope: scope, Text: a.Text()})
			}
		}
	}
	s.mu.Unlock()
	if len(passages) == 0 {
		return Answer{Text: "The ingested articles don't cover this."}, nil
	}
	raw, err := s.answerer.Answer(ctx, q.Text, passages, q.History, onDelta)
	if err != nil {
		return Answer{}, err
	}
	ans := Answer{Text: raw, Passages: passages}
	for _, m := range markerRe.FindAllStringSubmatch(raw, -1) {
		n, _ := strconv.Atoi(m[1])
		if n >= 1 && n <= len(passages) {
			p := passages[n-1]
			ans.Citations = append(ans.Citations, Citation{N: n, ArticleID: p.ArticleID, Title: p.Title, Source: p.Source, URL: p.URL})
		}
	}
	ans.Found = len(ans.Citations) > 0
	return ans, nil
}

func (s *memService) Ingest(ctx context.Context, scope string, a ingest.Article) (IngestResult, error) {
	if a.ID == "" {
		a.ID = ingest.NewID(a.URL, a.Title, a.Paragraphs)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.articles[scope] = append(s.articles[scope], a)
	return IngestResult{ID: a.ID, Title: a.Title, Chunks: len(a.Paragraphs), Status: retrieval.Added}, nil
}

func (s *memService) Sources(ctx context.Context, scope string) ([]retrieval.ArticleInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []retrieval.ArticleInfo
	for _, sc := range retrieval.SearchScopes(scope) {
		for _, a := range s.articles[sc] {
			out = append(out, retrieval.ArticleInfo{ID: a.ID, Title: a.Title, Source: a.Source, URL: a.URL, Chunks: len(a.Paragraphs), Scope: sc})
		}
	}
	return out, nil
}

func (s *memService) Forget(ctx context.Context, scope, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, a := range s.articles[scope] {
		if a.ID == id {
			s.articles[scope] = append(s.articles[scope][:i], s.articles[scope][i+1:]...)
			return nil
		}
	}
	return errors.New("not found")
}

// testParse stands in for ingest.Parse: line 1 the title, then paragraphs.
func testParse(name string, data []byte) (ingest.Article, error) {
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	a := ingest.Article{Title: strings.TrimSpace(lines[0])}
	for _, l := range lines[1:] {
		if l = strings.TrimSpace(l); l != "" {
			a.Paragraphs = append(a.Paragraphs, l)
		}
	}
	if len(a.Paragraphs) == 0 {
		return a, errors.New(name + ": empty")
	}
	a.ID = ingest.NewID("", a.Title, a.Paragraphs)
	return a, nil
}
