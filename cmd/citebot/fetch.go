package main

import (
	"github.com/citebot/citebot/ingest"
)

// newFetcher returns the fetcher of web articles: private and loopback
// addresses are refused unless CITEBOT_ALLOW_PRIVATE_URLS=1. Make one and
// share it (it keeps connections for reuse).
func newFetcher(env *environment) *ingest.Fetcher {
	return ingest.NewFetcher(ingest.FetchOptions{AllowPrivate: allowPrivate(env.getenv)})
}

// allowPrivate reads CITEBOT_ALLOW_PRIVATE_URLS.
func allowPrivate(getenv func(string) string) bool {
	switch getenv("CITEBOT_ALLOW_PRIVATE_URLS") {
	case "1", "true", "yes":
		return true
	}
	return false
}
