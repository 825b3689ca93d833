package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/internal/testweb"
)

// notesFeed serves, on 127.0.0.1, /notes.xml: an RSS feed "Harbour Notes"
// of two articles of the test website and its paywalled page (no text
// anywhere: skipped); /tides.xml: a feed that answers 503 once down is
// set. Other paths are 404.
func notesFeed(t *testing.T, web *testweb.Server) (*httptest.Server, *atomic.Bool) {
	t.Helper()
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var links []string
		switch {
		case r.URL.Path == "/notes.xml":
			links = []string{web.URL(testweb.News), web.URL(testweb.Markdown), web.URL(testweb.Paywall)}
		case r.URL.Path == "/tides.xml" && !down.Load():
			links = []string{web.URL(testweb.Text)}
		case r.URL.Path == "/tides.xml":
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		default:
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour %s</title>`, strings.Trim(r.URL.Path, "/.xml"))
		for n, l := range links {
			fmt.Fprintf(w, `<item><title>Item %d</title><link>%s</link><guid>%s</guid></item>`, n, l, l)
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	return srv, &down
}

func TestFollowPollListUnfollow(t *testing.T) {
	t.Parallel()
	web := testweb.New(t)
	feeds, down := notesFeed(t, web)
	c := newCLI(t)
	c.env["CITEBOT_ALLOW_PRIVATE_URLS"] = "1"
	mustRun := func(want int, args ...string) (string, string) {
		t.Helper()
		code, out, errOut := c.run("", args...)
		if code != want {
			t.Fatalf("citebot %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, want, out, errOut)
		}
		return out, errOut
	}
	listFeeds := func(args ...string) []feedJSON {
		t.Helper()
		out, _ := mustRun(0, append([]string{"feeds", "--json"}, args...)...)
		var list []feedJSON
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatalf("feeds --json: %v: %s", err, out)
		}
		return list
	}

	notes := feeds.URL + "/notes.xml"
	if out, _ := mustRun(0, "follow", notes); out != "1\tHarbour notes\t"+notes+"\tfollowed\n" {
		t.Errorf("follow printed %q", out)
	}
	if out, _ := mustRun(0, "follow", notes); !strings.HasSuffix(out, "\talready followed\n") {
		t.Errorf("following again printed %q", out)
	}
	if _, errOut := mustRun(1, "follow", web.URL(testweb.News)); !strings.Contains(errOut, "not an RSS or Atom feed") {
		t.Errorf("following an article page said %q", errOut)
	}
	mustRun(0, "follow", "--scope", "guild:5", feeds.URL+"/tides.xml")
	if list := listFeeds(); len(list) != 1 || list[0].Title != "Harbour notes" || list[0].LastChecked != nil || list[0].LastNewItem != nil {
		t.Fatalf("feeds --json before a poll: %+v", list)
	}

	// Polling one scope checks its feeds only; the first poll ingests
	// the two articles and skips the item without text.
	out, _ := mustRun(0, "feeds", "poll", "--scope", "shared")
	if out != "1\tHarbour notes\t2 new articles\n" {
		t.Errorf("feeds poll --scope shared printed %q", out)
	}
	down.Store(true)
	out, errOut := mustRun(1, "feeds", "poll")
	if !strings.Contains(out, "1\tHarbour notes\t0 new articles\n") || !strings.Contains(out, "2\tHarbour tides\tfailed: ") ||
		!strings.Contains(errOut, "1 of 2 feeds failed") {
		t.Errorf("feeds poll with a feed down printed %q, %q", out, errOut)
	}
	if list := listFeeds(); len(list) != 1 || list[0].LastChecked == nil || list[0].LastNewItem == nil || list[0].LastError != "" {
		t.Errorf("feeds --json after polls: %+v", list)
	}
	if list := listFeeds("--scope", "guild:5"); len(list) != 1 || list[0].LastError == "" || list[0].Failures != 1 || list[0].LastNewItem != nil {
		t.Errorf("the failing feed: %+v", list)
	}
	if out, _ := mustRun(0, "feeds", "--scope", "guild:5"); !strings.Contains(out, "LAST ERROR") || !strings.Contains(out, "never") {
		t.Errorf("feeds table:\n%s", out)
	}

	// The articles it brought can be summarised like any other.
	out, _ = mustRun(0, "sources", "--json")
	var src []sourceJSON
	if err := json.Unmarshal([]byte(out), &src); err != nil || len(src) != 2 {
		t.Fatalf("sources after the poll: %v %s", err, out)
	}
	out, _ = mustRun(0, "summarize", src[0].ID)
	if !strings.Contains(out, "[1]") || !strings.Contains(out, "\nSources:\n[1] "+src[0].Title) {
		t.Errorf("summarize printed:\n%s", out)
	}
	out, _ = mustRun(0, "summarize", "--json", src[0].ID)
	var ans askJSON
	if err := json.Unmarshal([]byte(out), &ans); err != nil || !ans.Found || len(ans.Citations) == 0 || ans.Citations[0].ArticleID != src[0].ID {
		t.Errorf("summarize --json: %v %s", err, out)
	}
	if _, errOut := mustRun(1, "summarize", "tnosucharticle"); !strings.Contains(errOut, "No article with ID tnosucharticle") {
		t.Errorf("summarize of an unknown ID said %q", errOut)
	}

	if out, _ := mustRun(0, "unfollow", "1"); out != "unfollowed 1\n" {
		t.Errorf("unfollow printed %q", out)
	}
	if _, errOut := mustRun(1, "unfollow", "1"); !strings.Contains(errOut, "There is no such feed here.") {
		t.Errorf("unfollowing again said %q", errOut)
	}
	mustRun(2, "unfollow", "notes")
	if out, _ := mustRun(0, "feeds"); !strings.Contains(out, "No feeds followed") {
		t.Errorf("feeds after unfollowing printed %q", out)
	}
	if out, _ := mustRun(0, "sources"); !strings.Contains(out, src[0].ID) {
		t.Errorf("the feed's articles left with it:\n%s", out)
	}
}

func TestFeedSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env          map[string]string
		code         int
		out, errOut  string
		args         []string
		followSecond bool
	}{
		{env: map[string]string{"CITEBOT_FEED_INTERVAL": "1m"}, args: []string{"config"}, code: 2, errOut: "CITEBOT_FEED_INTERVAL=\"1m\": want a duration of at least 5m"},
		{env: map[string]string{"CITEBOT_MAX_FEEDS": "0"}, args: []string{"feeds", "poll"}, code: 2, errOut: "CITEBOT_MAX_FEEDS=\"0\": want an integer of at least 1"},
		{env: map[string]string{"CITEBOT_FEED_INTERVAL": "30m", "CITEBOT_MAX_FEEDS": "3"}, args: []string{"config"}, out: "CITEBOT_FEED_INTERVAL         30m0s"},
		{env: map[string]string{"CITEBOT_MAX_FEEDS": "1"}, followSecond: true, code: 1, errOut: "scope shared already follows as many feeds as it may (1): unfollow one first (citebot feeds lists them), or raise CITEBOT_MAX_FEEDS"},
		{env: map[string]string{}, args: []string{"follow", "--channel", "777", "https://news.example/rss.xml"}, code: 2, errOut: "--channel needs a server's scope"},
		{env: map[string]string{}, args: []string{"follow", "--scope", "guild:123", "--channel", "#news", "https://news.example/rss.xml"}, code: 2, errOut: "is not a Discord channel ID"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.env), func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.env = tt.env
			args := tt.args
			if tt.followSecond {
				feeds, _ := notesFeed(t, testweb.New(t))
				c.env["CITEBOT_ALLOW_PRIVATE_URLS"] = "1"
				if code, _, errOut := c.run("", "follow", feeds.URL+"/notes.xml"); code != 0 {
					t.Fatalf("first follow: %s", errOut)
				}
				args = []string{"follow", feeds.URL + "/tides.xml"}
			}
			code, out, errOut := c.run("", args...)
			if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.errOut) {
				t.Errorf("exit %d, want %d\nstdout %q (want %q)\nstderr %q (want %q)", code, tt.code, out, tt.out, errOut, tt.errOut)
			}
		})
	}
}

// TestPollSaysHowToAllowPrivateAddresses checks that feeds poll, when a
// followed feed on a private address is refused, tells the operator the
// setting that allows it.
func TestPollSaysHowToAllowPrivateAddresses(t *testing.T) {
	t.Parallel()
	feeds, _ := notesFeed(t, testweb.New(t))
	c := newCLI(t)
	c.env["CITEBOT_ALLOW_PRIVATE_URLS"] = "1"
	if code, _, errOut := c.run("", "follow", feeds.URL+"/notes.xml"); code != 0 {
		t.Fatalf("follow: %s", errOut)
	}
	delete(c.env, "CITEBOT_ALLOW_PRIVATE_URLS")
	code, out, errOut := c.run("", "feeds", "poll")
	if code != 1 || !strings.Contains(out, "failed: That link points to a private or local network address") ||
		!strings.Contains(out, "Set CITEBOT_ALLOW_PRIVATE_URLS=1") {
		t.Errorf("feeds poll of a feed on 127.0.0.1: exit %d, want 1 and the setting named\nstdout: %s\nstderr: %s", code, out, errOut)
	}
}

// citebot serve polls the followed feeds as it starts, storing their
// articles in the scope of the server that follows them, announces them in
// the channel citebot follow --channel named when it is the server's (never
// in another server's), and stops its poll loop when it shuts down.
func TestServePollsFollowedFeeds(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(fakediscord.Options{Guilds: []string{"123"}, Channels: map[string]string{"777": "123", "888": "999"}})
	t.Cleanup(fake.Close)
	feeds, _ := notesFeed(t, testweb.New(t))
	c := newCLI(t)
	c.env["CITEBOT_ALLOW_PRIVATE_URLS"] = "1"
	if code, _, errOut := c.run("", "follow", "--scope", "guild:123", "--channel", "777", feeds.URL+"/notes.xml"); code != 0 {
		t.Fatalf("follow: %s", errOut)
	}
	// 888 is a channel of another server.
	if code, _, errOut := c.run("", "follow", "--scope", "guild:123", "--channel", "888", feeds.URL+"/tides.xml"); code != 0 {
		t.Fatalf("follow: %s", errOut)
	}
	c.env["DISCORD_TOKEN"] = "test-token-not-secret"
	c.env["DISCORD_API_BASE"] = fake.URL
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stop, done, stderr := c.serve(ctx)
	defer stop()
	for {
		code, out, errOut := c.run("", "feeds", "--scope", "guild:123", "--json")
		var list []feedJSON
		if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 || list[0].ChannelID == list[1].ChannelID {
			t.Fatalf("feeds while serving: exit %d: %s %s", code, out, errOut)
		}
		if list[0].LastChecked != nil && list[1].LastChecked != nil {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("serve never polled the feed")
		case code := <-done:
			t.Fatalf("serve exited %d before polling", code)
		default:
		}
	}
	if _, err := fake.WaitRequests(ctx, 1, func(r fakediscord.Request) bool { return r.Method == "POST" && r.Path == "/channels/777/messages" }); err != nil {
		t.Errorf("no announcement in the server's channel: %v", err)
	}
	if err := stderr.WaitFor(ctx, "feed announcement skipped"); err != nil {
		t.Errorf("no log line for the other server's channel: %v\n%s", err, stderr.String())
	}
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Path, "/channels/888/messages") {
			t.Errorf("announced in another server's channel: %s %s", r.Method, r.Path)
		}
	}
	stop()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, stderr.String())
		}
	case <-ctx.Done():
		t.Fatal("serve did not shut down")
	}
	code, out, errOut := c.run("", "sources", "--scope", "guild:123", "--json")
	var src []sourceJSON
	if code != 0 || json.Unmarshal([]byte(out), &src) != nil || len(src) != 3 || src[0].Scope != "guild:123" || src[2].Scope != "guild:123" {
		t.Errorf("the server's articles after serve polled its feed: exit %d %s %s", code, out, errOut)
	}
}
