package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/ingest/feed"
	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/metrics"
	"github.com/citebot/citebot/retrieval"
)

// freeAddr returns a loopback address no one listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// citebot serve with CITEBOT_HTTP_ADDR: ready once connected, and
// /metrics counts the question asked through the fake Discord and the
// vote on its answer; votes older than CITEBOT_FEEDBACK_DAYS are gone.
func TestServeHealthMetricsAndFeedback(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(fakediscord.Options{Guilds: []string{"g1"}})
	t.Cleanup(fake.Close)
	c := newCLI(t)
	if code, _, errOut := c.run("", "ingest", filepath.Join(articlesDir, "trade-agreement-signing.txt")); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	seedFeedback(t, c, time.Now()) // votes 9 days, 2 days and 1 hour old
	addr := freeAddr(t)
	c.env["DISCORD_TOKEN"] = "test-token-not-secret"
	c.env["DISCORD_API_BASE"] = fake.URL
	c.env["CITEBOT_HTTP_ADDR"] = addr
	c.env["CITEBOT_FEEDBACK_DAYS"] = "5"

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stop, done, stderr := c.serve(ctx)
	if _, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
		return r.Method == "PUT" && strings.HasSuffix(r.Path, "/commands")
	}); err != nil {
		t.Fatalf("commands not registered: %v", err)
	}
	base := "http://" + addr
	if code, body := httpGet(t, base+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := httpGet(t, base+"/readyz"); code != 200 || strings.TrimSpace(body) != "ready" {
		t.Errorf("/readyz = %d %q, want 200 ready", code, body)
	}

	i, err := fake.Interact(ctx, &discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommand, GuildID: "g1", ChannelID: "c1",
		Member: &discordgo.Member{User: &discordgo.User{ID: "u1", Username: "reader"}, Permissions: discordgo.PermissionSendMessages},
		Data: discordgo.ApplicationCommandInteractionData{ID: "cmd-ask", Name: "ask", CommandType: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: "When was the trade agreement signed?"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var final struct {
		Content    string `json:"content"`
		Components []struct {
			Components []struct {
				CustomID string `json:"custom_id"`
			} `json:"components"`
		} `json:"components"`
	}
	if _, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
		return r.Method == "PATCH" && r.Path == "/webhooks/"+i.AppID+"/"+i.Token+"/messages/@original" &&
			r.Status == 200 && json.Unmarshal(r.Body, &final) == nil && len(final.Components) > 0
	}); err != nil {
		t.Fatalf("no final answer with vote buttons: %v", err)
	}
	up := final.Components[0].Components[0].CustomID
	vote, err := fake.Interact(ctx, &discordgo.Interaction{
		Type: discordgo.InteractionMessageComponent, GuildID: "g1", ChannelID: "c1",
		Member:  &discordgo.Member{User: &discordgo.User{ID: "u1", Username: "reader"}},
		Message: &discordgo.Message{ID: "m1", ChannelID: "c1"},
		Data:    discordgo.MessageComponentInteractionData{CustomID: up, ComponentType: discordgo.ButtonComponent},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
		return r.Path == "/interactions/"+vote.ID+"/"+vote.Token+"/callback"
	}); err != nil {
		t.Fatalf("the vote was not answered: %v", err)
	}

	wants := []string{
		`citebot_questions_total{entry="slash",outcome="answered"} 1`,
		`citebot_answer_seconds_count 1`,
		`citebot_retrieval_seconds_count 1`,
		`citebot_answers_in_flight 0`,
		`citebot_articles 1`,
		`citebot_discord_gateway_connected 1`,
		`citebot_discord_requests_total{status="200"} `,
		`citebot_feedback_votes_total{vote="up"} 1`,
	}
	// The question is counted, and leaves the in-flight gauge, once the
	// final answer's request has returned to the bot, which may be after
	// the fake has seen it and the vote been answered: scrape until all
	// are there, or ctx ends.
	var body string
	scrape := time.NewTicker(20 * time.Millisecond)
	defer scrape.Stop()
	for {
		_, body = httpGet(t, base+"/metrics")
		if !slices.ContainsFunc(wants, func(w string) bool { return !strings.Contains(body, w) }) {
			break
		}
		select {
		case <-scrape.C:
			continue
		case <-ctx.Done():
		}
		break
	}
	for _, want := range wants {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(body, "u1") || strings.Contains(body, "g1") {
		t.Error("/metrics names a user or a server")
	}

	stop()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		}
	case <-ctx.Done():
		t.Fatal("serve did not shut down")
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("the endpoint still listens after serve stopped")
	}
	// The 9-day-old vote went at start; the new one is there.
	code, out, errOut := c.run("", "feedback", "--json")
	var votes []feedbackJSON
	if code != 0 || json.Unmarshal([]byte(out), &votes) != nil {
		t.Fatalf("feedback: exit %d %s %s", code, out, errOut)
	}
	var questions []string
	for _, v := range votes {
		questions = append(questions, v.Vote+" "+v.Question)
	}
	want := []string{"down What does a day pass cost?", "down What does a day pass cost?", "down Who won the cup final?", "up When was the trade agreement signed?"}
	if strings.Join(questions, "|") != strings.Join(want, "|") {
		t.Errorf("votes after serve: %q, want %q", questions, want)
	}
}

