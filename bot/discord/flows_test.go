package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/internal/testweb"
	"github.com/citebot/citebot/retrieval"
)

func TestRegistersCommandsAndIntents(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, devGuild, path string
	}{
		{name: "global", path: "/applications/800/commands"},
		{name: "dev guild", devGuild: "g1", path: "/applications/800/guilds/g1/commands"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{DevGuild: tt.devGuild})
			puts := h.waitN(1, func(r fakediscord.Request) bool { return r.Method == "PUT" })
			if puts[0].Path != tt.path {
				t.Fatalf("commands registered at %s, want %s", puts[0].Path, tt.path)
			}
			var cmds []discordgo.ApplicationCommand
			if err := json.Unmarshal(puts[0].Body, &cmds); err != nil {
				t.Fatal(err)
			}
			perms := map[string]string{}
			for _, c := range cmds {
				p := "everyone"
				if c.DefaultMemberPermissions != nil {
					p = fmt.Sprint(*c.DefaultMemberPermissions)
				}
				perms[c.Name] = p
			}
			want := map[string]string{"ask": "everyone", "sources": "everyone", "summarize": "everyone", "ingest": "32", "forget": "32",
				"follow": "32", "unfollow": "32", "feeds": "everyone"}
			if fmt.Sprint(perms) != fmt.Sprint(want) {
				t.Errorf("commands and default permissions = %v, want %v", perms, want)
			}
			if n := len(h.fake.Requests()); n != 2 { // gateway + the one bulk overwrite
				t.Errorf("%d REST requests at start-up, want 2: %s", n, describe(h.fake.Requests()))
			}
			id, err := h.fake.WaitReady(h.ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantIntents := discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
			if id.Intents != wantIntents {
				t.Errorf("intents = %d, want %d (no privileged message content)", id.Intents, wantIntents)
			}
		})
	}
}

func TestAskStreamsThrottledEditsThenAnswerWithSources(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.ingestArticle(retrieval.GuildScope("g1"), "Transit strike ends", "Riverton Post", "https://news.example/strike (2)",
		"The transit strike in Riverton ended on Tuesday after workers accepted a new contract.")

	i := h.interact(ask("g1", "u1", "When did the transit strike end?"))
	// Deferred at once, before the answer exists.
	cb := callback(t, h.wait(callbackOf(i)))
	if cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("first response type %d, want a deferral", cb.Type)
	}
	call := h.nextCall()
	call.OnDelta("The strike ended")
	h.tick()
	edits := h.waitN(1, editsOf(i))
	if got := body(t, edits[0]).Content; got != askedAs("When did the transit strike end?", "The strike ended …") {
		t.Errorf("first streamed edit = %q", got)
	}
	// Several deltas between two ticks make one edit.
	call.OnDelta(" on Tuesday")
	call.OnDelta(" [1].")
	h.tick()
	edits = h.waitN(2, editsOf(i))
	if got := body(t, edits[1]).Content; got != askedAs("When did the transit strike end?", "The strike ended on Tuesday [1]. …") {
		t.Errorf("second streamed edit = %q", got)
	}
	h.tick() // nothing new: no edit
	call.Result <- "The strike ended on Tuesday [1]."
	edits = h.waitN(3, editsOf(i))
	final := body(t, edits[2])
	if final.Content != askedAs("When did the transit strike end?", "The strike ended on Tuesday [1].") {
		t.Errorf("final content = %q", final.Content)
	}
	if len(final.Embeds) != 1 || final.Embeds[0].Title != "Sources" {
		t.Fatalf("final embeds = %+v, want one Sources embed", final.Embeds)
	}
	wantSource := "**[1]** [Transit strike ends](https://news.example/strike%20%282%29) — *Riverton Post*"
	if got := final.Embeds[0].Description; got != wantSource {
		t.Errorf("sources = %q, want %q", got, wantSource)
	}
	h.shutdown()
	if n := len(h.fake.Requests()); n != 2+1+3 {
		t.Errorf("%d requests, want start-up 2, deferral 1 and exactly 3 edits: %s", n, describe(h.fake.Requests()))
	}
}

