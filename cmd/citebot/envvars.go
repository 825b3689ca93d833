package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/bot/discord"
)

// envVar is one environment variable citebot reads.
type envVar struct {
	name string
	help string
	// secret values are never printed (citebot config redacts them).
	secret bool
}

// knownVars is every variable citebot reads, in the order citebot config
// and the help pages list them.
var knownVars = []envVar{
	{name: "CITEBOT_DATA_DIR", help: "where the store lives (default $XDG_DATA_HOME/citebot, else ~/.local/share/citebot)"},
	{name: envDatabaseURL, help: "postgres://user:password@host:port/database: the store in PostgreSQL, shared by several processes (default: SQLite in the data directory)"},
	{name: "CITEBOT_LOG_LEVEL", help: "debug, info, warn or error (default warn; info for serve)"},
	{name: "CITEBOT_ANSWERER", help: "extractive or llm (default llm when a model API is configured)"},
	{name: envSentenceModel, help: "on (default) or off: the built-in sentence model, for deciding whether the articles cover a question"},
	{name: "CITEBOT_EMBEDDER", help: "local (default) or openai"},
	{name: EnvChatModel, help: "chat model (default gpt-4o-mini)"},
	{name: envModelPassages, help: "passages a language model reads for each question (default 5)"},
	{name: EnvEmbedModel, help: "embedding model (default text-embedding-3-small)"},
	{name: EnvEmbedDimensions, help: "embedding dimensions to ask for"},
	{name: EnvAPIKey, help: "API key of the OpenAI-compatible server", secret: true},
	{name: EnvBaseURL, help: "API base URL, e.g. http://localhost:11434/v1"},
	{name: EnvLLMTimeout, help: "per call, retries included (default 60s)"},
	{name: EnvLLMMaxAttempts, help: "tries per call (default 4)"},
	{name: EnvAzureEndpoint, help: "https://<resource>.openai.azure.com: selects Azure"},
	{name: EnvAzureAPIKey, help: "Azure key (falls back to OPENAI_API_KEY)", secret: true},
	{name: EnvAzureAPIVersion, help: "Azure API version (default 2024-10-21)"},
	{name: EnvAzureDeployments, help: "model=deployment,…"},
	{name: envAllowPrivate, help: "1 lets ingest fetch private and loopback addresses (default off)"},
	{name: envRefreshInterval, help: "how often serve looks for articles added by another process (default 30s, 0: never)"},
	{name: envFeedInterval, help: "how often serve checks each followed feed (default 15m, at least 5m)"},
	{name: envMaxFeeds, help: "feeds one scope (Discord server) may follow (default 20)"},
	{name: envDiscordToken, help: "the Discord bot's token (required by serve)", secret: true},
	{name: envDiscordAPIBase, help: "Discord API base URL (default " + discord.DefaultAPIBase + ")"},
	{name: envDevGuild, help: "register the slash commands in this server only (instant, for development)"},
	{name: envManagerRole, help: "ID of a role also allowed to /ingest, /forget, /follow and /unfollow"},
	{name: envMessageContent, help: "1 asks for the Message Content intent (enable it in the Developer Portal first): replies to answers are read with the ping off, and threads on answers without mentions (default off)"},
	{name: envQuestionsPerMinute, help: fmt.Sprintf("questions per user per minute (default %d)", discord.DefaultQuestionsPerMinute)},
	{name: envMaxInFlight, help: fmt.Sprintf("answers and ingests in flight at once (default %d)", bot.DefaultMaxAnswers)},
	{name: envShardID, help: "this process's gateway shard, from 0 (with CITEBOT_SHARD_COUNT; default: unsharded)"},
	{name: envShardCount, help: "how many shard processes serve the bot (with CITEBOT_SHARD_ID)"},
	{name: envHTTPAddr, help: "host:port where serve answers /healthz, /readyz and /metrics (default off)"},
	{name: envFeedbackDays, help: fmt.Sprintf("days feedback votes are kept (default %d)", defaultFeedbackDays)},
}

// devVars are read by tests and scripts, not by citebot; they draw no
// warning.
var devVars = []string{"CITEBOT_CRASH_SEED", "CITEBOT_TEST_DATABASE_URL", "CITEBOT_TEST_REQUIRE_POSTGRES", "CITEBOT_TEST_BACKEND", "CITEBOT_PG_DIR"}

