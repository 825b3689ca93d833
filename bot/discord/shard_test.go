package discord

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/ingest/feed"
	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/internal/testlog"
	"github.com/citebot/citebot/retrieval"
)

// Servers of shard 0 and shard 1 of 2.
var (
	guildOfShard0 = fakediscord.GuildInShard(0, 2, 0)
	guildOfShard1 = fakediscord.GuildInShard(1, 2, 0)
)

func TestShardOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		guild       string
		count, want int
	}{
		{"1234567890127651093", 2, 0},
		{"1234567890123456789", 2, 1},
		{"1234567890123456789", 1, 0},
		{"1234567890123456789", 0, 0},
		{"175928847299117063", 16, 4}, // Discord's documentation example: 41944705796 % 16
		{"", 2, 0},                    // direct messages
		{"not-a-snowflake", 2, 0},
	} {
		if got := ShardOf(tt.guild, tt.count); got != tt.want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", tt.guild, tt.count, got, tt.want)
		}
	}
	for count := 1; count <= 5; count++ { // the fake Discord's servers are where it says
		for shard := range count {
			if g := fakediscord.GuildInShard(shard, count, 3); ShardOf(g, count) != shard {
				t.Errorf("fakediscord.GuildInShard(%d, %d, 3) = %s is in shard %d", shard, count, g, ShardOf(g, count))
			}
		}
	}
}

func TestConfigValidateShard(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		id, count int
		ok        bool
	}{
		{0, 0, true}, {0, 1, true}, {0, 2, true}, {1, 2, true}, {15, 16, true},
		{1, 0, false}, {1, 1, false}, {2, 2, false}, {-1, 2, false}, {0, -1, false},
	} {
		err := Config{Token: "t", ShardID: tt.id, ShardCount: tt.count}.Validate()
		if ok := err == nil; ok != tt.ok || (!ok && !errors.Is(err, ErrBadShard)) {
			t.Errorf("shard %d of %d: Validate() = %v, want ok=%v", tt.id, tt.count, err, tt.ok)
		}
	}
}

// pollRecorder is a FeedService that records whether its poll loop ran.
type pollRecorder struct {
	runs atomic.Int32
	ran  chan struct{}
}

func (p *pollRecorder) Follow(context.Context, string, string, string) (retrieval.Feed, bool, error) {
	return retrieval.Feed{}, false, errors.New("not in this test")
}
func (p *pollRecorder) Unfollow(context.Context, string, int64) error { return nil }
func (p *pollRecorder) Feeds(context.Context, string) ([]retrieval.Feed, error) {
	return nil, nil
}
func (p *pollRecorder) Run(ctx context.Context, _ <-chan time.Time, _ func(feed.Report)) {
	if p.runs.Add(1) == 1 {
		close(p.ran)
	}
	<-ctx.Done()
}

// shardProc is one bot process serving one shard, with its own store
// handle on a shared data directory, as `citebot serve` runs.
type shardProc struct {
	d      *Bot
	store  *retrieval.Store
	logs   *testlog.Buffer
	feeds  *pollRecorder
	auth   string // its requests' Authorization header
	served chan error
}

