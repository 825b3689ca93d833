package discord

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Run builds the Discord frontend and serves until ctx ends (see Serve).
func Run(ctx context.Context, cfg Config, deps Deps) error {
	d, err := New(cfg, deps)
	if err != nil {
		return err
	}
	return d.Serve(ctx)
}

// closeDisallowedIntents is the gateway's close code for an IDENTIFY that
// asks for a privileged intent the application may not use.
const closeDisallowedIntents = 4014

// Serve connects to the gateway (as one shard when Config.ShardCount is
// over 1), registers the slash commands with one bulk overwrite (to
// Config.DevGuild when set, else globally; shard 0 only, the other shards
// skip it) and handles events until ctx ends. Then it takes no new work, waits up to
// Config.ShutdownGrace for answers and ingests in flight (cancelling them
// after that), and closes the session. It returns nil after a shutdown
// caused by ctx, or the error that stopped it from serving. Call it once.
func (d *Bot) Serve(ctx context.Context) error {
	if err := d.session.Open(); err != nil {
		d.cancelWork()
		var closed *websocket.CloseError
		if errors.As(err, &closed) && closed.Code == closeDisallowedIntents && d.cfg.MessageContent {
			d.log.Debug("discord: the gateway refused the intents", "err", err)
			return fmt.Errorf("%w: enable it for the application in the Developer Portal (Bot, Privileged Gateway Intents, Message Content Intent)", ErrMessageContentRefused)
		}
		return fmt.Errorf("discord: connect to the gateway: %w", err)
	}
	if err := d.register(ctx); err != nil {
		d.shutdown()
		if ctx.Err() != nil {
			return nil // asked to stop while registering
		}
		return err
	}
	d.log.Info("discord: serving", "user", d.botID(), "dev_guild", d.cfg.DevGuild,
		"shard", d.cfg.ShardID, "shard_count", max(d.cfg.ShardCount, 1))
	d.startFeeds()
	<-ctx.Done()
	d.shutdown()
	return nil
}

func (d *Bot) register(ctx context.Context) error {
	if d.cfg.ShardID != 0 {
		d.log.Info("discord: commands not registered: shard 0 registers them", "shard", d.cfg.ShardID)
		return nil
	}
	if d.sharded() {
		d.checkShardCount(ctx)
	}
	d.session.State.RLock()
	app := d.session.State.Application
	d.session.State.RUnlock()
	if app == nil || app.ID == "" {
		return fmt.Errorf("discord: READY carried no application ID")
	}
	cmds, err := d.session.ApplicationCommandBulkOverwrite(app.ID, d.cfg.DevGuild, commands(), discordgo.WithContext(ctx))
	if err != nil {
		where := "globally"
		if d.cfg.DevGuild != "" {
			where = "in server " + d.cfg.DevGuild
		}
		return fmt.Errorf("discord: register commands %s: %w", where, err)
	}
	d.log.Info("discord: commands registered", "count", len(cmds), "dev_guild", d.cfg.DevGuild)
	return nil
}

// shutdown stops new work, lets work in flight finish within the grace
// period, then cancels what is left and closes the session.
func (d *Bot) shutdown() {
	d.mu.Lock()
	if !d.closing {
		d.closing = true
		close(d.draining)
	}
	d.mu.Unlock()
	d.stopFeeds()
	done := make(chan struct{})
	go func() {
		d.work.Wait()
		close(done)
	}()
	grace := time.NewTimer(d.cfg.ShutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		d.log.Warn("discord: work still in flight after the shutdown grace; cancelling it", "grace", d.cfg.ShutdownGrace)
		d.cancelWork()
		<-done
	}
	d.cancelWork()
	if err := d.session.Close(); err != nil {
		d.log.Warn("discord: closing the session", "err", redact(err))
	}
	d.log.Info("discord: stopped")
}

// checkShardCount asks Discord how many shards it recommends
// (/gateway/bot) and warns when the configured count is lower; the
// gateway refuses a connection that should be sharded further.
func (d *Bot) checkShardCount(ctx context.Context) {
	gb, err := d.session.GatewayBot(discordgo.WithContext(ctx))
	if err != nil {
		d.log.Warn("discord: could not ask for the recommended shard count", "err", redact(err))
		return
	}
	if gb.Shards > d.cfg.ShardCount {
		d.log.Warn("discord: fewer shards than Discord recommends; start more shard processes",
			"shard_count", d.cfg.ShardCount, "recommended", gb.Shards)
		return
	}
	d.log.Info("discord: shard count checked", "shard_count", d.cfg.ShardCount, "recommended", gb.Shards)
}