func TestServeRefusesBadOpsSettings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, value string }{
		{"CITEBOT_HTTP_ADDR", "9464"},
		{"CITEBOT_FEEDBACK_DAYS", "0"},
		{"CITEBOT_FEEDBACK_DAYS", "half a year"},
	} {
		c := newCLI(t)
		c.env["DISCORD_TOKEN"] = "t"
		c.env[tt.name] = tt.value
		if code, _, errOut := c.run("", "serve"); code != 2 || !strings.Contains(errOut, tt.name) {
			t.Errorf("%s=%q: exit %d, %q; want exit 2 naming it", tt.name, tt.value, code, errOut)
		}
	}
}

// Feed items ingested under serve count as source "feed".
func TestFeedIngestsAreCounted(t *testing.T) {
	t.Parallel()
	a := &app{metrics: metrics.New(nil, nil)}
	results := []struct {
		s   feed.Stored
		err error
	}{{feed.Stored{Status: retrieval.Added}, nil}, {feed.Stored{Status: retrieval.Unchanged}, nil}, {feed.Stored{}, errors.New("no text")}}
	n := 0
	ingest := countFeedIngests(a, func(context.Context, retrieval.Feed, feed.Item) (feed.Stored, error) {
		r := results[n]
		n++
		return r.s, r.err
	})
	for range results {
		ingest(t.Context(), retrieval.Feed{}, feed.Item{})
	}
	srv := httptest.NewServer(a.metrics.Handler())
	defer srv.Close()
	_, body := httpGet(t, srv.URL+"/metrics")
	for _, want := range []string{
		`citebot_ingests_total{outcome="added",source="feed"} 1`,
		`citebot_ingests_total{outcome="unchanged",source="feed"} 1`,
		`citebot_ingests_total{outcome="error",source="feed"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// The endpoint logs through serve's logger, in its format and at its level,
// not through the standard library's default one.
func TestOpsLogThroughServesLogger(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		level slog.Level
		want  bool
	}{{slog.LevelInfo, true}, {slog.LevelError, false}} {
		var buf bytes.Buffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tt.level}))
		o, err := opsFromEnv(func(k string) string { return map[string]string{envHTTPAddr: "127.0.0.1:0"}[k] }, log)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(o.metrics.Handler(o.metrics.GatewayCheck()))
		resp, err := srv.Client().Get(srv.URL + "/readyz")
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("/readyz without a gateway: %d, want 503", resp.StatusCode)
		}
		if got := strings.Contains(buf.String(), `msg="not ready"`); got != tt.want {
			t.Errorf("at level %v, the not-ready line in serve's log: %v, want %v (log %q)", tt.level, got, tt.want, buf.String())
		}
	}
}
