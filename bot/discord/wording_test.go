package discord

// What people read: refusals and reports in plain sentences, sizes in
// units people use, names from outside shown as text.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/ingest/feed"
	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/retrieval"
)

// TestIngestFileRefusalsReadAsText sends files /ingest refuses and checks
// the report word for word: sizes in units, the file's name as text (no
// Go quoting, Markdown escaped, links and mentions neutralised).
func TestIngestFileRefusalsReadAsText(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{}) // the default limit, 8 MiB
	small := h.fake.AddFile("notes.txt", []byte("Notes\n\nThe harbour bridge reopened on Monday."))
	big := h.fake.AddFile("big.txt", []byte(strings.Repeat("x", 9<<20)))
	for n, tt := range []struct {
		name, url, filename string
		size                int
		want                string
	}{
		{name: "too large", url: small, filename: "notes.txt", size: 9 << 20,
			want: "I couldn't add that. That file is too large (9 MiB; the limit is 8 MiB)."},
		{name: "a little too large", url: small, filename: "notes.txt", size: 8<<20 + 1,
			want: "I couldn't add that. That file is too large (8,388,609 bytes; the limit is 8,388,608 bytes)."},
		{name: "larger than it said", url: big, filename: "big.txt", size: 10,
			want: "I couldn't add that. That file is too large (the limit is 8 MiB)."},
		{name: "quotes and a role mention", url: small, filename: `say "hi" <@&1>.docx`, size: 10,
			want: `I couldn't add that. I can read .txt, .md and .html files, not “say "hi" \<@&1\>.docx”.`},
		{name: "markup, a link and everyone", url: small, filename: "**[notice](https://evil.example/x)** @everyone.exe", size: 10,
			want: "I couldn't add that. I can read .txt, .md and .html files, not “\\*\\*\\[notice\\]\\(https:\\//evil.example/x\\)\\*\\* @\u200beveryone.exe”."},
		{name: "not on Discord", url: "https://evil.example/notes.txt", filename: "notes.txt", size: 10,
			want: "I couldn't add that. That file is not on Discord's servers."},
	} {
		att := &discordgo.MessageAttachment{ID: fmt.Sprint("att", n), URL: tt.url, Filename: tt.filename, Size: tt.size}
		i := h.interact(ingestFile("g1", manager("m1"), att))
		if got := body(t, h.wait(editsOf(i))).Content; got != tt.want {
			t.Errorf("%s: report\n%q, want\n%q", tt.name, got, tt.want)
		}
	}
}

// fetchFails is a Fetcher that refuses non-web links as ingest's does and
// fails to fetch anything else.
type fetchFails struct{}

func (fetchFails) Fetch(ctx context.Context, raw string) (ingest.Article, error) {
	if !strings.HasPrefix(raw, "https://") {
		return ingest.NewFetcher(ingest.FetchOptions{}).Fetch(ctx, raw)
	}
	return ingest.Article{}, errors.New("connection reset by peer")
}

// forgetFails is a Service that cannot forget.
type forgetFails struct{ Service }

func (forgetFails) Forget(context.Context, string, string) error { return errors.New("disk I/O error") }

// unfollowFails is a FeedService that cannot unfollow.
type unfollowFails struct{ err error }

func (unfollowFails) Follow(context.Context, string, string, string) (retrieval.Feed, bool, error) {
	return retrieval.Feed{}, false, errors.New("not in this test")
}
func (f unfollowFails) Unfollow(context.Context, string, int64) error { return f.err }
func (unfollowFails) Feeds(context.Context, string) ([]retrieval.Feed, error) {
	return nil, nil
}
func (unfollowFails) Run(ctx context.Context, _ <-chan time.Time, _ func(feed.Report)) { <-ctx.Done() }

