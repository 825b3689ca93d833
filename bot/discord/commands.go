package discord

// The slash commands: their registration, the dispatch of interactions,
// and what every command family shares. The families are in ask.go,
// manage.go (/ingest, /forget) and sources.go; messages.go answers
// mentions and reply chains.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
)

// restartingText answers work refused or cut short by a shutdown.
const restartingText = "I'm restarting; please try again in a minute."

// busyText refuses a question when every place for work is taken.
const busyText = "I'm busy with other questions right now; please try again in a moment."

// rateLimitedPrefix begins the refusal of a question over the asker's
// per-minute limit.
const rateLimitedPrefix = "You're asking faster than I can keep up"

// helpText answers an empty question in a server, dmHelpText one in a
// direct message, where the bot answers from the shared articles.
const (
	helpText = "Ask me about the articles this server has collected: mention me with a question, " +
		"reply to one of my answers to follow up, or use `/ask`. `/sources` lists the articles."
	dmHelpText = "Ask me about the shared articles: send me a question, " +
		"reply to one of my answers to follow up, or use `/ask`. `/sources` lists the articles."
)

// helpFor is the help in the server guildID, or in a DM when it is "".
func helpFor(guildID string) string {
	if guildID == "" {
		return dmHelpText
	}
	return helpText
}

// commands returns the slash commands the bot registers. /ingest and
// /forget default to members with Manage Server and are not offered in DMs.
func commands() []*discordgo.ApplicationCommand {
	manage := int64(discordgo.PermissionManageGuild)
	guildOnly := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	anywhere := &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM}
	no := false
	one := 1.0
	return append([]*discordgo.ApplicationCommand{
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
			Name: "summarize", Description: "Summarise one article, citing its passages", Contexts: anywhere,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "article", Description: "The article (start typing its title)", Required: true, Autocomplete: true},
			},
		},
		{
			Name: "forget", Description: "Remove an article from this server's collection",
			DefaultMemberPermissions: &manage, DMPermission: &no, Contexts: guildOnly,
			Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "article", Description: "The article (start typing its title)", Required: true, Autocomplete: true},
			},
		},
	}, feedCommands()...)
}

// refuse returns an error whose message is meant for the user as is: a
// sentence.
func refuse(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return bot.UserError(msg, errors.New(msg))
}

// couldNot says what the bot could not do, then why (a sentence): "I
// couldn't add that. The text is empty."
func couldNot(what, why string) string {
	return "I couldn't " + what + ". " + why
}

// onInteraction handles every interaction; discordgo runs it in its own
// goroutine.
func (d *Bot) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	i := ic.Interaction
	if d.ignoreOtherShard("interaction", i.GuildID) {
		return
	}
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
		case "summarize":
			d.summarizeCommand(ctx, i, data)
		case "follow":
			d.followCommand(ctx, i, data)
		case "unfollow":
			d.unfollowCommand(ctx, i, data)
		case "feeds":
			d.feedsCommand(ctx, i, data)
		default:
			d.reply(i, "I don't know that command.", true)
		}
	case discordgo.InteractionApplicationCommandAutocomplete:
		switch data := i.ApplicationCommandData(); data.Name {
		case "forget":
			d.forgetAutocomplete(ctx, i, data)
		case "summarize":
			d.summarizeAutocomplete(ctx, i, data)
		case "unfollow":
			d.unfollowAutocomplete(ctx, i, data)
		}
	case discordgo.InteractionMessageComponent:
		switch id := i.MessageComponentData().CustomID; {
		case strings.HasPrefix(id, sourcesCustomID):
			page, _ := strconv.Atoi(strings.TrimPrefix(id, sourcesCustomID))
			d.sourcesPage(ctx, i, page, discordgo.InteractionResponseUpdateMessage)
		case strings.HasPrefix(id, feedsCustomID):
			page, _ := strconv.Atoi(strings.TrimPrefix(id, feedsCustomID))
			d.feedsPage(ctx, i, page, discordgo.InteractionResponseUpdateMessage)
		case strings.HasPrefix(id, voteCustomID):
			d.voteClicked(ctx, i, strings.TrimPrefix(id, voteCustomID))
		}
	case discordgo.InteractionModalSubmit:
		if id := i.ModalSubmitData().CustomID; strings.HasPrefix(id, reasonCustomID) {
			d.reasonGiven(ctx, i, strings.TrimPrefix(id, reasonCustomID))
		}
	}
}

// userOf returns who used an interaction: in a server or in a DM.
func userOf(i *discordgo.Interaction) *discordgo.User {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User
	}
	if i.User != nil {
		return i.User
	}
	return &discordgo.User{}
}

// stringOption returns the named string option, trimmed; "" when it is
// absent or not a string.
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
// holds the admitted place) and the func that releases the place. A
// question's refusal is reported to the Observer under its entry ("" for
// work that is no question).
func (d *Bot) admit(ctx context.Context, userID, entry string) (string, context.Context, func()) {
	held, release, ok := d.deps.Service.Admission().TryAcquire(ctx)
	if !ok {
		if entry != "" {
			d.obs.Question(entry, "refused_busy", 0)
		}
		return busyText, ctx, nil
	}
	if ok, wait := d.rate.Allow(userID); !ok {
		release()
		if entry != "" {
			d.obs.Question(entry, "rate_limited", 0)
		}
		secs := int(wait.Round(time.Second) / time.Second)
		return fmt.Sprintf("%s — please wait %d s and try again.", rateLimitedPrefix, max(secs, 1)), ctx, nil
	}
	return "", held, release
}
