package bot

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/internal/llmerr"
	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval"
)

const testKey = "sk-test-secret-0123456789"

// syncBuffer is a log sink safe for the transport's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type llmEnv struct {
	fake *fakeopenai.Server
	cfg  OpenAIConfig
	logs *syncBuffer
}

// newLLMEnv starts a fake server and a config pointing at it with fast
// retries; edit the config before building clients from it.
func newLLMEnv(t *testing.T, opt fakeopenai.Options) *llmEnv {
	t.Helper()
	fake := fakeopenai.New(opt)
	t.Cleanup(fake.Close)
	logs := &syncBuffer{}
	return &llmEnv{fake: fake, logs: logs, cfg: OpenAIConfig{
		APIKey: testKey, BaseURL: fake.URL, ChatModel: "test-chat",
		Timeout: 5 * time.Second, MaxAttempts: 3,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 2 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}}
}

func (e *llmEnv) answerer() *LLMAnswerer { return NewLLMAnswerer(NewOpenAIClient(e.cfg), e.cfg) }

var testPassages = []retrieval.Passage{
	{Title: "The Thirty Years' War", Source: "History Weekly", Text: "The war ended with the Peace of Westphalia. It was signed in 1648."},
	{Title: "Münster", Source: "City Guide", Text: "The treaty hall is open daily."},
}

