package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/ingest/feed"
	"github.com/citebot/citebot/internal/pgtest"
	"github.com/citebot/citebot/retrieval"
)

// pollRecorder is a FeedService whose Run says when it starts and ends.
type pollRecorder struct {
	discord.FeedService
	started, ended chan string
	name           string
}

func (p *pollRecorder) Run(ctx context.Context, ticks <-chan time.Time, report func(feed.Report)) {
	p.started <- p.name
	<-ctx.Done()
	p.ended <- p.name
}

// Two serving processes on one PostgreSQL store: only the lease holder
// polls; when it stops, the other takes the feeds over at its next tick.
func TestFeedsArePolledByOneProcess(t *testing.T) {
	t.Parallel()
	url := pgtest.DB(t)
	started, ended := make(chan string, 2), make(chan string, 2)
	type proc struct {
		feeds  *leasedFeeds
		ticks  chan time.Time
		checks chan bool
		stop   context.CancelFunc
	}
	newProc := func(name string) *proc {
		s, err := retrieval.Open(t.Context(), "", retrieval.Options{Embedder: retrieval.NewLocalEmbedder(), DatabaseURL: url, WithoutIndexes: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		p := &proc{ticks: make(chan time.Time), checks: make(chan bool, 10)}
		p.feeds = newLeasedFeeds(&pollRecorder{started: started, ended: ended, name: name}, s, slog.New(slog.DiscardHandler))
		p.feeds.checked = func(held bool) { p.checks <- held }
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan struct{})
		p.stop = func() { stop(); <-done }
		go func() { defer close(done); p.feeds.Run(ctx, p.ticks, func(feed.Report) {}) }()
		t.Cleanup(p.stop)
		return p
	}
	a := newProc("a")
	if !<-a.checks || <-started != "a" {
		t.Fatal("the first process did not take the lease and poll")
	}
	b := newProc("b")
	if <-b.checks {
		t.Fatal("the second process took the lease the first holds")
	}
	b.ticks <- time.Now()
	if <-b.checks {
		t.Fatal("the second process took the lease at a tick while the first holds it")
	}
	a.ticks <- time.Now()
	if !<-a.checks {
		t.Fatal("the first process lost its lease at a renewal")
	}
	a.stop() // the first process ends: its poll stops, its lease goes
	if got := <-ended; got != "a" {
		t.Fatalf("%s ended, want a", got)
	}
	b.ticks <- time.Now()
	if !<-b.checks || <-started != "b" {
		t.Fatal("the second process did not take the feeds over")
	}
}
