package discord

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestUserLimiter(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	l := newUserLimiter(3, time.Minute, clock.Now)
	type step struct {
		advance time.Duration
		user    string
		want    bool
		wait    time.Duration
	}
	steps := []step{
		{user: "a", want: true},
		{advance: 10 * time.Second, user: "a", want: true},
		{advance: 10 * time.Second, user: "a", want: true},
		{user: "a", want: false, wait: 40 * time.Second},
		{user: "b", want: true},                            // users are independent
		{advance: 40 * time.Second, user: "a", want: true}, // the first one left the window
		{user: "a", want: false, wait: 10 * time.Second},
		{advance: 5 * time.Minute, user: "a", want: true}, // idle users are swept
	}
	for i, s := range steps {
		clock.Advance(s.advance)
		got, wait := l.Allow(s.user)
		if got != s.want || wait != s.wait {
			t.Fatalf("step %d: Allow(%q) = %v, %v; want %v, %v", i, s.user, got, wait, s.want, s.wait)
		}
	}
	if n := len(l.recent); n != 1 {
		t.Errorf("limiter remembers %d users after the sweep, want 1", n)
	}
	if ok, _ := newUserLimiter(0, time.Minute, nil).Allow("x"); !ok {
		t.Error("a limiter with n=0 refused")
	}
}
