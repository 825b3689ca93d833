package discord

// /summarize: a short summary of one article, citing its passages.

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
)

// summarizeCommand answers /summarize article: with the summary and its
// sources, in the deferred reply.
func (d *Bot) summarizeCommand(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	id := stringOption(data, "article")
	if id == "" {
		d.reply(i, "Pick an article to summarise (start typing its title).", true)
		return
	}
	refused, ctx, release := d.admit(ctx, userOf(i).ID, "")
	if refused != "" {
		d.reply(i, refused, true)
		return
	}
	defer release()
	if d.deferReply(ctx, i, false) != nil {
		return
	}
	t := &interactionTarget{d: d, i: i}
	scope := scopeOf(i.GuildID)
	ans, err := d.deps.Service.Summarize(ctx, scope, id)
	fctx, cancel := finalContext(ctx)
	defer cancel()
	if err != nil {
		d.log.Warn("discord: summarizing failed", "scope", scope, "article", id, "err", err)
		if _, err := t.Edit(fctx, bot.UserMessage(err), nil); err != nil {
			d.log.Warn("discord: reporting an error failed", "err", redact(err))
		}
		return
	}
	for n, m := range renderAnswer(ans) {
		send := t.Send
		if n == 0 {
			send = t.Edit
		}
		if _, err := send(fctx, m.Content, m.Embeds); err != nil {
			d.log.Warn("discord: sending the summary failed", "part", n, "err", redact(err))
			return
		}
	}
}

// summarizeAutocomplete offers every article the place sees (its server's
// and the shared ones) whose title contains what the user typed.
func (d *Bot) summarizeAutocomplete(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	d.offerArticles(ctx, i, data, d.visibleArticles(ctx, i), "")
}
