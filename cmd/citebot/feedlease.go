package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/ingest/feed"
)

// feedLeaseName is the lease (retrieval.Store.TryLease) a serving process
// holds while it polls the feeds; feedLeaseTTL is how long one lasts
// unrenewed. It is renewed at every tick of the poll loop (a minute), so
// when its holder dies another process takes the feeds over within
// feedLeaseTTL.
const (
	feedLeaseName = "feeds"
	feedLeaseTTL  = 3 * time.Minute
)

// leaser is what leasedFeeds needs of the store.
type leaser interface {
	TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, holder string) error
}

// leasedFeeds polls feeds only while this process holds the feed lease,
// so that of several processes on one PostgreSQL store exactly one polls.
// On SQLite the lease is always granted: the one serving process polls,
// as before. Following, unfollowing and listing work in every process.
type leasedFeeds struct {
	discord.FeedService
	lease  leaser
	holder string
	log    *slog.Logger
	// checked, when set (tests), hears the outcome of every lease check.
	checked func(held bool)
}

func newLeasedFeeds(inner discord.FeedService, lease leaser, log *slog.Logger) *leasedFeeds {
	return &leasedFeeds{FeedService: inner, lease: lease, holder: leaseHolder(), log: log}
}

// leaseHolder names this process among the holders: host, process ID
// and a random part (process IDs repeat across containers).
func leaseHolder() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

// Run checks the lease at once and at every tick; while it holds it, the
// inner service polls (at once when it gains the lease, then on every
// tick). The lease is released when ctx ends.
func (l *leasedFeeds) Run(ctx context.Context, ticks <-chan time.Time, report func(feed.Report)) {
	var (
		stop  context.CancelFunc
		done  chan struct{}
		inner chan time.Time
	)
	end := func() {
		if stop != nil {
			stop()
			<-done
			stop = nil
		}
	}
	defer func() {
		end()
		if err := l.lease.ReleaseLease(context.WithoutCancel(ctx), feedLeaseName, l.holder); err != nil {
			l.log.Warn("release the feed lease", "err", err)
		}
	}()
	check := func(now time.Time) {
		held, err := l.lease.TryLease(ctx, feedLeaseName, l.holder, feedLeaseTTL)
		if err != nil && ctx.Err() == nil {
			l.log.Error("take the feed lease; not polling until it works", "err", err)
		}
		switch {
		case held && stop == nil:
			l.log.Info("feed lease taken: this process polls the feeds", "holder", l.holder)
			var pollCtx context.Context
			pollCtx, stop = context.WithCancel(ctx)
			done, inner = make(chan struct{}), make(chan time.Time, 1)
			go func() {
				defer close(done)
				l.FeedService.Run(pollCtx, inner, report)
			}()
		case held:
			select {
			case inner <- now:
			default: // still polling: the next tick will do
			}
		case stop != nil:
			l.log.Warn("feed lease lost to another process: no longer polling the feeds", "holder", l.holder)
			end()
		}
		if l.checked != nil {
			l.checked(held)
		}
	}
	check(time.Now())
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-ticks:
			check(now)
		}
	}
}
