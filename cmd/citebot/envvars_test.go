package main

import (
	"slices"
	"strings"
	"testing"
)

// A name other programs use for a setting draws a warning naming the
// variable citebot reads for it, and never the value.
func TestWarnUnknownVarsNamesTheAlias(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-value"
	tests := []struct {
		set, want string // want: the suggestion, "" for none
	}{
		{"OPENAI_API_BASE", EnvBaseURL},
		{"OPENAI_API_HOST", EnvBaseURL},
		{"OPENAI_KEY", EnvAPIKey},
		{"AZURE_OPENAI_KEY", EnvAzureAPIKey},
		{"OPENAI_API_VERSION", EnvAzureAPIVersion},
		{"DISCORD_BOT_TOKEN", envDiscordToken},
		{"DISCORD_GUILD_ID", envDevGuild},
		{"CITEBOT_DB_URL", envDatabaseURL},
		{"CITEBOT_CHAT_MODL", EnvChatModel}, // a typo: still the nearest name
		{"DISCORD_SOMETHING_ELSE_ENTIRELY", ""},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			t.Parallel()
			var w strings.Builder
			warnUnknownVars(&w, []string{tt.set + "=" + secret})
			want := "citebot: warning: " + tt.set + " is set but citebot does not read it"
			if tt.want != "" {
				want += "; did you mean " + tt.want + "?"
			}
			if got := w.String(); got != want+"\n" || strings.Contains(got, secret) {
				t.Errorf("warning %q, want %q (and never the value)", got, want)
			}
		})
	}
}

// Every alias names a variable citebot reads, and is not one itself.
func TestVarAliasesNameKnownVars(t *testing.T) {
	t.Parallel()
	for alias, name := range varAliases {
		if _, ok := lookupVar(alias); ok {
			t.Errorf("alias %s is a variable citebot reads", alias)
		}
		if _, ok := lookupVar(name); !ok {
			t.Errorf("alias %s names %s, which citebot does not read", alias, name)
		}
	}
}

// What the project's own scripts and tests export (scripts/pg start's
// CITEBOT_PG_DIR among them) draws no warning.
func TestDevVarsDrawNoWarning(t *testing.T) {
	t.Parallel()
	for _, name := range devVars {
		var w strings.Builder
		warnUnknownVars(&w, []string{name + "=x"})
		if w.Len() != 0 {
			t.Errorf("%s: warning %q", name, w.String())
		}
	}
	if !slices.Contains(devVars, "CITEBOT_PG_DIR") {
		t.Error("CITEBOT_PG_DIR, which scripts/pg start exports, is not among devVars")
	}
}
