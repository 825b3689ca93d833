package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/ingest/feed"
	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/retrieval"
)

// gazette is a news site on 127.0.0.1: /news announces its RSS feed
// /feed.xml of stories+1 stories (the newest first), /about announces
// none, /flaky.xml is a one-story feed that answers 503 while failing is
// set, /story/N is story N.
type gazette struct {
	*httptest.Server
	stories int
	failing atomic.Bool
}

const gazetteName = "Fenwick Harbour Gazette"

func newGazette(t *testing.T, stories int) *gazette {
	t.Helper()
	g := &gazette{stories: stories}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

// storyTitle is story n's title; story 3's carries a mass mention, which
// must stay text.
func storyTitle(n int) string {
	if n == 3 {
		return "@everyone: harbour wall story 3"
	}
	return fmt.Sprintf("Harbour wall story %d", n)
}

func storyDate(n int) time.Time { return time.Date(2025, 3, n, 9, 0, 0, 0, time.UTC) }

func (g *gazette) serve(w http.ResponseWriter, r *http.Request) {
	page := func(title, head, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>%s</title><meta property="og:site_name" content="%s">%s</head><body>%s</body></html>`,
			title, gazetteName, head, body)
	}
	items := func(title string, ns ...int) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><link>%s</link>`, title, g.URL)
		for _, n := range ns {
			fmt.Fprintf(w, `<item><title>%s</title><link>%s/story/%d</link><guid>story-%d</guid><pubDate>%s</pubDate></item>`,
				storyTitle(n), g.URL, n, n, storyDate(n).Format(time.RFC1123Z))
		}
		fmt.Fprint(w, `</channel></rss>`)
	}
	switch p := r.URL.Path; {
	case p == "/news":
		page("News", `<link rel="alternate" type="application/rss+xml" href="/feed.xml">`, "<p>The latest news.</p>")
	case p == "/about":
		page("About us", "", "<p>We are a weekly paper.</p>")
	case p == "/feed.xml":
		var ns []int
		for n := g.stories; n >= 1; n-- {
			ns = append(ns, n)
		}
		items(gazetteName, ns...)
	case p == "/flaky.xml" && g.failing.Load():
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	case p == "/flaky.xml":
		items("Fenwick tide tables", 1)
	case strings.HasPrefix(p, "/story/"):
		n, _ := strconv.Atoi(strings.TrimPrefix(p, "/story/"))
		page(storyTitle(n), "", fmt.Sprintf(`<article><h1>%s</h1>
<p>The harbour board met on Monday to discuss story %d, the repair of the old harbour wall at Fenwick, which
storms damaged over the winter, and agreed to close the north quay to boats until the work is done.</p>
<p>Fishermen who use the north quay asked for a temporary mooring at the south pier, and the board said it
would publish a timetable of the works and a plan for the moorings before the end of the month.</p>
<p>The engineer said story %d's repairs would be finished before the autumn gales, weather permitting.</p></article>`,
			storyTitle(n), n, n))
	default:
		http.NotFound(w, r)
	}
}

// testFeeds is a Poller whose poll loop ticks when the test says.
type testFeeds struct {
	*feed.Poller
	ticks chan time.Time
}

func (f *testFeeds) Run(ctx context.Context, _ <-chan time.Time, report func(feed.Report)) {
	f.Poller.Run(ctx, f.ticks, report)
}

// tick makes the poll loop poll once more: it returns once the loop took
// the tick, so after the poll (and announcements) before it finished.
func (f *testFeeds) tick(t *testing.T, ctx context.Context) {
	t.Helper()
	select {
	case f.ticks <- time.Now():
	case <-ctx.Done():
		t.Fatal("the feed poll loop did not take the tick")
	}
}

