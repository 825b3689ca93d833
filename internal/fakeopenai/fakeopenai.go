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
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
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

func parseEmbed(body []byte) (EmbedRequest, error) {
	var er EmbedRequest
	var raw struct {
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(body, &er); err != nil {
		return er, err
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return er, err
	}
	var one string
	if err := json.Unmarshal(raw.Input, &one); err == nil {
		er.Input = []string{one}
		return er, nil
	}
	return er, json.Unmarshal(raw.Input, &er.Input)
}

func (s *Server) embed(w http.ResponseWriter, req EmbedRequest, f *Failure) {
	dims := req.Dimensions
	if dims <= 0 {
		dims = s.opt.Dimensions
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	data := make([]item, len(req.Input))
	tokens := 0
	for i, text := range req.Input {
		data[i] = item{Object: "embedding", Index: i, Embedding: Vector(text, dims)}
		tokens += len(strings.Fields(text))
	}
	if s.opt.ShuffleEmbeddings {
		for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
			data[i], data[j] = data[j], data[i]
		}
	}
	s.writeJSON(w, map[string]any{
		"object": "list", "model": req.Model, "data": data,
		"usage": map[string]int{"prompt_tokens": tokens, "total_tokens": tokens},
	}, f)
}

func (s *Server) chat(w http.ResponseWriter, req ChatRequest, f *Failure) {
	reply := s.opt.Reply(req)
	s.writeJSON(w, map[string]any{
		"id": "chatcmpl-fake", "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []map[string]any{{
			"index": 0, "finish_reason": "stop",
			"message": map[string]string{"role": "assistant", "content": reply},
		}},
		"usage": map[string]int{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
	}, f)
}

// writeJSON writes v, or what f makes of it: broken JSON, or half of it
// followed by a cut connection.
func (s *Server) writeJSON(w http.ResponseWriter, v any, f *Failure) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case f != nil && f.Malformed:
		w.Write(b[:len(b)/2])
	case f != nil && f.Cut:
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b[:len(b)/2])
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	default:
		w.Write(b)
	}
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request, req ChatRequest, f *Failure) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	rc := http.NewResponseController(w)
	event := func(delta map[string]string, finish any) {
		b, _ := json.Marshal(map[string]any{
			"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": time.Now().Unix(), "model": req.Model,
			"choices": []map[string]any{{"index": 0, "delta": delta, "finish_reason": finish}},
		})
		fmt.Fprintf(w, "data: %s\n\n", b)
		rc.Flush()
	}
	event(map[string]string{"role": "assistant"}, nil)
	for i, piece := range Pieces(s.opt.Reply(req)) {
		if f != nil && i == f.After {
			switch {
			case f.Cut:
				panic(http.ErrAbortHandler)
			case f.Stall:
				s.wait(r)
				return
			case f.Malformed:
				io.WriteString(w, "data: {\"choices\": [{\"delta\": \n\n")
				rc.Flush()
				return
			}
		}
		if s.opt.ChunkGate != nil && i > 0 {
			select {
			case <-s.opt.ChunkGate:
			case <-r.Context().Done():
				return
			}
		}
		event(map[string]string{"content": piece}, nil)
	}
	event(map[string]string{}, "stop")
	io.WriteString(w, "data: [DONE]\n\n")
	rc.Flush()
}

// Pieces splits a reply into the deltas a stream sends: each word with the
// space after it. Concatenated they give the reply back.
func Pieces(reply string) []string {
	var out []string
	start := 0
	for i := 1; i < len(reply); i++ {
		if reply[i-1] == ' ' && reply[i] != ' ' {
			out = append(out, reply[start:i])
			start = i
		}
	}
	if start < len(reply) {
		out = append(out, reply[start:])
	}
	return out
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"error": map[string]any{
		"message": msg, "type": "fake_error", "param": nil, "code": strconv.Itoa(status),
	}})
	w.Write(b)
}

// Vector returns the fake's embedding of text: a deterministic hashed bag of
// words (so texts sharing words are similar) plus a constant component so it
// is never zero, deliberately not unit length.
func Vector(text string, dims int) []float32 {
	v := make([]float32, dims)
	v[0] = 0.5
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		h := fnv.New64a()
		h.Write([]byte(w))
		x := h.Sum64()
		sign := float32(1)
		if x>>63 == 1 {
			sign = -1
		}
		v[x%uint64(dims)] += 3 * sign
	}
	return v
}

var (
	passageText = regexp.MustCompile(`(?s)<passage n="(\d+)">.*?\nText:\n(.*?)\n</passage>`)
	lastQ       = regexp.MustCompile(`(?m)^Last question: (.*)$`)
	sentenceEnd = regexp.MustCompile(`[.!?](\s|$)`)
)

// DefaultReply answers like a well-behaved model given citebot's prompts:
// to a rewrite prompt it returns the last question unchanged; to an answer
// prompt, the first sentence of passage 1 cited as [1]; without passages,
// a plain "not covered".
func DefaultReply(req ChatRequest) string {
	if len(req.Messages) == 0 {
		return ""
	}
	last := req.Messages[len(req.Messages)-1].Content
	if m := lastQ.FindStringSubmatch(last); m != nil {
		return m[1]
	}
	if m := passageText.FindStringSubmatch(last); m != nil {
		text := strings.Join(strings.Fields(m[2]), " ")
		if loc := sentenceEnd.FindStringIndex(text); loc != nil {
			text = text[:loc[0]]
		}
		return strings.TrimSpace(text) + " [" + m[1] + "]."
	}
	return "The articles do not cover this."
}
