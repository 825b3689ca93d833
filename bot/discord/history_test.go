package discord

// Reply chains: which of the bot's messages become earlier turns, and
// with what question and answer.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/retrieval"
)

// botMessagesAfter returns the bot's messages the fake stored after the
// message or interaction id that match, in the order sent (the fake
// numbers everything it stores in sequence).
func (h *harness) botMessagesAfter(id string, match func(*discordgo.Message) bool) []*discordgo.Message {
	h.t.Helper()
	n, err := strconv.Atoi(id)
	if err != nil {
		h.t.Fatalf("message ID %q is not a number", id)
	}
	var out []*discordgo.Message
	for k, misses := n+1, 0; misses < 100; k++ {
		m, ok := h.fake.Message(strconv.Itoa(k))
		if !ok {
			misses++
			continue
		}
		misses = 0
		if m.Author != nil && m.Author.ID == h.fake.BotID && match(m) {
			out = append(out, m)
		}
	}
	return out
}

// botRepliesTo returns the bot's messages that reply to the message id.
func (h *harness) botRepliesTo(id string) []*discordgo.Message {
	h.t.Helper()
	return h.botMessagesAfter(id, func(m *discordgo.Message) bool {
		return m.MessageReference != nil && m.MessageReference.MessageID == id
	})
}

// replyWithComponents posts m, a reply to old, as Discord sends it: the
// event carries old with its buttons. (discordgo does not encode a
// message's components, so the fake's own events lack them; its REST
// answers add them.)
func (h *harness) replyWithComponents(m, old *discordgo.Message) {
	h.t.Helper()
	// Stored first, as a message the bot ignores, so that the bot's reply
	// to it refers to a message the fake knows.
	stored := h.post(&discordgo.Message{ChannelID: m.ChannelID, GuildID: m.GuildID, Author: &discordgo.User{ID: "stand-in", Bot: true}, Content: m.Content})
	c := *m
	c.ID, c.Timestamp = stored.ID, stored.Timestamp
	fields := func(v any) map[string]json.RawMessage {
		raw, err := json.Marshal(v)
		var f map[string]json.RawMessage
		if err == nil {
			err = json.Unmarshal(raw, &f)
		}
		if err != nil {
			h.t.Fatal(err)
		}
		return f
	}
	event, ref := fields(&c), fields(old)
	var err error
	if ref["components"], err = json.Marshal(old.Components); err != nil {
		h.t.Fatal(err)
	}
	if event["referenced_message"], err = json.Marshal(ref); err != nil {
		h.t.Fatal(err)
	}
	if err := h.fake.Dispatch(h.ctx, "MESSAGE_CREATE", event); err != nil {
		h.t.Fatal(err)
	}
}

// sentIn matches a message the bot sent or edited in channel whose text
// contains want.
func sentIn(channel, want string) func(fakediscord.Request) bool {
	return func(r fakediscord.Request) bool {
		if r.Status != 200 || (r.Method != "POST" && r.Method != "PATCH") || !strings.HasPrefix(r.Path, "/channels/"+channel+"/messages") {
			return false
		}
		var m msgBody
		return json.Unmarshal(r.Body, &m) == nil && strings.Contains(m.Content, want)
	}
}

