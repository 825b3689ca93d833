package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/internal/fakediscord"
)

func TestServeConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, want string
		env        map[string]string
	}{
		{"no token", "DISCORD_TOKEN", nil},
		{"bad refresh interval", "CITEBOT_REFRESH_INTERVAL", map[string]string{"DISCORD_TOKEN": "t", "CITEBOT_REFRESH_INTERVAL": "soon"}},
		{"bad message content switch", "CITEBOT_MESSAGE_CONTENT", map[string]string{"DISCORD_TOKEN": "t", "CITEBOT_MESSAGE_CONTENT": "maybe"}},
	} {
		c := newCLI(t)
		for k, v := range tt.env {
			c.env[k] = v
		}
		code, _, errOut := c.run("", "serve")
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 naming %s", tt.name, code, errOut, tt.want)
		}
	}
}

// TestServeMessageContentRefused: with CITEBOT_MESSAGE_CONTENT=1 for a
// bot whose application has not enabled the intent, Discord closes the
// gateway; serve fails saying what to enable or unset.
func TestServeMessageContentRefused(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(fakediscord.Options{Guilds: []string{"g1"}})
	t.Cleanup(fake.Close)
	c := newCLI(t)
	c.env["DISCORD_TOKEN"] = "test-token-not-secret"
	c.env["DISCORD_API_BASE"] = fake.URL
	c.env["CITEBOT_MESSAGE_CONTENT"] = "1"
	code, _, errOut := c.run("", "serve")
	if code != 1 || !strings.Contains(errOut, "Message Content Intent") || !strings.Contains(errOut, "or unset CITEBOT_MESSAGE_CONTENT") {
		t.Errorf("exit %d, stderr %q; want exit 1 saying to enable the intent or unset CITEBOT_MESSAGE_CONTENT", code, errOut)
	}
}

// citebot serve, wired as in production, answers /ask against the fake
// Discord from the shared articles, then shuts down when signalled.
func TestServeAnswersAsk(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(fakediscord.Options{Guilds: []string{"g1"}})
	t.Cleanup(fake.Close)
	c := newCLI(t)
	if code, _, errOut := c.run("", "ingest", filepath.Join(articlesDir, "trade-agreement-signing.txt")); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	c.env["DISCORD_TOKEN"] = "test-token-not-secret"
	c.env["DISCORD_API_BASE"] = fake.URL
	c.env["CITEBOT_REFRESH_INTERVAL"] = "10ms"

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stop, done, stderr := c.serve(ctx)

	if _, err := fake.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
		return r.Method == "PUT" && strings.HasSuffix(r.Path, "/commands")
	}); err != nil {
		t.Fatalf("commands not registered: %v", err)
	}
	asks := 0
	ask := func(question string) string {
		t.Helper()
		asks++ // a new user each time: the per-user rate limit stays out of it
		content, _ := askOver(t, ctx, fake, "g1", fmt.Sprint("u", asks), question)
		return content
	}
	if got := ask("When was the trade agreement signed?"); !strings.Contains(got, "March 14, 2025") || !strings.Contains(got, "[1]") {
		t.Errorf("answer %q lacks the date and its citation", got)
	}

	// citebot ingest, run beside the bot on the same data directory: the
	// bot finds the new article once its refresh has run.
	if code, _, errOut := c.run("", "ingest", filepath.Join(articlesDir, "carson-ridge-wildfire.txt")); code != 0 {
		t.Fatalf("ingest beside serve: %s", errOut)
	}
	for n := 0; ; n++ {
		got := ask("What started the fire near Carson Ridge?")
		if strings.Contains(got, "[1]") {
			break
		}
		if n == 50 {
			t.Fatalf("the bot never found the article ingested beside it: %q", got)
		}
	}
	if v := fake.Violations(); len(v) > 0 {
		t.Errorf("the fake saw broken rules: %q", v)
	}

	stop()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after SIGTERM-like cancel: %s", code, stderr.String())
		}
	case <-ctx.Done():
		t.Fatal("serve did not shut down")
	}
	if strings.Contains(stderr.String(), "test-token-not-secret") {
		t.Error("the token was logged")
	}
}

// askOver asks question with /ask in guild through the fake Discord and
// waits for the final answer: its content and the interaction's token.
func askOver(t *testing.T, ctx context.Context, fake *fakediscord.Server, guild, user, question string) (content, token string) {
	t.Helper()
	i, err := fake.Interact(ctx, &discordgo.Interaction{
		Type:      discordgo.InteractionApplicationCommand,
		GuildID:   guild,
		ChannelID: "c1",
		Member:    &discordgo.Member{User: &discordgo.User{ID: user, Username: "reader"}, Permissions: discordgo.PermissionSendMessages},
		Data: discordgo.ApplicationCommandInteractionData{ID: "cmd-ask", Name: "ask", CommandType: discordgo.ChatApplicationCommand,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: question}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Content string `json:"content"`
	}
	_, err = fake.WaitRequest(ctx, func(r fakediscord.Request) bool {
		// The final edit: not one of the streamed ones, which end in "…".
		return r.Method == "PATCH" && r.Path == "/webhooks/"+i.AppID+"/"+i.Token+"/messages/@original" &&
			r.Status == 200 && json.Unmarshal(r.Body, &msg) == nil && !strings.HasSuffix(msg.Content, "…")
	})
	if err != nil {
		t.Fatalf("no final answer to %q: %v", question, err)
	}
	return msg.Content, i.Token
}

func TestServingGC(t *testing.T) {
	t.Parallel()
	unset := func(string) (string, bool) { return "", false }
	set := func(k string) (string, bool) { return "200", k == "GOGC" }
	for _, tt := range []struct {
		args   []string
		lookup func(string) (string, bool)
		want   int
		ok     bool
	}{
		{[]string{"serve"}, unset, servingGCPercent, true},
		{[]string{"eval", "qa.jsonl"}, unset, servingGCPercent, true},
		{[]string{"serve"}, set, 0, false}, // the operator's GOGC stands
		{[]string{"ask", "why?"}, unset, 0, false},
		{nil, unset, 0, false},
	} {
		if got, ok := servingGC(tt.args, tt.lookup); got != tt.want || ok != tt.ok {
			t.Errorf("servingGC(%q) = %d, %v; want %d, %v", tt.args, got, ok, tt.want, tt.ok)
		}
	}
}