func TestMentionReplyAndFollowUpsCarryHistory(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.ingestArticle(retrieval.GuildScope("g1"), "Smoke advisory", "", "",
		"A wildfire smoke advisory covers the valley until Friday. Schools keep children inside during recess.")
	botUser := h.fake.BotUser()
	user := &discordgo.User{ID: "u7", Username: "reader"}

	// 1: a mention in a thread channel.
	q1 := h.post(&discordgo.Message{ChannelID: "thread-1", GuildID: "g1", Author: user, Content: "<@" + botUser.ID + "> how long does the smoke advisory cover the valley?", Mentions: []*discordgo.User{botUser}})
	call := h.nextCall()
	if call.Question != "how long does the smoke advisory cover the valley?" || len(call.History) != 0 {
		t.Fatalf("first question %q with history %v", call.Question, call.History)
	}
	call.Result <- "The smoke advisory lasts until Friday [1]."
	placeholder := h.wait(sendsTo("thread-1"))
	if ref := body(t, placeholder).Reference; ref == nil || ref.MessageID != q1.ID {
		t.Fatalf("the reply does not reference the question: %+v", ref)
	}
	var answer1 discordgo.Message
	json.Unmarshal(h.wait(editsIn("thread-1")).Body, &answer1)
	if answer1.Content != "The smoke advisory lasts until Friday [1]." {
		t.Fatalf("answer = %q", answer1.Content)
	}
	a1ID := strings.TrimPrefix(h.wait(editsIn("thread-1")).Path, "/channels/thread-1/messages/")

	// 2: a reply to the answer, with the reply's ping on (which mentions
	// the bot without "<@…>" in the text), is a follow-up.
	a1, _ := h.fake.Message(a1ID)
	h.post(&discordgo.Message{ChannelID: "thread-1", GuildID: "g1", Author: user, Content: "what about the smoke and schools?",
		Mentions: []*discordgo.User{botUser}, MessageReference: &discordgo.MessageReference{MessageID: a1.ID, ChannelID: "thread-1"}})
	call = h.nextCall()
	want := []bot.Turn{{Question: "how long does the smoke advisory cover the valley?", Answer: "The smoke advisory lasts until Friday [1]."}}
	if fmt.Sprint(call.History) != fmt.Sprint(want) {
		t.Fatalf("follow-up history = %+v, want %+v", call.History, want)
	}
	call.Result <- "Schools keep children inside [1]."
	a2Edit := h.waitN(2, editsIn("thread-1"))[1]
	a2ID := strings.TrimPrefix(a2Edit.Path, "/channels/thread-1/messages/")

	// 3: a reply to the second answer sees both turns, oldest first.
	h.post(&discordgo.Message{ChannelID: "thread-1", GuildID: "g1", Author: user, Content: "<@" + botUser.ID + "> and the smoke advisory for schools after Friday?",
		Mentions: []*discordgo.User{botUser}, MessageReference: &discordgo.MessageReference{MessageID: a2ID, ChannelID: "thread-1"}})
	call = h.nextCall()
	want = append(want, bot.Turn{Question: "what about the smoke and schools?", Answer: "Schools keep children inside [1]."})
	if fmt.Sprint(call.History) != fmt.Sprint(want) {
		t.Fatalf("second follow-up history = %+v, want %+v", call.History, want)
	}
	call.Result <- "Until Friday [1]."
	h.waitN(3, editsIn("thread-1"))

	// A mention without a question gets help, not an answer.
	h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: user, Content: "<@!" + botUser.ID + ">", Mentions: []*discordgo.User{botUser}})
	if got := body(t, h.wait(sendsTo("c-g1"))).Content; got != helpText {
		t.Errorf("empty mention got %q", got)
	}
}

func TestIgnoresBotsItselfAndUnmentionedMessages(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	botUser := h.fake.BotUser()
	mention := "<@" + botUser.ID + "> what is the strike about?"
	before := len(h.fake.Requests())
	for _, m := range []*discordgo.Message{
		{ChannelID: "c", GuildID: "g1", Author: &discordgo.User{ID: "b2", Bot: true}, Content: mention, Mentions: []*discordgo.User{botUser}},
		{ChannelID: "c", GuildID: "g1", Author: botUser, Content: mention, Mentions: []*discordgo.User{botUser}},
		{ChannelID: "c", GuildID: "g1", Author: &discordgo.User{ID: "w"}, WebhookID: "hook", Content: mention},
		{ChannelID: "c", GuildID: "g1", Author: &discordgo.User{ID: "u1"}, Content: "what is the strike about?"},
	} {
		// Called directly so the test knows the handler has finished.
		h.d.onMessage(h.d.session, &discordgo.MessageCreate{Message: m})
	}
	if reqs := h.fake.Requests(); len(reqs) != before {
		t.Fatalf("ignored messages caused requests: %s", describe(reqs[before:]))
	}
	// Through the gateway, a person's mention is answered.
	h.post(&discordgo.Message{ChannelID: "c", GuildID: "g1", Author: &discordgo.User{ID: "u1"}, Content: mention, Mentions: []*discordgo.User{botUser}})
	h.waitN(1, editsIn("c"))
}

