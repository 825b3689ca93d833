package fakediscord

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// serveAttachment serves a file added with AddFile (404 for any other
// path) and records the request.
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

// statusOf is 200 when ok, else 404.
func statusOf(ok bool) int {
	if ok {
		return http.StatusOK
	}
	return http.StatusNotFound
}

var apiPrefix = regexp.MustCompile(`^/api/v[0-9]+`)

// serveREST records and answers one REST request: 429 once for a path
// RateLimitOnce named, else whatever route answers.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	req := Request{Method: r.Method, Path: apiPrefix.ReplaceAllString(r.URL.Path, ""), Query: r.URL.Query(),
		Authorization: r.Header.Get("Authorization")}
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
	for _, rf := range s.refusals {
		if rf.method == r.Method && strings.HasPrefix(req.Path, rf.prefix) {
			req.Status = rf.status
			code, msg := 0, http.StatusText(rf.status)
			if rf.status == http.StatusForbidden {
				code, msg = 50001, "Missing Access"
			}
			writeJSON(w, req.Status, apiError(code, msg))
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

// readBody returns the JSON body of r (the payload_json part of a
// multipart body), or nil when there is none.
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

// writeJSON answers with status and v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// apiError is a Discord API error body.
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
	case is("GET", "gateway"):
		return http.StatusOK, map[string]any{"url": "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway"}
	case is("GET", "gateway", "bot"):
		return http.StatusOK, map[string]any{"url": "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway", "shards": s.opt.Shards,
			"session_start_limit": map[string]any{"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}}
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
		b, bad := s.decodeMessage(req)
		if bad != "" {
			return s.violation(req, "%s", bad)
		}
		return http.StatusOK, s.storeInteractionMessage(st, b) // a follow-up
	case is("GET", "channels", "*"):
		if t, ok := s.threads[seg[1]]; ok {
			return http.StatusOK, threadJSON(seg[1], t)
		}
		guild, ok := s.opt.Channels[seg[1]]
		if !ok {
			return http.StatusNotFound, apiError(10003, "Unknown Channel")
		}
		return http.StatusOK, channelJSON(seg[1], guild)
	case is("POST", "channels", "*", "messages"):
		return s.createMessage(req, seg[1])
	case is("GET", "channels", "*", "messages"):
		return s.listMessages(req, seg[1])
	case is("GET", "channels", "*", "messages", "*"):
		return s.getMessage(seg[3])
	case is("PATCH", "channels", "*", "messages", "*"):
		return s.editMessage(req, seg[3])
	}
	return s.violationStatus(req, http.StatusNotFound, "unhandled route %s %s", req.Method, req.Path)
}

// violation records a broken rule and answers 400 with it.
func (s *Server) violation(req Request, format string, args ...any) (int, any) {
	return s.violationStatus(req, http.StatusBadRequest, format, args...)
}

// violationStatus records a broken rule and answers status with it; the
// caller holds s.mu.
func (s *Server) violationStatus(req Request, status int, format string, args ...any) (int, any) {
	msg := fmt.Sprintf("%s %s: %s", req.Method, req.Path, fmt.Sprintf(format, args...))
	s.violations = append(s.violations, msg)
	return status, apiError(50035, msg)
}

// webhookMessageID resolves "@original" to the interaction's original
// response message ID (or ""); other IDs are returned as they are.
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

// decodeMessage decodes and checks a message create or edit body; the
// string is what is wrong with it, or "".
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

// interactionCallback answers an interaction response; the caller holds
// s.mu.
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
		st.original = s.storeInteractionMessage(st, b).ID
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		st.original = s.storeInteractionMessage(st, messageBody{}).ID
	case discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionApplicationCommandAutocompleteResult:
	case discordgo.InteractionResponseModal:
		var m struct {
			CustomID   string            `json:"custom_id"`
			Title      string            `json:"title"`
			Components []json.RawMessage `json:"components"`
		}
		if err := json.Unmarshal(cb.Data, &m); err != nil || m.CustomID == "" || m.Title == "" || len(m.Components) == 0 {
			return s.violation(req, "modal without a custom ID, title or components: %s", cb.Data)
		}
	default:
		return s.violation(req, "unexpected callback type %d", cb.Type)
	}
	return http.StatusNoContent, nil
}

// storeBotMessage stores a message the bot sent in channelID; the caller
// holds s.mu.
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

// storeInteractionMessage stores a response or follow-up message of the
// interaction st, carrying the interaction's metadata as Discord's do (a
// follow-up's names the original response); the caller holds s.mu.
func (s *Server) storeInteractionMessage(st *interactionState, b messageBody) *discordgo.Message {
	m := s.storeBotMessage(st.channelID, b)
	m.InteractionMetadata = &discordgo.MessageInteractionMetadata{ID: st.id, Type: discordgo.InteractionApplicationCommand,
		OriginalResponseMessageID: st.original}
	return m
}

