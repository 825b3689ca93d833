package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
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
	settings, err := discordSettingsFromEnv(env.getenv) // names DISCORD_TOKEN when it is missing
	if err != nil {
		return usageError("%v", err)
	}
	interval, err := refreshInterval(env.getenv)
	if err != nil {
		return err
	}
	// The bot logs at info level by default (see common.register): what it
	// answered, ingested and refused.
	c.maxAnswers = settings.maxInFlight // the frontend's work takes its places in the core's admission
	a, err := c.open(ctx, env)
	if err != nil {
		return err
	}
	defer a.Close()
	a.log.Info("citebot serve", "answerer", a.core.AnswererName(), "embedder", a.embedder.Name(),
		"allow_private_urls", allowPrivate(env.getenv), "refresh_interval", interval)
	// Articles that citebot ingest (another process) adds to the same data
	// directory become searchable within one interval.
	refreshCtx, stopRefresh := context.WithCancel(ctx)
	var refreshing sync.WaitGroup
	defer func() { stopRefresh(); refreshing.Wait() }() // before the store closes
	if interval > 0 {
		refreshing.Go(func() { refreshLoop(refreshCtx, a, interval) })
	}
	discord.LogLibraryTo(a.log) // discordgo's own lines in the same log
	err = discord.Run(ctx, settings.bot, discord.Deps{
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

// defaultRefreshInterval is how often serve looks for articles another
// process wrote to the store.
const defaultRefreshInterval = 30 * time.Second

// refreshInterval reads CITEBOT_REFRESH_INTERVAL (a Go duration; 0 turns
// the refresh off).
func refreshInterval(getenv func(string) string) (time.Duration, error) {
	v := getenv("CITEBOT_REFRESH_INTERVAL")
	if v == "" {
		return defaultRefreshInterval, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, usageError("CITEBOT_REFRESH_INTERVAL=%q: want a duration such as 30s, or 0 for never", v)
	}
	return d, nil
}

// refreshLoop refreshes the store's indexes every interval until ctx ends.
func refreshLoop(ctx context.Context, a *app, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			refresh(ctx, a)
		}
	}
}

// refresh brings the search indexes in step with the store once. When
// another process re-embedded the store (citebot reindex with another
// embedder), the bot keeps answering from the indexes it has and refuses
// ingests; Refresh reports that once, and this says once what to do.
func refresh(ctx context.Context, a *app) {
	restoreGC := tightGC()
	_, err := a.store.Refresh(ctx)
	restoreGC()
	switch {
	case err == nil || ctx.Err() != nil:
	case errors.Is(err, retrieval.ErrEmbedderSwitched):
		a.log.Error("the store was re-embedded with another embedder: still answering from the loaded search indexes, "+
			"new articles refused; restart citebot with the new embedder settings ("+
			"CITEBOT_EMBEDDER, CITEBOT_EMBED_MODEL, CITEBOT_EMBED_DIMENSIONS, OPENAI_BASE_URL)", "err", err)
	default:
		a.log.Error("refresh the search indexes", "err", err)
	}
}