func TestIngestAttachment(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{MaxAttachmentBytes: 1000})
	article := "Harbour bridge reopens\n\nThe harbour bridge reopened on Monday after repairs.\n\nTraffic is back to normal."
	good := h.fake.AddFile("bridge.md", []byte(article))
	tests := []struct {
		name, url, filename string
		size                int
		want                string
		stored              bool
	}{
		{name: "from the fake's host", url: good, filename: "bridge.md", size: len(article), want: "Added **Harbour bridge reopens** — 1 passage (", stored: true},
		{name: "forged host", url: "https://evil.example/bridge.md", filename: "bridge.md", size: 10, want: "I couldn't add that. That file is not on Discord's servers."},
		{name: "look-alike host", url: "https://cdn.discordapp.com.evil.example/a/bridge.md", filename: "bridge.md", size: 10, want: "not on Discord's servers"},
		{name: "too large", url: good, filename: "bridge.md", size: 5000, want: "too large"},
		{name: "unsupported type", url: good, filename: "bridge.exe", size: 10, want: "I can read .txt, .md and .html files"},
	}
	for n, tt := range tests {
		att := &discordgo.MessageAttachment{ID: fmt.Sprint("att", n), URL: tt.url, Filename: tt.filename, Size: tt.size}
		i := h.interact(ingestFile("g1", manager("m1"), att))
		if cb := callback(t, h.wait(callbackOf(i))); cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || cb.Data.Flags != discordgo.MessageFlagsEphemeral {
			t.Errorf("%s: ingest not deferred ephemerally: %+v", tt.name, cb)
		}
		if got := body(t, h.wait(editsOf(i))).Content; !strings.Contains(got, tt.want) {
			t.Errorf("%s: report %q, want it to contain %q", tt.name, got, tt.want)
		}
	}
	list, err := h.svc.Sources(h.ctx, retrieval.GuildScope("g1"))
	if err != nil || len(list) != 1 || list[0].Title != "Harbour bridge reopens" {
		t.Fatalf("stored articles = %+v, %v; want only the bridge article", list, err)
	}
}

func TestManagementNeedsPermission(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{ManagerRole: "role-editors"})
	text := strOpt("text", "The library extends its opening hours to nine in the evening.")
	tests := []struct {
		name    string
		i       *discordgo.Interaction
		refusal string // "" when allowed
	}{
		{name: "no permission", i: slash("g1", plainMember("u1"), "ingest", text), refusal: "Only members with Manage Server"},
		{name: "forget without permission", i: slash("g1", plainMember("u1"), "forget", strOpt("article", "t0")), refusal: "Only members with Manage Server"},
		{name: "in a DM", i: slash("", plainMember("u1"), "ingest", text), refusal: "only in a server"},
		{name: "administrator", i: slash("g1", &discordgo.Member{User: &discordgo.User{ID: "a"}, Permissions: discordgo.PermissionAdministrator}, "ingest", text)},
		{name: "manager role", i: slash("g1", plainMember("u2", "role-editors"), "ingest", strOpt("text", "Another notice about the library hours."))},
		{name: "unknown command", i: slash("g1", manager("m"), "reboot"), refusal: "I don't know that command."},
	}
	for _, tt := range tests {
		i := h.interact(tt.i)
		cb := callback(t, h.wait(callbackOf(i)))
		if tt.refusal == "" {
			if cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
				t.Errorf("%s: refused: %+v", tt.name, cb)
			}
			h.wait(editsOf(i))
			continue
		}
		if cb.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(cb.Data.Content, tt.refusal) {
			t.Errorf("%s: response %+v, want an ephemeral refusal containing %q", tt.name, cb, tt.refusal)
		}
	}
	list, _ := h.svc.Sources(h.ctx, retrieval.GuildScope("g1"))
	if len(list) != 2 {
		t.Errorf("%d articles stored, want 2 (administrator and manager role)", len(list))
	}
}

