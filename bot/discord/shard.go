package discord

// Gateway sharding: which shard a server's events arrive on.

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrBadShard is returned when Config.ShardID and Config.ShardCount do not
// name a shard: the count is negative, or the ID is outside [0, count).
var ErrBadShard = errors.New("discord: the shard ID must be at least 0 and below the shard count")

// ShardOf returns the shard, of count, that Discord sends guildID's events
// to: (guild_id >> 22) % count. Direct messages (guildID "") belong to
// shard 0, as in Discord; so does an ID that is not a snowflake (Discord
// sends none), and every guild when count is 1 or less.
func ShardOf(guildID string, count int) int {
	if count <= 1 || guildID == "" {
		return 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return 0
	}
	return int((id >> 22) % uint64(count))
}

// validShard checks a shard ID and count; count 0 means unsharded.
func validShard(id, count int) error {
	if count < 0 || id < 0 || (count == 0 && id != 0) || (count > 0 && id >= count) {
		return fmt.Errorf("shard %d of %d: %w", id, count, ErrBadShard)
	}
	return nil
}

// sharded reports whether this process serves one shard of several.
func (d *Bot) sharded() bool { return d.cfg.ShardCount > 1 }

// servesGuild reports whether guildID ("" in direct messages) belongs to
// this process's shard. Discord sends a shard only its own servers'
// events; this is the defence against one that arrives anyway (a
// misconfigured count, a proxy), which another shard will answer.
func (d *Bot) servesGuild(guildID string) bool {
	return ShardOf(guildID, d.cfg.ShardCount) == d.cfg.ShardID
}

// ignoreOtherShard reports whether an event of guildID belongs to another
// shard, logging it at debug level when it does.
func (d *Bot) ignoreOtherShard(event, guildID string) bool {
	if d.servesGuild(guildID) {
		return false
	}
	d.log.Debug("discord: event for another shard's server ignored", "event", event, "guild", guildID,
		"shard", d.cfg.ShardID, "shard_count", d.cfg.ShardCount, "its_shard", ShardOf(guildID, d.cfg.ShardCount))
	return true
}
