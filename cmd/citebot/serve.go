package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

func newServeCmd(c *common, env *environment) *cobra.Command {
	cmd := command("serve [flags]",
		"run the Discord bot",
		`Run the Discord bot until interrupted (SIGINT or SIGTERM): /ask, mentions and reply chains,
/ingest, /sources, /forget, /summarize, /follow, /unfollow, /feeds; checks the followed feeds
and announces their new articles. Needs DISCORD_TOKEN. Logs at info level by default: the data
directory and what it holds at start, then what the bot answered, ingested and refused.
With a model configured, checks at start that it answers and says what is wrong if not.`,
		`  DISCORD_TOKEN=… citebot serve
  DISCORD_TOKEN=… OPENAI_BASE_URL=http://localhost:11434/v1 CITEBOT_CHAT_MODEL=llama3.1 citebot serve`,
		[][]string{envDiscord, envStore, envAnswer, envEmbed, envFeeds},
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) > 0 {
				return usageError("unexpected arguments: %q", pos)
			}
			return runServe(cmd.Context(), c, env)
		})
	c.register(cmd.Flags(), showAnswer|showEmbed|showChunk)
	return cmd
}

// runServe runs the Discord bot until ctx ends.
func runServe(ctx context.Context, c *common, env *environment) error {
	settings, err := discordSettingsFromEnv(env.getenv) // names DISCORD_TOKEN when it is missing
	if err != nil {
		return usageError("%v", err)
	}
	interval, err := refreshInterval(env.getenv)
	if err != nil {
		return err
	}
	feeds, err := feedSettingsFromEnv(env.getenv)
	if err != nil {
		return err
	}
	if err := c.checkModelsAtStart(ctx, env); err != nil {
		return err
	}
	log, err := c.logger(env)
	if err != nil {
		return err
	}
	ops, err := opsFromEnv(env.getenv, log) // CITEBOT_HTTP_ADDR, CITEBOT_FEEDBACK_DAYS (httpserve.go)
	if err != nil {
		return usageError("%v", err)
	}
	c.obs = ops.observers()
	c.maxAnswers = settings.maxInFlight // the frontend's work takes its places in the core's admission
	a, err := c.open(ctx, env, serving)
	if err != nil {
		return err
	}
	defer a.Close()
	stopOps, err := ops.start(ctx, a)
	if err != nil {
		return err
	}
	defer stopOps() // before the store closes
	st, err := a.store.Stats(ctx)
	if err != nil {
		return err
	}
	a.log.Info("citebot serve", "data_dir", a.dir, "articles", st.Articles, "passages", st.Chunks,
		"answerer", a.core.AnswererName(), "embedder", a.embedder.Name(),
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
	// Its errors say "discord: …" already.
	fetcher := newFetcher(env)
	err = discord.Run(ctx, settings.bot, ops.deps(a, discord.Deps{
		Service: a.core,
		Fetcher: fetcher,
		Feeds:   newLeasedFeeds(newPoller(a, fetcher, feeds), a.store, a.log), // polled while the bot serves, by one process of those sharing a PostgreSQL store
		Parse:   ingest.Parse,
		Logger:  a.log,
	}))
	if errors.Is(err, discord.ErrMessageContentRefused) {
		return fmt.Errorf("%w, or unset %s", err, envMessageContent)
	}
	return err
}

// checkModelsAtStart calls the configured models once each: a wrong
// configuration (no scheme, a refused key, an unknown model) stops serve
// with a message saying so; a server that does not answer is logged, and
// serve goes on (it may be starting too).
func (c *common) checkModelsAtStart(ctx context.Context, env *environment) error {
	cfg, log, err := c.modelConfig(env)
	if err != nil {
		return err
	}
	chat, embed := c.usesModels(cfg)
	ok, problems := checkModels(ctx, cfg, chat, embed)
	for _, what := range ok {
		log.Info("model check: answers", "model", what)
	}
	for _, p := range problems {
		if p.fatal {
			return failure("%s", p.msg)
		}
		log.Warn("model check failed; serving anyway", "problem", p.msg)
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
// another process re-embedded the store, the store reports it through
// embedderSwitched, whichever Refresh found it (this one or, on
// PostgreSQL, the change listener's).
func refresh(ctx context.Context, a *app) {
	_, err := a.store.Refresh(ctx) // a scope it builds again collects garbage sooner: Options.Loading
	switch {
	case err == nil || ctx.Err() != nil || errors.Is(err, retrieval.ErrEmbedderSwitched):
	default:
		a.log.Error("refresh the search indexes", "err", err)
	}
}

// embedderSwitched is the store's Options.OnEmbedderSwitch in serve: when
// another process re-embedded the store (citebot reindex with another
// embedder), the bot keeps answering from the indexes it has and refuses
// ingests; this says once what to do.
func embedderSwitched(log *slog.Logger) func(error) {
	return func(err error) {
		log.Error("the store was re-embedded with another embedder: still answering from the loaded search indexes, "+
			"new articles refused; restart citebot with the new embedder settings ("+
			"CITEBOT_EMBEDDER, CITEBOT_EMBED_MODEL, CITEBOT_EMBED_DIMENSIONS, OPENAI_BASE_URL)", "err", err)
	}
}