func TestGuildsAreIsolated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.answerer.auto = func(string, []retrieval.Passage) string { return "The ferry leaves at seven [1]." }
	i := h.interact(slash("g1", manager("m1"), "ingest", strOpt("title", "Ferry timetable"), strOpt("text", "The island ferry leaves the harbour at seven every morning.")))
	h.wait(editsOf(i))

	inB := h.interact(ask("g2", "u2", "When does the island ferry leave?"))
	if got := body(t, h.wait(editsOf(inB))); got.Content != askedAs("When does the island ferry leave?", noArticlesHereText) || len(got.Embeds) != 0 {
		t.Errorf("guild B got %+v, want nothing to search", got)
	}
	inDM := h.interact(ask("", "u2", "When does the island ferry leave?"))
	if got := body(t, h.wait(editsOf(inDM))).Content; got != askedAs("When does the island ferry leave?", noSharedArticlesText) {
		t.Errorf("a DM got %q, want nothing to search", got)
	}
	inA := h.interact(ask("g1", "u1", "When does the island ferry leave?"))
	if got := body(t, h.wait(editsOf(inA))); !strings.Contains(got.Content, "[1]") || len(got.Embeds) != 1 || !strings.Contains(got.Embeds[0].Description, "Ferry timetable") {
		t.Errorf("guild A got %+v, want the cited answer", got)
	}
	src := h.interact(slash("g2", plainMember("u2"), "sources"))
	if cb := callback(t, h.wait(callbackOf(src))); strings.Contains(cb.Data.Embeds[0].Description, "Ferry") {
		t.Errorf("guild B's /sources lists guild A's article: %q", cb.Data.Embeds[0].Description)
	}
}

func TestRidesOutA429(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.answerer.auto = func(string, []retrieval.Passage) string { return "Repairs took three weeks [1]." }
	h.ingestArticle(retrieval.SharedScope, "Bridge repairs", "", "", "Repairs on the bridge took three weeks.")
	h.fake.RateLimitOnce("PATCH", "/webhooks/")
	i := h.interact(ask("g1", "u1", "How long did the bridge repairs take?"))
	got := body(t, h.wait(editsOf(i)))
	if got.Content != askedAs("How long did the bridge repairs take?", "Repairs took three weeks [1].") {
		t.Errorf("after the 429 the answer is %q", got.Content)
	}
	limited := 0
	for _, r := range h.fake.Requests() {
		if r.Status == 429 {
			limited++
		}
	}
	if limited != 1 {
		t.Errorf("%d requests were rate limited, want 1", limited)
	}
}

func TestLongAnswersAreSplitWithSourcesLast(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	var paras []string
	for p := range 6 {
		paras = append(paras, fmt.Sprintf("Paragraph %d about the council budget. ", p)+strings.Repeat("The council debated the budget line by line [1]. ", 16))
	}
	long := strings.Join(paras, "\n\n")
	h.answerer.auto = func(string, []retrieval.Passage) string { return long }
	h.ingestArticle(retrieval.SharedScope, "Council budget", "Gazette", "https://gazette.example/budget", "The council debated the budget line by line.")

	for _, flow := range []string{"slash", "mention"} {
		t.Run(flow, func(t *testing.T) {
			var parts []msgBody
			shown := strings.TrimSpace(long)
			if flow == "slash" {
				shown = askedAs("What did the council debate in the budget?", shown) // the question on top
				i := h.interact(ask("g1", "u1", "What did the council debate in the budget?"))
				parts = append(parts, body(t, h.wait(editsOf(i))))
				for _, r := range h.waitN(len(split(shown, maxContent))-1, followupsOf(i)) {
					parts = append(parts, body(t, r))
				}
			} else {
				botUser := h.fake.BotUser()
				h.post(&discordgo.Message{ChannelID: "long", GuildID: "g1", Author: &discordgo.User{ID: "u3"}, Content: "<@" + botUser.ID + "> What did the council debate in the budget?", Mentions: []*discordgo.User{botUser}})
				parts = append(parts, body(t, h.wait(editsIn("long"))))
				for _, r := range h.waitN(len(split(long, maxContent)), sendsTo("long"))[1:] { // [0] is the placeholder
					parts = append(parts, body(t, r))
				}
			}
			if len(parts) < 3 {
				t.Fatalf("%d parts, want at least 3 for %d characters", len(parts), len(long))
			}
			var joined strings.Builder
			for n, p := range parts {
				if c := utf8.RuneCountInString(p.Content); c > maxContent {
					t.Errorf("part %d has %d characters", n, c)
				}
				if n < len(parts)-1 && len(p.Embeds) > 0 {
					t.Errorf("part %d of %d carries the sources", n, len(parts))
				}
				joined.WriteString(p.Content)
			}
			if last := parts[len(parts)-1]; len(last.Embeds) != 1 || last.Embeds[0].Title != "Sources" {
				t.Errorf("last part has no sources: %+v", last.Embeds)
			}
			if joined.String() != shown {
				t.Errorf("the parts do not add up to the answer")
			}
		})
	}
}