// TestFailuresReadAsSentences: what failed, then why, each a sentence.
func TestFailuresReadAsSentences(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{}, func(d *Deps) {
		d.Fetcher, d.Service = fetchFails{}, forgetFails{d.Service}
		d.Feeds = unfollowFails{err: errors.New("database is locked")}
	})
	res := h.ingestArticle(retrieval.GuildScope("g1"), "Council notice", "", "", "The council meets on Monday.")
	generic := "Something went wrong on my side; the details are in the bot's log."
	for _, tt := range []struct {
		name string
		i    *discordgo.Interaction
		want string
	}{
		{"not a web link", slash("g1", manager("m1"), "ingest", strOpt("url", "ftp://example.com/a.txt")),
			"I couldn't add that. That doesn't look like a web link: only http:// and https:// addresses can be ingested."},
		{"fetch failed", slash("g1", manager("m1"), "ingest", strOpt("url", "https://example.com/news")), "I couldn't add that. " + generic},
		{"empty text", slash("g1", manager("m1"), "ingest", strOpt("text", "   ")), "I couldn't add that. The text is empty."},
		{"forget failed", slash("g1", manager("m1"), "forget", strOpt("article", res.ID)), "I couldn't remove it. " + generic},
		{"unfollow failed", slash("g1", manager("m1"), "unfollow", strOpt("feed", "7")), "I couldn't unfollow it. " + generic},
	} {
		i := h.interact(tt.i)
		cb := callback(t, h.wait(callbackOf(i)))
		got := cb.Data.Content
		if cb.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource {
			got = body(t, h.wait(editsOf(i))).Content
		}
		if got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestByteSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{
		0: "0 bytes", 1: "1 byte", 1000: "1,000 bytes", 1023: "1,023 bytes", 1024: "1 KiB", 1536: "1.5 KiB",
		5000: "4.9 KiB", 8 << 20: "8 MiB", 9437184: "9 MiB", 10<<20 + 1<<19: "10.5 MiB", 3 << 30: "3 GiB",
	} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestNoArticlesAnswerSpeaksDiscord: with nothing to search, the answer
// tells Discord users what they can do, not which CLI command to run, and
// carries no vote buttons.
func TestNoArticlesAnswerSpeaksDiscord(t *testing.T) {
	t.Parallel()
	fb := openFeedbackStore(t)
	h := newHarness(t, Config{}, func(d *Deps) { d.Feedback = fb })
	botUser := h.fake.BotUser()
	for _, tt := range []struct {
		name string
		ask  func() fakediscord.Request // asks, and returns the answer's final edit
		want string
	}{
		{"slash in a server", func() fakediscord.Request {
			return h.wait(editsOf(h.interact(ask("g2", "u1", "When does the ferry leave?"))))
		},
			askedAs("When does the ferry leave?", "There are no articles to search in this server yet. A server manager can add some with /ingest.")},
		{"slash in a DM", func() fakediscord.Request {
			return h.wait(editsOf(h.interact(ask("", "u2", "When does the ferry leave?"))))
		},
			askedAs("When does the ferry leave?", "There are no shared articles to search yet. In a server, I also answer from the articles it has added.")},
		{"mention in a server", func() fakediscord.Request {
			h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u3"}, Content: "<@" + botUser.ID + "> when does the ferry leave?", Mentions: []*discordgo.User{botUser}})
			return h.wait(editsIn("c-g1"))
		}, "There are no articles to search in this server yet. A server manager can add some with /ingest."},
	} {
		final := tt.ask()
		if got := body(t, final).Content; got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
		if ids := componentIDs(t, final); len(ids) != 0 {
			t.Errorf("%s: the answer carries buttons %q", tt.name, ids)
		}
	}
}

// TestQuestionsWithoutWordsAreRefused: custom emoji, mentions and emoji
// alone are no question; the bot asks for one in words — privately for
// /ask, like its other refusals of a question — instead of searching.
func TestQuestionsWithoutWordsAreRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{QuestionsPerMinute: -1})
	h.answerer.auto = func(string, []retrieval.Passage) string { return "The council approved the budget [1]." }
	h.ingestArticle(retrieval.GuildScope("g1"), "Council budget", "", "", "The council approved the budget for the thinking park on Monday.")
	botUser := h.fake.BotUser()
	for n, q := range []string{
		"<:thinking:123456789012345678>",
		"<a:party:123456789012345678> <:thinking:123456789012345678>?",
		"<@111111111111111111>",
		"<@!111111111111111111> <@&222222222222222222> <#333333333333333333>",
		"@everyone @here",
		"<t:1700000000:R> </ask:444444444444444444>",
		"🤔🤔",
	} {
		i := h.interact(ask("g1", "u1", q))
		if cb := callback(t, h.wait(callbackOf(i))); cb.Type != discordgo.InteractionResponseChannelMessageWithSource ||
			cb.Data.Flags != discordgo.MessageFlagsEphemeral || cb.Data.Content != askInWordsText {
			t.Errorf("/ask %q: %+v, want an ephemeral %q", q, cb, askInWordsText)
		}
		channel := fmt.Sprint("words-", n)
		h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: &discordgo.User{ID: "u2"}, Content: "<@" + botUser.ID + "> " + q, Mentions: []*discordgo.User{botUser}})
		if got := body(t, h.wait(sendsTo(channel))).Content; got != askInWordsText {
			t.Errorf("mention %q: %q, want %q", q, got, askInWordsText)
		}
	}
	// Words beside the markup make a question.
	i := h.interact(ask("g1", "u1", "<@111111111111111111> what did the council approve for the thinking park?"))
	if got := body(t, h.wait(editsOf(i))).Content; got != askedAs(`\<@111111111111111111\> what did the council approve for the thinking park?`, "The council approved the budget [1].") {
		t.Errorf("a question with a mention in it got %q", got)
	}
}

