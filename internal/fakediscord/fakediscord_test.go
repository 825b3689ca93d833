package fakediscord

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// TestChecksEveryMessage proves the fake refuses what Discord would
// refuse or what could ping, so bot tests that pass mean something.
func TestChecksEveryMessage(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	defer s.Close()
	tests := []struct {
		name, body string
		status     int
		violation  string
	}{
		{name: "no allowed mentions", body: `{"content":"hi @everyone"}`, status: 400, violation: "allowed_mentions missing"},
		{name: "parse everyone", body: `{"content":"hi","allowed_mentions":{"parse":["everyone"]}}`, status: 400, violation: "allowed_mentions.parse"},
		{name: "pings the replied user", body: `{"content":"hi","allowed_mentions":{"parse":[],"replied_user":true}}`, status: 400, violation: "allows pings"},
		{name: "too long", body: `{"content":"` + strings.Repeat("x", 2001) + `","allowed_mentions":{"parse":[]}}`, status: 400, violation: "over 2000"},
		{name: "rate limited once", body: `{"content":"hi","allowed_mentions":{"parse":[]}}`, status: 429},
		{name: "fine", body: `{"content":"hi","allowed_mentions":{"parse":[]}}`, status: 200},
	}
	for _, tt := range tests {
		if tt.status == 429 {
			s.RateLimitOnce("POST", "/channels/")
		}
		resp, err := http.Post(s.URL+"/api/v9/channels/5/messages", "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
		v := s.Violations()
		if tt.violation != "" && (len(v) == 0 || !strings.Contains(v[len(v)-1], tt.violation)) {
			t.Errorf("%s: violations %q, want one about %q", tt.name, v, tt.violation)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rs, err := s.WaitRequests(ctx, len(tests), func(r Request) bool { return r.Path == "/channels/5/messages" })
	if err != nil {
		t.Fatal(err)
	}
	if rs[len(rs)-1].Status != 200 {
		t.Errorf("last request recorded with status %d", rs[len(rs)-1].Status)
	}
}

// TestListMessagesAfter: GET /channels/{id}/messages?after= answers the
// channel's oldest messages after the ID, newest first as Discord does,
// with their components, through discordgo's own call.
func TestListMessagesAfter(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fake := New(Options{Guilds: []string{"g1"}, PrivilegedIntents: discordgo.IntentsMessageContent})
	defer fake.Close()
	c := connect(t, fake, 0, 1, discordgo.IntentsAllWithoutPrivileged|discordgo.IntentsMessageContent)
	var ids []string
	for i, m := range []*discordgo.Message{
		{ChannelID: "c1", Content: "zero"},
		{ChannelID: "c1", Content: "one"},
		{ChannelID: "other", Content: "elsewhere"},
		{ChannelID: "c1", Content: "two", Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{CustomID: "vote", Label: "vote", Style: discordgo.PrimaryButton}}}}},
		{ChannelID: "c1", Content: "three"},
	} {
		m.GuildID, m.Author = "g1", &discordgo.User{ID: fmt.Sprint("u", i)}
		posted, err := fake.PostMessage(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, posted.ID)
	}
	got, err := c.s.ChannelMessages("c1", 2, "", ids[0], "", discordgo.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	var contents []string
	for _, m := range got {
		contents = append(contents, m.Content)
	}
	if !slices.Equal(contents, []string{"two", "one"}) {
		t.Fatalf("messages after the first, 2 at most: %q, want [two one]", contents)
	}
	if len(got[0].Components) != 1 {
		t.Errorf("the message with a button came back with %d components", len(got[0].Components))
	}
}
