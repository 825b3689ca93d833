package main

import (
	"net/url"
	"strings"

	"github.com/citebot/citebot/retrieval"
)

// envDatabaseURL selects PostgreSQL as the store: a postgres:// URL. When
// it is empty the store is the SQLite file in the data directory.
const envDatabaseURL = "CITEBOT_DATABASE_URL"

// databaseURL reads CITEBOT_DATABASE_URL: "" for SQLite, else a
// postgres:// or postgresql:// URL. A URL of another scheme is refused
// naming its scheme; nothing else of the value is echoed (it may hold a
// password).
func databaseURL(getenv func(string) string) (string, error) {
	u := getenv(envDatabaseURL)
	if u == "" {
		return "", nil
	}
	if retrieval.IsPostgresURL(u) {
		return u, nil
	}
	const want = "want a postgres:// (or postgresql://) URL such as postgres://user:password@host:port/database, or nothing for the SQLite store in the data directory"
	if scheme := urlScheme(u); scheme != "" {
		return "", usageError("%s has scheme %q: %s", envDatabaseURL, clip(scheme), want)
	}
	return "", usageError("%s is not a URL (no scheme:// at its start): %s", envDatabaseURL, want)
}

// urlScheme is the scheme of u when u starts with a valid one (as
// net/url judges it) and "://", else "".
func urlScheme(u string) string {
	scheme, _, ok := strings.Cut(strings.TrimSpace(u), "://")
	if !ok {
		return ""
	}
	if p, err := url.Parse(scheme + "://"); err != nil || !strings.EqualFold(p.Scheme, scheme) {
		return ""
	}
	return scheme
}

// databaseShown is CITEBOT_DATABASE_URL as citebot config shows it: the
// password redacted.
func databaseShown(u string) string {
	if u == "" {
		return "- (SQLite in the data directory)"
	}
	return retrieval.RedactURL(u)
}
