package retrieval

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/citebot/citebot/internal/text"
)

// DefaultMaxFeeds is how many feeds one scope may follow unless AddFeed is
// given another limit.
const DefaultMaxFeeds = 20

// ErrFeedLimit: the scope already follows as many feeds as it may.
var ErrFeedLimit = errors.New("too many feeds in this scope")

// feedSchema holds the followed feeds (schema version 3) and, per feed,
// the keys of the items already ingested or deliberately skipped, so a
// poll ingests only new ones. Times are RFC 3339 text like the articles'
// ("" for never); feed_items' rowid orders items by when they were seen.
var feedSchema = []string{
	`CREATE TABLE IF NOT EXISTS feeds (
		id            INTEGER PRIMARY KEY AUTOINCREMENT,
		scope         TEXT NOT NULL,
		url           TEXT NOT NULL,
		title         TEXT NOT NULL DEFAULT '',
		channel_id    TEXT NOT NULL DEFAULT '',
		etag          TEXT NOT NULL DEFAULT '',
		last_modified TEXT NOT NULL DEFAULT '',
		last_checked  TEXT NOT NULL DEFAULT '',
		last_new_item TEXT NOT NULL DEFAULT '',
		last_error    TEXT NOT NULL DEFAULT '',
		failures      INTEGER NOT NULL DEFAULT 0,
		next_check    TEXT NOT NULL DEFAULT '',
		created       TEXT NOT NULL,
		UNIQUE (scope, url)
	)`,
	`CREATE TABLE IF NOT EXISTS feed_items (
		feed_id  INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
		item_key TEXT NOT NULL,
		seen_at  TEXT NOT NULL,
		UNIQUE (feed_id, item_key)
	)`,
}

// Feed is one followed feed and what its polls found.
type Feed struct {
	ID    int64
	Scope string // the scope its articles go into
	URL   string // the feed document's address (after discovery)
	Title string
	// ChannelID is the Discord channel that hears of its new articles;
	// empty for none.
	ChannelID string
	// ETag and LastModified are the validators of the last full response,
	// sent with the next request.
	ETag, LastModified string
	LastChecked        time.Time // last poll, successful or not; zero before the first
	LastNewItem        time.Time // when a poll last ingested an item; zero for never
	LastError          string    // the last poll's error; "" when it succeeded
	Failures           int       // polls failed in a row
	NextCheck          time.Time // when the feed is due; zero: at once
	Created            time.Time
}

// NewFeed is a feed to follow.
type NewFeed struct {
	Scope, URL, Title, ChannelID string
}

// FeedCheck is the outcome of one poll of a feed, for RecordFeedCheck.
type FeedCheck struct {
	Checked   time.Time
	NextCheck time.Time
	// Validators of the response, kept for the next conditional request
	// (a failed poll passes the old ones).
	ETag, LastModified string
	Err                string    // "" for success
	Failures           int       // polls failed in a row, this one counted
	NewItem            time.Time // when an item was ingested; zero keeps the old value
	Title              string    // the feed's title now; "" keeps the old one
}

const feedColumns = `id, scope, url, title, channel_id, etag, last_modified, last_checked,
	last_new_item, last_error, failures, next_check, created`

