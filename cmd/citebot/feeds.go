package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/citebot/citebot/bot"
	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/ingest/feed"
	"github.com/citebot/citebot/retrieval"
)

// feedJSON is the --json shape of one followed feed (a public contract).
type feedJSON struct {
	ID          int64   `json:"id"`
	Title       string  `json:"title"`
	URL         string  `json:"url"`
	Scope       string  `json:"scope"`
	ChannelID   string  `json:"channel_id"`
	LastChecked *string `json:"last_checked"`
	LastNewItem *string `json:"last_new_item"`
	LastError   string  `json:"last_error"`
	Failures    int     `json:"failures"`
	NextCheck   *string `json:"next_check"`
}

// newPoller returns the feed poller of a's store: it fetches with f (the
// SSRF guard, limits and User-Agent of ingest) and stores each new item
// through a's core, as `/ingest url:` does.
func newPoller(a *app, f *ingest.Fetcher, s feedSettings) *feed.Poller {
	return feed.NewPoller(a.store, f, countFeedIngests(a, feedIngest(a.core, f)), feed.Options{Interval: s.interval, MaxFeeds: s.maxFeeds, Logger: a.log})
}

// feedIngest is the poller's IngestFunc: the item's page fetched and
// extracted (or the item's own text), stored in the feed's scope.
func feedIngest(core *bot.Core, f *ingest.Fetcher) feed.IngestFunc {
	return func(ctx context.Context, fd retrieval.Feed, it feed.Item) (feed.Stored, error) {
		art, err := feed.ArticleFor(ctx, f, fd.URL, fd.Title, it)
		if err != nil {
			return feed.Stored{}, err
		}
		res, err := core.Ingest(ctx, fd.Scope, art)
		if err != nil {
			return feed.Stored{}, fmt.Errorf("feed %d: item %s: %w", fd.ID, clip(it.Key()), err)
		}
		return feed.Stored{ArticleID: res.ID, Title: res.Title, Source: art.Source, URL: art.URL, Published: art.Published, Status: res.Status}, nil
	}
}

// openFeeds opens the store and its feed poller.
func (c *common) openFeeds(ctx context.Context, env *environment, use storeUse) (*app, *feed.Poller, error) {
	settings, err := feedSettingsFromEnv(env.getenv)
	if err != nil {
		return nil, nil, err
	}
	a, err := c.open(ctx, env, use)
	if err != nil {
		return nil, nil, err
	}
	return a, newPoller(a, newFetcher(env), settings), nil
}

// feedGenericMessage is what feed.UserMessage says of an error it cannot
// explain: feedText shows the error itself instead.
var feedGenericMessage = feed.UserMessage(errors.New("unexplained"))

// feedText is the short text of a feed error for an operator: its
// explanation when there is one (with how to allow private addresses, for
// their refusal), else the error.
func feedText(err error) string {
	if msg := feed.UserMessage(err); msg != feedGenericMessage {
		return withPrivateHint(msg, err)
	}
	return err.Error()
}

// followText is feedText for a failed follow in scope: the feed limit
// is explained for an operator, with its variable.
func followText(err error, scope string, getenv func(string) string) string {
	if !errors.Is(err, feed.ErrFeedLimit) {
		return feedText(err)
	}
	s, _ := feedSettingsFromEnv(getenv) // checked before the follow
	return fmt.Sprintf("scope %s already follows as many feeds as it may (%d): unfollow one first (citebot feeds lists them), or raise %s",
		scope, s.maxFeeds, envMaxFeeds)
}