// TestOnlyAnswersBecomeHistory: a reply to one of the bot's refusals,
// its help or an error carries the answers above it in the chain, not
// the refusal as an answer — whether this process sent it or an earlier
// one did.
func TestOnlyAnswersBecomeHistory(t *testing.T) {
	t.Parallel()
	first := bot.Turn{Question: "when does the island ferry leave the harbour?", Answer: "At seven [1]."}
	for _, tt := range []struct {
		name  string
		asker string // who asks the question refused (u1 has used their one question)
		q2    string // the question refused, after the mention
		// before is a refusal posted as an earlier process sent it (the
		// asker is then u1, so this bot answers no question); "" when this
		// bot answers q2 itself, with a message containing want.
		before, want string
		guild        string // where q2 is asked; "" means g1, which has the answer above
	}{
		{name: "rate limited", asker: "u1", q2: "and on Sunday?", want: "You're asking faster than I can keep up"},
		{name: "help", asker: "u2", q2: "", want: helpText},
		{name: "no words", asker: "u2", q2: "🤔🤔", want: "Please ask a question in words."},
		{name: "nothing to search", asker: "u2", q2: "when does the island ferry leave?", want: "no articles", guild: "g2"},
		{name: "refusal from before a restart", asker: "u1", q2: "and on Sunday?", before: "You're asking faster than I can keep up — please wait 42 s and try again."},
		{name: "error from before a restart", asker: "u1", q2: "and on Sunday?", before: bot.GenericUserMessage},
		{name: "help from before a restart", asker: "u1", q2: "", before: helpText},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			obs := &recordingObserver{}
			h := newHarness(t, Config{QuestionsPerMinute: 1}, func(d *Deps) { d.Observer = obs })
			h.ingestArticle(retrieval.GuildScope("g1"), "Ferry timetable", "", "", "The island ferry leaves the harbour at seven every morning.")
			botUser := h.fake.BotUser()
			mention := "<@" + botUser.ID + "> "
			q1 := h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u1"}, Content: mention + first.Question, Mentions: []*discordgo.User{botUser}})
			call := h.nextCall()
			call.Result <- first.Answer
			obs.waitEvents(h.ctx, 1) // reported once the answer is sent and remembered
			a1 := h.botRepliesTo(q1.ID)[0]

			channel, want := "c-g1", []bot.Turn{first}
			q2 := &discordgo.Message{ChannelID: channel, GuildID: "g1", Author: &discordgo.User{ID: tt.asker}, Content: strings.TrimSpace(mention + tt.q2),
				Mentions: []*discordgo.User{botUser}, MessageReference: &discordgo.MessageReference{MessageID: a1.ID, ChannelID: channel}}
			if tt.guild != "" {
				channel, want = "news-"+tt.guild, nil
				q2.ChannelID, q2.GuildID, q2.MessageReference = channel, tt.guild, nil
			}
			q2 = h.post(q2)
			var r2 *discordgo.Message
			if tt.before != "" {
				r2 = h.post(&discordgo.Message{ChannelID: channel, GuildID: q2.GuildID, Author: botUser, Content: tt.before,
					MessageReference: &discordgo.MessageReference{MessageID: q2.ID, ChannelID: channel}})
			} else {
				h.wait(sentIn(channel, tt.want))
				replies := h.botRepliesTo(q2.ID)
				if len(replies) != 1 {
					t.Fatalf("%d replies to the refused question, want 1", len(replies))
				}
				r2 = replies[0]
			}
			if tt.guild != "" { // something to search now
				h.ingestArticle(retrieval.GuildScope(tt.guild), "Ferry timetable", "", "", "The island ferry leaves the harbour at seven every morning.")
			}

			h.post(&discordgo.Message{ChannelID: channel, GuildID: q2.GuildID, Author: &discordgo.User{ID: "u3"}, Content: mention + "when does the island ferry leave on Sunday?",
				Mentions: []*discordgo.User{botUser}, MessageReference: &discordgo.MessageReference{MessageID: r2.ID, ChannelID: channel}})
			call = h.nextCall()
			if fmt.Sprint(call.History) != fmt.Sprint(want) {
				t.Errorf("a reply to %q has history %+v, want %+v", r2.Content, call.History, want)
			}
			call.Result <- "At eight on Sundays [1]."
		})
	}
}

// longAnswer is an answer long enough for three or more messages.
func longAnswer() string {
	var paras []string
	for p := range 6 {
		paras = append(paras, fmt.Sprintf("Paragraph %d about the council budget. ", p)+strings.Repeat("The council debated the budget line by line [1]. ", 16))
	}
	return strings.Join(paras, "\n\n")
}

