package fakediscord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// gatewayConn is one connected gateway client: one shard of a bot (the
// only one when it identified without a shard). dispatch is safe for
// concurrent use.
type gatewayConn struct {
	mu       sync.Mutex // serialises writes and numbers dispatches
	ws       *websocket.Conn
	seq      int64
	shard    [2]int // [id, count] from IDENTIFY; [0, 1] without one
	identify Identify
}

// write sends v as one JSON gateway message.
func (c *gatewayConn) write(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws.WriteJSON(v)
}

// dispatch sends the event t with data, numbered in this session.
func (c *gatewayConn) dispatch(t string, data any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	return c.ws.WriteJSON(map[string]any{"op": 0, "t": t, "s": c.seq, "d": data})
}

// serves reports whether Discord sends guildID's events ("" for direct
// messages) to this connection's shard.
func (c *gatewayConn) serves(guildID string) bool {
	return shardOf(guildID, c.shard[1]) == c.shard[0]
}

// shardOf is Discord's rule: a guild's events go to shard
// (guild_id >> 22) % count; direct messages to shard 0. An ID that is not
// a snowflake (tests' "g1") counts as shard 0.
func shardOf(guildID string, count int) int {
	id, err := strconv.ParseUint(guildID, 10, 64)
	if count <= 1 || err != nil {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// Identify is what a client sent in its IDENTIFY.
type Identify struct {
	Token   string           `json:"token"`
	Intents discordgo.Intent `json:"intents"`
	Shard   *[2]int          `json:"shard"`
}

// WaitReady waits until a client has identified and been sent READY and
// the GUILD_CREATEs, and returns the identify payload of the latest.
func (s *Server) WaitReady(ctx context.Context) (Identify, error) {
	var id Identify
	err := s.waitFor(ctx, "gateway READY", func() bool {
		if len(s.conns) == 0 || len(s.identifies) == 0 {
			return false
		}
		id = s.identifies[len(s.identifies)-1]
		return true
	})
	return id, err
}

// WaitShardReady waits until a client identified as shard (of any count;
// a client without a shard is shard 0) has been sent READY and its
// GUILD_CREATEs, and returns its identify payload.
func (s *Server) WaitShardReady(ctx context.Context, shard int) (Identify, error) {
	var id Identify
	err := s.waitFor(ctx, fmt.Sprintf("gateway READY of shard %d", shard), func() bool {
		for _, c := range s.conns {
			if c.shard[0] == shard {
				id = c.identify
				return true
			}
		}
		return false
	})
	return id, err
}

// Dispatch sends a gateway event (op 0) of type t with data to the
// connected clients whose shard receives it, as Discord routes events: by
// the guild_id data carries, and to shard 0 without one. It waits until
// one is connected.
func (s *Server) Dispatch(ctx context.Context, t string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("fakediscord: dispatch %s: %w", t, err)
	}
	var g struct {
		GuildID string `json:"guild_id"`
	}
	json.Unmarshal(raw, &g)
	return s.dispatchTo(ctx, t, json.RawMessage(raw), fmt.Sprintf("a client serving guild %q", g.GuildID),
		func(c *gatewayConn) bool { return c.serves(g.GuildID) })
}

// DispatchToShard sends a gateway event to the client of shard, whatever
// guild it concerns, as a misrouted event would arrive. It waits until
// that shard is connected.
func (s *Server) DispatchToShard(ctx context.Context, shard int, t string, data any) error {
	return s.dispatchTo(ctx, t, data, fmt.Sprintf("shard %d", shard), func(c *gatewayConn) bool { return c.shard[0] == shard })
}

// dispatchTo waits until a connection matches, then sends the event to
// every matching one.
func (s *Server) dispatchTo(ctx context.Context, t string, data any, who string, match func(*gatewayConn) bool) error {
	var to []*gatewayConn
	err := s.waitFor(ctx, who, func() bool {
		to = to[:0]
		for _, c := range s.conns {
			if match(c) {
				to = append(to, c)
			}
		}
		return len(to) > 0
	})
	if err != nil {
		return fmt.Errorf("fakediscord: dispatch %s: %w", t, err)
	}
	for _, c := range to {
		d := data
		if t == "MESSAGE_CREATE" && c.identify.Intents&discordgo.IntentsMessageContent == 0 {
			d = s.withoutContent(data)
		}
		if err := c.dispatch(t, d); err != nil {
			return fmt.Errorf("fakediscord: dispatch %s: %w", t, err)
		}
	}
	return nil
}

// withoutContent returns the message of a MESSAGE_CREATE as a client
// without the Message Content intent gets it: its content, embeds,
// attachments and components empty, unless it is a direct message, it
// mentions the bot or the bot sent it. (Discord empties the same fields
// of messages fetched over REST when the application lacks the intent:
// see wire.)
func (s *Server) withoutContent(data any) any {
	raw, err := json.Marshal(data)
	if err != nil {
		return data
	}
	var m discordgo.Message
	if json.Unmarshal(raw, &m) != nil || !s.hidesContent(&m) {
		return data
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return data
	}
	fields["content"] = json.RawMessage(`""`)
	for _, k := range []string{"embeds", "attachments", "components"} {
		fields[k] = json.RawMessage(`[]`)
	}
	return fields
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
	c := s.StoreMessage(m)
	return c, s.Dispatch(ctx, "MESSAGE_CREATE", c)
}

// StoreMessage stores a message as PostMessage does, without dispatching
// it: one sent while the bot was not connected (before a restart), which
// it can only read over REST. It returns the stored message.
func (s *Server) StoreMessage(m *discordgo.Message) *discordgo.Message {
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
	return &c
}

// StartThread opens a public thread in channel parent of guild, as a
// member does with "Create Thread" on a message there: a thread started
// from a message has that message's ID (pass it as id; "" starts one
// from no message, with a new ID). It dispatches THREAD_CREATE and
// returns the thread's ID, which GET /channels/{id} then answers.
func (s *Server) StartThread(ctx context.Context, guild, parent, id string) (string, error) {
	s.mu.Lock()
	if id == "" {
		id = s.newID()
	}
	t := thread{guild: guild, parent: parent}
	s.threads[id] = t
	s.change()
	s.mu.Unlock()
	return id, s.Dispatch(ctx, "THREAD_CREATE", threadJSON(id, t))
}

// ArchiveThread archives thread (archived true) or reopens it, as Discord
// does after a thread's inactivity and when a member writes in it again:
// it dispatches THREAD_UPDATE, and GET /channels/{id} then answers the
// thread as it is.
func (s *Server) ArchiveThread(ctx context.Context, thread string, archived bool) error {
	s.mu.Lock()
	t, ok := s.threads[thread]
	if ok {
		t.archived = archived
		s.threads[thread] = t
		s.change()
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("fakediscord: no thread %s", thread)
	}
	return s.Dispatch(ctx, "THREAD_UPDATE", threadJSON(thread, t))
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveGateway speaks the gateway: HELLO, IDENTIFY -> READY and the
// GUILD_CREATEs of the identified shard's guilds, then heartbeat ACKs
// until the client goes away.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	conn := &gatewayConn{ws: ws, shard: [2]int{0, 1}}
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
	if sh := ident.D.Shard; sh != nil {
		if sh[1] < 1 || sh[0] < 0 || sh[0] >= sh[1] {
			// Discord closes the connection: 4010 Invalid shard.
			ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4010, "Invalid shard"))
			return
		}
		conn.shard = *sh
	}
	if asked := ident.D.Intents & privilegedIntents; asked&^s.opt.PrivilegedIntents != 0 {
		// Discord closes the connection: 4014 Disallowed intent(s).
		ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4014, "Disallowed intent(s)."))
		return
	}
	conn.identify = ident.D
	var guilds []string
	for _, g := range s.opt.Guilds {
		if conn.serves(g) {
			guilds = append(guilds, g)
		}
	}
	ready := map[string]any{
		"v":           10,
		"session_id":  "fake-session",
		"user":        s.BotUser(),
		"application": map[string]any{"id": s.AppID, "flags": 0},
		"guilds":      guildStubs(guilds),
	}
	if ident.D.Shard != nil {
		ready["shard"] = conn.shard
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return
	}
	if err := conn.dispatch("READY", ready); err != nil {
		return
	}
	for _, g := range guilds {
		channels := []any{}
		for id, in := range s.opt.Channels {
			if in == g {
				channels = append(channels, channelJSON(id, g))
			}
		}
		guild := map[string]any{"id": g, "name": "guild " + g, "channels": channels, "members": []any{}, "roles": []any{}}
		if err := conn.dispatch("GUILD_CREATE", guild); err != nil {
			return
		}
	}
	s.mu.Lock()
	s.conns = append(s.conns, conn)
	s.identifies = append(s.identifies, ident.D)
	s.change()
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.conns = slices.DeleteFunc(s.conns, func(c *gatewayConn) bool { return c == conn })
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

// guildStubs returns READY's unavailable-guild entries for ids.
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
	return len(s.conns) > 0
}

// WaitDisconnected waits until no client is connected to the gateway.
func (s *Server) WaitDisconnected(ctx context.Context) error {
	return s.waitFor(ctx, "gateway disconnect", func() bool { return len(s.conns) == 0 })
}

// GuildInShard returns the n-th of a series of guild IDs (snowflakes)
// whose events Discord sends to shard of count, for tests to build
// servers on chosen shards.
func GuildInShard(shard, count, n int) string {
	const created = 294_000_000_000 // milliseconds past Discord's epoch, in 2024
	count = max(count, 1)
	t := uint64(created - created%count + shard + n*count)
	return strconv.FormatUint(t<<22|1, 10)
}
