package discord

// Following news feeds: /follow, /unfollow (with autocomplete), /feeds
// and its page buttons, the poll loop that runs while the bot serves, and
// the announcements of new articles in a feed's channel.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest/feed"
	"github.com/citebot/citebot/internal/text"
	"github.com/citebot/citebot/retrieval"
)

// FeedService follows feeds for the frontend; *feed.Poller implements it.
// Its errors are explained to users by feed.UserMessage. Implementations
// must be safe for concurrent use.
type FeedService interface {
	// Follow follows the feed at rawURL (or the one the page there
	// announces) in scope, announcing its new articles in channelID ("":
	// nowhere); created is false when scope followed it already.
	Follow(ctx context.Context, scope, rawURL, channelID string) (f retrieval.Feed, created bool, err error)
	// Unfollow stops following feed id of scope; its articles stay.
	Unfollow(ctx context.Context, scope string, id int64) error
	// Feeds lists the feeds of scope.
	Feeds(ctx context.Context, scope string) ([]retrieval.Feed, error)
	// Run polls the due feeds at once and on every tick until ctx ends,
	// handing each poll's report to report.
	Run(ctx context.Context, ticks <-chan time.Time, report func(feed.Report))
}

var _ FeedService = (*feed.Poller)(nil)

// feedTick is how often the poll loop looks for due feeds (each feed is
// polled at its own interval).
const feedTick = time.Minute

// Bounds of the feed messages.
const (
	feedsPerPage  = 10
	maxAnnounced  = 10 // lines of new articles in one announcement; then "… and N more"
	feedsCustomID = "feeds:"
)

// feedLoop is the poll loop of a serving bot.
type feedLoop struct {
	stop context.CancelFunc
	done chan struct{}
}

// startFeeds starts the FeedService's poll loop, if there is one; its
// reports become announcements. Only shard 0 polls: it announces in the
// channels of every server (a REST call, whichever shard serves it), and
// the other shards still take /follow, /unfollow and /feeds. stopFeeds
// ends it.
func (d *Bot) startFeeds() {
	if d.deps.Feeds == nil {
		return
	}
	if d.cfg.ShardID != 0 {
		d.log.Info("discord: feeds not polled here: shard 0 polls them", "shard", d.cfg.ShardID)
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	d.feeds = feedLoop{stop: stop, done: make(chan struct{})}
	go func() {
		defer close(d.feeds.done)
		ticks, stopTicks := realTicker(feedTick)
		defer stopTicks()
		d.deps.Feeds.Run(ctx, ticks, func(r feed.Report) { d.announce(ctx, r) })
	}()
}

// stopFeeds ends the poll loop (the poll in progress stops; what it stored
// is kept) and waits for it.
func (d *Bot) stopFeeds() {
	if d.feeds.stop == nil {
		return
	}
	d.feeds.stop()
	<-d.feeds.done
}

// announce posts, in the channel of each feed that has one, one message
// listing the articles the poll added.
func (d *Bot) announce(ctx context.Context, r feed.Report) {
	for _, fr := range r.Feeds {
		items := fr.New()
		if fr.Feed.ChannelID == "" || len(items) == 0 {
			continue
		}
		// A channel set with citebot follow --channel was never checked
		// by Discord: a server's news goes only to its own channels.
		if in, err := d.channelGuild(ctx, fr.Feed.ChannelID); err != nil || in == "" || retrieval.GuildScope(in) != fr.Feed.Scope {
			d.log.Warn("discord: feed announcement skipped: the channel is not one of the server's",
				"feed", fr.Feed.ID, "scope", fr.Feed.Scope, "channel", fr.Feed.ChannelID, "channel_guild", in, "err", redact(err))
			continue
		}
		msg := &discordgo.MessageSend{Content: announcement(fr.Feed, items), AllowedMentions: noMentions(),
			Flags: discordgo.MessageFlagsSuppressEmbeds}
		if _, err := d.session.ChannelMessageSendComplex(fr.Feed.ChannelID, msg, discordgo.WithContext(ctx)); err != nil {
			d.log.Warn("discord: feed announcement failed", "feed", fr.Feed.ID, "channel", fr.Feed.ChannelID, "err", redact(err))
			continue
		}
		d.log.Info("discord: new feed articles announced", "feed", fr.Feed.ID, "scope", fr.Feed.Scope,
			"channel", fr.Feed.ChannelID, "articles", len(items))
	}
}

// channelGuild returns the ID of the guild channel id belongs to ("" for
// one outside any guild): from the gateway's state, else asked of
// Discord.
func (d *Bot) channelGuild(ctx context.Context, id string) (string, error) {
	if ch, ok := d.stateChannel(id); ok {
		return ch.GuildID, nil
	}
	ch, err := d.session.Channel(id, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("channel %s: %w", id, err)
	}
	return ch.GuildID, nil
}

// announcement is the message about items, new articles of f: one line
// each (title linked, outlet, date), at most maxAnnounced, then how many
// more.
func announcement(f retrieval.Feed, items []feed.Stored) string {
	lines := []string{fmt.Sprintf("New from **%s**:", plainText(text.Truncate(feedName(f), maxSourceTitle)))}
	for _, s := range items[:min(len(items), maxAnnounced)] {
		tail := outlet(s.Source)
		if !s.Published.IsZero() {
			tail += dateSep(tail) + s.Published.Format("2 Jan 2006")
		}
		lines = append(lines, sourceLine("• ", s.Title, s.URL, tail))
	}
	if more := len(items) - maxAnnounced; more > 0 {
		lines = append(lines, fmt.Sprintf("… and %d more", more))
	}
	return joinLines(lines, maxContent)
}

// dateSep is what goes between a line's outlet part and its date.
func dateSep(outletPart string) string {
	if outletPart == "" {
		return " — "
	}
	return ", "
}

// feedName is a feed's title, or its address when it has none.
func feedName(f retrieval.Feed) string {
	if t := strings.TrimSpace(f.Title); t != "" {
		return t
	}
	return f.URL
}

// feedRefusal checks a feed management command; it returns a refusal or "".
func (d *Bot) feedRefusal(i *discordgo.Interaction, what string) string {
	if r := d.manageRefusal(i, what); r != "" {
		return r
	}
	if d.deps.Feeds == nil {
		return "Following feeds is not enabled here."
	}
	return ""
}

// followCommand answers /follow url: [channel:]: for a manager, it checks
// that the address is a feed (or a page announcing one) and follows it,
// in the deferred ephemeral reply.
func (d *Bot) followCommand(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	if r := d.feedRefusal(i, "follow feeds"); r != "" {
		d.reply(i, r, true)
		return
	}
	raw := stringOption(data, "url")
	var channel string
	if o := data.GetOption("channel"); o != nil {
		channel, _ = o.Value.(string)
	}
	ctx, release, ok := d.admitManaged(ctx, i)
	if !ok {
		return
	}
	defer release()
	scope := scopeOf(i.GuildID)
	var msg string
	f, created, err := d.deps.Feeds.Follow(ctx, scope, raw, channel)
	switch {
	case err != nil:
		d.log.Info("discord: follow refused", "scope", scope, "url", raw, "err", err)
		// Each reason is a whole sentence ("I couldn't follow that
		// feed.", "That link is not an RSS or Atom feed, …"): a prefix
		// would say it twice.
		msg = feed.UserMessage(err)
	case !created:
		msg = fmt.Sprintf("This server already follows **%s** (feed `%d`).", plainText(text.Truncate(feedName(f), 200)), f.ID)
	default:
		d.log.Info("discord: followed", "scope", scope, "feed", f.ID, "url", f.URL, "channel", f.ChannelID)
		msg = fmt.Sprintf("Following **%s** (feed `%d`): I'll check it within a minute, then regularly, and add its new articles to this server.",
			plainText(text.Truncate(feedName(f), 200)), f.ID)
		if f.ChannelID != "" {
			msg += fmt.Sprintf(" New articles will be announced in <#%s>.", f.ChannelID)
		}
	}
	fctx, cancel := finalContext(ctx)
	defer cancel()
	if _, err := d.session.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &msg, AllowedMentions: noMentions()}, discordgo.WithContext(fctx)); err != nil {
		d.log.Warn("discord: follow report failed", "interaction", i.ID, "err", redact(err))
	}
}

