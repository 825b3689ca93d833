package fakediscord

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// gatewayConn is the one connected gateway client; write is safe for
// concurrent use.
type gatewayConn struct {
	mu sync.Mutex // serialises writes
	ws *websocket.Conn
}

// write sends v as one JSON gateway message.
func (c *gatewayConn) write(v any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ws.WriteJSON(v)
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
	return s.conn != nil
}

// WaitDisconnected waits until no client is connected to the gateway.
func (s *Server) WaitDisconnected(ctx context.Context) error {
	return s.waitFor(ctx, "gateway disconnect", func() bool { return s.conn == nil })
}