// TestFollowUpToALongAnswerCarriesItWhole: a reply to any part of an
// answer split into several messages carries the whole answer.
func TestFollowUpToALongAnswerCarriesItWhole(t *testing.T) {
	t.Parallel()
	long := longAnswer()
	const question = "What did the council debate in the budget?"
	for _, flow := range []string{"slash", "mention"} {
		for _, part := range []string{"first", "last"} {
			t.Run(flow+" "+part, func(t *testing.T) {
				t.Parallel()
				obs := &recordingObserver{}
				h := newHarness(t, Config{}, func(d *Deps) { d.Observer = obs })
				h.ingestArticle(retrieval.SharedScope, "Council budget", "Gazette", "https://gazette.example/budget", "The council debated the budget line by line.")
				botUser := h.fake.BotUser()
				call := func() {
					h.nextCall().Result <- long
					obs.waitEvents(h.ctx, 1) // reported once the answer is sent and remembered
				}
				var parts []*discordgo.Message
				if flow == "slash" {
					i := h.interact(ask("g1", "u1", question))
					call()
					original, _ := h.fake.OriginalResponse(i.Token)
					first, _ := h.fake.Message(original)
					parts = append([]*discordgo.Message{first}, h.botMessagesAfter(original, func(m *discordgo.Message) bool { return m.ChannelID == "c-g1" })...)
				} else {
					q := h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u1"}, Content: "<@" + botUser.ID + "> " + question, Mentions: []*discordgo.User{botUser}})
					call()
					parts = h.botRepliesTo(q.ID)
				}
				if len(parts) < 3 {
					t.Fatalf("%d parts, want at least 3", len(parts))
				}
				to := parts[0]
				if part == "last" {
					to = parts[len(parts)-1]
				}
				h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u2"}, Content: "<@" + botUser.ID + "> and the school budget?",
					Mentions: []*discordgo.User{botUser}, MessageReference: &discordgo.MessageReference{MessageID: to.ID, ChannelID: "c-g1"}})
				c := h.nextCall()
				want := []bot.Turn{{Question: question, Answer: strings.TrimSpace(long)}}
				if len(c.History) != 1 || c.History[0] != want[0] {
					t.Errorf("history %.200q…, want the whole answer", fmt.Sprint(c.History))
				}
				c.Result <- "It was not debated [1]."
			})
		}
	}
}

// openFeedbackStore opens a store of its own for answers and votes,
// closed when the test ends.
func openFeedbackStore(t *testing.T) *retrieval.Store {
	t.Helper()
	fb, err := retrieval.Open(t.Context(), t.TempDir(), retrieval.Options{Embedder: retrieval.NewLocalEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fb.Close() })
	return fb
}

// TestRepliesToAnswersAfterARestart: after a restart the bot no longer
// remembers its answers; a reply to one with vote buttons finds the
// question and the whole answer in the feedback store, where they were
// kept when it was sent (an /ask answer carries no reference to its
// question).
func TestRepliesToAnswersAfterARestart(t *testing.T) {
	t.Parallel()
	fb := openFeedbackStore(t)
	long := strings.TrimSpace(longAnswer())
	const question = "What did the council debate in the budget?"
	for _, rec := range []retrieval.AnswerRecord{
		{ID: "00000000000000000000000a", Scope: "guild:g1", Question: question, Answer: long},
		{ID: "00000000000000000000000b", Scope: "guild:g2", Question: "What are server g2's plans?", Answer: "Secret plans [1]."},
	} {
		if err := fb.SaveAnswer(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, Config{}, func(d *Deps) { d.Feedback = fb })
	h.ingestArticle(retrieval.SharedScope, "Council budget", "Gazette", "", "The council debated the budget line by line.")
	botUser := h.fake.BotUser()
	lastPart := split(long, maxContent)
	shown := lastPart[len(lastPart)-1]
	for _, tt := range []struct {
		name, record string
		want         bot.Turn
	}{
		{"kept answer", "00000000000000000000000a", bot.Turn{Question: question, Answer: long}},
		{"answer of another server", "00000000000000000000000b", bot.Turn{Answer: shown}},
		{"answer no longer kept", "00000000000000000000000c", bot.Turn{Answer: shown}},
	} {
		// The last message of an /ask answer sent before the restart.
		old := h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: botUser, Content: shown,
			Components: voteButtons(tt.record), Interaction: &discordgo.MessageInteraction{Name: "ask", Type: discordgo.InteractionApplicationCommand}})
		h.replyWithComponents(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u2"}, Content: "<@" + botUser.ID + "> and the school budget?",
			Mentions: []*discordgo.User{botUser}, MessageReference: &discordgo.MessageReference{MessageID: old.ID, ChannelID: "c-g1"}}, old)
		c := h.nextCall()
		if len(c.History) != 1 || c.History[0] != tt.want {
			t.Errorf("%s: history %.300q, want %.300q", tt.name, fmt.Sprint(c.History), fmt.Sprint([]bot.Turn{tt.want}))
		}
		c.Result <- "It was not debated [1]."
	}
}

