package discord

// /ask, and the streaming of an answer into messages that /ask and
// mentions share.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/internal/text"
	"github.com/citebot/citebot/retrieval"
)

// finalEditTimeout bounds each message that ends a piece of work: it is
// sent even after the work's context was cancelled (see finalContext).
const finalEditTimeout = 5 * time.Second

// askInWordsText refuses a question without words.
const askInWordsText = "Please ask a question in words."

// discordMarkup matches what Discord shows in place of markup, not words:
// mentions of users, roles and channels, custom emoji, timestamps, slash
// command mentions, @everyone and @here.
var discordMarkup = regexp.MustCompile(`<(?:@[!&]?\d+|#\d+|a?:\w+:\d+|t:-?\d+(?::[a-zA-Z])?|/[\w -]+:\d+)>|@(?:everyone|here)\b`)

// questionRefusal refuses a question that is too long or has no words
// (see hasWords), before it takes a place or counts against the asker's
// limit; it returns "" for a question to answer.
func questionRefusal(q string) string {
	if n := utf8.RuneCountInString(q); n > bot.MaxQuestionRunes {
		return fmt.Sprintf("%s (%s characters); please keep it to at most %s characters.",
			tooLongPrefix, thousands(int64(n)), thousands(bot.MaxQuestionRunes))
	}
	if !hasWords(q) {
		return askInWordsText
	}
	return ""
}

// hasWords reports whether q, beside Discord's markup, holds a letter or
// a digit: something to search for. (The core refuses a question without
// any, but custom emoji and mentions hold the letters and digits of
// their names and IDs.)
func hasWords(q string) bool {
	return strings.IndexFunc(discordMarkup.ReplaceAllString(q, " "), func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	}) >= 0
}

// tooLongPrefix begins the refusal of a question over
// bot.MaxQuestionRunes.
const tooLongPrefix = "That question is too long"

// The answer when there is nothing to search (bot.NoArticlesText, told
// for Discord): in a server, and in DMs, which see the shared articles
// only and cannot /ingest.
const (
	noArticlesHereText   = "There are no articles to search in this server yet. A server manager can add some with /ingest."
	noSharedArticlesText = "There are no shared articles to search yet. In a server, I also answer from the articles it has added."
)

// noArticlesText is the answer in scope when there is nothing to search.
func noArticlesText(scope string) string {
	if scope == retrieval.SharedScope {
		return noSharedArticlesText
	}
	return noArticlesHereText
}

// ask answers /ask: the answer streams into the deferred reply, and is
// remembered with its question for replies to it (see sentMemory).
func (d *Bot) ask(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	arrived := time.Now()
	q := stringOption(data, "question")
	if q == "" {
		d.reply(i, helpFor(i.GuildID), true)
		return
	}
	if refused := questionRefusal(q); refused != "" {
		d.reply(i, refused, true)
		return
	}
	refused, ctx, release := d.admit(ctx, userOf(i).ID, entrySlash)
	if refused != "" {
		d.reply(i, refused, true)
		return
	}
	defer release()
	if d.deferReply(ctx, i, false) != nil {
		return
	}
	t := &interactionTarget{d: d, i: i}
	d.streamAnswer(ctx, bot.Question{Text: q, Scope: scopeOf(i.GuildID)}, t, questionHeader(q), entrySlash, arrived, nil)
}

// questionHeader is the first line of an /ask answer: the question,
// quoted as text (no markup, links or mentions), cut to
// maxHeaderQuestion characters. Discord shows the others in the channel
// only that someone used /ask, not what they asked; a mention's answer
// needs none, as it replies to the question.
func questionHeader(q string) string {
	return headerPrefix + plainText(text.Truncate(strings.Join(strings.Fields(q), " "), maxHeaderQuestion))
}

// headerPrefix begins an /ask answer's question header (a Markdown
// quote); maxHeaderQuestion bounds the question it shows, so that,
// escaped, it leaves most of the first message to the answer.
const (
	headerPrefix      = "> "
	maxHeaderQuestion = 300
)

// withHeader puts header, when there is one, on a line above content.
func withHeader(header, content string) string {
	if header == "" {
		return content
	}
	return header + "\n" + content
}

// splitHeader returns the question of an /ask answer's first message,
// sent before the bot (re)started, and the answer's text that follows
// it; ok is false when content does not begin with a question header.
// The question is unescaped as plainText escaped it; one cut to
// maxHeaderQuestion comes back cut.
func splitHeader(content string) (question, answer string, ok bool) {
	line, rest, found := strings.Cut(content, "\n")
	if !found || !strings.HasPrefix(line, headerPrefix) {
		return "", content, false
	}
	q := strings.ReplaceAll(strings.TrimPrefix(line, headerPrefix), "\u200b", "")
	q = markupEscape.ReplaceAllString(q, "$1")
	return strings.TrimSpace(q), rest, true
}

// markupEscape matches a backslash escaping a punctuation character, as
// plainText escapes markup.
var markupEscape = regexp.MustCompile(`\\([[:punct:]])`)

// finalContext returns the context for a message that ends work done
// under ctx (the answer, or the error that stopped it): it is not
// cancelled with ctx, so work cut short by the end of the shutdown grace
// still tells the user, but it ends after finalEditTimeout.
func finalContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), finalEditTimeout)
}

// answerTarget is where an answer is shown: Edit replaces the first
// message, Send adds another; components, when given, replace the
// message's buttons. Both return the message ID. FirstID is the ID of
// the first message before any Edit returns it, or "" when it is not
// known yet (an interaction's deferred response).
type answerTarget interface {
	Edit(ctx context.Context, content string, embeds []*discordgo.MessageEmbed, components ...discordgo.MessageComponent) (string, error)
	Send(ctx context.Context, content string, embeds []*discordgo.MessageEmbed, components ...discordgo.MessageComponent) (string, error)
	FirstID() string
}

