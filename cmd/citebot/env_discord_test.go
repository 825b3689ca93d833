package main

import (
	"strings"
	"testing"

	"github.com/citebot/citebot/bot/discord"
)

func TestDiscordSettingsFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		want    discordSettings
		wantErr string
	}{
		{name: "no token", env: map[string]string{}, wantErr: "DISCORD_TOKEN is not set"},
		{name: "minimal", env: map[string]string{"DISCORD_TOKEN": " abc "}, want: discordSettings{bot: discord.Config{Token: "abc"}}},
		{
			name: "everything",
			env: map[string]string{"DISCORD_TOKEN": "abc", "DISCORD_API_BASE": "http://127.0.0.1:8080", "CITEBOT_DEV_GUILD": "42",
				"CITEBOT_MANAGER_ROLE": "7", "CITEBOT_QUESTIONS_PER_MINUTE": "3", "CITEBOT_MAX_IN_FLIGHT": "16"},
			want: discordSettings{bot: discord.Config{Token: "abc", APIBase: "http://127.0.0.1:8080", DevGuild: "42", ManagerRole: "7", QuestionsPerMinute: 3}, maxInFlight: 16},
		},
		{name: "bad number", env: map[string]string{"DISCORD_TOKEN": "s3cr3t", "CITEBOT_QUESTIONS_PER_MINUTE": "many"}, wantErr: "CITEBOT_QUESTIONS_PER_MINUTE"},
		{name: "zero in flight", env: map[string]string{"DISCORD_TOKEN": "s3cr3t", "CITEBOT_MAX_IN_FLIGHT": "0"}, wantErr: "CITEBOT_MAX_IN_FLIGHT"},
		{name: "bad base", env: map[string]string{"DISCORD_TOKEN": "s3cr3t", "DISCORD_API_BASE": "discord.com"}, wantErr: "DISCORD_API_BASE"},
		{name: "shard", env: map[string]string{"DISCORD_TOKEN": "abc", "CITEBOT_SHARD_ID": "2", "CITEBOT_SHARD_COUNT": "3"},
			want: discordSettings{bot: discord.Config{Token: "abc", ShardID: 2, ShardCount: 3}}},
		{name: "one shard", env: map[string]string{"DISCORD_TOKEN": "abc", "CITEBOT_SHARD_ID": "0", "CITEBOT_SHARD_COUNT": "1"},
			want: discordSettings{bot: discord.Config{Token: "abc", ShardCount: 1}}},
		{name: "shard ID alone", env: map[string]string{"DISCORD_TOKEN": "s3cr3t", "CITEBOT_SHARD_ID": "0"}, wantErr: "CITEBOT_SHARD_ID and CITEBOT_SHARD_COUNT go together"},
		{name: "shard count alone", env: map[string]string{"DISCORD_TOKEN": "s3cr3t", "CITEBOT_SHARD_COUNT": "2"}, wantErr: "CITEBOT_SHARD_ID and CITEBOT_SHARD_COUNT go together"},
		{name: "shard ID too high", env: map[string]string{"DISCORD_TOKEN": "s3cr3t", "CITEBOT_SHARD_ID": "2", "CITEBOT_SHARD_COUNT": "2"}, wantErr: "CITEBOT_SHARD_ID=2 is not below CITEBOT_SHARD_COUNT=2"},
		{name: "negative shard ID", env: map[string]string{"DISCORD_TOKEN": "s3cr3t", "CITEBOT_SHARD_ID": "-1", "CITEBOT_SHARD_COUNT": "2"}, wantErr: "CITEBOT_SHARD_ID"},
		{name: "zero shards", env: map[string]string{"DISCORD_TOKEN": "s3cr3t", "CITEBOT_SHARD_ID": "0", "CITEBOT_SHARD_COUNT": "0"}, wantErr: "CITEBOT_SHARD_COUNT=\"0\": want an integer of at least 1"},
		{name: "shard not a number", env: map[string]string{"DISCORD_TOKEN": "s3cr3t", "CITEBOT_SHARD_ID": "first", "CITEBOT_SHARD_COUNT": "2"}, wantErr: "CITEBOT_SHARD_ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := discordSettingsFromEnv(func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "s3cr3t") {
					t.Fatalf("err = %v, want one mentioning %q and not the token", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
