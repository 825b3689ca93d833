// Package fakeopenai is an OpenAI-compatible HTTP server for tests: it
// serves /v1/embeddings and /v1/chat/completions (plain and SSE-streamed),
// can be told to fail in the ways real servers do, and records every
// request. Point go-openai (or OPENAI_BASE_URL) at Server.URL; for Azure
// configurations use Server.Root as the endpoint — any path ending in
// /embeddings or /chat/completions is served.
package fakeopenai

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// Endpoint names the two served APIs.
type Endpoint string

const (
	Embeddings Endpoint = "embeddings"
	Chat       Endpoint = "chat"
)

// Options configure a Server. The zero value works.
type Options struct {
	// Dimensions of the vectors when a request does not ask for a number;
	// zero means 32.
	Dimensions int
	// ShuffleEmbeddings returns embedding data in reverse order (each item
	// still carries its right index), as a server is allowed to.
	ShuffleEmbeddings bool
	// Reply makes the assistant's answer to a chat request; nil means
	// DefaultReply.
	Reply func(ChatRequest) string
	// ChunkGate, if set, holds each content event of a streamed answer
	// after the first until a value is received from it (or the client
	// gives up), so that a test decides when each one is sent.
	ChunkGate <-chan struct{}
	// OnRequest, if set, is called with each request once it is recorded,
	// before it is answered: tests use it to act at that moment.
	OnRequest func(Request)
}

// Failure is one scripted misbehaviour, used for the next request to its
// endpoint. Exactly one of Status, Hang, Malformed, Cut or Stall is meant to
// be set.
type Failure struct {
	// Status answers with this HTTP status and Body (default: an OpenAI
	// error object), with Retry-After / retry-after-ms headers if set.
	Status       int
	Body         string
	RetryAfter   string
	RetryAfterMS string
	// Hang never answers: the handler waits until the client gives up.
	Hang bool
	// Drop closes the connection without any response, as a crashed
	// server or a broken network does.
	Drop bool
	// Malformed answers 200 with broken JSON (for a stream: a broken event).
	Malformed bool
	// Cut breaks the connection: a stream after After content chunks, a
	// plain answer half-way through its body.
	Cut bool
	// Stall stops a stream after After content chunks and waits until the
	// client gives up.
	Stall bool
	After int
}

// Request is one recorded request.
type Request struct {
	Endpoint Endpoint
	Path     string
	Query    url.Values
	Header   http.Header
	Body     []byte
	Chat     *ChatRequest  // set for chat requests that parsed
	Embed    *EmbedRequest // set for embedding requests that parsed
}

// ChatRequest is the part of a chat completion request the fake reads.
type ChatRequest struct {
	Model    string    `json:"model"`
	Messages []Message `json:"messages"`
	Stream   bool      `json:"stream"`
}

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// EmbedRequest is an embeddings request; a single string input is recorded
// as a one-element Input.
type EmbedRequest struct {
	Model          string   `json:"model"`
	Input          []string `json:"-"`
	Dimensions     int      `json:"dimensions"`
	EncodingFormat string   `json:"encoding_format"`
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL clients use, ending in /v1.
	URL string
	// Root is the server's address without a path (the Azure endpoint).
	Root string

	opt  Options
	srv  *httptest.Server
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	active   int
	peak     int
	requests []Request
	failures map[Endpoint][]Failure
}

// New starts a Server on 127.0.0.1. Close it when done.
func New(opt Options) *Server {
	if opt.Dimensions <= 0 {
		opt.Dimensions = 32
	}
	if opt.Reply == nil {
		opt.Reply = DefaultReply
	}
	s := &Server{opt: opt, done: make(chan struct{}), failures: map[Endpoint][]Failure{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.Root = s.srv.URL
	s.URL = s.srv.URL + "/v1"
	return s
}

// Close releases hanging handlers and stops the server.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	s.srv.Close()
}

// Fail queues failures for the next requests to e, one per request, in order.
func (s *Server) Fail(e Endpoint, f ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[e] = append(s.failures[e], f...)
}

// Requests returns a copy of the requests received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// MaxConcurrent returns the most requests that were being handled at once.
func (s *Server) MaxConcurrent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// Count returns how many requests e has received.
func (s *Server) Count(e Endpoint) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Endpoint == e {
			n++
		}
	}
	return n
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "cannot read body: "+err.Error())
		return
	}
	rec := Request{Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/embeddings"):
		rec.Endpoint = Embeddings
		if er, err := parseEmbed(body); err == nil {
			rec.Embed = &er
		}
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/chat/completions"):
		rec.Endpoint = Chat
		var cr ChatRequest
		if json.Unmarshal(body, &cr) == nil {
			rec.Chat = &cr
		}
	default:
		writeError(w, http.StatusNotFound, "no route for "+r.Method+" "+r.URL.Path)
		return
	}
	s.mu.Lock()
	s.active++
	s.peak = max(s.peak, s.active)
	defer func() {
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
	}()
	s.requests = append(s.requests, rec)
	var f *Failure
	if q := s.failures[rec.Endpoint]; len(q) > 0 {
		f, s.failures[rec.Endpoint] = &q[0], q[1:]
	}
	s.mu.Unlock()
	if s.opt.OnRequest != nil {
		s.opt.OnRequest(rec)
	}

	if f != nil && f.Status != 0 {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		if f.RetryAfterMS != "" {
			w.Header().Set("retry-after-ms", f.RetryAfterMS)
		}
		if f.Body != "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.Status)
			io.WriteString(w, f.Body)
			return
		}
		writeError(w, f.Status, fmt.Sprintf("scripted failure %d", f.Status))
		return
	}
	if f != nil && f.Drop {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
			return
		}
		panic(http.ErrAbortHandler)
	}
	if f != nil && f.Hang {
		s.wait(r)
		return
	}
	switch {
	case rec.Endpoint == Embeddings && rec.Embed == nil, rec.Endpoint == Chat && rec.Chat == nil:
		writeError(w, http.StatusBadRequest, "request body is not valid JSON")
	case rec.Endpoint == Embeddings:
		s.embed(w, *rec.Embed, f)
	case rec.Chat.Stream:
		s.stream(w, r, *rec.Chat, f)
	default:
		s.chat(w, *rec.Chat, f)
	}
}

// wait blocks until the client goes away or the server closes.
func (s *Server) wait(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.done:
	}
}
