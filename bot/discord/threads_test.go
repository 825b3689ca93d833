package discord

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/retrieval"
)

// threadsQuestion is the question of the answer threadsHarness gives.
const threadsQuestion = "When does the island ferry leave the harbour?"

// threadsHarness serves a bot (with the Message Content intent when
// messageContent) whose server g1 has a ferry timetable, and asks it
// threadsQuestion with /ask; it returns the harness and the ID of the
// answer ("At seven [1]."), for threads to start from.
func threadsHarness(t *testing.T, messageContent bool) (*harness, string) {
	t.Helper()
	h := newHarness(t, Config{MessageContent: messageContent, QuestionsPerMinute: -1})
	h.ingestArticle(retrieval.GuildScope("g1"), "Ferry timetable", "", "",
		"The island ferry leaves the harbour at seven every morning and at nine on Sundays. Tickets cost four euros.")
	i := h.interact(ask("g1", "u1", threadsQuestion))
	h.nextCall().Result <- "At seven [1]."
	h.wait(editsOf(i))
	answer, _ := h.fake.OriginalResponse(i.Token)
	return h, answer
}

// TestThreadsOnAnswers: a thread started from one of the bot's answers
// is a conversation with it. With the Message Content intent every
// message there is a follow-up, answered in the thread without a
// mention, with the answer the thread starts from and the bot's earlier
// answers there as earlier turns; without the intent, mentions there are.
// Messages in other threads are not for the bot.
func TestThreadsOnAnswers(t *testing.T) {
	t.Parallel()
	const question = threadsQuestion
	for _, tt := range []struct {
		name           string
		messageContent bool
	}{
		{"with the intent", true},
		{"without the intent", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, answer := threadsHarness(t, tt.messageContent)
			botUser := h.fake.BotUser()
			user := &discordgo.User{ID: "u1"}
			thread, err := h.fake.StartThread(h.ctx, "g1", "c-g1", answer)
			if err != nil {
				t.Fatal(err)
			}
			other, err := h.fake.StartThread(h.ctx, "g1", "c-g1", "") // from no answer
			if err != nil {
				t.Fatal(err)
			}
			start := bot.Turn{Question: question, Answer: "At seven [1]."}
			say := func(channel, text string, mention bool) *discordgo.Message {
				m := &discordgo.Message{ChannelID: channel, GuildID: "g1", Author: user, Content: text}
				if mention {
					m.Content = "<@" + botUser.ID + "> " + text
					m.Mentions = []*discordgo.User{botUser}
				}
				return h.post(m)
			}
			// Not for the bot: a message in another thread, and, without
			// the intent, one without a mention in the answer's thread.
			// The next question the answerer sees proves they were passed.
			say(other, "and on Sundays?", false)
			say(thread, "how much do the tickets cost?", false)
			first := "how much do the tickets cost?"
			if !tt.messageContent {
				say(thread, first, true)
			}
			c := h.nextCall()
			if c.Question != first || fmt.Sprint(c.History) != fmt.Sprint([]bot.Turn{start}) {
				t.Fatalf("question %q with history %q, want %q with the answer the thread starts from", c.Question, fmt.Sprint(c.History), first)
			}
			c.Result <- "Four euros [1]."
			h.wait(editsIn(thread))
			// The next one carries the thread's answers so far.
			second := "and when does it leave on Sundays?"
			asked := say(thread, second, !tt.messageContent)
			c = h.nextCall()
			want := []bot.Turn{start, {Question: first, Answer: "Four euros [1]."}}
			if c.Question != second || fmt.Sprint(c.History) != fmt.Sprint(want) {
				t.Errorf("question %q with history %q, want %q with %q", c.Question, fmt.Sprint(c.History), second, fmt.Sprint(want))
			}
			c.Result <- "At nine [1]."
			h.waitN(2, editsIn(thread))
			// A reply there (ping on) to the bot's last answer goes on from
			// its reply chain, after the answer the thread is on; its
			// answer joins the thread's.
			third := "and what do the tickets cost on Sundays?"
			h.post(&discordgo.Message{ChannelID: thread, GuildID: "g1", Author: user, Content: third, Mentions: []*discordgo.User{botUser},
				MessageReference: &discordgo.MessageReference{MessageID: h.botRepliesTo(asked.ID)[0].ID, ChannelID: thread}})
			c = h.nextCall()
			want = []bot.Turn{start, {Question: second, Answer: "At nine [1]."}}
			if fmt.Sprint(c.History) != fmt.Sprint(want) {
				t.Errorf("a reply in the thread: history %q, want %q", fmt.Sprint(c.History), fmt.Sprint(want))
			}
			c.Result <- "Four euros too [1]."
			h.waitN(3, editsIn(thread))
			fourth := "is there a late ferry on Saturdays?"
			say(thread, fourth, !tt.messageContent)
			c = h.nextCall()
			want = []bot.Turn{start, {Question: first, Answer: "Four euros [1]."}, {Question: second, Answer: "At nine [1]."}, {Question: third, Answer: "Four euros too [1]."}}
			if fmt.Sprint(c.History) != fmt.Sprint(want) {
				t.Errorf("after a reply in the thread: history %q, want %q", fmt.Sprint(c.History), fmt.Sprint(want))
			}
			c.Result <- "No [1]."
			h.waitN(4, editsIn(thread))
			// Someone else's message in another thread mentioning the bot
			// is an ordinary question, without the answer's history.
			say(other, "when does the island ferry leave the harbour on Sundays?", true)
			c = h.nextCall()
			if len(c.History) != 0 {
				t.Errorf("a mention in another thread carries history %q", fmt.Sprint(c.History))
			}
			c.Result <- "At nine [1]."
		})
	}
}

