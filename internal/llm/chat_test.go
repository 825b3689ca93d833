package llm

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/internal/fakeopenai"
)

// TestChatStreamOutlivesTimeout streams an answer that lasts several
// timeouts in all while each gap between its chunks is within one: the
// server sends each chunk only when the test lets it, and the transport's
// clock moves only when the test moves it, by 9/10 of the timeout between
// chunks. No wall-clock time decides the outcome.
func TestChatStreamOutlivesTimeout(t *testing.T) {
	t.Parallel()
	reply := strings.Repeat("word ", 8)
	gate := make(chan struct{})
	env := newTestEnv(t, fakeopenai.Options{ChunkGate: gate, Reply: func(fakeopenai.ChatRequest) string { return reply }})
	env.cfg.Timeout = time.Minute
	clk := &fakeClock{}
	c := newClient(env.cfg, clk)
	type result struct {
		text string
		err  error
	}
	done := make(chan result, 1)
	deltas := make(chan string)
	go func() {
		text, err := c.ChatStream(context.Background(), "chat stream", testMessages, func(d string) { deltas <- d })
		done <- result{text, err}
	}()
	pieces := fakeopenai.Pieces(reply)
	for i := range pieces {
		// The delta arrives after the read that brought its bytes, which
		// pushed the timeout back.
		select {
		case <-deltas:
		case r := <-done:
			t.Fatalf("stream ended after %d of %d pieces: %q, %v", i, len(pieces), r.text, r.err)
		}
		if i == len(pieces)-1 {
			break
		}
		clk.Advance(env.cfg.Timeout * 9 / 10)
		select {
		case gate <- struct{}{}:
		case r := <-done:
			t.Fatalf("stream ended after %d of %d pieces: %q, %v", i+1, len(pieces), r.text, r.err)
		}
	}
	r := <-done
	if r.err != nil || r.text != reply {
		t.Fatalf("got %q, %v", r.text, r.err)
	}
	if elapsed := clk.Elapsed(); elapsed <= env.cfg.Timeout {
		t.Fatalf("stream took %v, not longer than the timeout: the test proves nothing", elapsed)
	}
}

