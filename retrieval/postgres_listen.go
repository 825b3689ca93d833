package retrieval

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// listener keeps a store on PostgreSQL in step with other processes'
// writes: it LISTENs on notifyChannel (the triggers of postgres_schema.go
// notify at every commit) on a connection of its own and runs Refresh
// when a notification comes. Notifications coming while a Refresh runs
// are folded into one more Refresh. When the connection drops it
// reconnects with backoff and refreshes once, for what it missed; the
// periodic Refresh of citebot serve stays as the fallback.
type listener struct {
	stop context.CancelFunc
	done chan struct{}

	mu      sync.Mutex
	settled chan struct{} // closed and replaced after every Refresh it runs
}

// listenRetryMin and listenRetryMax bound the wait between
// reconnections; refreshGap is the least time between two Refreshes.
const (
	refreshGap     = 300 * time.Millisecond
	listenRetryMin = 100 * time.Millisecond
	listenRetryMax = 10 * time.Second
)

// listen connects to the database of cfg and listens on notifyChannel.
func listen(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, `LISTEN `+notifyChannel); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return conn, nil
}

// startListener starts listening on conn (listening already), and
// refreshing.
func (s *Store) startListener(conn *pgx.Conn) *listener {
	ctx, stop := context.WithCancel(context.Background())
	l := &listener{stop: stop, done: make(chan struct{}), settled: make(chan struct{})}
	wake := make(chan struct{}, 1)
	var workers sync.WaitGroup
	workers.Go(func() { l.refreshLoop(ctx, s, wake) })
	go func() {
		defer close(l.done)
		defer workers.Wait()
		l.listenLoop(ctx, s, conn, wake)
	}()
	return l
}

// stopListener ends the listener, if any, and waits for it (a Refresh it
// runs included). Close calls it before taking the store's locks.
func (s *Store) stopListener() {
	if s.pg == nil || s.pg.listener == nil {
		return
	}
	s.pg.listener.stop()
	<-s.pg.listener.done
}

// listenLoop holds the LISTEN connection until ctx ends, waking the
// refresher on every notification and after every reconnection.
func (l *listener) listenLoop(ctx context.Context, s *Store, conn *pgx.Conn, wake chan<- struct{}) {
	poke := func() {
		select {
		case wake <- struct{}{}:
		default: // a Refresh is due already
		}
	}
	wait := listenRetryMin
	for first := true; ctx.Err() == nil; first = false {
		var err error
		if !first {
			conn, err = listen(ctx, s.pg.cfg)
		}
		if err == nil {
			if !first {
				s.log.Info("store change notifications: listening again", "database", s.path)
				poke() // what was missed while disconnected
			}
			wait = listenRetryMin
			for {
				var n *pgconn.Notification
				if n, err = conn.WaitForNotification(ctx); err != nil {
					break
				}
				s.log.Debug("store changed by another process", "database", s.path, "scope", n.Payload)
				poke()
			}
		}
		if conn != nil {
			conn.Close(context.WithoutCancel(ctx))
			conn = nil
		}
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("store change notifications lost; reconnecting (the periodic refresh covers the gap)",
			"database", s.path, "retry_in", wait, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, listenRetryMax)
	}
}

// refreshLoop runs Refresh once per wake until ctx ends.
func (l *listener) refreshLoop(ctx context.Context, s *Store, wake <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
		if _, err := s.Refresh(ctx); err != nil && ctx.Err() == nil && !(s.onSwitch != nil && errors.Is(err, ErrEmbedderSwitched)) {
			s.log.Error("refresh the search indexes after a change notification", "database", s.path, "err", err)
		}
		l.mu.Lock()
		close(l.settled)
		l.settled = make(chan struct{})
		l.mu.Unlock()
		// A burst of writes elsewhere (a bulk ingest) costs at most one
		// rebuild per refreshGap here, not one per article.
		select {
		case <-ctx.Done():
			return
		case <-time.After(refreshGap):
		}
	}
}

// refreshed returns a channel closed after the next Refresh the listener
// runs ends (for tests).
func (l *listener) refreshed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.settled
}
