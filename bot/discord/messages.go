package discord

// Messages: mentions, direct messages and reply chains.

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/retrieval"
)

// maxHistoryDepth bounds the bot messages followed up a reply chain.
const maxHistoryDepth = 10

// replyNeedsMentionText answers a reply to the bot that arrives without
// its text: without the Message Content intent Discord sends a server
// message's text only when it mentions the bot, and a reply with its ping
// turned off does not.
const replyNeedsMentionText = "I can only read replies that mention me: keep the reply ping on (or @mention me) to ask a follow-up."

// lookingText holds the place of an answer until its text streams in.
const lookingText = "Looking through the articles…"

// replyTarget answers a message with replies to it; the first reply is
// created by the caller.
type replyTarget struct {
	d     *Bot
	to    *discordgo.Message
	first string
}

func (t *replyTarget) Edit(ctx context.Context, content string, embeds []*discordgo.MessageEmbed, components ...discordgo.MessageComponent) (string, error) {
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	e := &discordgo.MessageEdit{ID: t.first, Channel: t.to.ChannelID, Content: &content, Embeds: &embeds, AllowedMentions: noMentions()}
	if components != nil {
		e.Components = &components
	}
	m, err := t.d.session.ChannelMessageEditComplex(e, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

func (t *replyTarget) FirstID() string { return t.first }

func (t *replyTarget) Send(ctx context.Context, content string, embeds []*discordgo.MessageEmbed, components ...discordgo.MessageComponent) (string, error) {
	m, err := t.d.session.ChannelMessageSendComplex(t.to.ChannelID, &discordgo.MessageSend{
		Content:         content,
		Embeds:          embeds,
		Components:      components,
		AllowedMentions: noMentions(),
		Reference:       t.to.Reference(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

// onMessage answers messages that mention the bot, replies to its answers,
// direct messages and, with Config.MessageContent, every message in a
// thread started from one of its answers (threads.go); it ignores bots,
// webhooks and itself.
func (d *Bot) onMessage(s *discordgo.Session, mc *discordgo.MessageCreate) {
	m := mc.Message
	me := d.botID()
	if m.Author == nil || m.Author.Bot || m.WebhookID != "" || m.Author.ID == me || me == "" {
		return
	}
	mentioned := slices.ContainsFunc(m.Mentions, func(u *discordgo.User) bool { return u.ID == me }) ||
		strings.Contains(m.Content, "<@"+me+">") || strings.Contains(m.Content, "<@!"+me+">")
	replyToMe := m.ReferencedMessage != nil && m.ReferencedMessage.Author != nil && m.ReferencedMessage.Author.ID == me && repliesHere(m)
	if !mentioned && !replyToMe && m.GuildID != "" && !d.cfg.MessageContent {
		return
	}
	if d.ignoreOtherShard("message", m.GuildID) {
		return
	}
	if !d.begin() {
		return
	}
	defer d.work.Done()
	arrived := time.Now()
	ctx := d.workCtx
	// A message in a thread on one of the bot's answers follows up on
	// that answer: one replying to none of the bot's answers there, on
	// the bot's others there too; a reply, on its reply chain.
	var start *bot.Turn
	if m.GuildID != "" {
		if turn, ok := d.answerThread(ctx, m.ChannelID, m.GuildID, me); ok {
			start = &turn
		}
	}
	threadMessage := start != nil && !replyToMe
	if !mentioned && !replyToMe && m.GuildID != "" && start == nil {
		return // seen through the Message Content intent, not for the bot
	}
	q := stripMention(m.Content, me)
	switch {
	case q == "" && !mentioned && (threadMessage || replyToMe && d.cfg.MessageContent):
		// An image or a sticker in the thread, or in a reply with the
		// ping off, which the intent shows with its text: it has none.
		return
	case q == "" && replyToMe && !mentioned && m.GuildID != "":
		d.sendReply(ctx, m, replyNeedsMentionText)
		return
	case q == "":
		d.sendReply(ctx, m, helpFor(m.GuildID))
		return
	}
	if refused := questionRefusal(q); refused != "" {
		d.sendReply(ctx, m, refused)
		return
	}
	refused, ctx, release := d.admit(ctx, m.Author.ID, entryMention)
	if refused != "" {
		d.sendReply(ctx, m, refused)
		return
	}
	defer release()
	var history []bot.Turn
	switch {
	case threadMessage:
		history = d.threadHistory(ctx, m.ChannelID, scopeOf(m.GuildID), me, *start)
	case start != nil: // a reply in the thread: the answer it is on first
		history = append([]bot.Turn{*start}, d.history(ctx, m, me)...)
	default:
		history = d.history(ctx, m, me)
	}
	first := d.sendReply(ctx, m, lookingText)
	if first == "" {
		return
	}
	t := &replyTarget{d: d, to: m, first: first}
	var remember func(bot.Turn)
	if start != nil {
		remember = func(turn bot.Turn) { d.threadTurns.Add(m.ChannelID, turn) }
	}
	d.streamAnswer(ctx, bot.Question{Text: q, Scope: scopeOf(m.GuildID), History: history}, t, "", entryMention, arrived, remember)
}

// sendReply replies to m; it returns the new message's ID, or "" on
// error. The reply is remembered as no answer (see sentMemory) until an
// answer replaces it.
func (d *Bot) sendReply(ctx context.Context, m *discordgo.Message, content string) string {
	sent, err := d.session.ChannelMessageSendComplex(m.ChannelID, &discordgo.MessageSend{
		Content:         content,
		AllowedMentions: noMentions(),
		Reference:       m.Reference(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		d.log.Warn("discord: reply failed", "channel", m.ChannelID, "err", redact(err))
		return ""
	}
	d.sent.Put(nil, sent.ID)
	return sent.ID
}

// stripMention removes the bot's mentions from a message and trims it.
func stripMention(content, botID string) string {
	content = strings.ReplaceAll(content, "<@"+botID+">", " ")
	content = strings.ReplaceAll(content, "<@!"+botID+">", " ")
	return strings.Join(strings.Fields(content), " ")
}

// history walks the reply chain above m and returns the earlier turns,
// oldest first: each of the bot's answers with the question it answered.
// The bot's other messages in the chain (refusals, help, errors, an
// answer still being written) are no turns: the walk goes on above the
// question they reply to. It visits at most maxHistoryDepth of the bot's
// messages and stops at the first message that is not the bot's or
// cannot be fetched.
func (d *Bot) history(ctx context.Context, m *discordgo.Message, me string) []bot.Turn {
	var turns []bot.Turn
	cur := d.referenced(ctx, m)
	for depth := 0; cur != nil && depth < maxHistoryDepth; depth++ {
		if cur.Author == nil || cur.Author.ID != me {
			break
		}
		q := d.referenced(ctx, cur) // a mention's question; an /ask answer has none
		if turn, ok := d.earlierTurn(ctx, cur, q, scopeOf(m.GuildID), me); ok {
			turns = append(turns, turn)
		}
		if q == nil {
			break
		}
		cur = d.referenced(ctx, q)
	}
	slices.Reverse(turns)
	return turns
}

// earlierTurn returns the turn msg, one of the bot's messages in scope,
// stands for, and whether it is one of its answers; q is the message msg
// replies to, or nil. Each part of an answer stands for the whole answer.
// What the bot remembers sending decides; else, for a message sent
// before the bot (re)started, the answer kept with its vote buttons on
// msg; else no answer when its text is one of the bot's refusals; else
// the answer kept with the buttons of the last message of the answer msg
// begins or continues; else its text, with the question it replies to,
// or for the first message of an /ask answer the question its header
// quotes.
func (d *Bot) earlierTurn(ctx context.Context, msg, q *discordgo.Message, scope, me string) (bot.Turn, bool) {
	if turn, ok := d.sent.Get(msg.ID); ok {
		if turn == nil {
			return bot.Turn{}, false
		}
		return *turn, true
	}
	if turn, ok := d.keptTurn(ctx, msg, scope); ok {
		return turn, true
	}
	var turn bot.Turn
	content := msg.Content
	if q == nil && isFirstOfAsk(msg) {
		if question, rest, ok := splitHeader(content); ok {
			turn.Question, content = question, rest
		}
	}
	if notAnAnswer(content) {
		return bot.Turn{}, false
	}
	if turn, ok := d.keptTurnAfter(ctx, msg, scope, me); ok {
		return turn, true
	}
	turn.Answer = content
	if q != nil {
		turn.Question = stripMention(q.Content, me)
	}
	return turn, true
}

// isFirstOfAsk reports whether msg is the first message of an /ask
// answer, the one with the question header: an interaction's message
// that is no follow-up (a later part of the answer, whose interaction
// metadata names the first, and which may begin with a quote of its
// own).
func isFirstOfAsk(msg *discordgo.Message) bool {
	if meta := msg.InteractionMetadata; meta != nil {
		return meta.OriginalResponseMessageID == ""
	}
	return msg.Interaction != nil
}

// keptTurn returns the question and answer that the feedback store keeps
// for msg, an answer's last message, under the ID its vote buttons carry;
// false without buttons, feedback, or a record of the answer in scope.
func (d *Bot) keptTurn(ctx context.Context, msg *discordgo.Message, scope string) (bot.Turn, bool) {
	id := voteAnswerID(msg.Components)
	if id == "" || d.deps.Feedback == nil {
		return bot.Turn{}, false
	}
	rec, err := d.deps.Feedback.Answer(ctx, id)
	if err != nil {
		if !errors.Is(err, retrieval.ErrNotFound) {
			d.log.Warn("discord: looking up an earlier answer failed", "answer", id, "err", err)
		}
		return bot.Turn{}, false
	}
	if rec.Scope != scope {
		return bot.Turn{}, false
	}
	return bot.Turn{Question: rec.Question, Answer: rec.Answer}, true
}

// keptTurnAfter returns the answer kept for the last message of the long
// answer msg is an earlier part of (sent before the bot (re)started), the
// one with the vote buttons: among the next maxAnswerLookahead messages
// of msg's channel, the first of the bot's that belongs to the same
// answer (see answerKey) and carries buttons. False without feedback, for
// a message with buttons itself, and when none is found or kept.
func (d *Bot) keptTurnAfter(ctx context.Context, msg *discordgo.Message, scope, me string) (bot.Turn, bool) {
	key := answerKey(msg)
	if d.deps.Feedback == nil || key == "" || voteAnswerID(msg.Components) != "" {
		return bot.Turn{}, false
	}
	after, err := d.session.ChannelMessages(msg.ChannelID, maxAnswerLookahead, "", msg.ID, "", discordgo.WithContext(ctx))
	if err != nil {
		d.log.Info("discord: the rest of an earlier answer cannot be fetched", "message", msg.ID, "err", redact(err))
		return bot.Turn{}, false
	}
	slices.SortFunc(after, func(a, b *discordgo.Message) int { return compareIDs(a.ID, b.ID) }) // oldest first
	for _, m := range after {
		if m.Author == nil || m.Author.ID != me || answerKey(m) != key || voteAnswerID(m.Components) == "" {
			continue
		}
		return d.keptTurn(ctx, m, scope) // that answer's last message, kept or not
	}
	return bot.Turn{}, false
}

// maxAnswerLookahead is how many of the messages after an earlier part of
// a long answer keptTurnAfter reads to find its last part: the parts are
// sent one after another, but others may write in between.
const maxAnswerLookahead = 20

// answerKey is what the messages of one answer share: the interaction of
// an /ask answer, the message a mention's answer replies to; "" for a
// message that has neither.
func answerKey(m *discordgo.Message) string {
	switch {
	case m.InteractionMetadata != nil && m.InteractionMetadata.ID != "":
		return "interaction " + m.InteractionMetadata.ID
	case m.Interaction != nil && m.Interaction.ID != "":
		return "interaction " + m.Interaction.ID
	case m.MessageReference != nil && m.MessageReference.MessageID != "":
		return "reply to " + m.MessageReference.MessageID
	}
	return ""
}

// compareIDs orders Discord IDs (snowflakes: decimal numbers) by time.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return cmp.Compare(len(a), len(b))
	}
	return strings.Compare(a, b)
}

// notAnAnswer reports whether text is one of the bot's messages that
// answer no question: the help, a refusal, an error, the placeholder of
// an answer being written, the answer that there is nothing to search.
// It recognises what a message the bot does not remember sending (one
// sent before it restarted) says.
func notAnAnswer(text string) bool {
	switch text {
	case helpText, dmHelpText, replyNeedsMentionText, lookingText, restartingText, busyText, askInWordsText,
		noArticlesHereText, noSharedArticlesText, bot.NoArticlesText, bot.GenericUserMessage, bot.UserMessage(context.DeadlineExceeded):
		return true
	}
	return strings.HasPrefix(text, rateLimitedPrefix) || strings.HasPrefix(text, tooLongPrefix)
}

// repliesHere reports whether m's reference, if it has one, is a reply
// within m's own channel and server. A forward, or a reference into
// another channel or server, brings in a message from outside this
// conversation (another server's answer, say): it is no reply. Messages
// fetched over REST carry no server ID; the channel check covers them.
func repliesHere(m *discordgo.Message) bool {
	if ref := m.MessageReference; ref != nil {
		if ref.Type == discordgo.MessageReferenceTypeForward ||
			ref.ChannelID != "" && ref.ChannelID != m.ChannelID ||
			ref.GuildID != "" && m.GuildID != "" && ref.GuildID != m.GuildID {
			return false
		}
	}
	if r := m.ReferencedMessage; r != nil && r.ChannelID != "" && r.ChannelID != m.ChannelID {
		return false
	}
	return true
}

// referenced returns the message m replies to, from the event when
// Discord included it, else fetched; nil if none, on error, or when m's
// reference is no reply in its channel (see repliesHere).
func (d *Bot) referenced(ctx context.Context, m *discordgo.Message) *discordgo.Message {
	if !repliesHere(m) {
		return nil
	}
	if m.ReferencedMessage != nil {
		return m.ReferencedMessage
	}
	ref := m.MessageReference
	if ref == nil || ref.MessageID == "" {
		return nil
	}
	got, err := d.session.ChannelMessage(m.ChannelID, ref.MessageID, discordgo.WithContext(ctx))
	if err != nil {
		d.log.Info("discord: reply chain ends at a message that cannot be fetched", "message", ref.MessageID, "err", redact(err))
		return nil
	}
	return got
}
