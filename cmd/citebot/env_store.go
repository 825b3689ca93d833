package main

import (
	"github.com/citebot/citebot/retrieval"
)

// envDatabaseURL selects PostgreSQL as the store: a postgres:// URL. When
// it is empty the store is the SQLite file in the data directory.
const envDatabaseURL = "CITEBOT_DATABASE_URL"

// databaseURL reads CITEBOT_DATABASE_URL: "" for SQLite, else a
// postgres:// or postgresql:// URL.
func databaseURL(getenv func(string) string) (string, error) {
	u := getenv(envDatabaseURL)
	if u == "" {
		return "", nil
	}
	if !retrieval.IsPostgresURL(u) {
		return "", usageError("%s=%s: want a postgres://user:password@host:port/database URL, or nothing for the SQLite store in the data directory",
			envDatabaseURL, retrieval.RedactURL(u))
	}
	return u, nil
}

// databaseShown is CITEBOT_DATABASE_URL as citebot config shows it: the
// password redacted.
func databaseShown(u string) string {
	if u == "" {
		return "- (SQLite in the data directory)"
	}
	return retrieval.RedactURL(u)
}