func TestLLMAnswererPrompt(t *testing.T) {
	t.Parallel()
	env := newLLMEnv(t, fakeopenai.Options{})
	a := env.answerer()
	if a.Name() != "openai:test-chat" {
		t.Errorf("Name = %q", a.Name())
	}
	history := []Turn{{Question: "What war?", Answer: "The Thirty Years' War [2]."}}
	got, err := a.Answer(context.Background(), "How did the war end?", testPassages, history, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The fake's default reply quotes passage 1's first sentence.
	if want := "The war ended with the Peace of Westphalia [1]."; got != want {
		t.Errorf("answer %q, want %q", got, want)
	}
	reqs := env.fake.Requests()
	if len(reqs) != 1 || reqs[0].Chat == nil || reqs[0].Chat.Model != "test-chat" || reqs[0].Chat.Stream {
		t.Fatalf("requests %+v", reqs)
	}
	if auth := reqs[0].Header.Get("Authorization"); auth != "Bearer "+testKey {
		t.Errorf("Authorization %q", auth)
	}
	msgs := reqs[0].Chat.Messages
	wantPrompt, _ := prompts.RenderAnswer("How did the war end?", []prompts.Passage{
		{N: 1, Title: testPassages[0].Title, Source: testPassages[0].Source, Text: testPassages[0].Text},
		{N: 2, Title: testPassages[1].Title, Source: testPassages[1].Source, Text: testPassages[1].Text},
	})
	want := []fakeopenai.Message{
		{Role: "system", Content: prompts.RenderSystem()},
		{Role: "user", Content: "What war?"},
		{Role: "assistant", Content: "The Thirty Years' War."},
		{Role: "user", Content: wantPrompt},
	}
	if !reflect.DeepEqual(msgs, want) {
		t.Errorf("messages\n%+v\nwant\n%+v", msgs, want)
	}
	for i, p := range testPassages {
		n := `<passage n="` + string(rune('1'+i)) + `">` + "\nTitle: " + p.Title + "\nSource: " + p.Source
		if !strings.Contains(msgs[3].Content, n) {
			t.Errorf("prompt lacks %q", n)
		}
	}
}

func TestLLMAnswererStreams(t *testing.T) {
	t.Parallel()
	reply := "The war ended in 1648 [1], at Münster [2]."
	env := newLLMEnv(t, fakeopenai.Options{Reply: func(fakeopenai.ChatRequest) string { return reply }})
	var deltas []string
	got, err := env.answerer().Answer(context.Background(), "q", testPassages, nil, func(d string) { deltas = append(deltas, d) })
	if err != nil {
		t.Fatal(err)
	}
	if got != reply || strings.Join(deltas, "") != reply || len(deltas) != len(fakeopenai.Pieces(reply)) {
		t.Errorf("got %q from deltas %q", got, deltas)
	}
	if r := env.fake.Requests(); len(r) != 1 || !r[0].Chat.Stream {
		t.Errorf("requests %+v", r)
	}
}

func TestLLMAnswererLongStreamOutlivesTimeout(t *testing.T) {
	t.Parallel()
	reply := strings.Repeat("word ", 8)
	env := newLLMEnv(t, fakeopenai.Options{ChunkDelay: 40 * time.Millisecond, Reply: func(fakeopenai.ChatRequest) string { return reply }})
	// Each gap (40ms) is within the timeout; the whole stream (280ms) is not.
	env.cfg.Timeout = 150 * time.Millisecond
	start := time.Now()
	got, err := env.answerer().Answer(context.Background(), "q", testPassages, nil, func(string) {})
	if err != nil || got != reply {
		t.Fatalf("got %q, %v", got, err)
	}
	if elapsed := time.Since(start); elapsed < env.cfg.Timeout {
		t.Fatalf("stream took %v, not longer than the timeout: the test proves nothing", elapsed)
	}
}

func TestLLMAnswererFailures(t *testing.T) {
	t.Parallel()
	const reply = "one two three four"
	tests := []struct {
		name     string
		stream   bool
		failures []fakeopenai.Failure
		timeout  time.Duration
		requests int
		kind     llmerr.Kind // Other: success expected
		partial  string
		minTime  time.Duration
	}{
		{"429 retry-after-ms then success", false, []fakeopenai.Failure{{Status: 429, RetryAfterMS: "40"}}, 0, 2, llmerr.Other, "", 40 * time.Millisecond},
		{"429 fractional Retry-After then success", true, []fakeopenai.Failure{{Status: 429, RetryAfter: "0.03"}}, 0, 2, llmerr.Other, "", 30 * time.Millisecond},
		{"500 then success", false, []fakeopenai.Failure{{Status: 500}}, 0, 2, llmerr.Other, "", 0},
		{"503 then success, streamed", true, []fakeopenai.Failure{{Status: 503}}, 0, 2, llmerr.Other, "", 0},
		{"dropped connection then success", false, []fakeopenai.Failure{{Drop: true}}, 0, 2, llmerr.Other, "", 0},
		{"500 every time", false, []fakeopenai.Failure{{Status: 500}, {Status: 502}, {Status: 500}}, 0, 3, llmerr.Unavailable, "", 0},
		{"rate limited every time", false, []fakeopenai.Failure{{Status: 429}, {Status: 429}, {Status: 429}}, 0, 3, llmerr.RateLimited, "", 0},
		{"Retry-After beyond the timeout", false, []fakeopenai.Failure{{Status: 429, RetryAfter: "3600"}}, 0, 1, llmerr.RateLimited, "", 0},
		{"quota exhausted is not retried", false, []fakeopenai.Failure{{Status: 429,
			Body: `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}`}}, 0, 1, llmerr.QuotaExceeded, "", 0},
		{"unauthorized is not retried", false, []fakeopenai.Failure{{Status: 401,
			Body: `{"error":{"message":"Incorrect API key provided: ` + testKey + `","type":"invalid_request_error","code":"invalid_api_key"}}`}}, 0, 1, llmerr.Unauthorized, "", 0},
		{"unknown model", false, []fakeopenai.Failure{{Status: 404}}, 0, 1, llmerr.BadRequest, "", 0},
		{"hang hits the deadline", false, []fakeopenai.Failure{{Hang: true}}, 150 * time.Millisecond, 1, llmerr.Timeout, "", 150 * time.Millisecond},
		{"streamed hang hits the deadline", true, []fakeopenai.Failure{{Hang: true}}, 150 * time.Millisecond, 1, llmerr.Timeout, "", 150 * time.Millisecond},
		{"malformed JSON", false, []fakeopenai.Failure{{Malformed: true}}, 0, 1, llmerr.BadResponse, "", 0},
		{"body cut", false, []fakeopenai.Failure{{Cut: true}}, 0, 1, llmerr.BadResponse, "", 0},
		{"stream cut mid-way is not retried", true, []fakeopenai.Failure{{Cut: true, After: 2}}, 0, 1, llmerr.BadResponse, "one two ", 0},
		{"stream stalls mid-way", true, []fakeopenai.Failure{{Stall: true, After: 1}}, 150 * time.Millisecond, 1, llmerr.Timeout, "one ", 150 * time.Millisecond},
		{"malformed stream event", true, []fakeopenai.Failure{{Malformed: true, After: 3}}, 0, 1, llmerr.BadResponse, "one two three ", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newLLMEnv(t, fakeopenai.Options{Reply: func(fakeopenai.ChatRequest) string { return reply }})
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
			got, err := env.answerer().Answer(context.Background(), "q", testPassages, nil, onDelta)
			elapsed := time.Since(start)
			if n := env.fake.Count(fakeopenai.Chat); n != tt.requests {
				t.Errorf("%d requests, want %d", n, tt.requests)
			}
			if elapsed < tt.minTime {
				t.Errorf("returned after %v, before %v", elapsed, tt.minTime)
			}
			if tt.kind == llmerr.Other {
				if err != nil || got != reply {
					t.Fatalf("got %q, %v; want the reply", got, err)
				}
				return
			}
			var le *llmerr.Error
			if !errors.As(err, &le) || le.Kind != tt.kind {
				t.Fatalf("err = %v, want kind %v", err, tt.kind)
			}
			if got != tt.partial || (tt.stream && deltas.String() != tt.partial) {
				t.Errorf("partial text %q, deltas %q; want %q", got, deltas.String(), tt.partial)
			}
			var um interface{ UserMessage() string }
			if !errors.As(err, &um) || !strings.HasPrefix(um.UserMessage(), "the language model") {
				t.Errorf("no user message for %v", err)
			}
			if strings.Contains(err.Error(), testKey) || strings.Contains(env.logs.String(), testKey) {
				t.Errorf("the key leaked into the error or the log: %v\n%s", err, env.logs)
			}
		})
	}
}

func TestUserMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind llmerr.Kind
		want string
	}{
		{llmerr.RateLimited, "the language model is rate-limiting us, try again in a minute"},
		{llmerr.Timeout, "the language model did not answer in time, try again"},
		{llmerr.Unavailable, "the language model is unavailable right now, try again later"},
	}
	for _, tt := range tests {
		if got := (&llmerr.Error{Op: "chat", Kind: tt.kind}).UserMessage(); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.kind, got, tt.want)
		}
	}
}

func TestLLMAnswererCallerCancels(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The caller gives up while the server is hanging on the request.
	env := newLLMEnv(t, fakeopenai.Options{OnRequest: func(fakeopenai.Request) { cancel() }})
	env.fake.Fail(fakeopenai.Chat, fakeopenai.Failure{Hang: true})
	_, err := env.answerer().Answer(ctx, "q", testPassages, nil, nil)
	var le *llmerr.Error
	if !errors.As(err, &le) || le.Kind != llmerr.Canceled {
		t.Fatalf("err = %v, want canceled", err)
	}
	if n := env.fake.Count(fakeopenai.Chat); n != 1 {
		t.Errorf("%d requests after the caller gave up, want 1", n)
	}
}

func TestLLMRewriter(t *testing.T) {
	t.Parallel()
	history := []Turn{{Question: "What ended the Thirty Years' War?", Answer: "The Peace of Westphalia [1]."}}
	tests := []struct {
		name     string
		history  []Turn
		reply    string
		want     string
		requests int
	}{
		{"no history, no call", nil, "unused", "and when was it signed?", 0},
		{"follow-up", history, "When was the Peace of Westphalia signed?", "When was the Peace of Westphalia signed?", 1},
		{"quoted with a label", history, "Last question: \"When was the Peace of Westphalia signed?\"\nExplanation: ...", "When was the Peace of Westphalia signed?", 1},
		{"empty reply keeps the question", history, "  ", "and when was it signed?", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newLLMEnv(t, fakeopenai.Options{Reply: func(fakeopenai.ChatRequest) string { return tt.reply }})
			r := NewLLMRewriter(NewOpenAIClient(env.cfg), env.cfg)
			got, err := r.Rewrite(context.Background(), tt.history, "and when was it signed?")
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Rewrite = %q, want %q", got, tt.want)
			}
			reqs := env.fake.Requests()
			if len(reqs) != tt.requests {
				t.Fatalf("%d requests, want %d", len(reqs), tt.requests)
			}
			if tt.requests > 0 {
				p := reqs[0].Chat.Messages[0].Content
				if !strings.Contains(p, "User: What ended the Thirty Years' War?") || !strings.Contains(p, "Last question: and when was it signed?") {
					t.Errorf("rewrite prompt lacks the conversation:\n%s", p)
				}
			}
		})
	}
}

func TestLLMRewriterFailure(t *testing.T) {
	t.Parallel()
	env := newLLMEnv(t, fakeopenai.Options{})
	env.cfg.MaxAttempts = 1
	env.fake.Fail(fakeopenai.Chat, fakeopenai.Failure{Status: 503})
	_, err := NewLLMRewriter(NewOpenAIClient(env.cfg), env.cfg).Rewrite(context.Background(), []Turn{{Question: "a", Answer: "b"}}, "c?")
	var le *llmerr.Error
	if !errors.As(err, &le) || le.Kind != llmerr.Unavailable || le.Op != "rewrite" {
		t.Fatalf("err = %v", err)
	}
}

func TestAzureClient(t *testing.T) {
	t.Parallel()
	env := newLLMEnv(t, fakeopenai.Options{})
	env.cfg.BaseURL = ""
	env.cfg.AzureEndpoint = env.fake.Root
	env.cfg.AzureDeployments = map[string]string{"test-chat": "chat-deployment"}
	if _, err := env.answerer().Answer(context.Background(), "q", testPassages, nil, nil); err != nil {
		t.Fatal(err)
	}
	r := env.fake.Requests()[0]
	if r.Path != "/openai/deployments/chat-deployment/chat/completions" || r.Query.Get("api-version") != DefaultAzureAPIVersion ||
		r.Header.Get("api-key") != testKey || r.Header.Get("Authorization") != "" {
		t.Errorf("azure request: %s %v %v", r.Path, r.Query, r.Header)
	}
}
