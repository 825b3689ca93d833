package discord

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

// Limits on what users send.
const (
	maxHistoryDepth = 10 // bot answers followed up a reply chain
	maxChoices      = 25 // Discord's autocomplete limit
)

// attachmentExtensions are the file types /ingest accepts.
var attachmentExtensions = []string{".txt", ".md", ".markdown", ".html", ".htm"}

// discordAttachmentHosts serve Discord attachments.
var discordAttachmentHosts = []string{"cdn.discordapp.com", "media.discordapp.net"}

// restartingText answers work refused or cut short by a shutdown.
const restartingText = "I'm restarting; please try again in a minute."

// finalEditTimeout bounds each message that ends a piece of work: it is
// sent even after the work's context was cancelled (see finalContext).
const finalEditTimeout = 5 * time.Second

const helpText = "Ask me about the articles this server has collected: mention me with a question, " +
	"reply to one of my answers to follow up, or use `/ask`. `/sources` lists the articles."

// replyNeedsMentionText answers a reply to the bot that arrives without
// its text: without the Message Content intent Discord sends a server
// message's text only when it mentions the bot, and a reply with its ping
// turned off does not.
const replyNeedsMentionText = "I can only read replies that mention me: keep the reply ping on (or @mention me) to ask a follow-up."

// Commands returns the slash commands the bot registers. /ingest and
// /forget default to members with Manage Server and are not offered in DMs.
func commands() []*discordgo.ApplicationCommand {
	manage := int64(discordgo.PermissionManageGuild)
	guildOnly := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	anywhere := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	no := false
	one := 1.0
	return []*discordgo.ApplicationCommand{
		{
			Name: "ask", Description: "Ask a question about the collected articles", Contexts: anywhere,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "question", Description: "Your question", Required: true, MaxLength: bot.MaxQuestionRunes},
			},
		},
		{
			Name: "ingest", Description: "Add an article to this server's collection",
			DefaultMemberPermissions: &manage, DMPermission: &no, Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "Web address of the article"},
				{Type: discordgo.ApplicationCommandOptionAttachment, Name: "file", Description: "A .txt, .md or .html file"},
				{Type: discordgo.ApplicationCommandOptionString, Name: "text", Description: "The article text", MaxLength: 6000},
				{Type: discordgo.ApplicationCommandOptionString, Name: "title", Description: "Title (optional)", MaxLength: 200},
			},
		},
		{
			Name: "sources", Description: "List the articles I can cite here", Contexts: anywhere,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "page", Description: "Page number", MinValue: &one},
			},
		},
		{
			Name: "forget", Description: "Remove an article from this server's collection",
			DefaultMemberPermissions: &manage, DMPermission: &no, Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "article", Description: "The article (start typing its title)", Required: true, Autocomplete: true},
			},
		},
	}
}

// refuse returns an error whose message is meant for the user as is.
func refuse(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return bot.UserError(msg, errors.New(msg))
}

// onInteraction handles every interaction; discordgo runs it in its own
// goroutine.
func (d *Bot) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	i := ic.Interaction
	if !d.begin() {
		if i.Type == discordgo.InteractionApplicationCommand {
			d.reply(i, restartingText, true)
		}
		return
	}
	defer d.work.Done()
	ctx := d.workCtx
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		data := i.ApplicationCommandData()
		switch data.Name {
		case "ask":
			d.ask(ctx, i, data)
		case "ingest":
			d.ingestCommand(ctx, i, data)
		case "sources":
			d.sourcesCommand(ctx, i, data)
		case "forget":
			d.forgetCommand(ctx, i, data)
		default:
			d.reply(i, "I don't know that command.", true)
		}
	case discordgo.InteractionApplicationCommandAutocomplete:
		if data := i.ApplicationCommandData(); data.Name == "forget" {
			d.forgetAutocomplete(ctx, i, data)
		}
	case discordgo.InteractionMessageComponent:
		if id := i.MessageComponentData().CustomID; strings.HasPrefix(id, sourcesCustomID) {
			page, _ := strconv.Atoi(strings.TrimPrefix(id, sourcesCustomID))
			d.sourcesPage(ctx, i, page, discordgo.InteractionResponseUpdateMessage)
		}
	}
}

