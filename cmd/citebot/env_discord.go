package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/citebot/citebot/bot/discord"
)

// Environment variables of citebot serve, the Discord bot.
const (
	envDiscordToken       = "DISCORD_TOKEN"
	envDiscordAPIBase     = "DISCORD_API_BASE"
	envDevGuild           = "CITEBOT_DEV_GUILD"
	envManagerRole        = "CITEBOT_MANAGER_ROLE"
	envQuestionsPerMinute = "CITEBOT_QUESTIONS_PER_MINUTE" // integer >= 1
	envMaxInFlight        = "CITEBOT_MAX_IN_FLIGHT"        // integer >= 1
	envShardID            = "CITEBOT_SHARD_ID"             // integer, 0 <= id < count
	envShardCount         = "CITEBOT_SHARD_COUNT"          // integer >= 1; both or neither
	envMessageContent     = "CITEBOT_MESSAGE_CONTENT"      // boolean
)

// errNoToken says how to get the token citebot serve needs.
var errNoToken = errors.New(envDiscordToken + " is not set: create a bot at https://discord.com/developers/applications and export its token")

// discordSettings is what citebot serve reads from the environment.
type discordSettings struct {
	bot discord.Config
	// maxInFlight caps the answers and ingests in flight: it is the
	// answering core's MaxAnswers, whose Admission the frontend takes its
	// places in; 0 means the core's default (bot.DefaultMaxAnswers).
	maxInFlight int
}

// discordSettingsFromEnv reads serve's settings through getenv (os.Getenv
// in main). DISCORD_TOKEN is required; errors name the variable and never
// contain the token.
func discordSettingsFromEnv(getenv func(string) string) (discordSettings, error) {
	s, err := discordEnv(getenv)
	if err == nil && s.bot.Token == "" {
		err = errNoToken
	}
	return s, err
}

// discordEnv reads and checks serve's settings as discordSettingsFromEnv
// does, but does not require DISCORD_TOKEN: citebot config shows what
// serve would use, and refuses what serve would refuse, without a token.
func discordEnv(getenv func(string) string) (discordSettings, error) {
	s := discordSettings{bot: discord.Config{
		Token:       strings.TrimSpace(getenv(envDiscordToken)),
		APIBase:     strings.TrimSpace(getenv(envDiscordAPIBase)),
		DevGuild:    strings.TrimSpace(getenv(envDevGuild)),
		ManagerRole: strings.TrimSpace(getenv(envManagerRole)),
	}}
	var err error
	if s.bot.QuestionsPerMinute, err = envInt(getenv, envQuestionsPerMinute, 1); err != nil {
		return s, err
	}
	if s.maxInFlight, err = envInt(getenv, envMaxInFlight, 1); err != nil {
		return s, err
	}
	if s.bot.ShardID, s.bot.ShardCount, err = shardFromEnv(getenv); err != nil {
		return s, err
	}
	if s.bot.MessageContent, err = envBool(getenv, envMessageContent); err != nil {
		return s, err
	}
	switch err := s.bot.Validate(); {
	case errors.Is(err, discord.ErrBadAPIBase):
		return s, fmt.Errorf("%s=%q: want an http(s) URL like %s", envDiscordAPIBase, clip(s.bot.APIBase), discord.DefaultAPIBase)
	case errors.Is(err, discord.ErrNoToken):
		return s, nil // checked last by Validate; the caller decides whether it needs one
	default:
		return s, err
	}
}

// shardFromEnv reads CITEBOT_SHARD_ID and CITEBOT_SHARD_COUNT: both or
// neither (0, 0: one process serves every server), the count at least 1
// and the ID below it.
func shardFromEnv(getenv func(string) string) (id, count int, err error) {
	idSet, countSet := strings.TrimSpace(getenv(envShardID)) != "", strings.TrimSpace(getenv(envShardCount)) != ""
	if idSet != countSet {
		return 0, 0, fmt.Errorf("%s and %s go together: set both (this process's shard and how many there are) or neither", envShardID, envShardCount)
	}
	if id, err = envInt(getenv, envShardID, 0); err != nil {
		return 0, 0, err
	}
	if count, err = envInt(getenv, envShardCount, 1); err != nil {
		return 0, 0, err
	}
	if countSet && id >= count {
		return 0, 0, fmt.Errorf("%s=%d is not below %s=%d: shards are numbered from 0", envShardID, id, envShardCount, count)
	}
	return id, count, nil
}
