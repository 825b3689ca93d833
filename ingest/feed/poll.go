package feed

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

// Errors of Follow and Unfollow, besides the fetch's and ErrNotFeed.
var (
	// ErrFeedLimit: the scope follows as many feeds as Options.MaxFeeds.
	ErrFeedLimit = retrieval.ErrFeedLimit
	// ErrNoSuchFeed: no feed with that ID in that scope.
	ErrNoSuchFeed = retrieval.ErrNotFound
)

// Defaults of Options.
const (
	DefaultInterval   = 15 * time.Minute
	MinInterval       = 5 * time.Minute
	DefaultMaxBackoff = 6 * time.Hour
	DefaultFirstItems = 20
	DefaultMaxSeen    = 1000
)

// Options configure a Poller. Zero values take the defaults.
type Options struct {
	// Interval between polls of a feed: DefaultInterval; raised to
	// MinInterval when shorter. Each wait is jittered by ±10 %.
	Interval time.Duration
	// MaxBackoff caps the wait after failures, which doubles with each
	// failure in a row from 2 × Interval: DefaultMaxBackoff.
	MaxBackoff time.Duration
	// FirstItems is how many of its newest items the first poll of a feed
	// ingests; the older ones are marked seen: DefaultFirstItems.
	FirstItems int
	// MaxFeeds is how many feeds one scope may follow:
	// retrieval.DefaultMaxFeeds.
	MaxFeeds int
	// MaxSeen bounds the item keys kept per feed (the items the feed lists
	// are always kept): DefaultMaxSeen.
	MaxSeen int
	// Now is the clock: time.Now.
	Now func() time.Time
	// Jitter returns a number in [0, 1) that spreads the waits:
	// math/rand/v2's Float64.
	Jitter func() float64
	// Logger receives each poll's outcome; nil discards it.
	Logger *slog.Logger
}

// Stored is an article an item became.
type Stored struct {
	ArticleID string
	Title     string
	Source    string
	URL       string
	Published time.Time
	// Status says whether the article is new to the scope (Added), a new
	// version (Updated) or was already there (Unchanged).
	Status retrieval.AddStatus
}

// IngestFunc turns a new item of feed f into an article stored in
// f.Scope, as `/ingest url:` does (ArticleFor, then the answering core's
// Ingest). An error wrapping ingest.ErrEmpty means the item has no text
// and will not have any: it is marked seen and skipped. Any other error
// stops the feed's poll, leaving the item to the next one.
type IngestFunc func(ctx context.Context, f retrieval.Feed, it Item) (Stored, error)

// Poller follows the feeds kept in a store: Follow and Unfollow change
// them, Poll and PollAll check them and hand each new item to the
// IngestFunc, Run polls the due ones on a ticker. Safe for concurrent
// use; two processes polling one store ingest an item twice at worst,
// which the store's article IDs make a no-op.
type Poller struct {
	store  *retrieval.Store
	fetch  *ingest.Fetcher
	ingest IngestFunc
	opt    Options
	log    *slog.Logger
}

