package discord

// Hostile and broken input through the Discord frontend: what the core's
// own hostile-input tests (bot/hostile_test.go) cannot see — unknown
// options and components, and code fences and markup in an answer.

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/retrieval"
)

// TestUnknownOptionsAndComponentsAreHarmless sends interactions the bot
// did not register — unknown options, options of the wrong type, unknown
// buttons and autocompletes — and checks each gets a short ephemeral
// answer or is ignored, and that the bot keeps answering afterwards.
func TestUnknownOptionsAndComponentsAreHarmless(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.answerer.auto = func(string, []retrieval.Passage) string { return "At seven [1]." }
	h.ingestArticle(retrieval.SharedScope, "Ferry timetable", "", "", "The island ferry leaves the harbour at seven every morning.")
	intOpt := func(name string, v float64) *discordgo.ApplicationCommandInteractionDataOption {
		return &discordgo.ApplicationCommandInteractionDataOption{Name: name, Type: discordgo.ApplicationCommandOptionInteger, Value: v}
	}
	for _, tt := range []struct {
		name string
		i    *discordgo.Interaction
		want string
	}{
		{"ask with an unknown option", slash("g1", plainMember("u1"), "ask", strOpt("query", "When does the ferry leave?")), helpText},
		{"ask with a number for the question", slash("g1", plainMember("u1"), "ask", intOpt("question", 42)), helpText},
		{"ingest with an unknown option", slash("g1", manager("m1"), "ingest", strOpt("link", "https://example.com/")), "Give exactly one of"},
		{"ingest with two sources", slash("g1", manager("m1"), "ingest", strOpt("text", "Some text."), strOpt("url", "https://example.com/")), "Give exactly one of"},
		{"forget with no article", slash("g1", manager("m1"), "forget"), ""},
	} {
		i := h.interact(tt.i)
		cb := callback(t, h.wait(callbackOf(i)))
		if tt.want == "" {
			// Any short reply will do, as long as it is one and the bot lives.
			continue
		}
		if cb.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(cb.Data.Content, tt.want) {
			t.Errorf("%s: %+v, want an ephemeral %q", tt.name, cb, tt.want)
		}
	}
	// Handled without a reply: an unknown button and an autocomplete for
	// a command that has none. Called directly so the test knows they are
	// done; then the bot still answers.
	before := len(h.fake.Requests())
	for _, i := range []*discordgo.Interaction{
		{ID: "x1", Type: discordgo.InteractionMessageComponent, GuildID: "g1", ChannelID: "c-g1", Member: plainMember("u1"),
			Message: &discordgo.Message{ID: "m", ChannelID: "c-g1"}, Data: discordgo.MessageComponentInteractionData{CustomID: "self-destruct", ComponentType: discordgo.ButtonComponent}},
		{ID: "x2", Type: discordgo.InteractionApplicationCommandAutocomplete, GuildID: "g1", ChannelID: "c-g1", Member: plainMember("u1"),
			Data: discordgo.ApplicationCommandInteractionData{Name: "ask", Options: []*discordgo.ApplicationCommandInteractionDataOption{{Name: "question", Type: discordgo.ApplicationCommandOptionString, Value: "fer", Focused: true}}}},
	} {
		h.d.onInteraction(h.d.session, &discordgo.InteractionCreate{Interaction: i})
	}
	if reqs := h.fake.Requests(); len(reqs) != before {
		t.Errorf("unknown interactions caused requests: %s", describe(reqs[before:]))
	}
	i := h.interact(ask("g1", "u9", "When does the island ferry leave the harbour?"))
	if got := body(t, h.wait(editsOf(i))).Content; got != askedAs("When does the island ferry leave the harbour?", "At seven [1].") {
		t.Errorf("after the unknown interactions the bot answered %q", got)
	}
}

// TestMarkupArticleIsAnsweredHarmlessly ingests, through /ingest, an
// article full of Discord and Markdown markup — mass mentions, user and
// role mentions, links, code fences — and asks about it: the answer that
// quotes it is sent with no mention allowed (checked on every request at
// cleanup by assertNoPings) and with its code fences closed in every part.
func TestMarkupArticleIsAnsweredHarmlessly(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	text := "@everyone @here <@123> <@&456> <#789> read [the notice](https://evil.example/x \"t\") now.\n\n" +
		"```\nrm -rf / @everyone\n```\n\nThe evacuation notice says the residents of Millbrook must leave by noon. ||spoiler|| ~~struck~~ # not a heading"
	i := h.interact(slash("g1", manager("m1"), "ingest", strOpt("title", "@everyone <@123> notice"), strOpt("text", text)))
	if got := body(t, h.wait(editsOf(i))).Content; !strings.Contains(got, "Added") {
		t.Fatalf("ingest report %q", got)
	}
	h.answerer.auto = func(_ string, ps []retrieval.Passage) string {
		return ps[0].Text + " [1]\n\n```\nunclosed fence from the model @everyone"
	}
	q := h.interact(ask("g1", "u1", "What does the evacuation notice say the residents of Millbrook must do?"))
	final := body(t, h.wait(editsOf(q)))
	if !strings.Contains(final.Content, "@everyone") || len(final.Embeds) != 1 {
		t.Fatalf("answer %+v, want the quoted text and its sources", final)
	}
	if n := strings.Count(final.Content, "```"); n%2 != 0 {
		t.Errorf("the answer leaves a code fence open (%d fences):\n%s", n, final.Content)
	}
}

func TestFenceLeftOpen(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		text string
		open bool
	}{
		{"plain text", false},
		{"```\ncode", true},
		{"```go\ncode\n```", false},
		{"```go\ncode\n```\n", false},
		{"```\na\n```\n\n```\nb", true},
		{"text with ```inline``` fences", false},
		{"```", true},
		{"before\n  ```\nindented fence", true},
		{"``` one-line block ```\n\ntext", false},
		{"``` one-line block ```\n\n```\nopened by the model", true},
	} {
		if got := fenceLeftOpen(tt.text); got != tt.open {
			t.Errorf("fenceLeftOpen(%q) = %v, want %v", tt.text, got, tt.open)
		}
		if tt.open {
			if fixed := tt.text + closeFence; fenceLeftOpen(fixed) {
				t.Errorf("%q is still open after closing", fixed)
			}
		}
	}
}