type interactionTarget struct {
	d *Bot
	i *discordgo.Interaction
}

func (t *interactionTarget) Edit(ctx context.Context, content string, embeds []*discordgo.MessageEmbed, components ...discordgo.MessageComponent) (string, error) {
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	e := &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, AllowedMentions: noMentions()}
	if components != nil {
		e.Components = &components
	}
	m, err := t.d.session.InteractionResponseEdit(t.i, e, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

func (t *interactionTarget) FirstID() string { return "" }

func (t *interactionTarget) Send(ctx context.Context, content string, embeds []*discordgo.MessageEmbed, components ...discordgo.MessageComponent) (string, error) {
	m, err := t.d.session.FollowupMessageCreate(t.i, true, &discordgo.WebhookParams{Content: content, Embeds: embeds, Components: components, AllowedMentions: noMentions()}, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

// streamAnswer asks the service, showing the text as it streams (at most
// one edit per EditInterval), then the final answer and its sources, or
// what stopped it (sent even once ctx is cancelled, see finalContext),
// with the vote buttons on its last message (see saveAnswer). It
// remembers the messages of the answer, each standing for the whole
// answer and q, and those of an error or of the answer that there is
// nothing to search as no answer (see sentMemory). It reports the
// question's outcome under entry, timed from arrived. An answer's turn
// is also given to remember, when not nil, before the answer shows.
func (d *Bot) streamAnswer(ctx context.Context, q bot.Question, t answerTarget, header, entry string, arrived time.Time, remember func(bot.Turn)) {
	var (
		mu    sync.Mutex
		text  strings.Builder
		dirty bool
	)
	onDelta := func(delta string) {
		mu.Lock()
		text.WriteString(delta)
		dirty = true
		mu.Unlock()
	}
	tick, stop := d.newTicker(d.cfg.EditInterval)
	done := make(chan struct{})
	edited := make(chan struct{})
	go func() {
		defer close(edited)
		for {
			select {
			case <-done:
				return
			case <-tick:
			}
			mu.Lock()
			snapshot, changed := text.String(), dirty
			dirty = false
			mu.Unlock()
			if !changed || strings.TrimSpace(snapshot) == "" {
				continue
			}
			if _, err := t.Edit(ctx, renderPartial(header, snapshot), nil); err != nil {
				d.log.Warn("discord: streaming edit failed", "err", redact(err))
			}
		}
	}()
	ans, err := d.deps.Service.AskStream(ctx, q, onDelta)
	close(done)
	stop()
	<-edited
	defer func() { d.obs.Question(entry, outcomeOf(ans, err), time.Since(arrived)) }()
	if err != nil {
		d.log.Warn("discord: answering failed", "scope", q.Scope, "err", err)
		msg := bot.UserMessage(err)
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			msg = restartingText // cut short by the end of the shutdown grace
		}
		fctx, cancel := finalContext(ctx)
		defer cancel()
		id, err := t.Edit(fctx, withHeader(header, msg), nil)
		if err != nil {
			d.log.Warn("discord: reporting an error failed", "err", redact(err))
		}
		d.sent.Put(nil, id)
		return
	}
	shown := ans
	if ans.Text == bot.NoArticlesText { // it names the CLI
		shown.Text = noArticlesText(q.Scope)
	}
	msgs := renderAnswer(shown, header)
	var buttons []discordgo.MessageComponent
	sctx, cancel := finalContext(ctx)
	if id := d.saveAnswer(sctx, q, ans); id != "" {
		buttons = voteButtons(id)
	}
	cancel()
	var turn *bot.Turn // nil: no answer
	if ans.Text != bot.NoArticlesText {
		turn = &bot.Turn{Question: q.Text, Answer: historyText(ans)}
	}
	// The first message is remembered before the answer shows in it, so
	// that a reply as soon as it shows finds the answer; the others once
	// sent.
	if turn != nil && remember != nil {
		remember(*turn)
	}
	d.sent.Put(turn, t.FirstID())
	d.sent.Put(turn, d.sendFinal(ctx, t, msgs, buttons, "answer")...)
}

// historyText is what an answer says, as an earlier turn of a
// conversation: its text (as the feedback store keeps it), or that the
// articles do not cover the question.
func historyText(ans bot.Answer) string {
	if text := strings.TrimSpace(ans.Text); text != "" {
		return text
	}
	return bot.NotCoveredText
}

// sendFinal shows the final messages of a piece of work done under ctx
// (sent even once ctx is cancelled, see finalContext): the first replaces
// the target's first message, the others follow, and the last carries
// comps. It returns the IDs of the messages sent, stopping at the first
// that fails (logged, naming what).
func (d *Bot) sendFinal(ctx context.Context, t answerTarget, msgs []outMessage, comps []discordgo.MessageComponent, what string) []string {
	var ids []string
	for n, m := range msgs {
		send := t.Send
		if n == 0 {
			send = t.Edit
		}
		var c []discordgo.MessageComponent
		if n == len(msgs)-1 {
			c = comps
		}
		fctx, cancel := finalContext(ctx)
		id, err := send(fctx, m.Content, m.Embeds, c...)
		cancel()
		if err != nil {
			d.log.Warn("discord: sending the "+what+" failed", "part", n, "err", redact(err))
			return ids
		}
		ids = append(ids, id)
	}
	return ids
}