// TestArchivedThreads: Discord archives an idle thread and reopens it
// when someone writes there (THREAD_UPDATE, which the gateway's state
// applies in place while the bot handles the thread's messages): a
// thread on an answer stays a conversation with the bot, with its
// history, and other threads stay like channels. Many threads, each
// archived as its first message arrives, give the race detector the
// chance to catch a channel read outside the state's lock.
func TestArchivedThreads(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		onAnswer bool
		threads  int
	}{
		{"threads on no answer", false, 60},
		{"a thread on an answer", true, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, answer := threadsHarness(t, true)
			botUser := h.fake.BotUser()
			user := &discordgo.User{ID: "u1"}
			from := "" // a new thread, from no message
			if tt.onAnswer {
				from = answer
			}
			var threads []string
			for range tt.threads {
				thread, err := h.fake.StartThread(h.ctx, "g1", "c-g1", from)
				if err != nil {
					t.Fatal(err)
				}
				threads = append(threads, thread)
				h.post(&discordgo.Message{ChannelID: thread, GuildID: "g1", Author: user, Content: "how much do the tickets cost?"})
				if err := h.fake.ArchiveThread(h.ctx, thread, true); err != nil {
					t.Fatal(err)
				}
			}
			start := bot.Turn{Question: threadsQuestion, Answer: "At seven [1]."}
			thread := threads[len(threads)-1]
			var want []bot.Turn // the history of a question asked after the thread reopens
			if tt.onAnswer {
				c := h.nextCall() // the thread's first message is a question
				if fmt.Sprint(c.History) != fmt.Sprint([]bot.Turn{start}) {
					t.Errorf("first question in the thread: history %q, want the answer it starts from", fmt.Sprint(c.History))
				}
				c.Result <- "Four euros [1]."
				h.wait(editsIn(thread))
				want = []bot.Turn{start, {Question: "how much do the tickets cost?", Answer: "Four euros [1]."}}
			} else {
				// Each thread's start was looked up, and is no answer.
				h.waitN(tt.threads, func(r fakediscord.Request) bool {
					return r.Method == "GET" && strings.HasPrefix(r.Path, "/channels/c-g1/messages/")
				})
			}
			if err := h.fake.ArchiveThread(h.ctx, thread, false); err != nil {
				t.Fatal(err)
			}
			h.post(&discordgo.Message{ChannelID: thread, GuildID: "g1", Author: user,
				Content: "<@" + botUser.ID + "> and when does it leave on Sundays?", Mentions: []*discordgo.User{botUser}})
			c := h.nextCall()
			if fmt.Sprint(c.History) != fmt.Sprint(want) {
				t.Errorf("after the thread reopened: history %q, want %q", fmt.Sprint(c.History), fmt.Sprint(want))
			}
			c.Result <- "At nine [1]."
		})
	}
}

