package discord

// Managing a server's articles: /ingest and /forget.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/text"
	"github.com/citebot/citebot/retrieval"
)

// maxChoices is Discord's autocomplete limit.
const maxChoices = 25

// attachmentExtensions are the file types /ingest accepts.
var attachmentExtensions = []string{".txt", ".md", ".markdown", ".html", ".htm"}

// discordAttachmentHosts serve Discord attachments.
var discordAttachmentHosts = []string{"cdn.discordapp.com", "media.discordapp.net"}

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
		if d.cfg.ManagerRole != "" {
			return fmt.Sprintf("Only members with Manage Server or the manager role can %s.", what)
		}
		return fmt.Sprintf("Only members with Manage Server can %s.", what)
	}
	return ""
}

// ingestCommand answers /ingest: for a manager, with exactly one of url,
// file or text, and a free place in the admission, it stores the article
// and edits the deferred (ephemeral) reply into the report.
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
	ctx, release, ok := d.admitManaged(ctx, i)
	if !ok {
		return
	}
	defer release()
	msg := d.ingest(ctx, i, data, given[0])
	fctx, cancel := finalContext(ctx)
	defer cancel()
	if _, err := d.session.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &msg, AllowedMentions: noMentions()}, discordgo.WithContext(fctx)); err != nil {
		d.log.Warn("discord: ingest report failed", "interaction", i.ID, "err", redact(err))
	}
}

// admitManaged takes a place in the admission for a management command
// and defers its (ephemeral) reply; when it cannot, it tells the user
// why and returns false.
func (d *Bot) admitManaged(ctx context.Context, i *discordgo.Interaction) (context.Context, func(), bool) {
	ctx, release, ok := d.deps.Service.Admission().TryAcquire(ctx)
	if !ok {
		d.reply(i, "I'm busy right now; please try again in a moment.", true)
		return ctx, nil, false
	}
	if d.deferReply(ctx, i, true) != nil {
		release()
		return ctx, nil, false
	}
	return ctx, release, true
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
		d.obs.Ingest(kind, "error")
		return couldNot("add that", bot.UserMessage(err))
	}
	res, err := d.deps.Service.Ingest(ctx, scope, a)
	d.obs.Ingest(kind, ingestOutcome(res, err))
	if err != nil {
		d.log.Warn("discord: ingest failed", "scope", scope, "err", err)
		return couldNot("add that", bot.UserMessage(err))
	}
	d.log.Info("discord: ingested", "scope", scope, "article", res.ID, "status", res.Status.String(), "passages", res.Chunks)
	verb := map[retrieval.AddStatus]string{retrieval.Added: "Added", retrieval.Updated: "Updated", retrieval.Unchanged: "Already had"}[res.Status]
	if verb == "" {
		verb = "Stored"
	}
	return fmt.Sprintf("%s **%s** — %s (id `%s`).", verb, plainText(text.Truncate(res.Title, 200)), plural(res.Chunks, "passage"), res.ID)
}

// fromURL fetches the article at raw with the Fetcher.
func (d *Bot) fromURL(ctx context.Context, raw string) (ingest.Article, error) {
	if d.deps.Fetcher == nil {
		return ingest.Article{}, refuse("Adding web pages is not enabled here.")
	}
	// The Fetcher refuses anything but http(s) addresses itself, with a
	// message for the user.
	return d.deps.Fetcher.Fetch(ctx, raw)
}

