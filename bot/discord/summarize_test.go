package discord

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/retrieval"
)

func TestSummarizeWithAutocomplete(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	own := h.ingestArticle(retrieval.GuildScope("g1"), "Harbour dredging approved", "Port Gazette", "https://news.example/dredging",
		"The council approved dredging the harbour on Tuesday.", "Work starts in May and ends before the autumn storms.", "The cost is shared with the port authority.")
	h.ingestArticle(retrieval.SharedScope, "Harbour history", "", "", "The harbour was first dredged in 1921.")
	other := h.ingestArticle(retrieval.GuildScope("g2"), "Harbour secret plan", "", "", "Another server's harbour plan.")

	// Autocomplete offers what this server sees: its own and shared
	// articles, not another server's.
	auto := h.interact(&discordgo.Interaction{
		Type: discordgo.InteractionApplicationCommandAutocomplete, GuildID: "g1", ChannelID: "c-g1", Member: plainMember("u1"),
		Data: discordgo.ApplicationCommandInteractionData{Name: "summarize", Options: []*discordgo.ApplicationCommandInteractionDataOption{
			{Name: "article", Type: discordgo.ApplicationCommandOptionString, Value: "harbour", Focused: true},
		}},
	})
	cb := callback(t, h.wait(callbackOf(auto)))
	var names []string
	for _, c := range cb.Data.Choices {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, "|"); len(names) != 2 || !strings.Contains(got, "Harbour dredging approved — Port Gazette") || !strings.Contains(got, "Harbour history") {
		t.Errorf("autocomplete offered %q, want this server's and the shared article", got)
	}

	i := h.interact(slash("g1", plainMember("u1"), "summarize", strOpt("article", own.ID)))
	if cb := callback(t, h.wait(callbackOf(i))); cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("summarize was not deferred: %+v", cb)
	}
	m := body(t, h.wait(editsOf(i)))
	if !strings.HasPrefix(m.Content, "- The council approved dredging the harbour on Tuesday. [1]") || strings.Count(m.Content, "- ") != 3 {
		t.Errorf("summary %q, want the article's three lead sentences as cited bullets", m.Content)
	}
	if len(m.Embeds) != 1 || !strings.Contains(m.Embeds[0].Description, "Harbour dredging approved") {
		t.Errorf("sources %+v", m.Embeds)
	}

	// Another server's article is not found here.
	j := h.interact(slash("g1", plainMember("u1"), "summarize", strOpt("article", other.ID)))
	h.wait(callbackOf(j))
	if m := body(t, h.wait(editsOf(j))); !strings.Contains(m.Content, fmt.Sprintf("No article with ID %s here.", other.ID)) {
		t.Errorf("another server's article: %q", m.Content)
	}
}