func userOf(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	if i.User != nil {
		return i.User
	}
	return &discordgo.User{}
}

func stringOption(data discordgo.ApplicationCommandInteractionData, name string) string {
	o := data.GetOption(name)
	if o == nil {
		return ""
	}
	s, _ := o.Value.(string)
	return strings.TrimSpace(s)
}

// reply answers an interaction at once with a plain message.
func (d *Bot) reply(i *discordgo.Interaction, content string, ephemeral bool) {
	data := &discordgo.InteractionResponseData{Content: content, AllowedMentions: noMentions()}
	if ephemeral {
		data.Flags = discordgo.MessageFlagsEphemeral
	}
	err := d.session.InteractionRespond(i, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data})
	if err != nil {
		d.log.Warn("discord: interaction reply failed", "interaction", i.ID, "err", redact(err))
	}
}

// deferReply acknowledges an interaction; the answer follows by editing.
func (d *Bot) deferReply(ctx context.Context, i *discordgo.Interaction, ephemeral bool) error {
	resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	if ephemeral {
		resp.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	if err := d.session.InteractionRespond(i, resp, discordgo.WithContext(ctx)); err != nil {
		d.log.Warn("discord: deferring failed", "interaction", i.ID, "err", redact(err))
		return err
	}
	return nil
}

// admit applies the cap on work in flight (the Service's admission, which
// never makes a question wait), then the per-user rate limit, so a
// question turned away as busy does not use up the asker's quota. It
// returns a friendly refusal, or "", the context to answer under (it
// holds the admitted place) and the func that releases the place.
func (d *Bot) admit(ctx context.Context, userID string) (string, context.Context, func()) {
	held, release, ok := d.deps.Service.Admission().TryAcquire(ctx)
	if !ok {
		return "I'm busy with other questions right now; please try again in a moment.", ctx, nil
	}
	if ok, wait := d.rate.Allow(userID); !ok {
		release()
		secs := int(wait.Round(time.Second) / time.Second)
		return fmt.Sprintf("You're asking faster than I can keep up — please wait %d s and try again.", max(secs, 1)), ctx, nil
	}
	return "", held, release
}

func (d *Bot) ask(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	q := stringOption(data, "question")
	if q == "" {
		d.reply(i, helpText, true)
		return
	}
	if err := bot.CheckQuestionLength(q); err != nil {
		d.reply(i, bot.UserMessage(err), true)
		return
	}
	refused, ctx, release := d.admit(ctx, userOf(i).ID)
	if refused != "" {
		d.reply(i, refused, true)
		return
	}
	defer release()
	if d.deferReply(ctx, i, false) != nil {
		return
	}
	t := &interactionTarget{d: d, i: i}
	ids := d.streamAnswer(ctx, bot.Question{Text: q, Scope: scopeOf(i.GuildID)}, t)
	for _, id := range ids {
		d.asked.Put(id, q)
	}
}

// finalContext returns the context for a message that ends work done
// under ctx (the answer, or the error that stopped it): it is not
// cancelled with ctx, so work cut short by the end of the shutdown grace
// still tells the user, but it ends after finalEditTimeout.
func finalContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), finalEditTimeout)
}

// answerTarget is where an answer is shown: Edit replaces the first
// message, Send adds another. Both return the message ID.
type answerTarget interface {
	Edit(ctx context.Context, content string, embeds []*discordgo.MessageEmbed) (string, error)
	Send(ctx context.Context, content string, embeds []*discordgo.MessageEmbed) (string, error)
}

type interactionTarget struct {
	d *Bot
	i *discordgo.Interaction
}