// withFeeds gives the bot a loopback fetcher and a Poller whose items are
// stored through the bot's core, as serve wires them.
func withFeeds(t *testing.T, feeds **testFeeds) func(*Deps) {
	return func(d *Deps) {
		store, err := retrieval.Open(t.Context(), t.TempDir(), retrieval.Options{Embedder: retrieval.NewLocalEmbedder()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		fetcher := ingest.NewFetcher(ingest.FetchOptions{AllowPrivate: true, Timeout: 10 * time.Second})
		core := d.Service.(*bot.Core)
		store1 := func(ctx context.Context, f retrieval.Feed, it feed.Item) (feed.Stored, error) {
			a, err := feed.ArticleFor(ctx, fetcher, f.URL, f.Title, it)
			if err != nil {
				return feed.Stored{}, err
			}
			res, err := core.Ingest(ctx, f.Scope, a)
			return feed.Stored{ArticleID: res.ID, Title: res.Title, Source: a.Source, URL: a.URL, Published: a.Published, Status: res.Status}, err
		}
		*feeds = &testFeeds{Poller: feed.NewPoller(store, fetcher, store1, feed.Options{}), ticks: make(chan time.Time)}
		d.Feeds, d.Fetcher = *feeds, fetcher
	}
}

func unfollowAuto(m *discordgo.Member, typed string) *discordgo.Interaction {
	return &discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommandAutocomplete, GuildID: "g1", ChannelID: "c-g1", Member: m,
		Data: discordgo.ApplicationCommandInteractionData{Name: "unfollow", Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: "feed", Type: discordgo.ApplicationCommandOptionString, Value: typed, Focused: true},
		}},
	}
}