// fromText parses pasted text, titled by title or else by its first words.
func (d *Bot) fromText(text, title string) (ingest.Article, error) {
	if d.deps.Parse == nil {
		return ingest.Article{}, refuse("Adding text is not enabled here.")
	}
	if text == "" {
		return ingest.Article{}, refuse("The text is empty.")
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

// fromAttachment downloads and parses the file option's attachment: a
// known text type, within MaxAttachmentBytes, from an allowed host.
func (d *Bot) fromAttachment(ctx context.Context, data discordgo.ApplicationCommandInteractionData) (ingest.Article, error) {
	if d.deps.Parse == nil {
		return ingest.Article{}, refuse("Adding files is not enabled here.")
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
		return ingest.Article{}, refuse("I can read .txt, .md and .html files, not “%s”.", plainText(text.Truncate(att.Filename, 100)))
	}
	limit := d.cfg.MaxAttachmentBytes
	if size := int64(att.Size); size > limit {
		shown, limitShown := byteSize(size), byteSize(limit)
		if shown == limitShown { // only just over: in bytes, which differ
			shown, limitShown = thousands(size)+" bytes", thousands(limit)+" bytes"
		}
		return ingest.Article{}, refuse("That file is too large (%s; the limit is %s).", shown, limitShown)
	}
	u, err := url.Parse(att.URL)
	if err != nil || !d.attachmentHostAllowed(u) {
		return ingest.Article{}, fmt.Errorf("attachment %s: %w", att.URL, refuse("That file is not on Discord's servers."))
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
		return ingest.Article{}, refuse("That file is too large (the limit is %s).", byteSize(limit))
	}
	a, err := d.deps.Parse(att.Filename, body)
	if err != nil {
		return ingest.Article{}, fmt.Errorf("attachment %s: %w", att.Filename, err)
	}
	return a, nil
}

// forgetCommand answers /forget: for a manager, it removes one of this
// server's own articles (shared ones cannot be forgotten from a server).
func (d *Bot) forgetCommand(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	if r := d.manageRefusal(i, "remove articles"); r != "" {
		d.reply(i, r, true)
		return
	}
	id := stringOption(data, "article")
	if id == "" {
		d.reply(i, "Pick an article to remove (start typing its title).", true)
		return
	}
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
		d.reply(i, fmt.Sprintf("This server has no article %s; `/sources` lists them.", inlineCode(text.Truncate(id, 100))), true)
		return
	}
	if err := d.deps.Service.Forget(ctx, scope, id); err != nil {
		d.log.Warn("discord: forget failed", "scope", scope, "article", id, "err", err)
		d.reply(i, couldNot("remove it", bot.UserMessage(err)), true)
		return
	}
	d.log.Info("discord: forgot", "scope", scope, "article", id)
	d.reply(i, fmt.Sprintf("Removed **%s** (`%s`).", plainText(text.Truncate(title, 200)), id), true)
}

// forgetAutocomplete offers this server's own articles whose title or ID
// contains what the user typed, to those who may forget them.
func (d *Bot) forgetAutocomplete(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	var list []retrieval.ArticleInfo
	if i.GuildID != "" && d.canManage(i) {
		list = d.visibleArticles(ctx, i)
	}
	d.offerArticles(ctx, i, data, list, scopeOf(i.GuildID))
}

// visibleArticles lists the articles the interaction's place sees (its
// server's and the shared ones); a failure is logged and lists none.
func (d *Bot) visibleArticles(ctx context.Context, i *discordgo.Interaction) []retrieval.ArticleInfo {
	list, err := d.deps.Service.Sources(ctx, scopeOf(i.GuildID))
	if err != nil {
		d.log.Warn("discord: autocomplete failed", "err", err)
	}
	return list
}

// offerArticles answers an autocomplete with the articles of list (of
// scope only, when scope is not empty) whose title contains what the
// user typed or whose ID starts with it.
func (d *Bot) offerArticles(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData, list []retrieval.ArticleInfo, scope string) {
	typed := strings.ToLower(stringOption(data, "article"))
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, a := range list {
		if (scope != "" && a.Scope != scope) || !(strings.Contains(strings.ToLower(a.Title), typed) || strings.HasPrefix(a.ID, typed)) {
			continue
		}
		name := a.Title
		if a.Source != "" {
			name += " — " + a.Source
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: text.Truncate(name, 100), Value: a.ID})
		if len(choices) == maxChoices {
			break
		}
	}
	d.respondChoices(ctx, i, choices)
}

// respondChoices answers an autocomplete with choices.
func (d *Bot) respondChoices(ctx context.Context, i *discordgo.Interaction, choices []*discordgo.ApplicationCommandOptionChoice) {
	err := d.session.InteractionRespond(i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	}, discordgo.WithContext(ctx))
	if err != nil {
		d.log.Warn("discord: autocomplete response failed", "err", redact(err))
	}
}
