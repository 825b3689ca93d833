package feed

import (
	"context"
	"time"
)

// Run polls the due feeds at once and then on every tick, until ctx ends,
// handing each poll's report to report (nil ignores them): serve passes
// a time.Ticker's channel (a minute is fine: feeds are polled when due,
// not on every tick) and announces report's new articles. Ticks that
// arrive while a poll runs are dropped by the ticker. A poll that cannot
// list the feeds is logged and retried on the next tick. Run returns when
// ctx ends, after the poll in progress stops.
func (p *Poller) Run(ctx context.Context, ticks <-chan time.Time, report func(Report)) {
	for {
		r, err := p.Poll(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			p.log.Warn("feed poll failed", "err", err)
		}
		if report != nil && len(r.Feeds) > 0 {
			report(r)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
	}
}
