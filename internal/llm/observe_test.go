package llm

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/internal/fakeopenai"
)

// recorder is an Observer that keeps what it hears as lines.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) add(format string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, a...))
}

func (r *recorder) ObserveCall(kind string, d time.Duration, class string) {
	if d <= 0 {
		r.add("call %s with no duration", kind)
	}
	r.add("call %s %q", kind, class)
}
func (r *recorder) ObserveRetry(kind, reason string) { r.add("retry %s %s", kind, reason) }
func (r *recorder) ObserveTokens(kind string, prompt, completion int) {
	r.add("tokens %s %d %d", kind, prompt, completion)
}

func (r *recorder) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lines)
}

func TestObserverHearsCallsRetriesErrorsAndTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fail []fakeopenai.Failure
		call func(context.Context, *Client) error
		want []string
	}{
		{
			name: "chat retried after a 429",
			fail: []fakeopenai.Failure{{Status: 429}},
			call: func(ctx context.Context, c *Client) error { _, err := c.Chat(ctx, "chat", testMessages); return err },
			want: []string{"retry chat rate_limit", "tokens chat 1 1", `call chat ""`},
		},
		{
			name: "rewrite refused as a bad request",
			fail: []fakeopenai.Failure{{Status: 400}},
			call: func(ctx context.Context, c *Client) error { _, err := c.Chat(ctx, "rewrite", testMessages); return err },
			want: []string{`call rewrite "client"`},
		},
		{
			name: "stream after a 503",
			fail: []fakeopenai.Failure{{Status: 503}},
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ChatStream(ctx, "chat stream", testMessages, func(string) {})
				return err
			},
			want: []string{"retry stream server", `call stream ""`},
		},
		{
			name: "summary parts count as summaries",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Chat(ctx, "summary part", testMessages)
				return err
			},
			want: []string{"tokens summary 1 1", `call summary ""`},
		},
		{
			name: "embeddings",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.Embed(ctx, []string{"one two", "three"})
				return err
			},
			want: []string{"tokens embeddings 3 0", `call embeddings ""`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, fakeopenai.Options{})
			rec := &recorder{}
			env.cfg.Observer = rec
			if len(tc.fail) > 0 {
				ep := fakeopenai.Chat
				if tc.name == "embeddings" {
					ep = fakeopenai.Embeddings
				}
				env.fake.Fail(ep, tc.fail...)
			}
			err := tc.call(context.Background(), env.client())
			if wantErr := slices.ContainsFunc(tc.want, func(l string) bool { return l == `call rewrite "client"` }); (err != nil) != wantErr {
				t.Fatalf("err = %v", err)
			}
			if got := rec.Lines(); !slices.Equal(got, tc.want) {
				t.Errorf("observer heard\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestErrorClassCoversEveryKind(t *testing.T) {
	t.Parallel()
	for k := Other; k <= Canceled; k++ {
		c := ErrorClass(&Error{Op: "chat", Kind: k})
		if !slices.Contains(ErrorClasses, c) {
			t.Errorf("kind %v: class %q not in ErrorClasses", k, c)
		}
	}
	if ErrorClass(nil) != "" {
		t.Error("nil error has a class")
	}
}
