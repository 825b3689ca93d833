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
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Options configure a Server. Zero values get defaults.
type Options struct {
	BotID   string   // default "900"
	BotName string   // default "citebot"
	AppID   string   // default "800"
	Guilds  []string // guilds announced with GUILD_CREATE after READY
}

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
	rateLimits   []rateLimit
	conn         *gatewayConn
	identifies   []Identify
	seq          int64
	closed       bool
}

type interactionState struct {
	id, channelID, guildID string
	original               string // message ID of the original response
	message                string // the message a component interaction came from
}

type rateLimit struct{ method, prefix string }

type gatewayConn struct {
	mu sync.Mutex // serialises writes
	ws *websocket.Conn
}

func (c *gatewayConn) write(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws.WriteJSON(v)
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
	s := &Server{
		BotID:        opt.BotID,
		AppID:        opt.AppID,
		opt:          opt,
		changed:      make(chan struct{}),
		nextID:       1000,
		messages:     make(map[string]*discordgo.Message),
		interactions: make(map[string]*interactionState),
		files:        make(map[string][]byte),
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
	conn := s.conn
	s.conn = nil
	s.mu.Unlock()
	if conn != nil {
		conn.ws.Close()
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

// Identify is what a client sent in its IDENTIFY.
type Identify struct {
	Token   string           `json:"token"`
	Intents discordgo.Intent `json:"intents"`
	Shard   *[2]int          `json:"shard"`
}

// WaitReady waits until a client has identified and been sent READY and
// the GUILD_CREATEs, and returns its identify payload.
func (s *Server) WaitReady(ctx context.Context) (Identify, error) {
	var id Identify
	err := s.waitFor(ctx, "gateway READY", func() bool {
		if s.conn == nil || len(s.identifies) == 0 {
			return false
		}
		id = s.identifies[len(s.identifies)-1]
		return true
	})
	return id, err
}

// Dispatch sends a gateway event (op 0) of type t with data to the
// connected client.
func (s *Server) Dispatch(ctx context.Context, t string, data any) error {
	if _, err := s.WaitReady(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	conn := s.conn
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	if conn == nil {
		return fmt.Errorf("fakediscord: dispatch %s: no gateway connection", t)
	}
	if err := conn.write(map[string]any{"op": 0, "t": t, "s": seq, "d": data}); err != nil {
		return fmt.Errorf("fakediscord: dispatch %s: %w", t, err)
	}
	return nil
}

// Interact fills in the ID, token, application ID and version of i,
// remembers its channel, and dispatches it as INTERACTION_CREATE. It
// returns the completed interaction.
func (s *Server) Interact(ctx context.Context, i *discordgo.Interaction) (*discordgo.Interaction, error) {
	c := *i
	s.mu.Lock()
	c.ID = s.newID()
	c.Token = "tok" + s.newID()
	c.AppID = s.AppID
	c.Version = 1
	st := &interactionState{id: c.ID, channelID: c.ChannelID, guildID: c.GuildID}
	if c.Message != nil {
		st.message = c.Message.ID
	}
	s.interactions[c.Token] = st
	s.mu.Unlock()
	return &c, s.Dispatch(ctx, "INTERACTION_CREATE", &c)
}

// PostMessage stores a message from a user (filling in its ID, timestamp
// and, for a reply, the referenced message, as Discord does) and
// dispatches it as MESSAGE_CREATE. It returns the stored message.
func (s *Server) PostMessage(ctx context.Context, m *discordgo.Message) (*discordgo.Message, error) {
	c := *m
	s.mu.Lock()
	c.ID = s.newID()
	c.Timestamp = time.Now().UTC()
	if c.MessageReference != nil {
		if ref, ok := s.messages[c.MessageReference.MessageID]; ok {
			r := *ref
			r.ReferencedMessage = nil // Discord nests one level only
			c.ReferencedMessage = &r
		}
	}
	stored := c
	stored.ReferencedMessage = nil
	s.messages[c.ID] = &stored
	s.change()
	s.mu.Unlock()
	return &c, s.Dispatch(ctx, "MESSAGE_CREATE", &c)
}

func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	data, ok := s.files[r.URL.EscapedPath()]
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Status: statusOf(ok)})
	s.change()
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(data)
}

func statusOf(ok bool) int {
	if ok {
		return http.StatusOK
	}
	return http.StatusNotFound
}

var apiPrefix = regexp.MustCompile(`^/api/v[0-9]+`)

func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	req := Request{Method: r.Method, Path: apiPrefix.ReplaceAllString(r.URL.Path, ""), Query: r.URL.Query()}
	body, err := readBody(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req.Body = body

	s.mu.Lock()
	defer func() {
		s.requests = append(s.requests, req)
		s.change()
		s.mu.Unlock()
	}()
	for i, rl := range s.rateLimits {
		if rl.method == r.Method && strings.HasPrefix(req.Path, rl.prefix) {
			s.rateLimits = append(s.rateLimits[:i], s.rateLimits[i+1:]...)
			req.Status = http.StatusTooManyRequests
			writeJSON(w, req.Status, map[string]any{"message": "You are being rate limited.", "retry_after": 0.01, "global": false})
			return
		}
	}
	status, resp := s.route(req)
	req.Status = status
	if resp == nil {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, resp)
}

func readBody(r *http.Request) (json.RawMessage, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			if p.FormName() == "payload_json" {
				return io.ReadAll(p)
			}
		}
	}
	b, err := io.ReadAll(r.Body)
	if err != nil || len(b) == 0 {
		return nil, err
	}
	return b, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func apiError(code int, msg string) map[string]any {
	return map[string]any{"code": code, "message": msg}
}