// TestRepliesToAskAnswersWithoutButtonsAfterARestart: an /ask answer
// sent before a restart, without vote buttons (feedback off, or a record
// no longer kept), gives a reply its question back from the header that
// quotes it. The bot's refusals under a header are no turn, and a
// mention's answer that happens to begin with a quote keeps it.
func TestRepliesToAskAnswersWithoutButtonsAfterARestart(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{QuestionsPerMinute: -1})
	h.ingestArticle(retrieval.SharedScope, "Ferry timetable", "", "", "The island ferry leaves the harbour at seven every morning.")
	botUser := h.fake.BotUser()
	slashMeta := &discordgo.MessageInteraction{Name: "ask", Type: discordgo.InteractionApplicationCommand}
	// A follow-up message of an /ask answer (its later parts) names the
	// first in its interaction metadata.
	followUp := &discordgo.MessageInteractionMetadata{ID: "i-1", Type: discordgo.InteractionApplicationCommand, OriginalResponseMessageID: "1"}
	for _, tt := range []struct {
		name        string
		content     string
		interaction *discordgo.MessageInteraction
		metadata    *discordgo.MessageInteractionMetadata
		want        []bot.Turn
	}{
		{"an answer", questionHeader("When does the *island* ferry leave? <@1> https://x.example") + "\nAt seven [1].", slashMeta, nil,
			[]bot.Turn{{Question: "When does the *island* ferry leave? <@1> https://x.example", Answer: "At seven [1]."}}},
		{"a multi-line answer", questionHeader("When does it leave?") + "\nAt seven [1].\n\nOn Sundays at nine [1].", slashMeta, nil,
			[]bot.Turn{{Question: "When does it leave?", Answer: "At seven [1].\n\nOn Sundays at nine [1]."}}},
		{"an error", questionHeader("When does it leave?") + "\n" + restartingText, slashMeta, nil, nil},
		{"a mention's answer quoting", "> a line it quotes\nAt seven [1].", nil, nil, []bot.Turn{{Answer: "> a line it quotes\nAt seven [1]."}}},
		{"a later part quoting", "> a line it quotes\nAt seven [1].", slashMeta, followUp, []bot.Turn{{Answer: "> a line it quotes\nAt seven [1]."}}},
	} {
		old := h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: botUser, Content: tt.content, Interaction: tt.interaction, InteractionMetadata: tt.metadata})
		h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u2"}, Content: "<@" + botUser.ID + "> and when does the island ferry leave the harbour on Sundays?",
			Mentions: []*discordgo.User{botUser}, MessageReference: &discordgo.MessageReference{MessageID: old.ID, ChannelID: "c-g1"}})
		c := h.nextCall()
		if fmt.Sprint(c.History) != fmt.Sprint(tt.want) {
			t.Errorf("%s: history %q, want %q", tt.name, fmt.Sprint(c.History), fmt.Sprint(tt.want))
		}
		c.Result <- "At nine [1]."
	}
}

// mentionQuestion is what mentionAnswered asks.
const mentionQuestion = "when does the island ferry leave the harbour?"

// mentionAnswered serves a bot (with the Message Content intent when
// messageContent) whose server g1 has a ferry timetable, asks it
// mentionQuestion by a mention in c-g1 and returns the harness and the
// answer ("At seven [1].") once it shows, when the bot remembers it.
func mentionAnswered(t *testing.T, messageContent bool) (*harness, *discordgo.Message) {
	t.Helper()
	h := newHarness(t, Config{MessageContent: messageContent, QuestionsPerMinute: -1})
	h.ingestArticle(retrieval.GuildScope("g1"), "Ferry timetable", "", "", "The island ferry leaves the harbour at seven every morning and at nine on Sundays.")
	botUser := h.fake.BotUser()
	q := h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u1"},
		Content: "<@" + botUser.ID + "> " + mentionQuestion, Mentions: []*discordgo.User{botUser}})
	h.nextCall().Result <- "At seven [1]."
	h.wait(editsIn("c-g1")) // the answer, remembered before it shows
	return h, h.botRepliesTo(q.ID)[0]
}

// TestRepliesWithThePingOff: a reply to an answer with the reply's ping
// off reaches the bot without its text unless the bot has the Message
// Content intent (Config.MessageContent): without it the bot asks for
// the ping, with it the reply is a follow-up like any other.
func TestRepliesWithThePingOff(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name           string
		messageContent bool
	}{
		{"without the intent", false},
		{"with the intent", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, answer := mentionAnswered(t, tt.messageContent)
			ident, err := h.fake.WaitReady(h.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := ident.Intents&discordgo.IntentsMessageContent != 0; got != tt.messageContent {
				t.Errorf("asked for the Message Content intent: %v, want %v", got, tt.messageContent)
			}
			// The ping off: the reply does not mention the bot.
			h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u1"},
				Content: "and when does the island ferry leave on Sundays?", MessageReference: &discordgo.MessageReference{MessageID: answer.ID, ChannelID: "c-g1"}})
			if !tt.messageContent {
				if got := body(t, h.waitN(2, sendsTo("c-g1"))[1]).Content; got != replyNeedsMentionText { // [0] answered the question
					t.Errorf("reply without the ping got %q, want %q", got, replyNeedsMentionText)
				}
				return
			}
			c := h.nextCall()
			want := []bot.Turn{{Question: mentionQuestion, Answer: "At seven [1]."}}
			if c.Question != "and when does the island ferry leave on Sundays?" || fmt.Sprint(c.History) != fmt.Sprint(want) {
				t.Errorf("follow-up %q with history %q, want the reply with %q", c.Question, fmt.Sprint(c.History), fmt.Sprint(want))
			}
			c.Result <- "At nine on Sundays [1]."
		})
	}
}

