package fakediscord

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Servers of shard 0 and shard 1 of 2.
var (
	guildOfShard0 = GuildInShard(0, 2, 0)
	guildOfShard1 = GuildInShard(1, 2, 0)
)

// redirect sends discordgo's requests for discord.com to the fake.
type redirect struct{ base *url.URL }

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	c := req.Clone(req.Context())
	c.URL.Scheme, c.URL.Host, c.Host = r.base.Scheme, r.base.Host, ""
	return http.DefaultTransport.RoundTrip(c)
}

// shardClient is one real discordgo session, one shard, recording what it
// receives in order.
type shardClient struct {
	s      *discordgo.Session
	ready  chan []string // the guilds READY lists
	guilds chan string   // GUILD_CREATE
	msgs   chan string   // MESSAGE_CREATE contents
}

func connectShard(t *testing.T, fake *Server, id, count int) *shardClient {
	t.Helper()
	return connect(t, fake, id, count, discordgo.IntentsAllWithoutPrivileged|discordgo.IntentsMessageContent) // to read every message's text
}

// connect opens a real discordgo session as shard id of count, asking for
// intents.
func connect(t *testing.T, fake *Server, id, count int, intents discordgo.Intent) *shardClient {
	t.Helper()
	s, err := discordgo.New("Bot shard-token")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(fake.URL)
	s.Client = &http.Client{Transport: redirect{base}}
	s.ShardID, s.ShardCount = id, count
	s.Identify.Intents = intents
	s.SyncEvents = true // handlers run in arrival order
	s.ShouldReconnectOnError = false
	s.LogLevel = -1
	c := &shardClient{s: s, ready: make(chan []string, 1), guilds: make(chan string, 10), msgs: make(chan string, 10)}
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		var ids []string // copied here: the state takes the guilds over
		for _, g := range r.Guilds {
			ids = append(ids, g.ID)
		}
		c.ready <- ids
	})
	s.AddHandler(func(_ *discordgo.Session, g *discordgo.GuildCreate) { c.guilds <- g.ID })
	s.AddHandler(func(_ *discordgo.Session, m *discordgo.MessageCreate) { c.msgs <- m.Content })
	if err := s.Open(); err != nil {
		t.Fatalf("shard %d: open: %v", id, err)
	}
	t.Cleanup(func() { s.Close() })
	return c
}

func next[T any](t *testing.T, ctx context.Context, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("no %s", what)
		panic("unreachable")
	}
}

// TestShardsGetTheirGuildsOnly drives two real discordgo sessions, shards
// 0 and 1 of 2: each identifies with its shard, is told only its guilds,
// and receives only their events; direct messages go to shard 0.
func TestShardsGetTheirGuildsOnly(t *testing.T) {
	t.Parallel()
	fake := New(Options{Guilds: []string{guildOfShard0, guildOfShard1}, Shards: 2, PrivilegedIntents: discordgo.IntentsMessageContent})
	defer fake.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()

	shards := []*shardClient{connectShard(t, fake, 0, 2), connectShard(t, fake, 1, 2)}
	gb, err := shards[0].s.GatewayBot(discordgo.WithContext(ctx))
	if err != nil || gb.Shards != 2 {
		t.Fatalf("/gateway/bot: %+v, %v; want 2 shards", gb, err)
	}
	for id, want := range []string{guildOfShard0, guildOfShard1} {
		ident, err := fake.WaitShardReady(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ident.Shard == nil || *ident.Shard != [2]int{id, 2} {
			t.Errorf("shard %d identified with %v", id, ident.Shard)
		}
		if r := next(t, ctx, shards[id].ready, "READY"); !slices.Equal(r, []string{want}) {
			t.Errorf("shard %d: READY lists guilds %q, want only %s", id, r, want)
		}
		if g := next(t, ctx, shards[id].guilds, "GUILD_CREATE"); g != want {
			t.Errorf("shard %d: GUILD_CREATE of %s, want %s", id, g, want)
		}
	}

	// In this order, each dispatched once the one before was written: shard
	// 0 reading its guild's message right after the DM proves it was never
	// sent shard 1's.
	for _, m := range []*discordgo.Message{
		{GuildID: guildOfShard1, ChannelID: "c1", Content: "in shard 1's guild"},
		{GuildID: guildOfShard0, ChannelID: "c0", Content: "in shard 0's guild"},
		{ChannelID: "dm", Content: "a direct message"},
	} {
		m.Author = &discordgo.User{ID: "u1"}
		if _, err := fake.PostMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	if err := fake.DispatchToShard(ctx, 1, "MESSAGE_CREATE", &discordgo.Message{ID: "m9", GuildID: guildOfShard0, ChannelID: "c0",
		Content: "misrouted", Author: &discordgo.User{ID: "u1"}}); err != nil {
		t.Fatal(err)
	}
	got := [][]string{}
	for id, n := range []int{2, 2} {
		var seen []string
		for range n {
			seen = append(seen, next(t, ctx, shards[id].msgs, "MESSAGE_CREATE"))
		}
		got = append(got, seen)
	}
	want := [][]string{{"in shard 0's guild", "a direct message"}, {"in shard 1's guild", "misrouted"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("messages received by shard: %q, want %q", got, want)
	}
}