func TestRateLimitAndBusyAreFriendly(t *testing.T) {
	t.Parallel()
	h := newHarnessAt(t, 2, Config{QuestionsPerMinute: 1})
	h.ingestArticle(retrieval.SharedScope, "Ferry", "", "", "The ferry leaves at seven.")
	first := h.interact(ask("g1", "u1", "When does the ferry leave?"))
	call := h.nextCall() // one slot is taken until this answer ends

	for _, tt := range []struct {
		name, want string
		i          *discordgo.Interaction
		before     func() // run before the interaction
	}{
		{name: "same user again", i: ask("g1", "u1", "And the ferry on Sunday?"), want: "You're asking faster than I can keep up"},
		{
			name: "another user while busy", i: ask("g1", "u2", "When does the ferry leave?"), want: "I'm busy with other questions",
			before: func() {
				// The refusal above gave back its slot; take the last one.
				_, release, ok := h.svc.Admission().TryAcquire(h.ctx)
				if !ok {
					t.Fatal("the rate-limited question kept its slot")
				}
				t.Cleanup(release)
			},
		},
	} {
		if tt.before != nil {
			tt.before()
		}
		i := h.interact(tt.i)
		cb := callback(t, h.wait(callbackOf(i)))
		if cb.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Data.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(cb.Data.Content, tt.want) {
			t.Errorf("%s: got %+v, want an ephemeral %q", tt.name, cb, tt.want)
		}
	}
	call.Result <- "At seven [1]."
	h.wait(editsOf(first))
}

func TestIngestURL(t *testing.T) {
	t.Parallel()
	web := testweb.New(t)
	// The test site is on 127.0.0.1, so this bot allows private addresses;
	// the fetcher's own tests cover the refusals with the guard on.
	h := newHarness(t, Config{}, func(d *Deps) {
		d.Fetcher = ingest.NewFetcher(ingest.FetchOptions{AllowPrivate: true})
	})
	tests := []struct {
		name, url, want string
	}{
		{"news article", web.URL(testweb.News), "Added **"},
		{"again", web.URL(testweb.News), "Already had"},
		{"no article", web.URL(testweb.Paywall), "couldn't find any article text there"},
		{"not a web page", web.URL(testweb.Image), "image/png"},
		{"not a URL", "ftp://example.com/a.txt", "doesn't look like a web link"},
		{"no host", "https:///a.txt", "doesn't look like a web link"},
	}
	for _, tt := range tests {
		i := h.interact(slash("g1", manager("m1"), "ingest", strOpt("url", tt.url)))
		cb := callback(t, h.wait(callbackOf(i)))
		got := cb.Data.Content
		if cb.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource {
			got = body(t, h.wait(editsOf(i))).Content
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: report %q, want it to contain %q", tt.name, got, tt.want)
		}
	}
	list, err := h.svc.Sources(h.ctx, retrieval.GuildScope("g1"))
	if err != nil || len(list) != 1 || list[0].URL == "" || list[0].Source == "" {
		t.Fatalf("stored articles = %+v, %v; want the news article with its URL and outlet", list, err)
	}
	if other, _ := h.svc.Sources(h.ctx, retrieval.GuildScope("g2")); len(other) != 0 {
		t.Errorf("guild g2 sees g1's article: %+v", other)
	}
}

