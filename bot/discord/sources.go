package discord

// /sources and its page buttons.

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/bot"
)

// sourcesCommand answers /sources with the page its option asks for
// (1-based; the first when absent).
func (d *Bot) sourcesCommand(ctx context.Context, i *discordgo.Interaction, data discordgo.ApplicationCommandInteractionData) {
	d.sourcesPage(ctx, i, pageOption(data), discordgo.InteractionResponseChannelMessageWithSource)
}

// pageOption is the 0-based page the page option asks for (the first
// when absent).
func pageOption(data discordgo.ApplicationCommandInteractionData) int {
	if o := data.GetOption("page"); o != nil {
		if f, ok := o.Value.(float64); ok {
			return int(f) - 1
		}
	}
	return 0
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
	d.respondPage(ctx, i, how, embed, components)
}

// respondPage responds with one page of a list, as a new ephemeral
// message or (how) by updating the one whose button was clicked.
func (d *Bot) respondPage(ctx context.Context, i *discordgo.Interaction, how discordgo.InteractionResponseType,
	embed *discordgo.MessageEmbed, components []discordgo.MessageComponent) {
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
		d.log.Warn("discord: page response failed", "err", redact(err))
	}
}