// TestThreadStartLookups: the message a thread starts from is looked up
// once per thread when Discord refuses it for good (404 for a thread
// started from no message or a deleted one, 403 for a parent channel
// whose history the bot may not read), not again with every message in
// the thread: with the Message Content intent each message there would
// cost a refused request, and Discord bans a bot that makes too many. A
// server error is tried again. Either way the questions are answered as
// in a channel.
func TestThreadStartLookups(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		onAnswer    bool // else the thread starts from no message: 404
		status      int  // the status of the start message's fetch, 0 for none
		wantLookups int
	}{
		{"started from no message", false, 0, 1},
		{"history not readable", true, http.StatusForbidden, 1},
		{"server error", true, http.StatusInternalServerError, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, answer := threadsHarness(t, true)
			botUser := h.fake.BotUser()
			from := "" // a new thread, from no message
			if tt.onAnswer {
				from = answer
			}
			if tt.status != 0 {
				h.fake.Refuse("GET", "/channels/c-g1/messages/", tt.status)
			}
			thread, err := h.fake.StartThread(h.ctx, "g1", "c-g1", from)
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				h.post(&discordgo.Message{ChannelID: thread, GuildID: "g1", Author: &discordgo.User{ID: "u1"},
					Content: "<@" + botUser.ID + "> how much do the tickets cost?", Mentions: []*discordgo.User{botUser}})
				c := h.nextCall() // after the lookup
				if len(c.History) != 0 {
					t.Errorf("history %q, want none", fmt.Sprint(c.History))
				}
				c.Result <- "Four euros [1]."
			}
			lookups := 0
			for _, r := range h.fake.Requests() {
				if r.Method == "GET" && r.Path == "/channels/c-g1/messages/"+thread {
					lookups++
				}
			}
			if lookups != tt.wantLookups {
				t.Errorf("the thread's start was looked up %d times, want %d", lookups, tt.wantLookups)
			}
		})
	}
}

// TestThreadOnAnAnswerBeingWritten: a thread started from a mention's
// answer while it is still being written (its placeholder) is no thread
// on an answer yet (a mention there is an ordinary question); once the
// answer shows, it is.
func TestThreadOnAnAnswerBeingWritten(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{MessageContent: true, QuestionsPerMinute: -1})
	h.ingestArticle(retrieval.GuildScope("g1"), "Ferry timetable", "", "",
		"The island ferry leaves the harbour at seven every morning and at nine on Sundays. Tickets cost four euros.")
	botUser := h.fake.BotUser()
	mention := func(channel, text string) *discordgo.Message {
		return h.post(&discordgo.Message{ChannelID: channel, GuildID: "g1", Author: &discordgo.User{ID: "u1"},
			Content: "<@" + botUser.ID + "> " + text, Mentions: []*discordgo.User{botUser}})
	}
	q := mention("c-g1", "when does the island ferry leave the harbour?")
	first := h.nextCall() // the placeholder is up; the answer is not
	thread, err := h.fake.StartThread(h.ctx, "g1", "c-g1", h.botRepliesTo(q.ID)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	mention(thread, "how much do the tickets cost?")
	early := h.nextCall()
	if early.Question != "how much do the tickets cost?" || len(early.History) != 0 {
		t.Errorf("a mention in a thread on an answer being written: %q with history %q, want an ordinary question", early.Question, fmt.Sprint(early.History))
	}
	early.Result <- "Four euros [1]."
	first.Result <- "At seven [1]."
	h.wait(editsIn("c-g1"))
	h.wait(editsIn(thread))
	h.post(&discordgo.Message{ChannelID: thread, GuildID: "g1", Author: &discordgo.User{ID: "u2"}, Content: "and on Sundays?"})
	c := h.nextCall()
	// The answer, then the bot's answer already in the thread.
	want := []bot.Turn{{Question: "when does the island ferry leave the harbour?", Answer: "At seven [1]."},
		{Question: "how much do the tickets cost?", Answer: "Four euros [1]."}}
	if c.Question != "and on Sundays?" || fmt.Sprint(c.History) != fmt.Sprint(want) {
		t.Errorf("once the answer shows: %q with history %q, want %q", c.Question, fmt.Sprint(c.History), fmt.Sprint(want))
	}
	c.Result <- "At nine [1]."
}

