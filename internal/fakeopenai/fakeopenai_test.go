package fakeopenai

import (
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sashabaranov/go-openai"
)

// client is a plain go-openai client without retries.
func client(s *Server) *openai.Client {
	cfg := openai.DefaultConfig("sk-test-key")
	cfg.BaseURL = s.URL
	return openai.NewClientWithConfig(cfg)
}

func TestEmbeddingsShuffledKeepIndex(t *testing.T) {
	t.Parallel()
	s := New(Options{ShuffleEmbeddings: true, Dimensions: 8})
	t.Cleanup(s.Close)
	in := []string{"alpha beta", "gamma", "delta epsilon zeta"}
	res, err := client(s).CreateEmbeddings(context.Background(), openai.EmbeddingRequestStrings{Input: in, Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Data) != 3 || res.Data[0].Index != 2 {
		t.Fatalf("data not shuffled with right indexes: %+v", res.Data)
	}
	for _, d := range res.Data {
		if want := Vector(in[d.Index], 8); !reflect.DeepEqual(d.Embedding, want) {
			t.Errorf("index %d: got %v, want %v", d.Index, d.Embedding, want)
		}
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Embed == nil || !reflect.DeepEqual(reqs[0].Embed.Input, in) {
		t.Fatalf("recorded %+v", reqs)
	}
	if got := reqs[0].Header.Get("Authorization"); got != "Bearer sk-test-key" {
		t.Errorf("Authorization = %q", got)
	}
}

func TestEmbeddingsDimensionsAndSingleInput(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	t.Cleanup(s.Close)
	res, err := client(s).CreateEmbeddings(context.Background(), openai.EmbeddingRequest{Input: "one text", Model: "m", Dimensions: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Data) != 1 || len(res.Data[0].Embedding) != 5 {
		t.Fatalf("got %+v", res.Data)
	}
	if got := s.Requests()[0].Embed.Input; !reflect.DeepEqual(got, []string{"one text"}) {
		t.Errorf("recorded input %q", got)
	}
}

func TestVectorSimilarTextsShareWords(t *testing.T) {
	t.Parallel()
	dot := func(a, b []float32) (s float32) {
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	a, b, c := Vector("treaty signed Westphalia", 64), Vector("the Westphalia treaty", 64), Vector("banana bread recipe", 64)
	if dot(a, b) <= dot(a, c) {
		t.Errorf("texts sharing words are not closer: %v <= %v", dot(a, b), dot(a, c))
	}
}

func TestChatPlainAndStream(t *testing.T) {
	t.Parallel()
	s := New(Options{Reply: func(r ChatRequest) string { return "echo: " + r.Messages[len(r.Messages)-1].Content }})
	t.Cleanup(s.Close)
	c := client(s)
	req := openai.ChatCompletionRequest{Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "hello there world"}}}
	res, err := c.CreateChatCompletion(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Choices[0].Message.Content; got != "echo: hello there world" {
		t.Errorf("plain reply %q", got)
	}
	stream, err := c.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var deltas []string
	finish := openai.FinishReason("")
	for {
		r, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if d := r.Choices[0].Delta.Content; d != "" {
			deltas = append(deltas, d)
		}
		if r.Choices[0].FinishReason != "" {
			finish = r.Choices[0].FinishReason
		}
	}
	if want := []string{"echo: ", "hello ", "there ", "world"}; !reflect.DeepEqual(deltas, want) {
		t.Errorf("deltas %q, want %q", deltas, want)
	}
	if finish != openai.FinishReasonStop {
		t.Errorf("finish reason %q", finish)
	}
	if reqs := s.Requests(); len(reqs) != 2 || reqs[0].Chat.Stream || !reqs[1].Chat.Stream {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		failure Failure
		stream  bool
		check   func(t *testing.T, err error)
	}{
		{"429", Failure{Status: 429, RetryAfter: "7"}, false, func(t *testing.T, err error) {
			var apiErr *openai.APIError
			if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 429 {
				t.Errorf("got %v, want a 429 APIError", err)
			}
		}},
		{"500 with non-JSON body", Failure{Status: 500, Body: "oops"}, false, func(t *testing.T, err error) {
			var reqErr *openai.RequestError
			if !errors.As(err, &reqErr) || reqErr.HTTPStatusCode != 500 {
				t.Errorf("got %v, want a 500 RequestError", err)
			}
		}},
		{"drop", Failure{Drop: true}, false, func(t *testing.T, err error) {
			if err == nil || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("got %v, want a connection error", err)
			}
		}},
		{"malformed", Failure{Malformed: true}, false, func(t *testing.T, err error) {
			if err == nil {
				t.Error("malformed JSON accepted")
			}
		}},
		{"cut", Failure{Cut: true}, false, func(t *testing.T, err error) {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("got %v, want unexpected EOF", err)
			}
		}},
		{"hang", Failure{Hang: true}, false, func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("got %v, want deadline exceeded", err)
			}
		}},
		{"stream cut", Failure{Cut: true, After: 1}, true, func(t *testing.T, err error) {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("got %v, want unexpected EOF", err)
			}
		}},
		{"stream stall", Failure{Stall: true, After: 1}, true, func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("got %v, want deadline exceeded", err)
			}
		}},
		{"stream malformed", Failure{Malformed: true, After: 1}, true, func(t *testing.T, err error) {
			if err == nil || errors.Is(err, io.EOF) {
				t.Errorf("got %v, want a decoding error", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New(Options{Reply: func(ChatRequest) string { return "one two three" }})
			t.Cleanup(s.Close)
			s.Fail(Chat, tt.failure)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			req := openai.ChatCompletionRequest{Model: "m", Messages: []openai.ChatCompletionMessage{{Role: "user", Content: "q"}}}
			var err error
			if tt.stream {
				err = drain(ctx, client(s), req)
			} else {
				_, err = client(s).CreateChatCompletion(ctx, req)
			}
			tt.check(t, err)
			// The failure was used up: the next request succeeds.
			if _, err := client(s).CreateChatCompletion(context.Background(), req); err != nil {
				t.Errorf("request after the failure: %v", err)
			}
		})
	}
}

