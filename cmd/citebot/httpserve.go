package main

// What citebot serve runs beside the bot: the health and metrics
// endpoint (CITEBOT_HTTP_ADDR) and the retention of feedback votes
// (CITEBOT_FEEDBACK_DAYS).

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/bot/discord"
	"github.com/citebot/citebot/ingest/feed"
	"github.com/citebot/citebot/internal/llm"
	"github.com/citebot/citebot/metrics"
	"github.com/citebot/citebot/retrieval"
)

const (
	envHTTPAddr     = "CITEBOT_HTTP_ADDR"
	envFeedbackDays = "CITEBOT_FEEDBACK_DAYS"
)

// defaultFeedbackDays is how long votes are kept.
const defaultFeedbackDays = 180

// serveOps is serve's operations side, read from the environment.
type serveOps struct {
	addr    string // "" when the endpoint is off
	days    int
	metrics *metrics.Metrics // nil when the endpoint is off
	mu      sync.Mutex
	app     *app // set by start, for the store gauges
}

// opsFromEnv reads CITEBOT_HTTP_ADDR (host:port; off when empty) and
// CITEBOT_FEEDBACK_DAYS (integer >= 1, default 180). The endpoint logs to
// log (its level and format), or slog's default when log is nil.
func opsFromEnv(getenv func(string) string, log *slog.Logger) (*serveOps, error) {
	o := &serveOps{addr: strings.TrimSpace(getenv(envHTTPAddr)), days: defaultFeedbackDays}
	if o.addr != "" {
		if _, port, err := net.SplitHostPort(o.addr); err != nil || port == "" {
			return nil, fmt.Errorf("%s=%q: want host:port, such as 127.0.0.1:9464", envHTTPAddr, clip(o.addr))
		}
		o.metrics = metrics.New(o.counts, log)
	}
	if v := strings.TrimSpace(getenv(envFeedbackDays)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s=%q: want a whole number of days, at least 1", envFeedbackDays, clip(v))
		}
		o.days = n
	}
	return o, nil
}

// observers are the hooks the model client and the answering core report
// to: nil (no metrics) unless the endpoint is on.
type observers struct {
	llm  llm.Observer
	core bot.Observer
}

func (o *serveOps) observers() observers {
	if o.metrics == nil {
		return observers{}
	}
	return observers{llm: o.metrics, core: o.metrics}
}

// counts reports the store's articles and passages for /metrics.
func (o *serveOps) counts(ctx context.Context) (int, int, error) {
	o.mu.Lock()
	a := o.app
	o.mu.Unlock()
	if a == nil {
		return 0, 0, errors.New("the store is not open yet")
	}
	st, err := a.store.Stats(ctx)
	return st.Articles, st.Chunks, err
}

// deps adds the observer and the feedback store to the bot's deps.
func (o *serveOps) deps(a *app, d discord.Deps) discord.Deps {
	if o.metrics != nil {
		d.Observer = o.metrics
	}
	d.Feedback = a.store
	d.AnswererName, d.EmbedderName = a.core.AnswererName(), a.embedder.Name()
	return d
}

// start prunes old votes now and then daily, and serves the endpoint when
// it is on, until ctx ends or stop is called; stop waits for both.
func (o *serveOps) start(ctx context.Context, a *app) (stop func(), err error) {
	o.mu.Lock()
	o.app = a
	o.mu.Unlock()
	a.metrics = o.metrics
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	stop = func() { cancel(); wg.Wait() }
	o.prune(ctx, a)
	wg.Go(func() {
		t := time.NewTicker(24 * time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				o.prune(ctx, a)
			}
		}
	})
	if o.addr == "" {
		return stop, nil
	}
	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		stop()
		return nil, fmt.Errorf("%s=%s: listen: %w", envHTTPAddr, o.addr, err)
	}
	storeOpen := metrics.Check{Name: "store", Check: func(ctx context.Context) error {
		_, err := a.store.Stats(ctx)
		return err
	}}
	srv := &http.Server{Handler: o.metrics.Handler(o.metrics.GatewayCheck(), storeOpen), ReadHeaderTimeout: 10 * time.Second}
	a.log.Info("serving health and metrics", "addr", l.Addr().String())
	wg.Go(func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("health and metrics endpoint stopped", "err", err)
		}
	})
	wg.Go(func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	})
	return stop, nil
}

// countFeedIngests counts each feed item ingest makes into an article
// under the source "feed", when serve's metrics are on.
func countFeedIngests(a *app, ingest feed.IngestFunc) feed.IngestFunc {
	if a.metrics == nil {
		return ingest
	}
	return func(ctx context.Context, f retrieval.Feed, it feed.Item) (feed.Stored, error) {
		s, err := ingest(ctx, f, it)
		outcome := "unchanged"
		switch {
		case err != nil:
			outcome = "error"
		case s.Status == retrieval.Added:
			outcome = "added"
		case s.Status == retrieval.Updated:
			outcome = "updated"
		}
		a.metrics.Ingest("feed", outcome)
		return s, err
	}
}

// prune deletes the votes older than the retention.
func (o *serveOps) prune(ctx context.Context, a *app) {
	cutoff := time.Now().AddDate(0, 0, -o.days)
	votes, answers, err := a.store.PruneFeedback(ctx, cutoff)
	switch {
	case err != nil && ctx.Err() == nil:
		a.log.Warn("deleting old feedback votes failed", "err", err)
	case votes+answers > 0:
		a.log.Info("old feedback deleted", "votes", votes, "answers", answers, "older_than_days", o.days)
	}
}