// TestRefusalsSayWhatIsTrue: the length refusal names the bound that is
// accepted, the permission refusal names the manager role only when
// there is one, /forget shows an unknown ID as typed (inline code needs
// no escapes), and the help in a DM speaks of the shared articles.
func TestRefusalsSayWhatIsTrue(t *testing.T) {
	t.Parallel()
	plain := newHarness(t, Config{})
	plain.answerer.auto = func(string, []retrieval.Passage) string { return "Because [1]." }
	withRole := newHarness(t, Config{ManagerRole: "role-editors"})
	text := strOpt("text", "The library extends its opening hours to nine in the evening.")
	for _, tt := range []struct {
		name string
		h    *harness
		i    *discordgo.Interaction
		want string
	}{
		{"no manager role", plain, slash("g1", plainMember("u1"), "ingest", text), "Only members with Manage Server can add articles."},
		{"a manager role", withRole, slash("g1", plainMember("u1"), "ingest", text), "Only members with Manage Server or the manager role can add articles."},
		{"forget an unknown ID", plain, slash("g1", manager("m1"), "forget", strOpt("article", "my_old_article")),
			"This server has no article `my_old_article`; `/sources` lists them."},
		{"forget an ID with backticks", plain, slash("g1", manager("m1"), "forget", strOpt("article", "`**x**`")),
			"This server has no article `**x**`; `/sources` lists them."},
		{"forget nothing", plain, slash("g1", manager("m1"), "forget", strOpt("article", " ")), "Pick an article to remove (start typing its title)."},
		{"help in a server", plain, ask("g1", "u1", " "), helpText},
		{"help in a DM", plain, ask("", "u1", " "),
			"Ask me about the shared articles: send me a question, reply to one of my answers to follow up, or use `/ask`. `/sources` lists the articles."},
	} {
		cb := callback(t, tt.h.wait(callbackOf(tt.h.interact(tt.i))))
		if cb.Data.Content != tt.want || cb.Data.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("%s: %q (flags %d), want an ephemeral %q", tt.name, cb.Data.Content, cb.Data.Flags, tt.want)
		}
	}

	// A question of exactly bot.MaxQuestionRunes characters is taken; one
	// more is refused, naming the bound as taken.
	botUser := plain.fake.BotUser()
	mention := func(channel, q string) {
		plain.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: &discordgo.User{ID: "u2"}, Content: "<@" + botUser.ID + "> " + q, Mentions: []*discordgo.User{botUser}})
	}
	mention("long", strings.Repeat("why ", 250)+"x")
	if got, want := body(t, plain.wait(sendsTo("long"))).Content, "That question is too long (1,001 characters); please keep it to at most 1,000 characters."; got != want {
		t.Errorf("a question of 1,001 characters: %q, want %q", got, want)
	}
	mention("at-most", strings.Repeat("why ", 250))
	if got := body(t, plain.wait(sendsTo("at-most"))).Content; got != lookingText {
		t.Errorf("a question of 1,000 characters: %q, want it answered", got)
	}
}
