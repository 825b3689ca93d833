package fakediscord

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// TestMessageContentIntent: as on Discord, a client without the Message
// Content intent gets a server's messages without their text, except a
// message that mentions the bot, one the bot sent and a direct message;
// a client with it gets every text.
func TestMessageContentIntent(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		intents discordgo.Intent
		want    []string
	}{
		{"without the intent", discordgo.IntentsAllWithoutPrivileged, []string{"", "mentions the bot", "sent by the bot", "a direct message"}},
		{"with the intent", discordgo.IntentsAllWithoutPrivileged | discordgo.IntentsMessageContent,
			[]string{"in a server", "mentions the bot", "sent by the bot", "a direct message"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			fake := New(Options{Guilds: []string{"g1"}, PrivilegedIntents: discordgo.IntentsMessageContent})
			defer fake.Close()
			c := connect(t, fake, 0, 1, tt.intents)
			user, bot := &discordgo.User{ID: "u1"}, fake.BotUser()
			for _, m := range []*discordgo.Message{
				{GuildID: "g1", ChannelID: "c1", Author: user, Content: "in a server"},
				{GuildID: "g1", ChannelID: "c1", Author: user, Content: "mentions the bot", Mentions: []*discordgo.User{bot}},
				{GuildID: "g1", ChannelID: "c1", Author: bot, Content: "sent by the bot"},
				{ChannelID: "dm", Author: user, Content: "a direct message"},
			} {
				if _, err := fake.PostMessage(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			for i, want := range tt.want {
				if got := next(t, ctx, c.msgs, "MESSAGE_CREATE"); got != want {
					t.Errorf("message %d arrived as %q, want %q", i, got, want)
				}
			}
		})
	}
}

// TestMessageContentOverREST: messages fetched over REST, and the
// message a fetched reply refers to, come without their text when the
// application has not enabled the Message Content intent, with the same
// exceptions as over the gateway.
func TestMessageContentOverREST(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		enabled discordgo.Intent
		want    []string
	}{
		{"not enabled", 0, []string{"", "mentions the bot", "sent by the bot", "a direct message"}},
		{"enabled", discordgo.IntentsMessageContent, []string{"in a server", "mentions the bot", "sent by the bot", "a direct message"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := New(Options{Guilds: []string{"g1"}, PrivilegedIntents: tt.enabled})
			defer fake.Close()
			user, bot := &discordgo.User{ID: "u1"}, fake.BotUser()
			var ids []string
			for _, m := range []*discordgo.Message{
				{GuildID: "g1", ChannelID: "c1", Author: user, Content: "in a server"},
				{GuildID: "g1", ChannelID: "c1", Author: user, Content: "mentions the bot", Mentions: []*discordgo.User{bot}},
				{GuildID: "g1", ChannelID: "c1", Author: bot, Content: "sent by the bot"},
				{ChannelID: "dm", Author: user, Content: "a direct message"},
			} {
				ids = append(ids, fake.StoreMessage(m).ID)
			}
			reply := fake.StoreMessage(&discordgo.Message{GuildID: "g1", ChannelID: "c1", Author: bot, Content: "a reply",
				MessageReference: &discordgo.MessageReference{MessageID: ids[0], ChannelID: "c1"}})
			s, err := discordgo.New("Bot rest-token")
			if err != nil {
				t.Fatal(err)
			}
			base, _ := url.Parse(fake.URL)
			s.Client = &http.Client{Transport: redirect{base}}
			for i, id := range ids {
				channel := "c1"
				if i == 3 {
					channel = "dm"
				}
				m, err := s.ChannelMessage(channel, id)
				if err != nil {
					t.Fatal(err)
				}
				if m.Content != tt.want[i] {
					t.Errorf("message %d fetched as %q, want %q", i, m.Content, tt.want[i])
				}
			}
			m, err := s.ChannelMessage("c1", reply.ID)
			if err != nil {
				t.Fatal(err)
			}
			if m.Content != "a reply" || m.ReferencedMessage == nil || m.ReferencedMessage.Content != tt.want[0] {
				t.Errorf("reply fetched as %+v, want its text and the referenced message's %q", m, tt.want[0])
			}
		})
	}
}

// TestDisallowedIntentClosesTheGateway: an IDENTIFY asking for a
// privileged intent the application has not enabled is closed with 4014.
func TestDisallowedIntentClosesTheGateway(t *testing.T) {
	t.Parallel()
	fake := New(Options{})
	defer fake.Close()
	s, err := discordgo.New("Bot intents-token")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(fake.URL)
	s.Client = &http.Client{Transport: redirect{base}}
	s.ShouldReconnectOnError = false
	s.LogLevel = -1
	s.Identify.Intents = discordgo.IntentsAllWithoutPrivileged | discordgo.IntentsMessageContent
	err = s.Open()
	defer s.Close()
	var closed *websocket.CloseError
	if !errors.As(err, &closed) || closed.Code != 4014 {
		t.Fatalf("Open: %v, want the gateway closed with 4014", err)
	}
}
