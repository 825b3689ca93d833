package main

import (
	"context"
	"fmt"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
)

// cmdServe runs the Discord bot until SIGINT or SIGTERM.
func cmdServe(ctx context.Context, env *environment, args []string) error {
	var c common
	fs := newFlagSet("serve", env, "")
	c.register(fs, env, false)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError("unexpected arguments: %q", pos)
	}
	cfg, err := bot.DiscordConfigFromEnv(env.getenv) // names DISCORD_TOKEN when it is missing
	if err != nil {
		return usageError("%v", err)
	}
	// The bot logs at info level by default (see common.register): what it
	// answered, ingested and refused.
	c.maxAnswers = cfg.MaxInFlight
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	a.log.Info("citebot serve", "answerer", a.core.AnswererName(), "embedder", a.embedder.Name(), "allow_private_urls", allowPrivate(env.getenv))
	err = bot.Run(ctx, cfg, bot.DiscordDeps{
		Service: a.core,
		Fetcher: newFetcher(env),
		Parse:   ingest.Parse,
		Logger:  a.log,
	})
	if err != nil {
		return fmt.Errorf("discord: %w", err)
	}
	return nil
}