func newFollowCmd(c *common, env *environment) *cobra.Command {
	var channel string
	cmd := command("follow [flags] URL",
		"follow a news feed: its new articles are ingested",
		`Follow an RSS 2.0, RSS 1.0 or Atom feed, or a site's page that announces one, in the scope
(creating the store if needed). Prints the feed's ID (for citebot unfollow), title, address
and whether it was followed now or already. citebot serve checks every followed feed
regularly and ingests its new articles (the first check takes the 20 newest); citebot feeds
poll checks them once now. With --channel (a server's scope only), citebot serve announces
the new articles in that channel of the server, as /follow's channel option does; it checks
the channel is the server's before each announcement.`,
		`  citebot follow https://news.example/rss.xml
  citebot follow --scope guild:123456789 https://news.example/
  citebot follow --scope guild:123456789 --channel 987654321 https://news.example/rss.xml`,
		[][]string{envStore, envFeeds},
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) != 1 {
				return usageError("follow takes one feed URL")
			}
			if !isWebAddress(pos[0]) {
				return usageError("%q is not a web address: follow takes a feed's or a site's http:// or https:// URL", clip(pos[0]))
			}
			if channel != "" {
				if !strings.HasPrefix(c.scope, "guild:") {
					return usageError("--channel needs a server's scope: --scope guild:ID")
				}
				if !isSnowflake(channel) {
					return usageError("--channel %q is not a Discord channel ID (a number: Developer Mode, right-click the channel, Copy Channel ID)", clip(channel))
				}
			}
			a, p, err := c.openFeeds(cmd.Context(), env, mayCreate)
			if err != nil {
				return err
			}
			defer a.Close()
			f, created, err := p.Follow(cmd.Context(), c.scope, pos[0], channel)
			if err != nil {
				a.log.Debug("follow failed", "url", clip(pos[0]), "err", err)
				return failure("%s", clipText(followText(err, c.scope, env.getenv), pos[0]))
			}
			status := "followed"
			if !created {
				status = "already followed"
			}
			fmt.Fprintf(env.stdout, "%d\t%s\t%s\t%s\n", f.ID, dash(f.Title), f.URL, status)
			return nil
		})
	c.register(cmd.Flags(), withScope|showEmbed)
	cmd.Flags().StringVar(&channel, "channel", "", "announce the feed's new articles in this Discord channel of the server (its ID)")
	return cmd
}

// isSnowflake reports whether s looks like a Discord ID: decimal digits,
// as many as a server ID may have (retrieval.CheckScope's rule).
func isSnowflake(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == "" && len(s) <= retrieval.MaxGuildIDDigits
}

func newUnfollowCmd(c *common, env *environment) *cobra.Command {
	cmd := command("unfollow [flags] FEED_ID",
		"stop following a feed (its articles stay)",
		`Stop following a feed of the scope; the articles it brought stay (citebot forget removes
one). citebot feeds lists the feeds with their IDs.`,
		`  citebot unfollow 3
  citebot unfollow --scope guild:123456789 3`,
		[][]string{envStore, {envFeedInterval, envMaxFeeds}}, // checked when the feeds open
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) != 1 {
				return usageError("unfollow takes one feed ID (see citebot feeds)")
			}
			id, err := strconv.ParseInt(pos[0], 10, 64)
			if err != nil || id < 1 {
				return usageError("%q is not a feed ID (a number; see citebot feeds)", clip(pos[0]))
			}
			a, p, err := c.openFeeds(cmd.Context(), env, readOnly)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := p.Unfollow(cmd.Context(), c.scope, id); err != nil {
				a.log.Debug("unfollow failed", "feed", id, "err", err)
				return failure("%s", feedText(err))
			}
			fmt.Fprintf(env.stdout, "unfollowed %d\n", id)
			return nil
		})
	c.register(cmd.Flags(), withScope|showEmbed)
	return cmd
}

func newFeedsCmd(c *common, env *environment) *cobra.Command {
	var asJSON bool
	cmd := command("feeds [flags]",
		"list the followed feeds; feeds poll checks them now",
		`List the feeds the scope follows, with their IDs (for citebot unfollow), when each was
last checked, when it last brought a new article, and its last error.`,
		`  citebot feeds
  citebot feeds --scope guild:123456789 --json
  citebot feeds poll`,
		[][]string{envStore, {envFeedInterval, envMaxFeeds}}, // checked when the feeds open
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) > 0 {
				return usageError("unexpected arguments: %q (citebot feeds poll checks the feeds)", pos)
			}
			a, p, err := c.openFeeds(cmd.Context(), env, readOnly)
			if err != nil {
				return err
			}
			defer a.Close()
			list, err := p.Feeds(cmd.Context(), c.scope)
			if err != nil {
				return err
			}
			return printFeeds(env, list, asJSON)
		})
	c.register(cmd.Flags(), withScope|showEmbed)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	cmd.AddCommand(newFeedsPollCmd(c, env))
	return cmd
}

