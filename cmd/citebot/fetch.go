package main

import (
	"context"

	"github.com/citebot/citebot/ingest"
)

// fetch downloads and extracts the article at rawURL. Private and loopback
// addresses are refused unless CITEBOT_ALLOW_PRIVATE_URLS=1.
func fetch(ctx context.Context, env *environment, rawURL string) (ingest.Article, error) {
	f := ingest.NewFetcher(ingest.FetchOptions{AllowPrivate: allowPrivate(env.getenv)})
	return f.Fetch(ctx, rawURL)
}

// allowPrivate reads CITEBOT_ALLOW_PRIVATE_URLS.
func allowPrivate(getenv func(string) string) bool {
	switch getenv("CITEBOT_ALLOW_PRIVATE_URLS") {
	case "1", "true", "yes":
		return true
	}
	return false
}
