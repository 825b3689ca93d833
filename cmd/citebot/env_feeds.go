package main

import (
	"strings"
	"time"

	"github.com/citebot/citebot/ingest/feed"
	"github.com/citebot/citebot/retrieval"
)

// Environment variables of the feeds (citebot serve, follow, feeds poll).
const (
	envFeedInterval = "CITEBOT_FEED_INTERVAL" // a duration of at least feed.MinInterval
	envMaxFeeds     = "CITEBOT_MAX_FEEDS"     // integer >= 1
)

// feedSettings are the feed poller's settings from the environment.
type feedSettings struct {
	interval time.Duration // between two polls of one feed
	maxFeeds int           // feeds one scope (Discord server) may follow
}

// feedSettingsFromEnv reads CITEBOT_FEED_INTERVAL (default 15m, at least
// 5m) and CITEBOT_MAX_FEEDS (default 20); errors are usage errors naming
// the variable.
func feedSettingsFromEnv(getenv func(string) string) (feedSettings, error) {
	s := feedSettings{interval: feed.DefaultInterval, maxFeeds: retrieval.DefaultMaxFeeds}
	if v := strings.TrimSpace(getenv(envFeedInterval)); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < feed.MinInterval {
			return s, usageError("%s=%q: want a duration of at least %s, such as 15m", envFeedInterval, clip(v), fmtDuration(feed.MinInterval))
		}
		s.interval = d
	}
	n, err := envInt(getenv, envMaxFeeds, 1)
	if err != nil {
		return s, usageError("%v", err)
	}
	if n > 0 {
		s.maxFeeds = n
	}
	return s, nil
}

// fmtDuration writes a whole number of minutes as "5m", not "5m0s".
func fmtDuration(d time.Duration) string {
	return strings.TrimSuffix(d.String(), "0s")
}
