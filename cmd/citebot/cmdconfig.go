package main

import (
	"cmp"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/llm"
)

func newConfigCmd(c *common, env *environment) *cobra.Command {
	var check bool
	cmd := command("config [flags]",
		"print the configuration in effect and where each value came from",
		`Print every setting citebot would use with these flags and this environment, and where
each value came from: a flag, the environment, or the default. Keys and the Discord token
are never printed, only whether they are set. With --check, also call the configured chat
and embedding models once each and say what is wrong, if anything (exit status 1).`,
		`  citebot config
  OPENAI_BASE_URL=http://localhost:11434/v1 citebot config --check`,
		nil,
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) > 0 {
				return usageError("unexpected arguments: %q", pos)
			}
			return runConfig(cmd, c, env, check)
		})
	c.register(cmd.Flags(), showAnswer|showEmbed|showChunk)
	cmd.Flags().BoolVar(&check, "check", false, "also check that the configured models answer (one short call each)")
	return cmd
}

// configRow is one setting: its name (the variable, or the flag of a
// setting with none), its value, and where the value came from.
type configRow struct{ name, value, from string }

func runConfig(cmd *cobra.Command, c *common, env *environment, check bool) error {
	if err := c.check(); err != nil {
		return err
	}
	cfg, _, err := c.modelConfig(env)
	if err != nil {
		return err
	}
	client := llm.New(cfg) // makes no request
	if _, err := c.sentenceModelOn(); err != nil {
		return err
	}
	if _, _, err := c.newAnswerer(cfg, client, nil); err != nil {
		return err
	}
	if _, err := c.newEmbedder(client); err != nil {
		return err
	}
	fs := cmd.Flags()
	from := func(flag, name string) string {
		if f := fs.Lookup(flag); flag != "" && f != nil && f.Changed {
			return "flag --" + flag
		}
		if name != "" && env.getenv(name) != "" {
			return "environment"
		}
		return "default"
	}
	row := func(name, flag, value string) configRow {
		if v, ok := lookupVar(name); ok && v.secret {
			value = redacted(env.getenv(name))
		}
		return configRow{name, value, from(flag, name)}
	}
	dir, err := resolveDataDir(c.dataDir, env.getenv)
	if err != nil {
		return err
	}
	dbURL, err := databaseURL(env.getenv)
	if err != nil {
		return err
	}
	chat, embed := c.usesModels(cfg)
	answerer := map[bool]string{true: "llm", false: "extractive"}[chat]
	baseURL := cfg.BaseURL
	if baseURL == "" {
		baseURL = "(https://api.openai.com/v1)"
	}
	rows := []configRow{
		row("CITEBOT_DATA_DIR", "data-dir", dir),
		row(envDatabaseURL, "", databaseShown(dbURL)),
		row("CITEBOT_LOG_LEVEL", "log-level", orDefault(c.logLevel, "warn (info for serve)")),
		row("CITEBOT_ANSWERER", "answerer", answerer),
		row(envSentenceModel, "sentence-model", c.sentenceModel),
		row("CITEBOT_EMBEDDER", "embedder", c.embedder),
		row(EnvChatModel, "chat-model", cfg.ChatModel),
		row(envModelPassages, "model-passages", strconv.Itoa(cmp.Or(c.modelPassages, bot.DefaultK))),
		row(EnvEmbedModel, "embed-model", cfg.EmbedModel),
		row(EnvEmbedDimensions, "embed-dimensions", dimensions(cfg.EmbedDimensions)),
		row(EnvBaseURL, "base-url", baseURL),
		row(EnvAPIKey, "", ""),
		row(EnvLLMTimeout, "", cfg.Timeout.String()),
		row(EnvLLMMaxAttempts, "", strconv.Itoa(cfg.MaxAttempts)),
		row(EnvAzureEndpoint, "", dash(cfg.AzureEndpoint)),
		row(EnvAzureAPIKey, "", ""),
		row(EnvAzureAPIVersion, "", cfg.AzureAPIVersion),
		row(EnvAzureDeployments, "", dash(env.getenv(EnvAzureDeployments))),
		row(envAllowPrivate, "", strconv.FormatBool(allowPrivate(env.getenv))),
	}
	interval, err := refreshInterval(env.getenv)
	if err != nil {
		return err
	}
	rows = append(rows, row(envRefreshInterval, "", interval.String()))
	feeds, err := feedSettingsFromEnv(env.getenv)
	if err != nil {
		return err
	}
	rows = append(rows, row(envFeedInterval, "", feeds.interval.String()), row(envMaxFeeds, "", strconv.Itoa(feeds.maxFeeds)))
	// What serve reads besides: refused here as serve refuses it, with the
	// same message (a usage error), but without requiring DISCORD_TOKEN.
	served, err := discordEnv(env.getenv)
	if err != nil {
		return usageError("%w", err)
	}
	ops, err := opsFromEnv(env.getenv, nil) // checked, not served
	if err != nil {
		return usageError("%w", err)
	}
	shown := discordShown(served, ops)
	for _, name := range envDiscord[:len(envDiscord)-1] { // the refresh interval is above
		v, ok := shown[name]
		if !ok {
			v = dash(env.getenv(name))
		}
		rows = append(rows, row(name, "", v))
	}
	rows = append(rows, chunkRows(fs)...)
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tVALUE\tFROM")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.name, clip(r.value), r.from)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !check {
		return nil
	}
	if !chat && !embed {
		fmt.Fprintln(env.stdout, "\nno model to check: the answerer is extractive and the embedder local")
		return nil
	}
	ok, problems := checkModels(cmd.Context(), cfg, chat, embed)
	fmt.Fprintln(env.stdout)
	for _, what := range ok {
		fmt.Fprintf(env.stdout, "%s: answers\n", what)
	}
	for _, p := range problems {
		fmt.Fprintf(env.stdout, "%s\n", p.msg)
	}
	if len(problems) > 0 {
		return failure("%s failed", plural(len(problems), "model check"))
	}
	return nil
}