// TestThreadHistoryAfterARestart: after a restart the bot reads a
// thread's earlier answers from its latest messages, once: each of its
// answers there (a long one once) with the question it replies to, not its
// refusals, after the answer the thread is on (an /ask answer, whose first
// line quotes its question). (Without the Message Content intent, so
// that the messages of before the restart, which mention no one, reach
// the running bot without their text: it lets them be.)
func TestThreadHistoryAfterARestart(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{QuestionsPerMinute: -1})
	h.ingestArticle(retrieval.GuildScope("g1"), "Ferry timetable", "", "",
		"The island ferry leaves the harbour at seven every morning and at nine on Sundays. Tickets cost four euros.")
	botUser, user := h.fake.BotUser(), &discordgo.User{ID: "u1"}
	slashMeta := &discordgo.MessageInteraction{Name: "ask", Type: discordgo.InteractionApplicationCommand}
	// Sent before the restart: the /ask answer, and a conversation in a
	// thread on it.
	answer := h.post(&discordgo.Message{ChannelID: "c-g1", GuildID: "g1", Author: botUser, Interaction: slashMeta,
		Content: questionHeader("When does the island ferry leave the harbour?") + "\nAt seven [1]."})
	thread, err := h.fake.StartThread(h.ctx, "g1", "c-g1", answer.ID)
	if err != nil {
		t.Fatal(err)
	}
	reply := func(q *discordgo.Message, text string) {
		h.post(&discordgo.Message{ChannelID: thread, GuildID: "g1", Author: botUser, Content: text,
			MessageReference: &discordgo.MessageReference{MessageID: q.ID, ChannelID: thread}})
	}
	// Without the Message Content intent the questions there mention the
	// bot: Discord would return the others' text empty. Sent while the
	// bot was down, they are only stored.
	mention := func(text string) *discordgo.Message {
		return h.fake.StoreMessage(&discordgo.Message{ChannelID: thread, GuildID: "g1", Author: user, Content: "<@" + botUser.ID + "> " + text, Mentions: []*discordgo.User{botUser}})
	}
	q1 := mention("how much do the tickets cost?")
	reply(q1, "Four euros [1].")
	q2 := mention("and on Sundays?")
	reply(q2, "At nine [1]. The first part of a long answer.")
	reply(q2, "Its second part.")
	q3 := mention("?")
	reply(q3, askInWordsText)

	ask := func(text string) {
		h.post(&discordgo.Message{ChannelID: thread, GuildID: "g1", Author: user, Content: "<@" + botUser.ID + "> " + text, Mentions: []*discordgo.User{botUser}})
	}
	ask("is there a late ferry on Saturdays?")
	c := h.nextCall()
	want := []bot.Turn{
		{Question: "When does the island ferry leave the harbour?", Answer: "At seven [1]."},
		{Question: "how much do the tickets cost?", Answer: "Four euros [1]."},
		{Question: "and on Sundays?", Answer: "At nine [1]. The first part of a long answer."},
	}
	if fmt.Sprint(c.History) != fmt.Sprint(want) {
		t.Errorf("history %q, want %q", fmt.Sprint(c.History), fmt.Sprint(want))
	}
	c.Result <- "No [1]."
	h.wait(editsIn(thread))
	// Read once: the next question adds the new answer to what was read.
	reads := func() int {
		n := 0
		for _, r := range h.fake.Requests() {
			if r.Method == "GET" && r.Path == "/channels/"+thread+"/messages" {
				n++
			}
		}
		return n
	}
	before := reads()
	ask("and the last ferry on Sundays?")
	c = h.nextCall()
	want = append(want, bot.Turn{Question: "is there a late ferry on Saturdays?", Answer: "No [1]."})
	if fmt.Sprint(c.History) != fmt.Sprint(want) || reads() != before {
		t.Errorf("history %q (%d more reads), want %q with no more reads", fmt.Sprint(c.History), reads()-before, fmt.Sprint(want))
	}
	c.Result <- "At ten [1]."
}