// NewPoller returns a Poller of the feeds in store, fetching with f (use
// the one ingest uses, for its SSRF guard, limits and User-Agent) and
// storing items with ingest.
func NewPoller(store *retrieval.Store, f *ingest.Fetcher, ingest IngestFunc, opt Options) *Poller {
	if opt.Interval <= 0 {
		opt.Interval = DefaultInterval
	}
	opt.Interval = max(opt.Interval, MinInterval)
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = DefaultMaxBackoff
	}
	opt.MaxBackoff = max(opt.MaxBackoff, opt.Interval)
	if opt.FirstItems <= 0 {
		opt.FirstItems = DefaultFirstItems
	}
	if opt.MaxFeeds <= 0 {
		opt.MaxFeeds = retrieval.DefaultMaxFeeds
	}
	if opt.MaxSeen <= 0 {
		opt.MaxSeen = DefaultMaxSeen
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Jitter == nil {
		opt.Jitter = rand.Float64
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Poller{store: store, fetch: f, ingest: ingest, opt: opt, log: log}
}

// Follow checks that rawURL is a feed, or a page announcing one (which is
// followed to it), and follows that feed in scope, announcing new
// articles in channelID ("" for none). It returns the feed and whether it
// is new; a feed the scope already follows is returned as it is. The feed
// is due at once: its first poll ingests its FirstItems newest items.
// Errors: the fetch's (*ingest.PageError), ErrNotFeed, ErrFeedLimit, or
// the store's; UserMessage explains each.
func (p *Poller) Follow(ctx context.Context, scope, rawURL, channelID string) (retrieval.Feed, bool, error) {
	got, err := Fetch(ctx, p.fetch, rawURL, ingest.Validators{}, true)
	if err != nil {
		return retrieval.Feed{}, false, fmt.Errorf("follow %s: %w", rawURL, err)
	}
	return p.store.AddFeed(ctx, retrieval.NewFeed{Scope: scope, URL: got.URL, Title: got.Doc.Title, ChannelID: channelID}, p.opt.MaxFeeds)
}

// Unfollow stops following feed id in scope; its articles stay. A feed
// not in scope is an error wrapping ErrNoSuchFeed.
func (p *Poller) Unfollow(ctx context.Context, scope string, id int64) error {
	return p.store.RemoveFeed(ctx, scope, id)
}

// Feeds lists the feeds followed in scope, ordered by ID.
func (p *Poller) Feeds(ctx context.Context, scope string) ([]retrieval.Feed, error) {
	return p.store.Feeds(ctx, []string{scope})
}

// Report is what one Poll or PollAll did, one FeedReport per feed checked.
type Report struct {
	Feeds []FeedReport
}

// FeedReport is the outcome of one poll of one feed.
type FeedReport struct {
	Feed        retrieval.Feed // as it was polled
	NotModified bool           // the server said nothing changed (304)
	// Articles are the items ingested, oldest first.
	Articles []Stored
	// Skipped counts the items passed over: past the first poll's
	// FirstItems, or with no text.
	Skipped int
	Err     error // why the poll failed; nil on success
}

// New returns the articles the poll added to the scope (not those it
// already had): what a frontend announces in the feed's channel.
func (r FeedReport) New() []Stored {
	var out []Stored
	for _, s := range r.Articles {
		if s.Status == retrieval.Added {
			out = append(out, s)
		}
	}
	return out
}

// Poll checks every feed that is due now, once. It is what Run does on
// each tick. Errors of single feeds are in the report; the error is the
// store's (the feeds could not be listed) or ctx's.
func (p *Poller) Poll(ctx context.Context) (Report, error) { return p.poll(ctx, false, nil) }

// PollAll checks every feed now, due or not (`citebot feeds poll`).
func (p *Poller) PollAll(ctx context.Context) (Report, error) { return p.poll(ctx, true, nil) }

// PollScope checks every feed of scope now, due or not (`citebot feeds
// poll --scope S`).
func (p *Poller) PollScope(ctx context.Context, scope string) (Report, error) {
	return p.poll(ctx, true, []string{scope})
}

// poll checks the feeds of scopes (nil: of every scope), all of them or
// only the due ones.
func (p *Poller) poll(ctx context.Context, all bool, scopes []string) (Report, error) {
	feeds, err := p.store.Feeds(ctx, scopes)
	if err != nil {
		return Report{}, fmt.Errorf("poll feeds: %w", err)
	}
	var r Report
	for _, f := range feeds {
		if !all && f.NextCheck.After(p.opt.Now()) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return r, fmt.Errorf("poll feeds: %w", err)
		}
		fr := p.pollFeed(ctx, f)
		if fr.Err != nil && ctx.Err() != nil {
			return r, fmt.Errorf("poll feeds: %w", ctx.Err())
		}
		r.Feeds = append(r.Feeds, fr)
	}
	return r, nil
}

// wait is the interval d jittered by ±10 %, never under MinInterval.
func (p *Poller) wait(d time.Duration) time.Duration {
	return max(time.Duration(float64(d)*(0.9+0.2*p.opt.Jitter())), MinInterval)
}

// backoff is the wait after failures polls failed in a row: Interval
// doubled for each, jittered, at most MaxBackoff.
func (p *Poller) backoff(failures int) time.Duration {
	d := p.opt.Interval
	for i := 0; i < failures && d < p.opt.MaxBackoff; i++ {
		d *= 2
	}
	return min(p.wait(d), p.opt.MaxBackoff)
}
