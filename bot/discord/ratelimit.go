package discord

import (
	"sync"
	"time"
)

// userLimiter allows each user at most n questions in any window (a sliding
// window log). It is safe for concurrent use. It is a rate limit, not
// admission: it counts a user's questions over time, finished or not, and
// is kept apart from bot.Admission, which caps the work in flight for
// everyone at once. Memory is bounded by the
// number of users active within one window: idle users are dropped.
type userLimiter struct {
	n      int
	window time.Duration
	now    func() time.Time

	mu     sync.Mutex
	recent map[string][]time.Time // per user, ascending, within window
	sweep  time.Time              // next time idle users are dropped
}

func newUserLimiter(n int, window time.Duration, now func() time.Time) *userLimiter {
	if now == nil {
		now = time.Now
	}
	return &userLimiter{n: n, window: window, now: now, recent: make(map[string][]time.Time)}
}

// Allow records a question by user and reports whether it is within the
// limit; when it is not, it also returns how long until the next one is
// allowed. A limiter with n <= 0 allows everything.
func (l *userLimiter) Allow(user string) (bool, time.Duration) {
	if l.n <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.After(l.sweep) {
		for u, ts := range l.recent {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.window {
				delete(l.recent, u)
			}
		}
		l.sweep = now.Add(l.window)
	}
	ts := l.recent[user]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) >= l.n {
		l.recent[user] = ts
		return false, l.window - now.Sub(ts[0])
	}
	l.recent[user] = append(ts, now)
	return true, 0
}