// applyEdit sets the content, embeds and components that b carries on m.
func applyEdit(m *discordgo.Message, b messageBody) {
	if b.Content != nil {
		m.Content = *b.Content
	}
	if b.Embeds != nil {
		m.Embeds = *b.Embeds
	}
	if len(b.Components) > 0 && string(b.Components) != "null" {
		var withComponents discordgo.Message
		if json.Unmarshal([]byte(`{"components":`+string(b.Components)+`}`), &withComponents) == nil {
			m.Components = withComponents.Components
		}
	}
}

// listMessages answers GET /channels/{id}/messages: the channel's
// messages after the message ID in the query's "after" (else all), newest
// first as Discord returns them, at most "limit" (1 to 100, default 50);
// the caller holds s.mu.
func (s *Server) listMessages(req Request, channelID string) (int, any) {
	limit := 50
	if l := req.Query.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			return s.violation(req, "limit %q: want 1 to 100", l)
		}
		limit = n
	}
	after, _ := strconv.ParseUint(req.Query.Get("after"), 10, 64)
	var ids []uint64
	for id, m := range s.messages {
		n, err := strconv.ParseUint(id, 10, 64)
		if err == nil && m.ChannelID == channelID && n > after {
			ids = append(ids, n)
		}
	}
	slices.Sort(ids)
	ids = ids[:min(limit, len(ids))] // the oldest after "after"
	out := make([]*wireMessage, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		out = append(out, s.withReference(s.messages[strconv.FormatUint(ids[i], 10)]))
	}
	return http.StatusOK, out
}

// createMessage stores a message the bot sends to channelID; the caller
// holds s.mu.
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

// getMessage answers a message fetch; the caller holds s.mu.
func (s *Server) getMessage(id string) (int, any) {
	m, ok := s.messages[id]
	if !ok {
		return http.StatusNotFound, apiError(10008, "Unknown Message")
	}
	return http.StatusOK, s.withReference(m)
}

// withReference returns m as Discord returns it: with its components and
// its referenced message (with that message's components), one level
// deep, each without its content when the application may not read it.
func (s *Server) withReference(m *discordgo.Message) *wireMessage {
	w := s.wire(m)
	if m.MessageReference != nil {
		if ref, ok := s.messages[m.MessageReference.MessageID]; ok {
			w.ReferencedMessage = s.wire(ref)
		}
	}
	return w
}

// wire is m as REST returns it to this application. Without the Message
// Content intent among its PrivilegedIntents, Discord empties a message's
// content, embeds, attachments and components over REST as over the
// gateway, unless it is a direct message, it mentions the bot or the bot
// sent it.
func (s *Server) wire(m *discordgo.Message) *wireMessage {
	if s.opt.PrivilegedIntents&discordgo.IntentsMessageContent != 0 || !s.hidesContent(m) {
		return &wireMessage{Message: m, Components: m.Components}
	}
	c := *m
	c.Content, c.Embeds, c.Attachments, c.Components = "", []*discordgo.MessageEmbed{}, []*discordgo.MessageAttachment{}, nil
	return &wireMessage{Message: &c, Components: []discordgo.MessageComponent{}}
}

// hidesContent reports whether Discord empties m's content for a client
// without the Message Content intent: a guild message that neither the
// bot sent nor mentions the bot.
func (s *Server) hidesContent(m *discordgo.Message) bool {
	return m.GuildID != "" && (m.Author == nil || m.Author.ID != s.BotID) &&
		!slices.ContainsFunc(m.Mentions, func(u *discordgo.User) bool { return u.ID == s.BotID })
}

// wireMessage is a message as JSON with its components, which
// discordgo.Message leaves out when encoded (it only decodes them).
type wireMessage struct {
	*discordgo.Message
	Components        []discordgo.MessageComponent `json:"components,omitempty"`
	ReferencedMessage *wireMessage                 `json:"referenced_message,omitempty"`
}

// editMessage applies a message edit; the caller holds s.mu.
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

// channelJSON is a guild text channel as Discord sends it.
func channelJSON(id, guild string) map[string]any {
	return map[string]any{"id": id, "guild_id": guild, "type": discordgo.ChannelTypeGuildText, "name": "channel " + id}
}

// threadJSON is the public thread t, of ID id.
func threadJSON(id string, t thread) map[string]any {
	return map[string]any{"id": id, "guild_id": t.guild, "parent_id": t.parent, "type": discordgo.ChannelTypeGuildPublicThread,
		"name": "thread " + id, "thread_metadata": map[string]any{"archived": t.archived, "auto_archive_duration": 1440}}
}