func newFeedsPollCmd(c *common, env *environment) *cobra.Command {
	cmd := command("poll [flags]",
		"check every followed feed once now and ingest its new articles",
		`Check every followed feed once now, due or not (with --scope, only that scope's), and ingest
the new articles, as citebot serve does on its own schedule: for cron, or to see a new feed
work at once. Prints one line per feed (ID, title, then the new articles added or its error)
and exits with status 1 when any feed failed. Announcements in Discord are made by serve only.`,
		`  citebot feeds poll
  citebot feeds poll --scope guild:123456789`,
		[][]string{envStore, envEmbed, envFeeds},
		func(cmd *cobra.Command, pos []string) error {
			if len(pos) > 0 {
				return usageError("unexpected arguments: %q", pos)
			}
			ctx := cmd.Context()
			a, p, err := c.openFeeds(ctx, env, readOnly)
			if err != nil {
				return err
			}
			defer a.Close()
			var r feed.Report
			if cmd.Flags().Changed("scope") {
				r, err = p.PollScope(ctx, c.scope)
			} else {
				r, err = p.PollAll(ctx)
			}
			failed := printPoll(env, a, r)
			switch {
			case ctx.Err() != nil:
				return failure("interrupted after %s; what was stored is kept", plural(len(r.Feeds), "feed"))
			case err != nil:
				return err
			case len(r.Feeds) == 0:
				fmt.Fprintln(env.stderr, "citebot feeds poll: no feeds followed (citebot follow URL adds one)")
			case failed > 0:
				return failure("%d of %s failed", failed, plural(len(r.Feeds), "feed"))
			}
			return nil
		})
	c.register(cmd.Flags(), withScope|showEmbed|showChunk)
	return cmd
}

// printPoll writes one line per feed polled and returns how many failed.
func printPoll(env *environment, a *app, r feed.Report) (failed int) {
	for _, fr := range r.Feeds {
		outcome := plural(len(fr.New()), "new article")
		switch {
		case fr.Err != nil:
			failed++
			a.log.Debug("feed poll failed", "feed", fr.Feed.ID, "url", fr.Feed.URL, "err", fr.Err)
			outcome = "failed: " + clipMessage(feedText(fr.Err))
		case fr.NotModified:
			outcome = "not modified"
		}
		fmt.Fprintf(env.stdout, "%d\t%s\t%s\n", fr.Feed.ID, dash(fr.Feed.Title), outcome)
	}
	return failed
}

func printFeeds(env *environment, list []retrieval.Feed, asJSON bool) error {
	if asJSON {
		out := make([]feedJSON, 0, len(list))
		for _, f := range list {
			out = append(out, feedJSON{ID: f.ID, Title: f.Title, URL: f.URL, Scope: f.Scope, ChannelID: f.ChannelID,
				LastChecked: rfc3339(f.LastChecked), LastNewItem: rfc3339(f.LastNewItem), LastError: f.LastError,
				Failures: f.Failures, NextCheck: rfc3339(f.NextCheck)})
		}
		return writeJSON(env.stdout, out)
	}
	if len(list) == 0 {
		fmt.Fprintln(env.stdout, "No feeds followed: citebot follow URL adds one.")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tLAST CHECK\tLAST NEW ITEM\tLAST ERROR\tURL")
	for _, f := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", f.ID, dash(f.Title), localTime(f.LastChecked), localTime(f.LastNewItem),
			dash(f.LastError), f.URL)
	}
	return tw.Flush()
}

// rfc3339 is t in RFC 3339 (UTC), or nil for the zero time.
func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// localTime is t for people, or "never".
func localTime(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04")
}