func TestFollowAnnounceListAndUnfollow(t *testing.T) {
	t.Parallel()
	var feeds *testFeeds
	h := newHarness(t, Config{}, withFeeds(t, &feeds))
	site := newGazette(t, 12)
	g1 := retrieval.GuildScope("g1")
	channel := &discordgo.ApplicationCommandInteractionDataOption{Name: "channel", Type: discordgo.ApplicationCommandOptionChannel, Value: "news-g1"}
	follow := func(m *discordgo.Member, url string) callbackBody {
		t.Helper()
		i := h.interact(slash("g1", m, "follow", strOpt("url", url), channel))
		cb := callback(t, h.wait(callbackOf(i)))
		if cb.Data.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("/follow answered in public: %+v", cb)
		}
		if cb.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource {
			cb.Data.Content = body(t, h.wait(editsOf(i))).Content
		}
		return cb
	}

	// Only managers may follow.
	if cb := follow(plainMember("u1"), site.URL+"/news"); !strings.Contains(cb.Data.Content, "Only members with Manage Server") {
		t.Errorf("a plain member's /follow got %q", cb.Data.Content)
	}
	if list, _ := feeds.Feeds(h.ctx, g1); len(list) != 0 {
		t.Fatalf("a refused /follow followed %+v", list)
	}
	// A page announcing a feed is followed to it; again, it says so; a
	// page without a feed is refused with the reason.
	if cb := follow(manager("m1"), site.URL+"/news"); !strings.Contains(cb.Data.Content, "Following **"+gazetteName+"**") ||
		!strings.Contains(cb.Data.Content, "<#news-g1>") {
		t.Errorf("/follow replied %q", cb.Data.Content)
	}
	if cb := follow(manager("m1"), site.URL+"/feed.xml"); !strings.Contains(cb.Data.Content, "already follows **"+gazetteName+"**") {
		t.Errorf("following again replied %q", cb.Data.Content)
	}
	if cb := follow(manager("m1"), site.URL+"/about"); cb.Data.Content != feed.UserMessage(feed.ErrNotFeed) {
		t.Errorf("following a page without a feed replied %q, want the reason alone: %q", cb.Data.Content, feed.UserMessage(feed.ErrNotFeed))
	}
	follow(manager("m1"), site.URL+"/flaky.xml")
	site.failing.Store(true)

	// One poll: the 12 stories are stored in the server's scope and
	// announced in one message in the feed's channel, without pings; the
	// flaky feed's failure shows in /feeds.
	feeds.tick(t, h.ctx)
	ann := h.wait(sendsTo("news-g1"))
	var sent struct {
		Content         string                 `json:"content"`
		Flags           discordgo.MessageFlags `json:"flags"`
		AllowedMentions struct {
			Parse []string `json:"parse"`
		} `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(ann.Body, &sent); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(sent.Content, "\n")
	wantLine := fmt.Sprintf("• [Harbour wall story 1](%s/story/1) — *%s*, 1 Mar 2025", site.URL, gazetteName)
	if len(lines) != 12 || lines[0] != "New from **"+gazetteName+"**:" || lines[1] != wantLine || lines[11] != "… and 2 more" {
		t.Errorf("announcement (want a heading, 10 stories from the oldest, then 2 more):\n%s\nwant line 2: %s", sent.Content, wantLine)
	}
	if sent.AllowedMentions.Parse == nil || len(sent.AllowedMentions.Parse) > 0 || sent.Flags&discordgo.MessageFlagsSuppressEmbeds == 0 {
		t.Errorf("announcement may ping or unfurl: %s", ann.Body)
	}
	if list, err := h.svc.Sources(h.ctx, g1); err != nil || len(list) != 12 {
		t.Errorf("%d articles in the server's scope after the poll (%v), want 12", len(list), err)
	}
	feeds.tick(t, h.ctx) // nothing is due: no second announcement
	feeds.tick(t, h.ctx)
	if n := countMatching(h.fake.Requests(), sendsTo("news-g1")); n != 1 {
		t.Errorf("%d announcements, want 1", n)
	}

	i := h.interact(slash("g1", plainMember("u1"), "feeds"))
	cb := callback(t, h.wait(callbackOf(i)))
	if len(cb.Data.Embeds) != 1 || cb.Data.Embeds[0].Title != "Feeds (2)" || cb.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Fatalf("/feeds = %+v", cb)
	}
	list := strings.Split(cb.Data.Embeds[0].Description, "\n")
	if len(list) != 2 || !strings.Contains(list[0], "["+gazetteName+"]("+site.URL+"/feed.xml)") || !strings.Contains(list[0], "<#news-g1>") ||
		!strings.Contains(list[0], "checked <t:") || !strings.Contains(list[0], "last new article <t:") || strings.Contains(list[0], "⚠") {
		t.Errorf("/feeds line of the good feed: %q", list[0])
	}
	if len(list) == 2 && (!strings.Contains(list[1], "last new article never") || !strings.Contains(list[1], "⚠ ")) {
		t.Errorf("/feeds line of the failing feed lacks its error: %q", list[1])
	}

	// /unfollow: autocomplete offers the server's feeds to managers only.
	auto := callback(t, h.wait(callbackOf(h.interact(unfollowAuto(plainMember("u1"), "")))))
	if len(auto.Data.Choices) != 0 {
		t.Errorf("autocomplete offered a plain member %+v", auto.Data.Choices)
	}
	auto = callback(t, h.wait(callbackOf(h.interact(unfollowAuto(manager("m1"), "harbour gaz")))))
	if len(auto.Data.Choices) != 1 || !strings.HasPrefix(auto.Data.Choices[0].Name, gazetteName+" — ") {
		t.Fatalf("autocomplete offered %+v, want the gazette's feed", auto.Data.Choices)
	}
	id := fmt.Sprint(auto.Data.Choices[0].Value)
	refused := h.interact(slash("g1", plainMember("u1"), "unfollow", strOpt("feed", id)))
	if cb := callback(t, h.wait(callbackOf(refused))); !strings.Contains(cb.Data.Content, "Only members with Manage Server") {
		t.Errorf("a plain member's /unfollow got %q", cb.Data.Content)
	}
	un := h.interact(slash("g1", manager("m1"), "unfollow", strOpt("feed", id)))
	if cb := callback(t, h.wait(callbackOf(un))); !strings.Contains(cb.Data.Content, "Stopped following **"+gazetteName+"**") {
		t.Errorf("/unfollow replied %q", cb.Data.Content)
	}
	again := h.interact(slash("g1", manager("m1"), "unfollow", strOpt("feed", id)))
	if cb := callback(t, h.wait(callbackOf(again))); !strings.Contains(cb.Data.Content, feed.UserMessage(feed.ErrNoSuchFeed)) {
		t.Errorf("unfollowing again replied %q", cb.Data.Content)
	}
	if list, _ := feeds.Feeds(h.ctx, g1); len(list) != 1 {
		t.Errorf("feeds left after unfollowing one of 2: %+v", list)
	}
	if list, _ := h.svc.Sources(h.ctx, g1); len(list) != 12 {
		t.Errorf("%d articles after unfollowing, want the 12 to stay", len(list))
	}
}

func countMatching(reqs []fakediscord.Request, match func(fakediscord.Request) bool) int {
	n := 0
	for _, r := range reqs {
		if match(r) {
			n++
		}
	}
	return n
}

func TestFeedsPagesAndAnnouncementBounds(t *testing.T) {
	t.Parallel()
	var list []retrieval.Feed
	for n := range 23 {
		list = append(list, retrieval.Feed{ID: int64(n + 1), Title: fmt.Sprintf("Feed %d", n+1), URL: fmt.Sprintf("https://news.example/%d.xml", n+1),
			LastError: strings.Repeat("x", 500)})
	}
	e, comps := renderFeedsPage(list, 2)
	if e.Footer.Text != "Page 3 of 3" || strings.Count(e.Description, "\n") != 2 || len(comps) != 1 {
		t.Errorf("page 3: %q footer %+v, %d component rows", e.Description, e.Footer, len(comps))
	}
	if row := comps[0].(discordgo.ActionsRow); row.Components[0].(discordgo.Button).CustomID != "feeds:1" || !row.Components[1].(discordgo.Button).Disabled {
		t.Errorf("page 3 buttons: %+v", row)
	}
	// A poll of many long titles still makes one message within Discord's limit.
	var items []feed.Stored
	for n := range 40 {
		items = append(items, feed.Stored{Title: strings.Repeat("Long title ", 40) + strconv.Itoa(n), URL: "https://news.example/" + strings.Repeat("p", 190),
			Source: strings.Repeat("Outlet ", 20), Published: storyDate(1), Status: retrieval.Added})
	}
	msg := announcement(retrieval.Feed{Title: strings.Repeat("Feed ", 100)}, items)
	if n := len([]rune(msg)); n > maxContent || !strings.HasSuffix(msg, "more") {
		t.Errorf("announcement of 40 long items: %d characters, ends %q", n, msg[max(0, len(msg)-40):])
	}
}

// A feed's channel set outside Discord (citebot follow --channel) is
// checked before each announcement: a server's news never goes to another
// server's channel, or to one Discord does not know; its own channels,
// known from the gateway or asked of Discord, hear of it.
func TestAnnouncementsOnlyInTheServersChannels(t *testing.T) {
	t.Parallel()
	var feeds *testFeeds
	h := newHarness(t, Config{}, withFeeds(t, &feeds))
	g1 := retrieval.GuildScope("g1")
	for _, tt := range []struct {
		channel string
		want    bool
	}{
		{"news-g2", false},     // g2's channel
		{"no-such-one", false}, // unknown to Discord
		{"c-g1", true},         // g1's own
	} {
		site := newGazette(t, 2)
		if _, _, err := feeds.Follow(h.ctx, g1, site.URL+"/feed.xml", tt.channel); err != nil {
			t.Fatal(err)
		}
		feeds.tick(t, h.ctx) // polls the new feed
		feeds.tick(t, h.ctx) // returns once that poll and its announcements are done
		if tt.want {
			h.wait(sendsTo(tt.channel)) // the fake records a request as it answers it
			continue
		}
		if n := countMatching(h.fake.Requests(), sendsTo(tt.channel)); n != 0 {
			t.Errorf("%d announcements in %s, want none", n, tt.channel)
		}
		if !strings.Contains(h.logs.String(), "channel="+tt.channel) {
			t.Errorf("no log line says why %s heard nothing:\n%s", tt.channel, h.logs.String())
		}
	}
	if list, err := h.svc.Sources(h.ctx, g1); err != nil || len(list) != 6 {
		t.Errorf("%d articles in g1 (%v): the feeds' stories must be stored whatever the channel", len(list), err)
	}
}
