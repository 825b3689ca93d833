package feed

import (
	"context"
	"errors"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

// pollFeed checks one feed and ingests its new items, oldest first.
//
// Crash safety: an item is marked seen only after its article is stored
// (and storing it again is a no-op), and the response's validators are
// recorded only once every new item is stored, so a poll cut short (a
// kill -9, an ingest error) leaves the rest for the next poll, which
// fetches the whole document again. On a first poll, the items past the
// FirstItems newest are marked seen before any is ingested, so a restart
// mid-way does not take them for new.
func (p *Poller) pollFeed(ctx context.Context, f retrieval.Feed) FeedReport {
	r := FeedReport{Feed: f}
	started := p.opt.Now()
	got, err := Fetch(ctx, p.fetch, f.URL, ingest.Validators{ETag: f.ETag, LastModified: f.LastModified}, false)
	if err != nil {
		return p.failed(ctx, r, err)
	}
	r.NotModified = got.NotModified
	var items []Item
	var keys []string
	dup := make(map[string]bool)
	for _, it := range got.Doc.Items {
		if k := it.Key(); !dup[k] && len(items) < p.opt.MaxSeen/2 {
			dup[k] = true
			items, keys = append(items, it), append(keys, k)
		}
	}
	seen, err := p.store.SeenFeedItems(ctx, f.ID, keys)
	if err != nil {
		return p.failed(ctx, r, err)
	}
	var fresh []Item // newest first
	for _, it := range items {
		if !seen[it.Key()] {
			fresh = append(fresh, it)
		}
	}
	if first := len(seen) == 0 && f.LastNewItem.IsZero(); first && len(fresh) > p.opt.FirstItems {
		var skip []string
		for _, it := range fresh[p.opt.FirstItems:] {
			skip = append(skip, it.Key())
		}
		if err := p.store.MarkFeedItemsSeen(ctx, f.ID, skip, started); err != nil {
			return p.failed(ctx, r, err)
		}
		r.Skipped += len(skip)
		fresh = fresh[:p.opt.FirstItems]
	}
	for i := len(fresh) - 1; i >= 0; i-- {
		it := fresh[i]
		st, err := p.ingest(ctx, f, it)
		switch {
		case errors.Is(err, ingest.ErrEmpty) && ctx.Err() == nil:
			p.log.Info("feed item skipped: no text", "feed", f.ID, "url", f.URL, "item", it.Key(), "err", err)
			r.Skipped++
		case err != nil:
			return p.failed(ctx, r, err)
		default:
			r.Articles = append(r.Articles, st)
		}
		if err := p.store.MarkFeedItemsSeen(ctx, f.ID, []string{it.Key()}, p.opt.Now()); err != nil {
			return p.failed(ctx, r, err)
		}
	}
	if len(keys) > 0 {
		if err := p.store.PruneFeedItems(ctx, f.ID, keys, p.opt.MaxSeen); err != nil {
			return p.failed(ctx, r, err)
		}
	}
	now := p.opt.Now()
	check := retrieval.FeedCheck{Checked: now, NextCheck: now.Add(p.wait(p.opt.Interval)),
		ETag: got.Validators.ETag, LastModified: got.Validators.LastModified, Title: got.Doc.Title}
	if len(r.Articles) > 0 {
		check.NewItem = now
	}
	p.record(ctx, &r, check)
	p.log.Info("feed polled", "feed", f.ID, "scope", f.Scope, "url", f.URL, "not_modified", r.NotModified,
		"ingested", len(r.Articles), "new", len(r.New()), "skipped", r.Skipped)
	return r
}

// failed records a failed poll: the error, one more failure in a row, the
// next check backed off, the old validators kept. A poll stopped by the
// end of ctx (shutting down) records nothing: it did not fail.
func (p *Poller) failed(ctx context.Context, r FeedReport, err error) FeedReport {
	r.Err = err
	if ctx.Err() != nil {
		return r
	}
	f := r.Feed
	now := p.opt.Now()
	p.log.Warn("feed poll failed", "feed", f.ID, "scope", f.Scope, "url", f.URL, "failures", f.Failures+1, "err", err)
	msg := UserMessage(err)
	if msg == genericMessage {
		msg = "The check failed; the log has the details."
	}
	p.record(ctx, &r, retrieval.FeedCheck{Checked: now, NextCheck: now.Add(p.backoff(f.Failures + 1)),
		ETag: f.ETag, LastModified: f.LastModified, Err: msg, Failures: f.Failures + 1})
	return r
}

// record stores the check and puts the feed's new state in r.Feed.
func (p *Poller) record(ctx context.Context, r *FeedReport, c retrieval.FeedCheck) {
	err := p.store.RecordFeedCheck(ctx, r.Feed.ID, c)
	switch {
	case errors.Is(err, retrieval.ErrNotFound):
		return // unfollowed during the poll
	case err != nil:
		p.log.Warn("feed state not saved", "feed", r.Feed.ID, "err", err)
		r.Err = errors.Join(r.Err, err)
		return
	}
	f := &r.Feed
	f.LastChecked, f.NextCheck, f.ETag, f.LastModified = c.Checked, c.NextCheck, c.ETag, c.LastModified
	f.LastError, f.Failures = c.Err, c.Failures
	if !c.NewItem.IsZero() {
		f.LastNewItem = c.NewItem
	}
	if c.Title != "" {
		f.Title = c.Title
	}
}