// TestBusyRefusalKeepsTheQuota: a question turned away because every slot
// is taken does not count against the asker's per-minute limit.
func TestBusyRefusalKeepsTheQuota(t *testing.T) {
	t.Parallel()
	h := newHarnessAt(t, 1, Config{QuestionsPerMinute: 1})
	h.answerer.auto = func(string, []retrieval.Passage) string { return "At seven [1]." }
	h.ingestArticle(retrieval.SharedScope, "Ferry", "", "", "The ferry leaves at seven.")
	_, release, ok := h.svc.Admission().TryAcquire(h.ctx)
	if !ok { // the only slot is busy with other work
		t.Fatal("no free slot at start")
	}
	busy := h.interact(ask("g1", "u1", "When does the ferry leave?"))
	if cb := callback(t, h.wait(callbackOf(busy))); !strings.Contains(cb.Data.Content, "I'm busy") {
		t.Fatalf("with no free slot got %+v, want the busy refusal", cb)
	}
	release()
	again := h.interact(ask("g1", "u1", "When does the ferry leave?"))
	if cb := callback(t, h.wait(callbackOf(again))); cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("asking again after a busy refusal got %+v, want an answer", cb)
	}
	if got := body(t, h.wait(editsOf(again))).Content; got != askedAs("When does the ferry leave?", "At seven [1].") {
		t.Errorf("answer = %q", got)
	}
}

// TestReplyWithoutPingExplainsItself: a reply to one of the bot's answers
// with the reply ping off reaches the bot without its content (no Message
// Content intent), so the bot says how to ask instead of showing the help.
func TestReplyWithoutPingExplainsItself(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	botUser := h.fake.BotUser()
	earlier := h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: botUser, Content: "The ferry leaves at seven [1]."})
	h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u1"}, Content: "",
		MessageReference: &discordgo.MessageReference{MessageID: earlier.ID, ChannelID: "c-g1", GuildID: "g1"}})
	got := body(t, h.wait(sendsTo("c-g1")))
	if got.Content != replyNeedsMentionText {
		t.Errorf("an empty reply got %q, want %q", got.Content, replyNeedsMentionText)
	}
}

// TestReferencesOutsideTheChannelAreNotHistory: a message may reference
// one in another channel or server (a forward does); the bot's answer
// there is no part of this conversation, so it neither becomes history
// nor makes the message a reply to the bot.
func TestReferencesOutsideTheChannelAreNotHistory(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.ingestArticle(retrieval.GuildScope("g1"), "Ferry timetable", "", "", "The island ferry leaves the harbour at seven every morning.")
	botUser := h.fake.BotUser()
	user := &discordgo.User{ID: "u1"}
	elsewhere := h.post(&discordgo.Message{ChannelID: "c-g2", GuildID: "g2", Author: botUser, Content: "Server g2's secret plans [1]."})
	otherChannel := h.post(&discordgo.Message{ChannelID: "c-other", GuildID: "g1", Author: botUser, Content: "An answer in another channel [1]."})
	here := h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: botUser, Content: "An answer in this channel [1]."})
	tests := []struct {
		name string
		ref  *discordgo.MessageReference
	}{
		{name: "another server", ref: &discordgo.MessageReference{MessageID: elsewhere.ID, ChannelID: "c-g2", GuildID: "g2"}},
		{name: "another channel", ref: &discordgo.MessageReference{MessageID: otherChannel.ID, ChannelID: "c-other", GuildID: "g1"}},
		{name: "a forward", ref: &discordgo.MessageReference{Type: discordgo.MessageReferenceTypeForward, MessageID: here.ID, ChannelID: "c-g1", GuildID: "g1"}},
	}
	for n, tt := range tests {
		// With a mention it is a question, without the other answer.
		h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: user, Content: "<@" + botUser.ID + "> when does the ferry leave?",
			Mentions: []*discordgo.User{botUser}, MessageReference: tt.ref})
		call := h.nextCall()
		if len(call.History) != 0 {
			t.Errorf("%s: history %+v, want none", tt.name, call.History)
		}
		call.Result <- "At seven [1]."
		h.waitN(n+1, editsIn("c-g1"))

		// Without one it is not a reply to the bot: ignored. Called
		// directly so the test knows the handler has finished.
		referenced, _ := h.fake.Message(tt.ref.MessageID)
		before := len(h.fake.Requests())
		h.d.onMessage(h.d.session, &discordgo.MessageCreate{Message: &discordgo.Message{ID: "m-" + tt.name, ChannelID: "c-g1", GuildID: "g1", Author: user,
			Content: "and on Sunday?", MessageReference: tt.ref, ReferencedMessage: referenced}})
		for _, r := range h.fake.Requests()[before:] {
			if strings.HasPrefix(r.Path, "/channels/c-g1/") {
				t.Errorf("%s: an unmentioned message referencing it was answered: %s %s", tt.name, r.Method, r.Path)
			}
		}
	}
	// A reply in this channel still carries its history.
	h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: user, Content: "<@" + botUser.ID + "> when does the ferry leave?",
		Mentions: []*discordgo.User{botUser}, MessageReference: &discordgo.MessageReference{MessageID: here.ID, ChannelID: "c-g1", GuildID: "g1"}})
	call := h.nextCall()
	if len(call.History) != 1 || call.History[0].Answer != here.Content {
		t.Errorf("a reply in the channel has history %+v", call.History)
	}
	call.Result <- "At seven [1]."
}