func drain(ctx context.Context, c *openai.Client, req openai.ChatCompletionRequest) error {
	stream, err := c.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return err
	}
	defer stream.Close()
	for {
		if _, err := stream.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func TestRetryAfterHeaders(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	t.Cleanup(s.Close)
	s.Fail(Embeddings, Failure{Status: 429, RetryAfter: "2", RetryAfterMS: "1500"})
	res, err := http.Post(s.URL+"/embeddings", "application/json", strings.NewReader(`{"input":["a"],"model":"m"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "2" || res.Header.Get("retry-after-ms") != "1500" {
		t.Errorf("got %d %v", res.StatusCode, res.Header)
	}
}

func TestAzurePathsAndUnknownRoute(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	t.Cleanup(s.Close)
	cfg := openai.DefaultAzureConfig("azure-key", s.Root)
	cfg.AzureModelMapperFunc = func(string) string { return "my-deployment" }
	if _, err := openai.NewClientWithConfig(cfg).CreateEmbeddings(context.Background(),
		openai.EmbeddingRequestStrings{Input: []string{"x"}, Model: "text-embedding-3-small"}); err != nil {
		t.Fatal(err)
	}
	r := s.Requests()[0]
	if r.Path != "/openai/deployments/my-deployment/embeddings" || r.Query.Get("api-version") == "" || r.Header.Get("api-key") != "azure-key" {
		t.Errorf("azure request recorded as %s %v %v", r.Path, r.Query, r.Header)
	}
	res, err := http.Get(s.URL + "/models")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown route: %d", res.StatusCode)
	}
}

func TestDefaultReply(t *testing.T) {
	t.Parallel()
	msg := func(s string) ChatRequest { return ChatRequest{Messages: []Message{{Role: "user", Content: s}}} }
	tests := []struct{ name, prompt, want string }{
		{"answer", "Passages:\n<passage n=\"1\">\nTitle: T\nText:\nThe war ended in 1648. Then peace.\n</passage>\nQuestion: q", "The war ended in 1648 [1]."},
		{"rewrite", "Conversation...\nLast question: and when was it signed?", "and when was it signed?"},
		{"summary", "Passages of one article, in order:\n<passage n=\"1\">\nTitle: T\nText:\nThe war ended in 1648. Then peace.\n</passage>\n" +
			"<passage n=\"2\">\nTitle: T\nText:\nTrade resumed! Ports opened.\n</passage>\nSummarise the article in at most 5 bullet points",
			"- The war ended in 1648 [1].\n- Trade resumed [2]."},
		{"combine", "Summaries of the parts of one article, in order:\n<part>\n- The war ended [1].\n- Peace [2].\n</part>\n<part>\nSure!\n- Trade resumed [30].\n</part>\nCombine them",
			"- The war ended [1].\n- Peace [2].\n- Trade resumed [30]."},
		{"nothing", "hello", "The articles do not cover this."},
	}
	for _, tt := range tests {
		if got := DefaultReply(msg(tt.prompt)); got != tt.want {
			t.Errorf("%s: DefaultReply = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := strings.Join(Pieces("a  b c"), "|"); got != "a  |b |c" {
		t.Errorf("Pieces = %q", got)
	}
}