// AddFeed follows f.URL in f.Scope (a valid scope, a non-empty URL) and
// returns it with created true. When the scope already follows that URL,
// it returns that feed, unchanged, with created false. A scope follows at
// most max feeds (DefaultMaxFeeds when max <= 0): past that the error wraps
// ErrFeedLimit. The count and the insert are one transaction, so two
// processes adding at once cannot pass the limit. The feed is due at once.
func (s *Store) AddFeed(ctx context.Context, f NewFeed, max int) (Feed, bool, error) {
	if max <= 0 {
		max = DefaultMaxFeeds
	}
	fail := func(err error) (Feed, bool, error) {
		return Feed{}, false, fmt.Errorf("follow %s in %s: %w", f.URL, f.Scope, err)
	}
	if !ValidScope(f.Scope) {
		return fail(fmt.Errorf("invalid scope %q", f.Scope))
	}
	if strings.TrimSpace(f.URL) == "" {
		return fail(errors.New("no feed URL"))
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(s.fileError(err))
	}
	defer tx.Rollback()
	old, err := scanFeeds(tx.QueryContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE scope = ? AND url = ?`, f.Scope, f.URL))
	if err != nil {
		return fail(s.fileError(err))
	}
	if len(old) > 0 {
		return old[0], false, nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM feeds WHERE scope = ?`, f.Scope).Scan(&n); err != nil {
		return fail(s.fileError(err))
	}
	if n >= max {
		return fail(fmt.Errorf("%w (%d of %d)", ErrFeedLimit, n, max))
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO feeds (scope, url, title, channel_id, created) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		f.Scope, f.URL, f.Title, f.ChannelID, formatTime(time.Now())).Scan(&id)
	if err != nil {
		return fail(s.fileError(err))
	}
	added, err := scanFeeds(tx.QueryContext(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = ?`, id))
	if err != nil || len(added) != 1 {
		return fail(s.fileError(errors.Join(err, fmt.Errorf("feed %d not read back", id))))
	}
	if err := tx.Commit(); err != nil {
		return fail(s.fileError(err))
	}
	return added[0], true, nil
}

// RemoveFeed stops following feed id in scope, and forgets its seen
// items; the articles it brought stay. A feed that is not in scope gives
// an error wrapping ErrNotFound.
func (s *Store) RemoveFeed(ctx context.Context, scope string, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM feeds WHERE scope = ? AND id = ?`, scope, id)
	if err != nil {
		return fmt.Errorf("unfollow feed %d in %s: %w", id, scope, s.fileError(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("unfollow feed %d in %s: %w", id, scope, s.fileError(err))
	} else if n == 0 {
		return fmt.Errorf("unfollow feed %d in %s: %w", id, scope, ErrNotFound)
	}
	return nil
}

// Feeds lists the feeds followed in scopes (shared only when scopes is
// empty; nil lists every scope's, for the poller), ordered by scope and ID.
func (s *Store) Feeds(ctx context.Context, scopes []string) ([]Feed, error) {
	q := `SELECT ` + feedColumns + ` FROM feeds`
	var args []any
	if scopes != nil {
		checked, err := checkScopes(scopes)
		if err != nil {
			return nil, fmt.Errorf("list feeds: %w", err)
		}
		q += ` WHERE scope IN (` + placeholders(len(checked)) + `)`
		args = anys(checked)
	}
	out, err := scanFeeds(s.db.QueryContext(ctx, q+` ORDER BY scope, id`, args...))
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", s.fileError(err))
	}
	return out, nil
}

// RecordFeedCheck stores the outcome of a poll of feed id. A feed removed
// meanwhile gives an error wrapping ErrNotFound.
func (s *Store) RecordFeedCheck(ctx context.Context, id int64, c FeedCheck) error {
	res, err := s.db.ExecContext(ctx, `UPDATE feeds SET last_checked = ?, next_check = ?, etag = ?,
		last_modified = ?, last_error = ?, failures = ?,
		last_new_item = CASE WHEN ? = '' THEN last_new_item ELSE ? END,
		title = CASE WHEN ? = '' THEN title ELSE ? END
		WHERE id = ?`,
		formatTime(c.Checked), formatTime(c.NextCheck), c.ETag, c.LastModified, c.Err, c.Failures,
		formatTime(c.NewItem), formatTime(c.NewItem), c.Title, c.Title, id)
	if err != nil {
		return fmt.Errorf("record check of feed %d: %w", id, s.fileError(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("record check of feed %d: %w", id, s.fileError(err))
	} else if n == 0 {
		return fmt.Errorf("record check of feed %d: %w", id, ErrNotFound)
	}
	return nil
}

// SeenFeedItems returns which of keys feed id has seen.
func (s *Store) SeenFeedItems(ctx context.Context, id int64, keys []string) (map[string]bool, error) {
	seen := make(map[string]bool)
	const batch = 500
	for start := 0; start < len(keys); start += batch {
		part := keys[start:min(start+batch, len(keys))]
		rows, err := s.db.QueryContext(ctx, `SELECT item_key FROM feed_items WHERE feed_id = ? AND item_key IN (`+
			placeholders(len(part))+`)`, append([]any{id}, anys(part)...)...)
		if err != nil {
			return nil, fmt.Errorf("seen items of feed %d: %w", id, s.fileError(err))
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("seen items of feed %d: %w", id, s.fileError(err))
			}
			seen[k] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("seen items of feed %d: %w", id, s.fileError(err))
		}
	}
	return seen, nil
}

// MarkFeedItemsSeen records keys as seen by feed id, in one transaction.
// Keys already seen stay as they were; a feed removed meanwhile is left
// alone (nothing is written for it).
func (s *Store) MarkFeedItemsSeen(ctx context.Context, id int64, keys []string, at time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mark items of feed %d seen: %w", id, s.fileError(err))
	}
	defer tx.Rollback()
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `INSERT INTO feed_items (feed_id, item_key, seen_at)
			SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM feeds WHERE id = ?) ON CONFLICT DO NOTHING`, id, k, formatTime(at), id); err != nil {
			return fmt.Errorf("mark items of feed %d seen: %w", id, s.fileError(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark items of feed %d seen: %w", id, s.fileError(err))
	}
	return nil
}

// PruneFeedItems bounds what feed id remembers: it keeps the keys in
// current (the items the feed lists now, which must stay seen) and the
// most recently seen others, up to max in all.
func (s *Store) PruneFeedItems(ctx context.Context, id int64, current []string, max int) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("prune items of feed %d: %w", id, s.fileError(err))
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS feed_current (item_key TEXT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("prune items of feed %d: %w", id, s.fileError(err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM feed_current`); err != nil {
		return fmt.Errorf("prune items of feed %d: %w", id, s.fileError(err))
	}
	for _, k := range current {
		if _, err := tx.ExecContext(ctx, `INSERT INTO feed_current (item_key) VALUES (?) ON CONFLICT DO NOTHING`, k); err != nil {
			return fmt.Errorf("prune items of feed %d: %w", id, s.fileError(err))
		}
	}
	others := max - len(text.Distinct(current)) // how many of the others to keep
	if others < 0 {
		others = 0
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM feed_items WHERE feed_id = ?1
		AND item_key NOT IN (SELECT item_key FROM feed_current)
		AND rowid NOT IN (SELECT rowid FROM feed_items WHERE feed_id = ?1
			AND item_key NOT IN (SELECT item_key FROM feed_current)
			ORDER BY rowid DESC LIMIT ?2)`, id, others)
	if err != nil {
		return fmt.Errorf("prune items of feed %d: %w", id, s.fileError(err))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM feed_current`); err != nil {
		return fmt.Errorf("prune items of feed %d: %w", id, s.fileError(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("prune items of feed %d: %w", id, s.fileError(err))
	}
	return nil
}

// scanFeeds reads the rows of a SELECT of feedColumns.
func scanFeeds(rows *sql.Rows, err error) ([]Feed, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Feed
	for rows.Next() {
		var (
			f                               Feed
			checked, newItem, next, created string
		)
		if err := rows.Scan(&f.ID, &f.Scope, &f.URL, &f.Title, &f.ChannelID, &f.ETag, &f.LastModified,
			&checked, &newItem, &f.LastError, &f.Failures, &next, &created); err != nil {
			return nil, err
		}
		for _, t := range []struct {
			dst *time.Time
			src string
		}{{&f.LastChecked, checked}, {&f.LastNewItem, newItem}, {&f.NextCheck, next}, {&f.Created, created}} {
			if *t.dst, err = parseTime(t.src); err != nil {
				return nil, fmt.Errorf("feed %d: %w", f.ID, err)
			}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
