package main

import (
	"strings"
	"testing"
)

func TestDatabaseURLSetting(t *testing.T) {
	t.Parallel()
	const secret = "pw-never-shown"
	tests := []struct {
		name     string
		url      string
		args     []string
		code     int
		want     string
		wantGone string
	}{
		{"config shows it redacted", "postgres://bot:" + secret + "@db.example:5433/citebot", []string{"config"}, 0,
			"postgres://bot@db.example:5433/citebot", secret},
		{"config without it", "", []string{"config"}, 0, "SQLite in the data directory", ""},
		{"not postgres", "mysql://bot:" + secret + "@db.example/citebot", []string{"sources"}, 2, "want a postgres://", secret},
		{"config names the scheme", "mysql://bot:" + secret + "@db.example/citebot", []string{"config"}, 2,
			`CITEBOT_DATABASE_URL has scheme "mysql": want a postgres:// (or postgresql://) URL`, secret},
		{"a scheme with a bad port", "MySQL://bot:" + secret + "@db.example:port/citebot", []string{"config"}, 2,
			`CITEBOT_DATABASE_URL has scheme "MySQL": want a postgres://`, secret},
		{"no scheme", "bot:" + secret + "@db.example/citebot", []string{"config"}, 2,
			"CITEBOT_DATABASE_URL is not a URL (no scheme:// at its start): want a postgres://", secret},
		{"the password where a scheme would be", secret + "@db.example://citebot", []string{"config"}, 2,
			"CITEBOT_DATABASE_URL is not a URL", secret},
		{"backup refused", "postgres://bot:" + secret + "@db.example/citebot", []string{"backup", t.TempDir()}, 1, "pg_dump", secret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t)
			c.env[envDatabaseURL] = tt.url
			code, out, errOut := c.run("", tt.args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) || tt.wantGone != "" && strings.Contains(out+errOut, tt.wantGone) {
				t.Errorf("exit %d, want %d; want %q and not %q in:\n%s%s", code, tt.code, tt.want, tt.wantGone, out, errOut)
			}
		})
	}
}
