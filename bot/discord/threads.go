package discord

// Threads on answers: a thread someone starts from one of the bot's
// answers ("Create Thread" on it) is a conversation with the bot. With
// Config.MessageContent every message there is a follow-up, answered
// without a mention; without it, mentions there are.

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
)

// answerThread returns the turn of the answer that thread channelID of
// guildID was started from, and whether it is such a thread: a thread
// started from a message has that message's ID, in the thread's parent
// channel. What it finds is remembered for each channel, so that a
// channel costs at most two REST calls (its channel, unless the gateway
// announced it, and the message it starts from), refused ones included.
func (d *Bot) answerThread(ctx context.Context, channelID, guildID, me string) (bot.Turn, bool) {
	if turn, ok := d.threadStarts.Get(channelID); ok {
		if turn == nil {
			return bot.Turn{}, false
		}
		return *turn, true
	}
	turn, ok, known := d.findAnswerThread(ctx, channelID, guildID, me)
	if known { // else a REST call that may succeed later is made again with the next message
		if ok {
			d.threadStarts.Put(&turn, channelID)
		} else {
			d.threadStarts.Put(nil, channelID)
		}
	}
	return turn, ok
}

// findAnswerThread is answerThread without its memory; known is false
// when a REST call failed in a way worth trying again (see settled).
func (d *Bot) findAnswerThread(ctx context.Context, channelID, guildID, me string) (turn bot.Turn, ok, known bool) {
	ch, ok := d.stateChannel(channelID)
	if !ok {
		got, err := d.session.Channel(channelID, discordgo.WithContext(ctx))
		if err != nil {
			d.log.Info("discord: a channel cannot be looked up", "channel", channelID, "err", redact(err))
			return bot.Turn{}, false, settled(err)
		}
		ch = *got
	}
	if !ch.IsThread() || ch.ParentID == "" || ch.GuildID != guildID {
		return bot.Turn{}, false, true
	}
	start, err := d.session.ChannelMessage(ch.ParentID, ch.ID, discordgo.WithContext(ctx))
	if err != nil {
		// 404: a thread started from no message, or from one since
		// deleted; 403: a parent channel whose history the bot may not
		// read.
		d.log.Debug("discord: a thread's first message cannot be fetched", "thread", ch.ID, "err", redact(err))
		return bot.Turn{}, false, settled(err)
	}
	if start.Author == nil || start.Author.ID != me || start.ChannelID != "" && start.ChannelID != ch.ParentID {
		return bot.Turn{}, false, true
	}
	if start.Content == "" || start.Content == lookingText {
		if turn, ok := d.sent.Get(start.ID); !ok || turn == nil {
			// An answer still being written (a mention's placeholder, a
			// deferred /ask): no thread on an answer yet, but it may be
			// one once the answer shows, so nothing is remembered.
			return bot.Turn{}, false, false
		}
	}
	turn, ok = d.earlierTurn(ctx, start, d.referenced(ctx, start), scopeOf(guildID), me)
	return turn, ok, true
}

// stateChannel returns a copy of channel id as the gateway's state holds
// it, and whether it holds it. The state updates a channel in place, under
// its lock, as events arrive (THREAD_UPDATE when a thread is archived,
// say) while handlers run: the channel is read under that lock.
func (d *Bot) stateChannel(id string) (discordgo.Channel, bool) {
	st := d.session.State
	ch, err := st.Channel(id)
	if err != nil {
		return discordgo.Channel{}, false
	}
	st.RLock()
	defer st.RUnlock()
	return *ch, true
}

// settled reports whether err is Discord's refusal of a REST call that
// asking again would meet too: a 4xx other than 429 (404 Unknown
// Message, 403 Missing Access). Asked again, each message in the thread
// would cost a refused request, and Discord bans an address for a while
// after 10,000 answers 401, 403 or 429 in ten minutes; a 5xx or a
// network error is tried again with the next message.
func settled(err error) bool {
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response == nil {
		return false
	}
	code := rest.Response.StatusCode
	return code >= 400 && code < 500 && code != http.StatusTooManyRequests
}