// TestRepliesToEarlierPartsAfterARestart: after a restart, a reply to an
// earlier part of a long answer (without the vote buttons, which only its
// last part carries) gets the whole answer and its question from the
// record the last part's buttons name: found among the next messages of
// the channel, as the part of the same answer (/ask's interaction, or the
// question a mention's answer replies to), others' messages in between.
func TestRepliesToEarlierPartsAfterARestart(t *testing.T) {
	t.Parallel()
	fb := openFeedbackStore(t)
	long := strings.TrimSpace(longAnswer())
	parts := split(long, maxContent)
	const question = "What did the council debate in the budget?"
	for _, rec := range []retrieval.AnswerRecord{
		{ID: "00000000000000000000000a", Scope: "guild:g1", Question: question, Answer: long},
		{ID: "00000000000000000000000b", Scope: "guild:g1", Question: "Another question?", Answer: "Another answer [1]."},
	} {
		if err := fb.SaveAnswer(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, Config{}, func(d *Deps) { d.Feedback = fb })
	h.ingestArticle(retrieval.SharedScope, "Council budget", "Gazette", "", "The council debated the budget line by line.")
	botUser := h.fake.BotUser()
	user := &discordgo.User{ID: "u1"}
	slash := func(id string) *discordgo.MessageInteractionMetadata {
		return &discordgo.MessageInteractionMetadata{ID: id, Type: discordgo.InteractionApplicationCommand}
	}
	for n, tt := range []struct {
		name string
		// post posts an answer sent before the restart and returns the
		// message to reply to.
		post func(channel string) *discordgo.Message
		want bot.Turn
	}{
		{"an /ask answer's first part", func(channel string) *discordgo.Message {
			first := h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: botUser, Content: parts[0], InteractionMetadata: slash("i-1")})
			h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: user, Content: "meanwhile, a chat"})
			for _, p := range parts[1 : len(parts)-1] {
				h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: botUser, Content: p, InteractionMetadata: slash("i-1")})
			}
			h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: botUser, Content: parts[len(parts)-1],
				InteractionMetadata: slash("i-1"), Components: voteButtons("00000000000000000000000a")})
			return first
		}, bot.Turn{Question: question, Answer: long}},
		{"a mention's answer's first part", func(channel string) *discordgo.Message {
			q := h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: &discordgo.User{ID: "u9"}, Content: "a question"})
			ref := &discordgo.MessageReference{MessageID: q.ID, ChannelID: channel}
			first := h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: botUser, Content: parts[0], MessageReference: ref})
			h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: botUser, Content: parts[len(parts)-1], MessageReference: ref,
				Components: voteButtons("00000000000000000000000a")})
			return first
		}, bot.Turn{Question: question, Answer: long}},
		{"another answer's buttons after it", func(channel string) *discordgo.Message {
			first := h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: botUser, Content: parts[0], InteractionMetadata: slash("i-2")})
			h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: botUser, Content: "Another answer [1].",
				InteractionMetadata: slash("i-3"), Components: voteButtons("00000000000000000000000b")})
			return first
		}, bot.Turn{Answer: parts[0]}},
	} {
		channel := fmt.Sprint("parts-", n)
		to := tt.post(channel)
		h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: &discordgo.User{ID: "u2"}, Content: "<@" + botUser.ID + "> and the school budget?",
			Mentions: []*discordgo.User{botUser}, MessageReference: &discordgo.MessageReference{MessageID: to.ID, ChannelID: channel}})
		c := h.nextCall()
		if len(c.History) != 1 || c.History[0] != tt.want {
			t.Errorf("%s: history %.300q, want %.300q", tt.name, fmt.Sprint(c.History), fmt.Sprint([]bot.Turn{tt.want}))
		}
		c.Result <- "It was not debated [1]."
	}
}

