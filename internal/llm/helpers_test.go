package llm

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/internal/testlog"
)

const testKey = "sk-test-secret-0123456789"

type testEnv struct {
	fake *fakeopenai.Server
	cfg  Config
	logs *testlog.Buffer
}

// newTestEnv starts a fake server and a config pointing at it with fast
// retries; edit the config before building clients from it.
func newTestEnv(t *testing.T, opt fakeopenai.Options) *testEnv {
	t.Helper()
	fake := fakeopenai.New(opt)
	t.Cleanup(fake.Close)
	logs := &testlog.Buffer{}
	return &testEnv{fake: fake, logs: logs, cfg: Config{
		APIKey: testKey, BaseURL: fake.URL, ChatModel: "test-chat",
		Timeout: 5 * time.Second, MaxAttempts: 3,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 2 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}}
}

var testMessages = []Message{{Role: RoleSystem, Content: "Answer briefly."}, {Role: RoleUser, Content: "q"}}

// ask makes a chat call through c: streamed when onDelta is set, as the
// answerer does.
func ask(ctx context.Context, c *Client, onDelta func(string)) (string, error) {
	if onDelta == nil {
		return c.Chat(ctx, "chat", testMessages)
	}
	return c.ChatStream(ctx, "chat stream", testMessages, onDelta)
}

// fakeClock is a clock whose time moves only by Advance.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Duration // since the start
	timers []*fakeTimer
}

type fakeTimer struct {
	c      *fakeClock
	at     time.Duration
	f      func()
	active bool
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now + d, f: f, active: true}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves the time on by d and runs the functions of the timers
// that expire (from this goroutine).
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now += d
	var due []func()
	for _, t := range c.timers {
		if t.active && t.at <= c.now {
			t.active = false
			due = append(due, t.f)
		}
	}
	c.mu.Unlock()
	for _, f := range due {
		f()
	}
}

// Elapsed is the time moved on so far.
func (c *fakeClock) Elapsed() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.active
	t.at, t.active = t.c.now+d, true
	return was
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.active
	t.active = false
	return was
}

func (e *testEnv) client() *Client { return New(e.cfg) }
