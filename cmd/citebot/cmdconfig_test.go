package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/bot/discord"
)

// citebot config shows serve's settings that have a default with that
// default, from "default", and what the environment sets from there.
func TestConfigShowsServeDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, set string // set: a value in the environment; "" for none
		want      string // the value shown
	}{
		{envQuestionsPerMinute, "", strconv.Itoa(discord.DefaultQuestionsPerMinute)},
		{envQuestionsPerMinute, "3", "3"},
		{envMaxInFlight, "", strconv.Itoa(bot.DefaultMaxAnswers)},
		{envMaxInFlight, "16", "16"},
		{envFeedbackDays, "", strconv.Itoa(defaultFeedbackDays)},
		{envFeedbackDays, "30", "30"},
		{envDiscordAPIBase, "", discord.DefaultAPIBase},
		{envDiscordAPIBase, "http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{envHTTPAddr, "", "- (off: no health or metrics endpoint)"},
		{envHTTPAddr, "127.0.0.1:9464", "127.0.0.1:9464"},
		{envSentenceModel, "", "on"},
		{envSentenceModel, "off", "off"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.set, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			from := "default"
			if tt.set != "" {
				c.env[tt.name] = tt.set
				from = "environment"
			}
			code, out, errOut := c.run("", "config")
			line := regexp.MustCompile(fmt.Sprintf(`(?m)^%s +%s +%s$`, tt.name, regexp.QuoteMeta(tt.want), from))
			if code != 0 || !line.MatchString(out) {
				t.Errorf("exit %d; want %s %q from %s in:\n%s%s", code, tt.name, tt.want, from, out, errOut)
			}
		})
	}
}

// citebot config refuses what serve refuses, with serve's message and
// exit status 2, and does so without DISCORD_TOKEN.
func TestConfigRefusesWhatServeRefuses(t *testing.T) {
	t.Parallel()
	const token = "s3cr3t-token"
	tests := []struct {
		name, value, want string
	}{
		{envQuestionsPerMinute, "abc", `CITEBOT_QUESTIONS_PER_MINUTE="abc": want an integer of at least 1`},
		{envQuestionsPerMinute, "0", `CITEBOT_QUESTIONS_PER_MINUTE="0": want an integer of at least 1`},
		{envMaxInFlight, "many", `CITEBOT_MAX_IN_FLIGHT="many": want an integer of at least 1`},
		{envHTTPAddr, "foo", `CITEBOT_HTTP_ADDR="foo": want host:port`},
		{envFeedbackDays, "-1", `CITEBOT_FEEDBACK_DAYS="-1": want a whole number of days`},
		{envDiscordAPIBase, "discord.com", `DISCORD_API_BASE="discord.com": want an http(s) URL`},
		{envSentenceModel, "yes", `unknown --sentence-model "yes": want on or off (env CITEBOT_SENTENCE_MODEL)`},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			t.Parallel()
			msgs := map[string]string{}
			for _, run := range []struct {
				cmd   string
				token string
			}{{"serve", token}, {"config", token}, {"config", ""}} {
				c := newCLI(t)
				c.env[tt.name] = tt.value
				c.env[envDiscordToken] = run.token
				code, out, errOut := c.run("", run.cmd)
				msg, ok := strings.CutPrefix(strings.TrimSpace(errOut), "citebot "+run.cmd+": ")
				if code != 2 || !ok || !strings.Contains(msg, tt.want) || strings.Contains(out+errOut, token) {
					t.Errorf("%s (token %q): exit %d, want 2 and %q (never the token):\n%s%s", run.cmd, run.token, code, tt.want, out, errOut)
				}
				msgs[run.cmd] = msg
			}
			if msgs["serve"] != msgs["config"] {
				t.Errorf("config says %q, serve %q", msgs["config"], msgs["serve"])
			}
		})
	}
}