// unfollowCommand answers /unfollow feed: for a manager.
func (d *Bot) unfollowCommand(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	if r := d.feedRefusal(i, "unfollow feeds"); r != "" {
		d.reply(i, r, true)
		return
	}
	scope := scopeOf(i.GuildID)
	typed := stringOption(data, "feed")
	id, err := strconv.ParseInt(typed, 10, 64)
	if err != nil {
		d.reply(i, "Pick a feed from the list (start typing its name); `/feeds` lists them.", true)
		return
	}
	name := fmt.Sprintf("feed %d", id)
	if list, err := d.deps.Feeds.Feeds(ctx, scope); err == nil {
		for _, f := range list {
			if f.ID == id {
				name = feedName(f)
			}
		}
	}
	if err := d.deps.Feeds.Unfollow(ctx, scope, id); err != nil {
		d.log.Info("discord: unfollow refused", "scope", scope, "feed", id, "err", err)
		msg := feed.UserMessage(err)
		if msg == feed.UserMessage(errors.New("")) { // "I couldn't follow that feed."
			msg = bot.GenericUserMessage
		}
		d.reply(i, couldNot("unfollow it", msg), true)
		return
	}
	d.log.Info("discord: unfollowed", "scope", scope, "feed", id)
	d.reply(i, fmt.Sprintf("Stopped following **%s**. The articles it brought stay (`/forget` removes one).",
		plainText(text.Truncate(name, 200))), true)
}