// route answers one REST request; the caller holds s.mu.
func (s *Server) route(req Request) (int, any) {
	seg := strings.Split(strings.Trim(req.Path, "/"), "/")
	is := func(method string, pattern ...string) bool {
		if req.Method != method || len(seg) != len(pattern) {
			return false
		}
		for i, p := range pattern {
			if p != "*" && p != seg[i] {
				return false
			}
		}
		return true
	}
	switch {
	case is("GET", "gateway"), is("GET", "gateway", "bot"):
		ws := "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway"
		return http.StatusOK, map[string]any{"url": ws, "shards": 1}
	case is("PUT", "applications", "*", "commands"), is("PUT", "applications", "*", "guilds", "*", "commands"):
		var cmds []map[string]any
		if err := json.Unmarshal(req.Body, &cmds); err != nil {
			return s.violation(req, "commands body: %v", err)
		}
		for _, c := range cmds {
			c["id"] = s.newID()
			c["application_id"] = seg[1]
		}
		return http.StatusOK, cmds
	case is("POST", "interactions", "*", "*", "callback"):
		return s.interactionCallback(req, seg[1], seg[2])
	case is("GET", "webhooks", "*", "*", "messages", "*"):
		return s.getMessage(s.webhookMessageID(seg[2], seg[4]))
	case is("PATCH", "webhooks", "*", "*", "messages", "*"):
		return s.editMessage(req, s.webhookMessageID(seg[2], seg[4]))
	case is("POST", "webhooks", "*", "*"):
		st, ok := s.interactions[seg[2]]
		if !ok {
			return http.StatusNotFound, apiError(10015, "Unknown Webhook")
		}
		return s.createMessage(req, st.channelID)
	case is("POST", "channels", "*", "messages"):
		return s.createMessage(req, seg[1])
	case is("GET", "channels", "*", "messages", "*"):
		return s.getMessage(seg[3])
	case is("PATCH", "channels", "*", "messages", "*"):
		return s.editMessage(req, seg[3])
	}
	return s.violationStatus(req, http.StatusNotFound, "unhandled route %s %s", req.Method, req.Path)
}

func (s *Server) violation(req Request, format string, args ...any) (int, any) {
	return s.violationStatus(req, http.StatusBadRequest, format, args...)
}

func (s *Server) violationStatus(req Request, status int, format string, args ...any) (int, any) {
	msg := fmt.Sprintf("%s %s: %s", req.Method, req.Path, fmt.Sprintf(format, args...))
	s.violations = append(s.violations, msg)
	return status, apiError(50035, msg)
}

func (s *Server) webhookMessageID(token, id string) string {
	if id != "@original" {
		return id
	}
	if st, ok := s.interactions[token]; ok {
		return st.original
	}
	return ""
}

