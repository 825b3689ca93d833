package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/internal/llm"
	"github.com/citebot/citebot/internal/testlog"
	"github.com/citebot/citebot/prompts"
	"github.com/citebot/citebot/retrieval"
)

const testKey = "sk-test-secret-0123456789"

type llmEnv struct {
	fake *fakeopenai.Server
	cfg  llm.Config
	logs *testlog.Buffer
}

// newLLMEnv starts a fake server and a config pointing at it with fast
// retries; edit the config before building clients from it.
func newLLMEnv(t *testing.T, opt fakeopenai.Options) *llmEnv {
	t.Helper()
	fake := fakeopenai.New(opt)
	t.Cleanup(fake.Close)
	logs := &testlog.Buffer{}
	return &llmEnv{fake: fake, logs: logs, cfg: llm.Config{
		APIKey: testKey, BaseURL: fake.URL, ChatModel: "test-chat",
		Timeout: 5 * time.Second, MaxAttempts: 3,
		RetryBaseDelay: time.Millisecond, RetryMaxDelay: 2 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}}
}

func (e *llmEnv) client() *llm.Client    { return llm.New(e.cfg) }
func (e *llmEnv) answerer() *LLMAnswerer { return NewLLMAnswerer(e.client()) }

var testPassages = []retrieval.Passage{
	{Title: "The Thirty Years' War", Source: "History Weekly", Text: "The war ended with the Peace of Westphalia. It was signed in 1648."},
	{Title: "Münster", Source: "City Guide", Text: "The treaty hall is open daily."},
}

func TestLLMAnswererPrompt(t *testing.T) {
	t.Parallel()
	env := newLLMEnv(t, fakeopenai.Options{})
	a := env.answerer()
	today := time.Date(2025, 8, 10, 12, 0, 0, 0, time.UTC)
	a.Now = func() time.Time { return today }
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
	}, today)
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
			r := NewLLMRewriter(env.client())
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
	_, err := NewLLMRewriter(env.client()).Rewrite(context.Background(), []Turn{{Question: "a", Answer: "b"}}, "c?")
	var le *llm.Error
	if !errors.As(err, &le) || le.Kind != llm.Unavailable || le.Op != "rewrite" {
		t.Fatalf("err = %v", err)
	}
}

// TestModelReadsKPassages: CoreOptions.K sets how many passages the model
// reads, in rank order, while the decision weighs the top five whatever K
// is, as it was fitted.
func TestModelReadsKPassages(t *testing.T) {
	t.Parallel()
	const question = "When was the Northvale and Coastal Union trade agreement signed?"
	store := sampleStore(t)
	base, err := NewCore(CoreOptions{Store: store, Answerer: Extractive{}}).Ask(t.Context(), Question{Text: question})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 5, 8} {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			t.Parallel()
			prompts := make(chan string, 1)
			env := newLLMEnv(t, fakeopenai.Options{Reply: func(req fakeopenai.ChatRequest) string {
				prompts <- req.Messages[len(req.Messages)-1].Content
				return "It was signed in March [1]."
			}})
			ans, err := NewCore(CoreOptions{Store: store, Answerer: env.answerer(), K: k}).Ask(t.Context(), Question{Text: question})
			if err != nil {
				t.Fatal(err)
			}
			if ans.Logit != base.Logit {
				t.Errorf("logit %.6f with K %d, want %.6f as with the default", ans.Logit, k, base.Logit)
			}
			if len(ans.Passages) != max(k, 5) {
				t.Errorf("%d passages retrieved, want %d", len(ans.Passages), max(k, 5))
			}
			prompt := <-prompts
			if got := strings.Count(prompt, "<passage n="); got != k {
				t.Errorf("the model read %d passages, want %d", got, k)
			}
			for i := range k {
				if want := fmt.Sprintf("<passage n=\"%d\">\nTitle: %s", i+1, ans.Passages[i].Title); !strings.Contains(prompt, want) {
					t.Errorf("passage %d of the prompt is not the %d. by rank (%q)", i+1, i+1, ans.Passages[i].Title)
				}
			}
		})
	}
}

// TestEmptyModelAnswerIsAnError: a model that sends nothing back (an empty
// or blank reply) fails the question with a message saying so, where it
// gave an empty answer "citing none of the passages"; an answer without
// citations is still shown, with its note.
func TestEmptyModelAnswerIsAnError(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, reply string
		wantErr     bool
	}{
		{"empty", "", true},
		{"blank lines", "  \n\n ", true},
		{"cited", "The council approved dredging [1].", false},
		{"uncited", "The council approved dredging.", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := newLLMEnv(t, fakeopenai.Options{Reply: func(fakeopenai.ChatRequest) string { return tt.reply }})
			core := NewCore(CoreOptions{Store: storeOf(t), Answerer: env.answerer()})
			if _, err := core.Ingest(t.Context(), retrieval.SharedScope, ingest.Article{Title: "Harbour dredging approved",
				Paragraphs: []string{"The council approved dredging the harbour on Tuesday."}}); err != nil {
				t.Fatal(err)
			}
			var streamed strings.Builder
			ans, err := core.AskStream(t.Context(), Question{Text: "What did the council approve for the harbour?", Scope: retrieval.SharedScope},
				func(d string) { streamed.WriteString(d) })
			if tt.wantErr {
				if err == nil || UserMessage(err) != EmptyAnswerText {
					t.Errorf("answer %+v, error %v (%q), want the empty answer refused", ans, err, UserMessage(err))
				}
				return
			}
			if err != nil || ans.Text == "" || streamed.Len() == 0 {
				t.Errorf("answer %+v (streamed %q), error %v", ans, streamed.String(), err)
			}
		})
	}
}