// TestUploadsCannotClaimAURL: an uploaded file or pasted text may declare
// a canonical URL (<link rel=canonical>, a "URL:" line), but only a page
// the bot fetched itself keeps one, so a manager cannot attach invented
// text to a real site's link. The article's ID is then its text's.
func TestUploadsCannotClaimAURL(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	html := `<html><head><title>Ferry news</title><link rel="canonical" href="https://news.example/ferry"></head><body><article><h1>Ferry news</h1>` +
		`<p>The island ferry leaves the harbour at seven every morning, the operator said on Monday.</p><p>Passengers board from the north pier.</p></article></body></html>`
	file := func(name, data string) *discordgo.Interaction {
		att := &discordgo.MessageAttachment{ID: "att-" + name, URL: h.fake.AddFile(name, []byte(data)), Filename: name, Size: len(data)}
		return ingestFile("g1", manager("m1"), att)
	}
	for _, tt := range []struct {
		name string
		i    *discordgo.Interaction
	}{
		{"html file", file("ferry.html", html)},
		{"text file", file("bridge.txt", "Bridge reopens\nURL: https://news.example/bridge\n\nThe harbour bridge reopened on Monday after repairs.")},
		{"pasted text", slash("g1", manager("m1"), "ingest", strOpt("title", "Library hours"), strOpt("text", "URL: https://news.example/library\nThe library stays open until nine."))},
	} {
		i := h.interact(tt.i)
		if got := body(t, h.wait(editsOf(i))).Content; !strings.HasPrefix(got, "Added **") {
			t.Fatalf("%s: report %q", tt.name, got)
		}
	}
	list, err := h.svc.Sources(h.ctx, retrieval.GuildScope("g1"))
	if err != nil || len(list) != 3 {
		t.Fatalf("stored %+v, %v; want 3 articles", list, err)
	}
	for _, a := range list {
		if a.URL != "" || !strings.HasPrefix(a.ID, "t") {
			t.Errorf("%q is stored with URL %q and ID %s, want no URL and an ID from its text", a.Title, a.URL, a.ID)
		}
	}
}

// TestMessageContentIntentRefused: asking for the Message Content intent
// that the application has not enabled makes Discord close the gateway
// (4014); Serve says what to enable instead of a bare close code, and a
// bot that does not ask is not refused.
func TestMessageContentIntentRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name           string
		messageContent bool
		refused        bool
	}{
		{"asked for, not enabled", true, true},
		{"not asked for", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := fakediscord.New(fakediscord.Options{}) // no privileged intent enabled
			defer fake.Close()
			store, err := retrieval.Open(t.Context(), t.TempDir(), retrieval.Options{Embedder: retrieval.NewLocalEmbedder()})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			d, err := New(Config{Token: "secret-test-token", APIBase: fake.URL, MessageContent: tt.messageContent},
				Deps{Service: bot.NewCore(bot.CoreOptions{Store: store, Answerer: bot.Extractive{}}), Parse: ingest.Parse})
			if err != nil {
				t.Fatal(err)
			}
			d.session.ShouldReconnectOnError = false
			served := make(chan error, 1)
			ctx, stop := context.WithCancel(t.Context())
			go func() { served <- d.Serve(ctx) }()
			if !tt.refused {
				if _, err := fake.WaitReady(t.Context()); err != nil {
					t.Fatal(err)
				}
				stop()
			}
			err = <-served
			stop()
			if got := errors.Is(err, ErrMessageContentRefused); got != tt.refused {
				t.Fatalf("Serve: %v; refused %v, want %v", err, got, tt.refused)
			}
			if tt.refused && (!strings.Contains(err.Error(), "Developer Portal") || strings.Contains(err.Error(), "secret-test-token")) {
				t.Errorf("Serve: %v: want where to enable the intent, without the token", err)
			}
		})
	}
}