func (t *interactionTarget) Edit(ctx context.Context, content string, embeds []*discordgo.MessageEmbed) (string, error) {
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	m, err := t.d.session.InteractionResponseEdit(t.i, &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, AllowedMentions: noMentions()}, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

func (t *interactionTarget) Send(ctx context.Context, content string, embeds []*discordgo.MessageEmbed) (string, error) {
	m, err := t.d.session.FollowupMessageCreate(t.i, true, &discordgo.WebhookParams{Content: content, Embeds: embeds, AllowedMentions: noMentions()}, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

// replyTarget answers a message with replies to it; the first reply is
// created by the caller.
type replyTarget struct {
	d     *Bot
	to    *discordgo.Message
	first string
}

func (t *replyTarget) Edit(ctx context.Context, content string, embeds []*discordgo.MessageEmbed) (string, error) {
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	e := &discordgo.MessageEdit{ID: t.first, Channel: t.to.ChannelID, Content: &content, Embeds: &embeds, AllowedMentions: noMentions()}
	m, err := t.d.session.ChannelMessageEditComplex(e, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

func (t *replyTarget) Send(ctx context.Context, content string, embeds []*discordgo.MessageEmbed) (string, error) {
	m, err := t.d.session.ChannelMessageSendComplex(t.to.ChannelID, &discordgo.MessageSend{
		Content:         content,
		Embeds:          embeds,
		AllowedMentions: noMentions(),
		Reference:       t.to.Reference(),
	}, discordgo.WithContext(ctx))
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

// streamAnswer asks the service, showing the text as it streams (at most
// one edit per EditInterval), then the final answer and its sources, or
// what stopped it (sent even once ctx is cancelled, see finalContext). It
// returns the IDs of the messages that hold the answer.
func (d *Bot) streamAnswer(ctx context.Context, q bot.Question, t answerTarget) []string {
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
			if _, err := t.Edit(ctx, renderPartial(snapshot), nil); err != nil {
				d.log.Warn("discord: streaming edit failed", "err", redact(err))
			}
		}
	}()
	ans, err := d.deps.Service.AskStream(ctx, q, onDelta)
	close(done)
	stop()
	<-edited
	if err != nil {
		d.log.Warn("discord: answering failed", "scope", q.Scope, "err", err)
		msg := bot.UserMessage(err)
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			msg = restartingText // cut short by the end of the shutdown grace
		}
		fctx, cancel := finalContext(ctx)
		defer cancel()
		if _, err := t.Edit(fctx, msg, nil); err != nil {
			d.log.Warn("discord: reporting an error failed", "err", redact(err))
		}
		return nil
	}
	var ids []string
	for n, m := range renderAnswer(ans) {
		send := t.Send
		if n == 0 {
			send = t.Edit
		}
		fctx, cancel := finalContext(ctx)
		id, err := send(fctx, m.Content, m.Embeds)
		cancel()
		if err != nil {
			d.log.Warn("discord: sending the answer failed", "part", n, "err", redact(err))
			return ids
		}
		ids = append(ids, id)
	}
	return ids
}

// onMessage answers messages that mention the bot, replies to its answers
// and direct messages; it ignores bots, webhooks and itself.
func (d *Bot) onMessage(s *discordgo.Session, mc *discordgo.MessageCreate) {
	m := mc.Message
	me := d.botID()
	if m.Author == nil || m.Author.Bot || m.WebhookID != "" || m.Author.ID == me || me == "" {
		return
	}
	mentioned := slices.ContainsFunc(m.Mentions, func(u *discordgo.User) bool { return u.ID == me }) ||
		strings.Contains(m.Content, "<@"+me+">") || strings.Contains(m.Content, "<@!"+me+">")
	replyToMe := m.ReferencedMessage != nil && m.ReferencedMessage.Author != nil && m.ReferencedMessage.Author.ID == me && repliesHere(m)
	if !mentioned && !replyToMe && m.GuildID != "" {
		return
	}
	if !d.begin() {
		return
	}
	defer d.work.Done()
	ctx := d.workCtx
	q := stripMention(m.Content, me)
	switch {
	case q == "" && replyToMe && !mentioned && m.GuildID != "":
		d.sendReply(ctx, m, replyNeedsMentionText)
		return
	case q == "":
		d.sendReply(ctx, m, helpText)
		return
	}
	if err := bot.CheckQuestionLength(q); err != nil {
		d.sendReply(ctx, m, bot.UserMessage(err))
		return
	}
	refused, ctx, release := d.admit(ctx, m.Author.ID)
	if refused != "" {
		d.sendReply(ctx, m, refused)
		return
	}
	defer release()
	history := d.history(ctx, m, me)
	first := d.sendReply(ctx, m, "Looking through the articles…")
	if first == "" {
		return
	}
	t := &replyTarget{d: d, to: m, first: first}
	ids := d.streamAnswer(ctx, bot.Question{Text: q, Scope: scopeOf(m.GuildID), History: history}, t)
	for _, id := range ids {
		d.asked.Put(id, q)
	}
}

// sendReply replies to m; it returns the new message's ID, or "" on error.
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
// It follows at most maxHistoryDepth answers and stops at the first
// message that is not one of the bot's answers or cannot be fetched.
func (d *Bot) history(ctx context.Context, m *discordgo.Message, me string) []bot.Turn {
	var turns []bot.Turn
	cur := d.referenced(ctx, m)
	for depth := 0; cur != nil && depth < maxHistoryDepth; depth++ {
		if cur.Author == nil || cur.Author.ID != me {
			break
		}
		turn := bot.Turn{Answer: cur.Content}
		var next *discordgo.Message
		if q := d.referenced(ctx, cur); q != nil {
			turn.Question = stripMention(q.Content, me)
			next = d.referenced(ctx, q)
		} else if q, ok := d.asked.Get(cur.ID); ok {
			turn.Question = q
		}
		turns = append(turns, turn)
		cur = next
	}
	slices.Reverse(turns)
	return turns
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

// canManage reports whether the member invoking i may change the server's
// articles: Manage Server or Administrator in the interaction's resolved
// permissions, or the configured manager role.
func (d *Bot) canManage(i *discordgo.Interaction) bool {
	if i.Member == nil {
		return false
	}
	if i.Member.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) != 0 {
		return true
	}
	return d.cfg.ManagerRole != "" && slices.Contains(i.Member.Roles, d.cfg.ManagerRole)
}

// manageRefusal checks a management command; it returns a refusal or "".
func (d *Bot) manageRefusal(i *discordgo.Interaction, what string) string {
	if i.GuildID == "" {
		return fmt.Sprintf("You can %s only in a server; in DMs I answer from the shared articles.", what)
	}
	if !d.canManage(i) {
		return fmt.Sprintf("Only members with Manage Server (or the manager role) can %s.", what)
	}
	return ""
}

func (d *Bot) ingestCommand(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	if r := d.manageRefusal(i, "add articles"); r != "" {
		d.reply(i, r, true)
		return
	}
	var given []string
	for _, name := range []string{"url", "file", "text"} {
		if o := data.GetOption(name); o != nil {
			given = append(given, name)
		}
	}
	if len(given) != 1 {
		d.reply(i, "Give exactly one of `url`, `file` or `text` (and optionally a `title`).", true)
		return
	}
	ctx, release, ok := d.deps.Service.Admission().TryAcquire(ctx)
	if !ok {
		d.reply(i, "I'm busy right now; please try again in a moment.", true)
		return
	}
	defer release()
	if d.deferReply(ctx, i, true) != nil {
		return
	}
	msg := d.ingest(ctx, i, data, given[0])
	fctx, cancel := finalContext(ctx)
	defer cancel()
	if _, err := d.session.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &msg, AllowedMentions: noMentions()}, discordgo.WithContext(fctx)); err != nil {
		d.log.Warn("discord: ingest report failed", "interaction", i.ID, "err", redact(err))
	}
}

// ingest builds the article from the chosen option, stores it in the
// server's scope and returns the report for the user.
func (d *Bot) ingest(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData, kind string) string {
	scope := scopeOf(i.GuildID)
	title := stringOption(data, "title")
	var (
		a   ingest.Article
		err error
	)
	switch kind {
	case "url":
		a, err = d.fromURL(ctx, stringOption(data, "url"))
	case "file":
		a, err = d.fromAttachment(ctx, data)
	case "text":
		a, err = d.fromText(stringOption(data, "text"), title)
	}
	if err == nil {
		if kind != "url" {
			// Only a page the bot fetched keeps a URL: a file or pasted
			// text may declare any (a canonical link, a "URL:" line), which
			// would put invented text under a real site's address.
			a.URL = ""
		}
		if title != "" {
			a.Title = title
		}
		if a.URL == "" {
			a.ID = ingest.NewID("", a.Title, a.Paragraphs)
		}
	}
	// Errors that say what went wrong for the user (a web page's
	// PageError, say) keep their own message.
	switch hasOwnMessage := err != nil && bot.UserMessage(err) != bot.GenericUserMessage; {
	case hasOwnMessage:
	case errors.Is(err, ingest.ErrEmpty):
		err = bot.UserError("I found no readable text in it.", err)
	case errors.Is(err, ingest.ErrUnsupported):
		err = bot.UserError("I can read .txt, .md and .html files only.", err)
	}
	if err != nil {
		d.log.Info("discord: ingest refused", "scope", scope, "kind", kind, "err", err)
		return "Couldn't add that: " + bot.UserMessage(err)
	}
	res, err := d.deps.Service.Ingest(ctx, scope, a)
	if err != nil {
		d.log.Warn("discord: ingest failed", "scope", scope, "err", err)
		return "Couldn't add that: " + bot.UserMessage(err)
	}
	d.log.Info("discord: ingested", "scope", scope, "article", res.ID, "status", res.Status.String(), "passages", res.Chunks)
	verb := map[retrieval.AddStatus]string{retrieval.Added: "Added", retrieval.Updated: "Updated", retrieval.Unchanged: "Already had"}[res.Status]
	if verb == "" {
		verb = "Stored"
	}
	return fmt.Sprintf("%s **%s** — %s (id `%s`).", verb, escapeMarkdown(truncate(res.Title, 200)), plural(res.Chunks, "passage"), res.ID)
}

func (d *Bot) fromURL(ctx context.Context, raw string) (ingest.Article, error) {
	if d.deps.Fetcher == nil {
		return ingest.Article{}, refuse("adding web pages is not enabled here.")
	}
	// The Fetcher refuses anything but http(s) addresses itself, with a
	// message for the user.
	return d.deps.Fetcher.Fetch(ctx, raw)
}

func (d *Bot) fromText(text, title string) (ingest.Article, error) {
	if d.deps.Parse == nil {
		return ingest.Article{}, refuse("adding text is not enabled here.")
	}
	if text == "" {
		return ingest.Article{}, refuse("the text is empty.")
	}
	if title == "" {
		// Slash command options are one line: take the first words as title.
		words := strings.Fields(text)
		title = strings.Join(words[:min(len(words), 8)], " ")
		if len(words) > 8 {
			title += "…"
		}
	}
	// The plain text convention: the title on line 1, the body after a blank line.
	return d.deps.Parse("pasted.txt", []byte(title+"\n\n"+text))
}

// attachmentHostAllowed reports whether u may be downloaded as an
// attachment: Discord's CDN over https, or the configured API base host.
func (d *Bot) attachmentHostAllowed(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	if u.Scheme == "https" && slices.Contains(discordAttachmentHosts, host) {
		return true
	}
	base, err := url.Parse(d.cfg.APIBase)
	return err == nil && d.cfg.APIBase != DefaultAPIBase && u.Scheme == base.Scheme && strings.EqualFold(u.Host, base.Host)
}

func (d *Bot) fromAttachment(ctx context.Context, data discordgo.ApplicationCommandInteractionData) (ingest.Article, error) {
	if d.deps.Parse == nil {
		return ingest.Article{}, refuse("adding files is not enabled here.")
	}
	id, _ := data.GetOption("file").Value.(string)
	var att *discordgo.MessageAttachment
	if data.Resolved != nil {
		att = data.Resolved.Attachments[id]
	}
	if att == nil {
		return ingest.Article{}, refuse("I didn't receive the file; please attach it again.")
	}
	ext := strings.ToLower(path.Ext(att.Filename))
	if !slices.Contains(attachmentExtensions, ext) {
		return ingest.Article{}, refuse("I can read .txt, .md and .html files, not %q.", att.Filename)
	}
	limit := d.cfg.MaxAttachmentBytes
	if int64(att.Size) > limit {
		return ingest.Article{}, refuse("that file is too large (%d bytes; the limit is %d).", att.Size, limit)
	}
	u, err := url.Parse(att.URL)
	if err != nil || !d.attachmentHostAllowed(u) {
		return ingest.Article{}, fmt.Errorf("attachment %s: %w", att.URL, refuse("that file is not on Discord's servers."))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return ingest.Article{}, fmt.Errorf("attachment %s: %w", att.URL, err)
	}
	resp, err := d.files.Do(req)
	if err != nil {
		return ingest.Article{}, fmt.Errorf("download attachment %s: %w", att.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return ingest.Article{}, fmt.Errorf("download attachment %s: %s: %w", att.URL, resp.Status, refuse("I couldn't download the file."))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return ingest.Article{}, fmt.Errorf("download attachment %s: %w", att.URL, err)
	}
	if int64(len(body)) > limit {
		return ingest.Article{}, refuse("that file is too large (the limit is %d bytes).", limit)
	}
	a, err := d.deps.Parse(att.Filename, body)
	if err != nil {
		return ingest.Article{}, fmt.Errorf("attachment %s: %w", att.Filename, err)
	}
	return a, nil
}

func (d *Bot) sourcesCommand(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	page := 0
	if o := data.GetOption("page"); o != nil {
		if f, ok := o.Value.(float64); ok {
			page = int(f) - 1
		}
	}
	d.sourcesPage(ctx, i, page, discordgo.InteractionResponseChannelMessageWithSource)
}

// sourcesPage responds with one page of the articles visible where i was
// used, as a new ephemeral message or by updating the one whose button was
// clicked.
func (d *Bot) sourcesPage(ctx context.Context, i *discordgo.Interaction, page int, how discordgo.InteractionResponseType) {
	list, err := d.deps.Service.Sources(ctx, scopeOf(i.GuildID))
	if err != nil {
		d.log.Warn("discord: listing sources failed", "err", err)
		d.reply(i, bot.UserMessage(err), true)
		return
	}
	embed, components := renderSourcesPage(list, page)
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	resp := &discordgo.InteractionResponse{Type: how, Data: &discordgo.InteractionResponseData{
		Embeds:          []*discordgo.MessageEmbed{embed},
		Components:      components,
		AllowedMentions: noMentions(),
		Flags:           discordgo.MessageFlagsEphemeral,
	}}
	if err := d.session.InteractionRespond(i, resp, discordgo.WithContext(ctx)); err != nil {
		d.log.Warn("discord: sources response failed", "err", redact(err))
	}
}

func (d *Bot) forgetCommand(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	if r := d.manageRefusal(i, "remove articles"); r != "" {
		d.reply(i, r, true)
		return
	}
	id := stringOption(data, "article")
	scope := scopeOf(i.GuildID)
	list, err := d.deps.Service.Sources(ctx, scope)
	if err != nil {
		d.log.Warn("discord: listing sources to forget failed", "scope", scope, "article", id, "err", err)
		d.reply(i, bot.UserMessage(err), true)
		return
	}
	var title string
	for _, a := range list {
		if a.ID == id && a.Scope == scope {
			title = a.Title
		}
	}
	if title == "" {
		d.reply(i, fmt.Sprintf("This server has no article `%s`; `/sources` lists them.", escapeMarkdown(truncate(id, 100))), true)
		return
	}
	if err := d.deps.Service.Forget(ctx, scope, id); err != nil {
		d.log.Warn("discord: forget failed", "scope", scope, "article", id, "err", err)
		d.reply(i, "Couldn't remove it: "+bot.UserMessage(err), true)
		return
	}
	d.log.Info("discord: forgot", "scope", scope, "article", id)
	d.reply(i, fmt.Sprintf("Removed **%s** (`%s`).", escapeMarkdown(truncate(title, 200)), id), true)
}

// forgetAutocomplete offers this server's own articles whose title or ID
// contains what the user typed.
func (d *Bot) forgetAutocomplete(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	typed := strings.ToLower(stringOption(data, "article"))
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if i.GuildID != "" && d.canManage(i) {
		scope := scopeOf(i.GuildID)
		list, err := d.deps.Service.Sources(ctx, scope)
		if err != nil {
			d.log.Warn("discord: autocomplete failed", "err", err)
		}
		for _, a := range list {
			if a.Scope != scope || !(strings.Contains(strings.ToLower(a.Title), typed) || strings.HasPrefix(a.ID, typed)) {
				continue
			}
			name := a.Title
			if a.Source != "" {
				name += " — " + a.Source
			}
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: truncate(name, 100), Value: a.ID})
			if len(choices) == maxChoices {
				break
			}
		}
	}
	err := d.session.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	}, discordgo.WithContext(ctx))
	if err != nil {
		d.log.Warn("discord: autocomplete response failed", "err", redact(err))
	}
}