// TestRepliesWithoutText: a reply to an answer that reaches the bot
// without text asks for the ping only when the bot cannot see the text
// (no Message Content intent, and the ping off). With the intent, a
// reply with the ping off and an image or a sticker alone has no text to
// see: it is not for the bot, which lets it be. With the ping on, the
// bot tells how to ask.
func TestRepliesWithoutText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name           string
		messageContent bool
		pingOn         bool
		want           string // the bot's reply, "" for none
	}{
		{"without the intent, the ping off", false, false, replyNeedsMentionText},
		{"with the intent, the ping off", true, false, ""},
		{"with the intent, the ping on", true, true, helpText},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, answer := mentionAnswered(t, tt.messageContent)
			botUser := h.fake.BotUser()
			reply := &discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u1"},
				Attachments:      []*discordgo.MessageAttachment{{ID: "a1", Filename: "timetable.png", URL: "https://cdn.discordapp.com/attachments/1/2/timetable.png"}},
				MessageReference: &discordgo.MessageReference{MessageID: answer.ID, ChannelID: "c-g1"}}
			if tt.pingOn {
				reply.Mentions = []*discordgo.User{botUser}
			}
			image := h.post(reply)
			if tt.want != "" {
				if got := body(t, h.wait(func(r fakediscord.Request) bool {
					return sendsTo("c-g1")(r) && strings.Contains(string(r.Body), `"message_id":"`+image.ID+`"`)
				})).Content; got != tt.want {
					t.Errorf("the bot replied %q, want %q", got, tt.want)
				}
				return
			}
			// A reply with text after it is answered: the image was passed.
			h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: &discordgo.User{ID: "u1"},
				Content: "and on Sundays?", MessageReference: &discordgo.MessageReference{MessageID: answer.ID, ChannelID: "c-g1"}})
			h.nextCall().Result <- "At nine [1]."
			h.waitN(2, editsIn("c-g1"))
			if got := h.botRepliesTo(image.ID); len(got) != 0 {
				t.Errorf("the bot replied to the image with %q", got[0].Content)
			}
		})
	}
}

// TestRefusalsFromBeforeARestartReadNoMore: after a restart, a reply to
// one of the bot's messages that answers nothing (its help, a refusal,
// an error, as its text shows) costs no read of the channel's next
// messages, which only finds the rest of a long answer; a reply to an
// earlier part of an answer does read them.
func TestRefusalsFromBeforeARestartReadNoMore(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{QuestionsPerMinute: -1}, func(d *Deps) { d.Feedback = openFeedbackStore(t) })
	h.ingestArticle(retrieval.SharedScope, "Ferry timetable", "", "", "The island ferry leaves the harbour at seven every morning.")
	botUser := h.fake.BotUser()
	slash := &discordgo.MessageInteractionMetadata{ID: "i-1", Type: discordgo.InteractionApplicationCommand}
	for n, tt := range []struct {
		name        string
		content     string
		interaction *discordgo.MessageInteractionMetadata // else the message replies to a question
		wantReads   int
	}{
		{"help", helpText, nil, 0},
		{"busy", busyText, nil, 0},
		{"an error", bot.GenericUserMessage, nil, 0},
		{"an /ask answer's error", questionHeader("When does it leave?") + "\n" + restartingText, slash, 0},
		{"an answer's first part", "The ferry leaves at seven [1].", nil, 1},
	} {
		channel := fmt.Sprint("refusals-", n)
		old := &discordgo.Message{ChannelID: channel, GuildID: "g1", Author: botUser, Content: tt.content, InteractionMetadata: tt.interaction}
		if tt.interaction == nil {
			q := h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: &discordgo.User{ID: "u9"}, Content: "a question"})
			old.MessageReference = &discordgo.MessageReference{MessageID: q.ID, ChannelID: channel}
		}
		old = h.post(old)
		h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: &discordgo.User{ID: "u2"}, Content: "<@" + botUser.ID + "> when does the island ferry leave the harbour?",
			Mentions: []*discordgo.User{botUser}, MessageReference: &discordgo.MessageReference{MessageID: old.ID, ChannelID: channel}})
		h.nextCall().Result <- "At seven [1]." // after the history
		reads := 0
		for _, r := range h.fake.Requests() {
			if r.Method == "GET" && r.Path == "/channels/"+channel+"/messages" {
				reads++
			}
		}
		if reads != tt.wantReads {
			t.Errorf("%s: the channel's next messages were read %d times, want %d", tt.name, reads, tt.wantReads)
		}
	}
}
