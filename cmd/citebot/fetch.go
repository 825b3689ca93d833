package main

import (
	"errors"
	"net/url"
	"strings"

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

// withPrivateHint is msg, the explanation of err for a person, followed,
// when err is the refusal of a private address, by how to allow those:
// the operator can; a Discord user cannot, and is not told.
func withPrivateHint(msg string, err error) string {
	if errors.Is(err, ingest.ErrPrivateAddress) {
		msg += " Set " + envAllowPrivate + "=1 to allow private addresses (self-hosted sources)."
	}
	return msg
}

// isWebAddress reports whether s is an address the fetcher takes: an
// absolute http or https URL with a host (ingest.Fetcher's rule).
func isWebAddress(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
