package main

import (
	"github.com/citebot/citebot/ingest"
)

// newFetcher returns the fetcher of web articles: private and loopback
// addresses are refused unless CITEBOT_ALLOW_PRIVATE_URLS is true (checked
// by the root command before any command runs). Make one and share it (it
// keeps connections for reuse).
func newFetcher(env *environment) *ingest.Fetcher {
	return ingest.NewFetcher(ingest.FetchOptions{AllowPrivate: allowPrivate(env.getenv)})
}

// allowPrivate reads CITEBOT_ALLOW_PRIVATE_URLS; a value that is not a
// boolean has been refused before (see checkEnv), and counts as false.
func allowPrivate(getenv func(string) string) bool {
	ok, err := envBool(getenv, envAllowPrivate)
	return ok && err == nil
}