// unfollowAutocomplete offers this server's feeds whose title or address
// contains what the user typed, or whose ID starts with it, to those who
// may unfollow them.
func (d *Bot) unfollowAutocomplete(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if i.GuildID != "" && d.canManage(i) && d.deps.Feeds != nil {
		list, err := d.deps.Feeds.Feeds(ctx, scopeOf(i.GuildID))
		if err != nil {
			d.log.Warn("discord: feed autocomplete failed", "err", err)
		}
		typed := strings.ToLower(stringOption(data, "feed"))
		for _, f := range list {
			id := strconv.FormatInt(f.ID, 10)
			if !strings.Contains(strings.ToLower(f.Title), typed) && !strings.Contains(strings.ToLower(f.URL), typed) && !strings.HasPrefix(id, typed) {
				continue
			}
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: text.Truncate(feedName(f)+" — "+f.URL, 100), Value: id})
			if len(choices) == maxChoices {
				break
			}
		}
	}
	d.respondChoices(ctx, i, choices)
}

// feedsCommand answers /feeds [page:].
func (d *Bot) feedsCommand(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	d.feedsPage(ctx, i, pageOption(data), discordgo.InteractionResponseChannelMessageWithSource)
}

// feedsPage responds with one page of the server's feeds, as a new
// ephemeral message or by updating the one whose button was clicked.
func (d *Bot) feedsPage(ctx context.Context, i *discordgo.Interaction, page int, how discordgo.InteractionResponseType) {
	if d.deps.Feeds == nil {
		d.reply(i, "Following feeds is not enabled here.", true)
		return
	}
	list, err := d.deps.Feeds.Feeds(ctx, scopeOf(i.GuildID))
	if err != nil {
		d.log.Warn("discord: listing feeds failed", "err", err)
		d.reply(i, feed.UserMessage(err), true)
		return
	}
	embed, components := renderFeedsPage(list, page)
	d.respondPage(ctx, i, how, embed, components)
}

// renderFeedsPage renders one page (0-based, clamped) of a feed list: each
// feed's ID (for /unfollow), title linked to the feed, channel, last
// check, last new article and last error; with previous/next buttons when
// there is more than one page.
func renderFeedsPage(list []retrieval.Feed, page int) (*discordgo.MessageEmbed, []discordgo.MessageComponent) {
	pages := max(1, (len(list)+feedsPerPage-1)/feedsPerPage)
	page = min(max(page, 0), pages-1)
	if len(list) == 0 {
		return &discordgo.MessageEmbed{Title: "Feeds", Description: "This server follows no feeds. A server manager can add one with /follow."},
			[]discordgo.MessageComponent{}
	}
	lines := make([]string, 0, feedsPerPage)
	for _, f := range list[page*feedsPerPage : min(len(list), (page+1)*feedsPerPage)] {
		var tail strings.Builder
		if f.ChannelID != "" {
			fmt.Fprintf(&tail, " → <#%s>", f.ChannelID)
		}
		// Discord shows timestamps in each reader's own time zone.
		tail.WriteString(" · checked " + discordTime(f.LastChecked))
		tail.WriteString(" · last new article " + discordTime(f.LastNewItem))
		if f.LastError != "" {
			tail.WriteString(" · ⚠ " + plainText(text.Truncate(f.LastError, 120)))
		}
		lines = append(lines, sourceLine(fmt.Sprintf("`%d` ", f.ID), feedName(f), f.URL, tail.String()))
	}
	e := &discordgo.MessageEmbed{
		Title:       fmt.Sprintf("Feeds (%d)", len(list)),
		Description: joinLines(lines, maxEmbedDescription),
		Footer:      &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("Page %d of %d", page+1, pages)},
	}
	return e, pageButtons(feedsCustomID, page, pages)
}

// pageButtons are the previous/next buttons of a paged list (none for one
// page); their custom IDs are prefix and the page they show.
func pageButtons(prefix string, page, pages int) []discordgo.MessageComponent {
	if pages == 1 {
		return []discordgo.MessageComponent{}
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Previous", Style: discordgo.SecondaryButton, CustomID: fmt.Sprintf("%s%d", prefix, page-1), Disabled: page == 0},
		discordgo.Button{Label: "Next", Style: discordgo.SecondaryButton, CustomID: fmt.Sprintf("%s%d", prefix, page+1), Disabled: page == pages-1},
	}}}
}

// discordTime is t as a relative Discord timestamp, or "never".
func discordTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return fmt.Sprintf("<t:%d:R>", t.Unix())
}

// feedCommands are the slash commands of feeds: /follow and /unfollow
// default to members with Manage Server; all are for servers only.
func feedCommands() []*discordgo.ApplicationCommand {
	manage := int64(discordgo.PermissionManageGuild)
	guildOnly := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	no := false
	one := 1.0
	return []*discordgo.ApplicationCommand{
		{
			Name: "follow", Description: "Follow a news feed: its new articles are added to this server",
			DefaultMemberPermissions: &manage, DMPermission: &no, Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "url", Description: "An RSS or Atom feed, or a site that announces one", Required: true, MaxLength: 2000},
				{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Where to announce new articles (optional)",
					ChannelTypes: []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews}},
			},
		},
		{
			Name: "unfollow", Description: "Stop following a feed (its articles stay)",
			DefaultMemberPermissions: &manage, DMPermission: &no, Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "feed", Description: "The feed (start typing its name)", Required: true, Autocomplete: true},
			},
		},
		{
			Name: "feeds", Description: "List the feeds this server follows", DMPermission: &no, Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "page", Description: "Page number", MinValue: &one},
			},
		},
	}
}