const (
	envAllowPrivate    = "CITEBOT_ALLOW_PRIVATE_URLS"
	envRefreshInterval = "CITEBOT_REFRESH_INTERVAL"
	envModelPassages   = "CITEBOT_MODEL_PASSAGES"
	envSentenceModel   = "CITEBOT_SENTENCE_MODEL"
)

// Groups of variables, for the help pages.
var (
	envStore   = []string{"CITEBOT_DATA_DIR", envDatabaseURL, "CITEBOT_LOG_LEVEL"}
	envEmbed   = []string{"CITEBOT_EMBEDDER", EnvEmbedModel, EnvEmbedDimensions, EnvBaseURL, EnvAPIKey, EnvAzureEndpoint, EnvAzureAPIKey, EnvAzureAPIVersion, EnvAzureDeployments, EnvLLMTimeout, EnvLLMMaxAttempts}
	envAnswer  = []string{"CITEBOT_ANSWERER", envSentenceModel, EnvChatModel, envModelPassages}
	envDiscord = []string{envDiscordToken, envDiscordAPIBase, envDevGuild, envManagerRole, envMessageContent, envQuestionsPerMinute, envMaxInFlight, envShardID, envShardCount, envHTTPAddr, envFeedbackDays, envRefreshInterval}
	envFeeds   = []string{envFeedInterval, envMaxFeeds, envAllowPrivate}
)

func lookupVar(name string) (envVar, bool) {
	for _, v := range knownVars {
		if v.name == name {
			return v, true
		}
	}
	return envVar{}, false
}

// varAliases are names other programs and older guides use for a setting,
// each to the variable citebot reads for it: too far from it in spelling
// for closestVar to suggest it.
var varAliases = map[string]string{
	"OPENAI_API_BASE":        EnvBaseURL, // the openai Python library before 1.0
	"OPENAI_API_HOST":        EnvBaseURL,
	"OPENAI_BASE":            EnvBaseURL,
	"OPENAI_KEY":             EnvAPIKey,
	"OPENAI_MODEL":           EnvChatModel,
	"OPENAI_CHAT_MODEL":      EnvChatModel,
	"OPENAI_EMBEDDING_MODEL": EnvEmbedModel,
	"OPENAI_API_VERSION":     EnvAzureAPIVersion, // the openai libraries' name for Azure's
	"AZURE_OPENAI_KEY":       EnvAzureAPIKey,
	"AZURE_OPENAI_BASE_URL":  EnvAzureEndpoint,
	"DISCORD_BOT_TOKEN":      envDiscordToken,
	"DISCORD_GUILD_ID":       envDevGuild,
	"DISCORD_DEV_GUILD":      envDevGuild,
	"CITEBOT_DB_URL":         envDatabaseURL,
	"CITEBOT_POSTGRES_URL":   envDatabaseURL,
}

// ourPrefixes mark the variables citebot may be meant to read.
var ourPrefixes = []string{"CITEBOT_", "DISCORD_", "OPENAI_", "AZURE_OPENAI_"}

// warnUnknownVars writes one warning per set variable with one of our
// prefixes that citebot does not read, naming the variable it reads
// instead (varAliases) or else the closest known one. It names variables
// only, never their values (keys and tokens).
func warnUnknownVars(w io.Writer, environ []string) {
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(ourPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		if _, ok := lookupVar(name); ok || slices.Contains(devVars, name) {
			continue
		}
		msg := fmt.Sprintf("citebot: warning: %s is set but citebot does not read it", clip(name))
		if near := cmp.Or(varAliases[name], closestVar(name)); near != "" {
			msg += fmt.Sprintf("; did you mean %s?", near)
		}
		fmt.Fprintln(w, msg)
	}
}

// closestVar is the known variable nearest to name in edit distance, or
// "" when none is near enough to be a typo of it.
func closestVar(name string) string {
	best, bestD := "", 0
	for _, v := range knownVars {
		d := editDistance(name, v.name)
		if best == "" || d < bestD {
			best, bestD = v.name, d
		}
	}
	if bestD > max(2, len(best)/4) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (variable names are ASCII); names over 200 bytes are not compared.
func editDistance(a, b string) int {
	if len(a) > 200 || len(b) > 200 {
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// envBool reads a boolean variable: unset or empty is false; 1, true, yes,
// on are true; 0, false, no, off are false (any case); anything else is an
// error naming the variable.
func envBool(getenv func(string) string, name string) (bool, error) {
	v := strings.TrimSpace(getenv(name))
	switch strings.ToLower(v) {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, fmt.Errorf("%s=%q is not a boolean: want 1 or 0 (true/false, yes/no, on/off)", name, clip(v))
}