func startShard(t *testing.T, ctx context.Context, fake *fakediscord.Server, dir string, id, count int) *shardProc {
	t.Helper()
	p := &shardProc{logs: &testlog.Buffer{}, feeds: &pollRecorder{ran: make(chan struct{})}, served: make(chan error, 1)}
	logger := slog.New(slog.NewTextHandler(p.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	store, err := retrieval.Open(ctx, dir, retrieval.Options{Embedder: retrieval.NewLocalEmbedder(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	p.store = store
	answerer := &scriptedAnswerer{auto: func(_ string, ps []retrieval.Passage) string { return ps[0].Title + " says so [1]." }}
	core := bot.NewCore(bot.CoreOptions{Store: store, Answerer: answerer, Logger: logger})
	token := "shard-" + string(rune('0'+id)) + "-token"
	p.auth = "Bot " + token
	p.d, err = New(Config{Token: token, APIBase: fake.URL, ShardID: id, ShardCount: count},
		Deps{Service: core, Parse: ingest.Parse, Feeds: p.feeds, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	p.d.session.ShouldReconnectOnError = false
	serveCtx, stop := context.WithCancel(context.Background())
	go func() { p.served <- p.d.Serve(serveCtx) }()
	t.Cleanup(func() {
		p.stop(t, stop)
		store.Close()
		if t.Failed() {
			t.Logf("shard %d log:\n%s", id, p.logs.String())
		}
	})
	return p
}

func (p *shardProc) stop(t *testing.T, stop context.CancelFunc) {
	stop()
	select {
	case err := <-p.served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(waitTimeout):
		t.Error("Serve did not return after its context ended")
	}
	p.served <- nil // a second stop returns at once
}

// TestShardsSplitTheServers runs two bot processes, shards 0 and 1 of 2,
// on one data directory against one fake Discord: each answers only its
// servers (and shard 0 the direct messages), only shard 0 registers the
// commands and polls the feeds, an event that reaches the wrong shard is
// ignored, and an article another process stores in a server's scope is
// answered in that server after its shard's refresh.
func TestShardsSplitTheServers(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	fake := fakediscord.New(fakediscord.Options{Guilds: []string{guildOfShard0, guildOfShard1}, Shards: 2})
	t.Cleanup(fake.Close) // after the shards stop
	dir := t.TempDir()
	shards := []*shardProc{startShard(t, ctx, fake, dir, 0, 2), startShard(t, ctx, fake, dir, 1, 2)}
	for id := range shards {
		ident, err := fake.WaitShardReady(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ident.Shard == nil || *ident.Shard != [2]int{id, 2} {
			t.Errorf("shard %d identified as %v", id, ident.Shard)
		}
	}
	if err := shards[1].logs.WaitFor(ctx, "feeds not polled here"); err != nil { // after it skipped registering
		t.Fatal(err)
	}
	if _, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool { return r.Method == "PUT" }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-shards[0].feeds.ran:
	case <-ctx.Done():
		t.Fatal("shard 0 did not poll the feeds")
	}
	for _, r := range fake.Requests() {
		if r.Method == "PUT" && r.Authorization != shards[0].auth || r.Path == "/gateway/bot" && r.Authorization != shards[0].auth {
			t.Errorf("%s %s sent by another shard than 0", r.Method, r.Path)
		}
	}
	if !strings.Contains(shards[1].logs.String(), "commands not registered: shard 0 registers them") {
		t.Error("shard 1 did not say it leaves the commands to shard 0")
	}

	// Articles stored by another process (citebot ingest) on the same data
	// directory, one per server; each shard refreshes, as serve does on
	// its interval.
	cli, err := retrieval.Open(ctx, dir, retrieval.Options{Embedder: retrieval.NewLocalEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	cliCore := bot.NewCore(bot.CoreOptions{Store: cli, Answerer: &scriptedAnswerer{}, Logger: slog.New(slog.DiscardHandler)})
	for _, a := range []struct{ guild, title, text string }{
		{guildOfShard0, "Orchard fair", "The village orchard fair opens on the second Saturday of October with a cider press."},
		{guildOfShard1, "Canal lock", "The canal lock at Millbrook reopens in May after the gates were replaced over the winter."},
		{"", "Library hours", "The town library now stays open until eight on Thursday evenings."},
	} {
		art := ingest.Article{Title: a.title, Paragraphs: []string{a.text}}
		art.ID = ingest.NewID("", a.title, art.Paragraphs)
		scope := retrieval.SharedScope
		if a.guild != "" {
			scope = retrieval.GuildScope(a.guild)
		}
		if _, err := cliCore.Ingest(ctx, scope, art); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range shards {
		if _, err := p.store.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}

	for _, tt := range []struct {
		guild, question, title string
		shard                  int
	}{
		{guildOfShard1, "When does the canal lock at Millbrook reopen?", "Canal lock", 1},
		{guildOfShard0, "When does the village orchard fair open?", "Orchard fair", 0},
		{"", "How late is the town library open on Thursdays?", "Library hours", 0},
	} {
		i, err := fake.Interact(ctx, ask(tt.guild, "u-"+tt.title, tt.question))
		if err != nil {
			t.Fatal(err)
		}
		final, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
			return editsOf(i)(r) && strings.Contains(string(r.Body), "[1]")
		})
		if err != nil {
			t.Fatalf("%q in server %q: no cited answer: %v", tt.question, tt.guild, err)
		}
		if !strings.Contains(string(final.Body), tt.title) {
			t.Errorf("%q answered from another article: %s", tt.question, final.Body)
		}
		for _, r := range fake.Requests() {
			if strings.Contains(r.Path, i.Token) && r.Authorization != shards[tt.shard].auth {
				t.Errorf("%q in server %q: %s %s sent by the wrong shard", tt.question, tt.guild, r.Method, r.Path)
			}
		}
	}

	// Events that reach the wrong shard are left to the right one.
	misrouted := ask(guildOfShard1, "u9", "When does the canal lock at Millbrook reopen?")
	misrouted.ID, misrouted.Token, misrouted.AppID = "4242", "misrouted-token", fake.AppID
	if err := fake.DispatchToShard(ctx, 0, "INTERACTION_CREATE", misrouted); err != nil {
		t.Fatal(err)
	}
	mention := &discordgo.Message{ID: "4343", GuildID: guildOfShard0, ChannelID: "c0", Author: &discordgo.User{ID: "u9"},
		Content: "<@" + fake.BotID + "> When does the village orchard fair open?", Mentions: []*discordgo.User{fake.BotUser()}}
	if err := fake.DispatchToShard(ctx, 1, "MESSAGE_CREATE", mention); err != nil {
		t.Fatal(err)
	}
	for id, event := range []string{"event=interaction guild=" + guildOfShard1, "event=message guild=" + guildOfShard0} {
		if err := shards[id].logs.WaitFor(ctx, `another shard's server ignored" `+event); err != nil {
			t.Fatalf("shard %d: %v", id, err)
		}
	}
	for _, r := range fake.Requests() {
		if strings.Contains(r.Path, "4242") || strings.Contains(r.Path, "/channels/c0/") {
			t.Errorf("a misrouted event was answered: %s %s", r.Method, r.Path)
		}
	}

	if n := shards[1].feeds.runs.Load(); n != 0 {
		t.Errorf("shard 1 polled the feeds %d times", n)
	}
	if v := fake.Violations(); len(v) > 0 {
		t.Errorf("the fake saw broken rules: %q", v)
	}
}