// messageBody is what the bot may send in a message create or edit.
type messageBody struct {
	Content         *string                           `json:"content"`
	Embeds          *[]*discordgo.MessageEmbed        `json:"embeds"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Reference       *discordgo.MessageReference       `json:"message_reference"`
	Flags           discordgo.MessageFlags            `json:"flags"`
	Components      json.RawMessage                   `json:"components"`
}

// checkMessage enforces the rules on a message body; it returns a
// description of what is wrong, or "".
func checkMessage(raw json.RawMessage, b messageBody) string {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return fmt.Sprintf("body is not a JSON object: %v", err)
	}
	am, ok := fields["allowed_mentions"]
	if !ok || b.AllowedMentions == nil {
		return "allowed_mentions missing: the message could ping"
	}
	var parse map[string]json.RawMessage
	json.Unmarshal(am, &parse)
	if p, ok := parse["parse"]; !ok || string(p) != "[]" {
		return fmt.Sprintf("allowed_mentions.parse is %s, want []", p)
	}
	if len(b.AllowedMentions.Users) > 0 || len(b.AllowedMentions.Roles) > 0 || b.AllowedMentions.RepliedUser {
		return fmt.Sprintf("allowed_mentions allows pings: %s", am)
	}
	if b.Content != nil && utf8.RuneCountInString(*b.Content) > 2000 {
		return fmt.Sprintf("content has %d characters, over 2000", utf8.RuneCountInString(*b.Content))
	}
	if b.Embeds != nil {
		if len(*b.Embeds) > 10 {
			return fmt.Sprintf("%d embeds, over 10", len(*b.Embeds))
		}
		for _, e := range *b.Embeds {
			if n := utf8.RuneCountInString(e.Description); n > 4096 {
				return fmt.Sprintf("embed description has %d characters, over 4096", n)
			}
			if n := utf8.RuneCountInString(e.Title); n > 256 {
				return fmt.Sprintf("embed title has %d characters, over 256", n)
			}
		}
	}
	return ""
}

func (s *Server) decodeMessage(req Request) (messageBody, string) {
	var b messageBody
	if err := json.Unmarshal(req.Body, &b); err != nil {
		return b, fmt.Sprintf("message body: %v", err)
	}
	if bad := checkMessage(req.Body, b); bad != "" {
		return b, bad
	}
	if (b.Content == nil || *b.Content == "") && (b.Embeds == nil || len(*b.Embeds) == 0) && len(b.Components) == 0 {
		return b, "empty message"
	}
	return b, ""
}

func (s *Server) interactionCallback(req Request, id, token string) (int, any) {
	st, ok := s.interactions[token]
	if !ok || st.id != id {
		return http.StatusNotFound, apiError(10062, "Unknown interaction")
	}
	var cb struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data json.RawMessage                   `json:"data"`
	}
	if err := json.Unmarshal(req.Body, &cb); err != nil {
		return s.violation(req, "callback body: %v", err)
	}
	switch cb.Type {
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseUpdateMessage:
		b, bad := s.decodeMessage(Request{Method: req.Method, Path: req.Path, Body: cb.Data})
		if bad != "" {
			return s.violation(req, "%s", bad)
		}
		if cb.Type == discordgo.InteractionResponseUpdateMessage {
			if m, ok := s.messages[st.message]; ok {
				applyEdit(m, b)
			}
			return http.StatusNoContent, nil
		}
		st.original = s.storeBotMessage(st.channelID, b).ID
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		st.original = s.storeBotMessage(st.channelID, messageBody{}).ID
	case discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionApplicationCommandAutocompleteResult:
	default:
		return s.violation(req, "unexpected callback type %d", cb.Type)
	}
	return http.StatusNoContent, nil
}

func (s *Server) storeBotMessage(channelID string, b messageBody) *discordgo.Message {
	m := &discordgo.Message{
		ID:        s.newID(),
		ChannelID: channelID,
		Author:    s.BotUser(),
		Timestamp: time.Now().UTC(),
		Flags:     b.Flags,
	}
	applyEdit(m, b)
	if b.Reference != nil {
		ref := *b.Reference
		m.MessageReference = &ref
		m.Type = discordgo.MessageTypeReply
	}
	s.messages[m.ID] = m
	return m
}

func applyEdit(m *discordgo.Message, b messageBody) {
	if b.Content != nil {
		m.Content = *b.Content
	}
	if b.Embeds != nil {
		m.Embeds = *b.Embeds
	}
}

func (s *Server) createMessage(req Request, channelID string) (int, any) {
	b, bad := s.decodeMessage(req)
	if bad != "" {
		return s.violation(req, "%s", bad)
	}
	if b.Reference != nil {
		if _, ok := s.messages[b.Reference.MessageID]; !ok {
			return s.violation(req, "reply to unknown message %s", b.Reference.MessageID)
		}
	}
	return http.StatusOK, s.withReference(s.storeBotMessage(channelID, b))
}

func (s *Server) getMessage(id string) (int, any) {
	m, ok := s.messages[id]
	if !ok {
		return http.StatusNotFound, apiError(10008, "Unknown Message")
	}
	return http.StatusOK, s.withReference(m)
}

// withReference returns a copy of m with its referenced message filled
// in, one level deep, as Discord returns it.
func (s *Server) withReference(m *discordgo.Message) *discordgo.Message {
	c := *m
	if m.MessageReference != nil {
		if ref, ok := s.messages[m.MessageReference.MessageID]; ok {
			r := *ref
			c.ReferencedMessage = &r
		}
	}
	return &c
}

func (s *Server) editMessage(req Request, id string) (int, any) {
	m, ok := s.messages[id]
	if !ok {
		return http.StatusNotFound, apiError(10008, "Unknown Message")
	}
	b, bad := s.decodeMessage(req)
	if bad != "" {
		return s.violation(req, "%s", bad)
	}
	applyEdit(m, b)
	now := time.Now().UTC()
	m.EditedTimestamp = &now
	return http.StatusOK, s.withReference(m)
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveGateway speaks the gateway: HELLO, IDENTIFY -> READY and the
// GUILD_CREATEs, then heartbeat ACKs until the client goes away.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	conn := &gatewayConn{ws: ws}
	if err := conn.write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}}); err != nil {
		return
	}
	var ident struct {
		Op int      `json:"op"`
		D  Identify `json:"d"`
	}
	if err := ws.ReadJSON(&ident); err != nil || ident.Op != 2 {
		return
	}
	ready := map[string]any{
		"v":           10,
		"session_id":  "fake-session",
		"user":        s.BotUser(),
		"application": map[string]any{"id": s.AppID, "flags": 0},
		"guilds":      guildStubs(s.opt.Guilds),
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	if err := conn.write(map[string]any{"op": 0, "t": "READY", "s": seq, "d": ready}); err != nil {
		return
	}
	for _, g := range s.opt.Guilds {
		s.mu.Lock()
		s.seq++
		seq := s.seq
		s.mu.Unlock()
		guild := map[string]any{"id": g, "name": "guild " + g, "channels": []any{}, "members": []any{}, "roles": []any{}}
		if err := conn.write(map[string]any{"op": 0, "t": "GUILD_CREATE", "s": seq, "d": guild}); err != nil {
			return
		}
	}
	s.mu.Lock()
	s.conn = conn
	s.identifies = append(s.identifies, ident.D)
	s.change()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.conn == conn {
			s.conn = nil
		}
		s.change()
		s.mu.Unlock()
	}()
	for {
		var msg struct {
			Op int `json:"op"`
		}
		if err := ws.ReadJSON(&msg); err != nil {
			return
		}
		if msg.Op == 1 {
			if err := conn.write(map[string]any{"op": 11}); err != nil {
				return
			}
		}
	}
}

func guildStubs(ids []string) []map[string]any {
	out := make([]map[string]any, len(ids))
	for i, id := range ids {
		out[i] = map[string]any{"id": id, "unavailable": true}
	}
	return out
}

// Connected reports whether a client is connected to the gateway.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn != nil
}

// WaitDisconnected waits until no client is connected to the gateway.
func (s *Server) WaitDisconnected(ctx context.Context) error {
	return s.waitFor(ctx, "gateway disconnect", func() bool { return s.conn == nil })
}