// discordShown is how citebot config shows serve's settings that have a
// default (the default when unset), by variable.
func discordShown(s discordSettings, ops *serveOps) map[string]string {
	shown := map[string]string{
		envDiscordAPIBase:     cmp.Or(s.bot.APIBase, discord.DefaultAPIBase),
		envQuestionsPerMinute: strconv.Itoa(cmp.Or(s.bot.QuestionsPerMinute, discord.DefaultQuestionsPerMinute)),
		envMaxInFlight:        strconv.Itoa(cmp.Or(s.maxInFlight, bot.DefaultMaxAnswers)),
		envShardID:            strconv.Itoa(s.bot.ShardID),
		envMessageContent:     strconv.FormatBool(s.bot.MessageContent),
		envShardCount:         "1 (unsharded)",
		envHTTPAddr:           cmp.Or(ops.addr, "- (off: no health or metrics endpoint)"),
		envFeedbackDays:       strconv.Itoa(ops.days),
	}
	if s.bot.ShardCount > 0 {
		shown[envShardCount] = strconv.Itoa(s.bot.ShardCount)
	}
	return shown
}

// chunkRows are the passage sizes for new articles (flags only).
func chunkRows(fs *pflag.FlagSet) []configRow {
	var rows []configRow
	for _, f := range []struct {
		flag string
		def  int
	}{{"chunk-words", ingest.DefaultTargetWords}, {"chunk-max-words", ingest.DefaultMaxWords}, {"chunk-overlap", 0}} {
		fl := fs.Lookup(f.flag)
		if fl != nil && fl.Changed {
			rows = append(rows, configRow{"--" + f.flag, fl.Value.String(), "flag --" + f.flag})
		} else {
			rows = append(rows, configRow{"--" + f.flag, strconv.Itoa(f.def), "default"})
		}
	}
	return rows
}

// redacted stands for a secret: whether it is set, never any of it.
func redacted(v string) string {
	if v == "" {
		return "(not set)"
	}
	return "(set, hidden)"
}

func dimensions(n int) string {
	if n == 0 {
		return "(the model's own)"
	}
	return strconv.Itoa(n)
}