func TestChatFailures(t *testing.T) {
	t.Parallel()
	const reply = "one two three four"
	tests := []struct {
		name     string
		stream   bool
		failures []fakeopenai.Failure
		timeout  time.Duration
		requests int
		kind     Kind // Other: success expected
		partial  string
		minTime  time.Duration
	}{
		{"429 retry-after-ms then success", false, []fakeopenai.Failure{{Status: 429, RetryAfterMS: "40"}}, 0, 2, Other, "", 40 * time.Millisecond},
		{"429 fractional Retry-After then success", true, []fakeopenai.Failure{{Status: 429, RetryAfter: "0.03"}}, 0, 2, Other, "", 30 * time.Millisecond},
		{"500 then success", false, []fakeopenai.Failure{{Status: 500}}, 0, 2, Other, "", 0},
		{"503 then success, streamed", true, []fakeopenai.Failure{{Status: 503}}, 0, 2, Other, "", 0},
		{"dropped connection then success", false, []fakeopenai.Failure{{Drop: true}}, 0, 2, Other, "", 0},
		{"500 every time", false, []fakeopenai.Failure{{Status: 500}, {Status: 502}, {Status: 500}}, 0, 3, Unavailable, "", 0},
		{"rate limited every time", false, []fakeopenai.Failure{{Status: 429}, {Status: 429}, {Status: 429}}, 0, 3, RateLimited, "", 0},
		{"Retry-After beyond the timeout", false, []fakeopenai.Failure{{Status: 429, RetryAfter: "3600"}}, 0, 1, RateLimited, "", 0},
		{"quota exhausted is not retried", false, []fakeopenai.Failure{{Status: 429,
			Body: `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}`}}, 0, 1, QuotaExceeded, "", 0},
		{"unauthorized is not retried", false, []fakeopenai.Failure{{Status: 401,
			Body: `{"error":{"message":"Incorrect API key provided: ` + testKey + `","type":"invalid_request_error","code":"invalid_api_key"}}`}}, 0, 1, Unauthorized, "", 0},
		{"unknown model", false, []fakeopenai.Failure{{Status: 404}}, 0, 1, BadRequest, "", 0},
		{"hang hits the deadline", false, []fakeopenai.Failure{{Hang: true}}, 150 * time.Millisecond, 1, Timeout, "", 150 * time.Millisecond},
		{"streamed hang hits the deadline", true, []fakeopenai.Failure{{Hang: true}}, 150 * time.Millisecond, 1, Timeout, "", 150 * time.Millisecond},
		{"malformed JSON", false, []fakeopenai.Failure{{Malformed: true}}, 0, 1, BadResponse, "", 0},
		{"body cut", false, []fakeopenai.Failure{{Cut: true}}, 0, 1, BadResponse, "", 0},
		{"stream cut mid-way is not retried", true, []fakeopenai.Failure{{Cut: true, After: 2}}, 0, 1, BadResponse, "one two ", 0},
		{"stream stalls mid-way", true, []fakeopenai.Failure{{Stall: true, After: 1}}, 150 * time.Millisecond, 1, Timeout, "one ", 150 * time.Millisecond},
		{"malformed stream event", true, []fakeopenai.Failure{{Malformed: true, After: 3}}, 0, 1, BadResponse, "one two three ", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t, fakeopenai.Options{Reply: func(fakeopenai.ChatRequest) string { return reply }})
			if tt.timeout != 0 {
				env.cfg.Timeout = tt.timeout
			}
			env.fake.Fail(fakeopenai.Chat, tt.failures...)
			var onDelta func(string)
			var deltas strings.Builder
			if tt.stream {
				onDelta = func(d string) { deltas.WriteString(d) }
			}
			start := time.Now()
			got, err := ask(context.Background(), env.client(), onDelta)
			elapsed := time.Since(start)
			if n := env.fake.Count(fakeopenai.Chat); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if elapsed < tt.minTime {
				t.Errorf("returned after %v, before %v", elapsed, tt.minTime)
			}
			if tt.kind == Other {
				if err != nil || got != reply {
					t.Fatalf("got %q, %v; want the reply", got, err)
				}
				return
			}
			var le *Error
			if !errors.As(err, &le) || le.Kind != tt.kind {
				t.Fatalf("err = %v, want kind %v", err, tt.kind)
			}
			if got != tt.partial || (tt.stream && deltas.String() != tt.partial) {
				t.Errorf("partial text %q, deltas %q; want %q", got, deltas.String(), tt.partial)
			}
			var um interface{ UserMessage() string }
			if !errors.As(err, &um) || !strings.HasPrefix(um.UserMessage(), "The language model") {
				t.Errorf("no user message for %v", err)
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(env.logs.String(), testKey) {
				t.Errorf("the key leaked into the error or the log: %v\n%s", err, env.logs)
			}
		})
	}
}

func TestChatCallerCancels(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The caller gives up while the server is hanging on the request.
	env := newTestEnv(t, fakeopenai.Options{OnRequest: func(fakeopenai.Request) { cancel() }})
	env.fake.Fail(fakeopenai.Chat, fakeopenai.Failure{Hang: true})
	_, err := ask(ctx, env.client(), nil)
	var le *Error
	if !errors.As(err, &le) || le.Kind != Canceled {
		t.Fatalf("err = %v, want canceled", err)
	}
	if n := env.fake.Count(fakeopenai.Chat); n != 1 {
		t.Errorf("%d requests after the caller gave up, want 1", n)
	}
}

func TestAzureClient(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, fakeopenai.Options{})
	env.cfg.BaseURL = ""
	env.cfg.AzureEndpoint = env.fake.Root
	env.cfg.AzureDeployments = map[string]string{"test-chat": "chat-deployment"}
	if _, err := ask(context.Background(), env.client(), nil); err != nil {
		t.Fatal(err)
	}
	r := env.fake.Requests()[0]
	if r.Path != "/openai/deployments/chat-deployment/chat/completions" || r.Query.Get("api-version") != DefaultAzureAPIVersion ||
		r.Header.Get("api-key") != testKey || r.Header.Get("Authorization") != "" {
		t.Errorf("azure request: %s %v %v", r.Path, r.Query, r.Header)
	}
}
