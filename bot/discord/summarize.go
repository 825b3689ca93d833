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
	if err != nil {
		d.log.Warn("discord: summarizing failed", "scope", scope, "article", id, "err", err)
		fctx, cancel := finalContext(ctx)
		defer cancel()
		if _, err := t.Edit(fctx, bot.UserMessage(err), nil); err != nil {
			d.log.Warn("discord: reporting an error failed", "err", redact(err))
		}
		return
	}
	d.sendFinal(ctx, t, renderAnswer(ans, ""), nil, "summary")
}

// summarizeAutocomplete offers every article the place sees (its server's
// and the shared ones) whose title contains what the user typed.
func (d *Bot) summarizeAutocomplete(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	d.offerArticles(ctx, i, data, d.visibleArticles(ctx, i), "")
}
