// Package fakediscord is a small Discord for tests: an HTTP server on
// 127.0.0.1 that speaks the REST endpoints and the gateway websocket a bot
// built on discordgo uses, so the real discordgo session can be driven
// end to end. It records every REST request, checks every message the bot
// sends or edits (allowed mentions parse nothing, Discord's length limits),
// can inject gateway events, and lets tests wait on what it observed
// instead of sleeping.
package fakediscord

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"

	"github.com/bwmarrin/discordgo"
)

// Options configure a Server. Zero values get defaults.
type Options struct {
	BotID   string // default "900"
	BotName string // default "citebot"
	AppID   string // default "800"
	// Guilds are announced with GUILD_CREATE after READY, each to the
	// shard whose events it gets ((guild_id >> 22) % shard count; an ID
	// that is not a number goes to shard 0).
	Guilds []string
	// Channels maps text channel IDs to the guild each belongs to: listed
	// in their guild's GUILD_CREATE and served by GET /channels/{id}
	// (any other channel is unknown there).
	Channels map[string]string
	// Shards is the shard count /gateway/bot recommends; default 1.
	Shards int
	// PrivilegedIntents are the privileged gateway intents the
	// application may use (enabled in the Developer Portal): an IDENTIFY
	// asking for another is closed with 4014, as Discord does.
	PrivilegedIntents discordgo.Intent
}

// privilegedIntents are the gateway intents Discord grants only to an
// application that enabled them.
const privilegedIntents = discordgo.IntentsGuildMembers | discordgo.IntentsGuildPresences | discordgo.IntentsMessageContent

// Request is one REST request the fake received.
type Request struct {
	Method string
	// Path is the URL path without the /api/v<n> prefix, e.g.
	// "/channels/1/messages".
	Path  string
	Query url.Values
	// Body is the JSON body (the payload_json part of a multipart body);
	// nil when there was none.
	Body json.RawMessage
	// Status is the HTTP status the fake answered with.
	Status int
	// Authorization is the request's Authorization header ("Bot <token>"):
	// which bot process sent it, when several share the fake.
	Authorization string
}

// Server is a running fake Discord. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the REST API, e.g. http://127.0.0.1:1234; use
	// it as DISCORD_API_BASE.
	URL   string
	BotID string
	AppID string

	opt  Options
	http *httptest.Server

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced on every change
	requests     []Request
	violations   []string
	nextID       int64
	messages     map[string]*discordgo.Message // by ID
	interactions map[string]*interactionState  // by token
	files        map[string][]byte             // attachment path -> data
	threads      map[string]thread             // by ID
	rateLimits   []rateLimit
	refusals     []refusal
	conns        []*gatewayConn // one per connected shard
	identifies   []Identify
	closed       bool
}

// interactionState is what the fake remembers of an interaction, by token.
type interactionState struct {
	id, channelID, guildID string
	original               string // message ID of the original response
	message                string // the message a component interaction came from
}

// thread is a thread the fake started (StartThread).
type thread struct {
	guild, parent string
	archived      bool
}

// rateLimit is a pending RateLimitOnce.
type rateLimit struct{ method, prefix string }

// refusal is a Refuse: requests it matches get status.
type refusal struct {
	method, prefix string
	status         int
}

// New starts a fake Discord on 127.0.0.1. Close it when done.
func New(opt Options) *Server {
	if opt.BotID == "" {
		opt.BotID = "900"
	}
	if opt.BotName == "" {
		opt.BotName = "citebot"
	}
	if opt.AppID == "" {
		opt.AppID = "800"
	}
	opt.Shards = max(opt.Shards, 1)
	s := &Server{
		BotID:        opt.BotID,
		AppID:        opt.AppID,
		opt:          opt,
		changed:      make(chan struct{}),
		nextID:       1000,
		messages:     make(map[string]*discordgo.Message),
		interactions: make(map[string]*interactionState),
		files:        make(map[string][]byte),
		threads:      make(map[string]thread),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/gateway", s.serveGateway)
	mux.HandleFunc("/gateway/", s.serveGateway)
	mux.HandleFunc("/attachments/", s.serveAttachment)
	mux.HandleFunc("/", s.serveREST)
	s.http = httptest.NewUnstartedServer(mux)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("fakediscord: listen: %v", err))
	}
	s.http.Listener = l
	s.http.Start()
	s.URL = s.http.URL
	return s
}

// Close disconnects the gateway and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	conns := s.conns
	s.conns = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
	s.http.CloseClientConnections()
	s.http.Close()
}

// BotUser is the bot's user as the fake announces it.
func (s *Server) BotUser() *discordgo.User {
	return &discordgo.User{ID: s.BotID, Username: s.opt.BotName, Bot: true}
}

// change wakes every waiter; the caller holds s.mu.
func (s *Server) change() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor calls check under the lock until it reports done or ctx ends.
func (s *Server) waitFor(ctx context.Context, what string, check func() bool) error {
	for {
		s.mu.Lock()
		done := check()
		ch := s.changed
		s.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("fakediscord: waiting for %s: %w", what, ctx.Err())
		}
	}
}

// newID returns a fresh snowflake; the caller holds s.mu.
func (s *Server) newID() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}

// Requests returns a copy of every REST request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// WaitRequests waits until at least n received requests match, and
// returns the first n of them in the order received.
func (s *Server) WaitRequests(ctx context.Context, n int, match func(Request) bool) ([]Request, error) {
	var found []Request
	err := s.waitFor(ctx, fmt.Sprintf("%d matching requests", n), func() bool {
		found = found[:0]
		for _, r := range s.requests {
			if match(r) {
				found = append(found, r)
			}
		}
		return len(found) >= n
	})
	if err != nil {
		return found, fmt.Errorf("%w (%d matched)", err, len(found))
	}
	return found[:n], nil
}

// WaitRequest waits for the first request that matches.
func (s *Server) WaitRequest(ctx context.Context, match func(Request) bool) (Request, error) {
	rs, err := s.WaitRequests(ctx, 1, match)
	if err != nil {
		return Request{}, err
	}
	return rs[0], nil
}

// Violations lists every broken rule the fake saw: a message without
// allowed mentions that parse nothing, a message over Discord's limits, an
// unknown route. A correct bot leaves it empty.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// RateLimitOnce makes the next request with this method whose path starts
// with prefix (without /api/v<n>) answer 429 with a retry_after of 10 ms.
func (s *Server) RateLimitOnce(method, prefix string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits = append(s.rateLimits, rateLimit{method: method, prefix: prefix})
}

// Refuse makes every later request with this method whose path starts
// with prefix (without /api/v<n>) answer status with a Discord error body
// (403: 50001 Missing Access, as for a channel whose history the bot may
// not read), until the fake closes.
func (s *Server) Refuse(method, prefix string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusals = append(s.refusals, refusal{method: method, prefix: prefix, status: status})
}

// AddFile serves data as an attachment and returns its URL (on the fake's
// host, which a bot accepts as its DISCORD_API_BASE host).
func (s *Server) AddFile(name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := "/attachments/" + s.newID() + "/" + url.PathEscape(name)
	s.files[p] = data
	return s.URL + p
}

// Message returns a stored message (sent by the bot or injected).
func (s *Server) Message(id string) (*discordgo.Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok {
		return nil, false
	}
	c := *m
	return &c, true
}

// OriginalResponse returns the ID of the original response message of an
// interaction, once the bot has responded.
func (s *Server) OriginalResponse(token string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.interactions[token]
	if !ok || st.original == "" {
		return "", false
	}
	return st.original, true
}
