package discord

import (
	"fmt"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/retrieval"
)

// TestThreadsOnAnswers: a thread started from one of the bot's answers
// is a conversation with it. With the Message Content intent every
// message there is a follow-up, answered in the thread without a
// mention, with the answer the thread starts from and the bot's earlier
// answers there as earlier turns; without the intent, mentions there are.
// Messages in other threads are not for the bot.
func TestThreadsOnAnswers(t *testing.T) {
	t.Parallel()
	const question = "When does the island ferry leave the harbour?"
	for _, tt := range []struct {
		name           string
		messageContent bool
	}{
		{"with the intent", true},
		{"without the intent", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{MessageContent: tt.messageContent, QuestionsPerMinute: -1})
			h.ingestArticle(retrieval.GuildScope("g1"), "Ferry timetable", "", "",
				"The island ferry leaves the harbour at seven every morning and at nine on Sundays. Tickets cost four euros.")
			botUser := h.fake.BotUser()
			user := &discordgo.User{ID: "u1"}
			i := h.interact(ask("g1", "u1", question))
			h.nextCall().Result <- "At seven [1]."
			h.wait(editsOf(i))
			answer, _ := h.fake.OriginalResponse(i.Token)
			thread, err := h.fake.StartThread(h.ctx, "g1", "c-g1", answer)
			if err != nil {
				t.Fatal(err)
			}
			other, err := h.fake.StartThread(h.ctx, "g1", "c-g1", "") // from no answer
			if err != nil {
				t.Fatal(err)
			}
			start := bot.Turn{Question: question, Answer: "At seven [1]."}
			say := func(channel, text string, mention bool) {
				m := &discordgo.Message{ChannelID: channel, GuildID: "g1", Author: user, Content: text}
				if mention {
					m.Content = "<@" + botUser.ID + "> " + text
					m.Mentions = []*discordgo.User{botUser}
				}
				h.post(m)
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
			say(thread, second, !tt.messageContent)
			c = h.nextCall()
			want := []bot.Turn{start, {Question: first, Answer: "Four euros [1]."}}
			if c.Question != second || fmt.Sprint(c.History) != fmt.Sprint(want) {
				t.Errorf("question %q with history %q, want %q with %q", c.Question, fmt.Sprint(c.History), second, fmt.Sprint(want))
			}
			c.Result <- "At nine [1]."
			h.waitN(2, editsIn(thread))
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