// threadTurns remembers the bot's latest answers in each thread on an
// answer, oldest first, for the thread's next questions: at most
// maxHistoryDepth-1 a thread (the answer it starts from comes first), for
// the maxThreads threads most recently answered in.
type threadTurns struct {
	mu    sync.Mutex
	order []string // thread IDs, least recently answered in first
	turns map[string][]bot.Turn
}

// maxThreads bounds the threads threadTurns remembers.
const maxThreads = 1024

func newThreadTurns() *threadTurns {
	return &threadTurns{turns: make(map[string][]bot.Turn)}
}

// Add remembers turn as thread's latest.
func (t *threadTurns) Add(thread string, turn bot.Turn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.add(thread, turn)
}

// add is Add; the caller holds t.mu.
func (t *threadTurns) add(thread string, turn bot.Turn) {
	if _, ok := t.turns[thread]; ok {
		for i, id := range t.order {
			if id == thread {
				t.order = append(t.order[:i], t.order[i+1:]...)
				break
			}
		}
	}
	t.order = append(t.order, thread)
	turns := append(t.turns[thread], turn)
	if extra := len(turns) - (maxHistoryDepth - 1); extra > 0 {
		turns = turns[extra:]
	}
	t.turns[thread] = turns
	for len(t.order) > maxThreads {
		delete(t.turns, t.order[0])
		t.order = t.order[1:]
	}
}

// History is a question's earlier turns in thread, oldest first: the
// answer the thread starts from, then the bot's latest answers there;
// known is false when threadTurns holds nothing of thread (a thread the
// bot has not answered in since it started).
func (t *threadTurns) History(thread string, start bot.Turn) (turns []bot.Turn, known bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	held, known := t.turns[thread]
	return append([]bot.Turn{start}, held...), known
}

// Seed remembers turns, oldest first, as thread's answers so far, unless
// it holds some already (an answer added meanwhile knows better), and
// returns History.
func (t *threadTurns) Seed(thread string, start bot.Turn, turns []bot.Turn) []bot.Turn {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, known := t.turns[thread]; !known {
		for _, turn := range turns {
			t.add(thread, turn)
		}
	}
	return append([]bot.Turn{start}, t.turns[thread]...)
}

// threadHistory is a question's earlier turns in thread, a thread on the
// answer start, in scope: the answer, then the bot's latest answers
// there. For a thread it has not answered in since it (re)started, the
// bot reads them once from the thread's latest messages: each of its
// answers there, with the message it replies to.
func (d *Bot) threadHistory(ctx context.Context, thread, scope, me string, start bot.Turn) []bot.Turn {
	history, known := d.threadTurns.History(thread, start)
	if known {
		return history
	}
	msgs, err := d.session.ChannelMessages(thread, maxThreadLookback, "", "", "", discordgo.WithContext(ctx))
	if err != nil {
		d.log.Info("discord: a thread's earlier answers cannot be read", "thread", thread, "err", redact(err))
		return history
	}
	slices.SortFunc(msgs, func(a, b *discordgo.Message) int { return compareIDs(a.ID, b.ID) }) // oldest first
	var turns []bot.Turn
	seen := make(map[string]bool) // the questions answered: each part of a long answer replies to its question
	for _, m := range msgs {
		ref := m.MessageReference
		if m.Author == nil || m.Author.ID != me || ref == nil || ref.MessageID == "" || seen[ref.MessageID] ||
			ref.ChannelID != "" && ref.ChannelID != thread {
			continue
		}
		q := m.ReferencedMessage
		if q == nil {
			continue // the question was deleted
		}
		if turn, ok := d.earlierTurn(ctx, m, q, scope, me); ok {
			seen[ref.MessageID] = true
			turns = append(turns, turn)
		}
	}
	return d.threadTurns.Seed(thread, start, turns)
}

// maxThreadLookback is how many of a thread's latest messages
// threadHistory reads for the bot's answers there.
const maxThreadLookback = 50
