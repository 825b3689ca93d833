package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/citebot/citebot/internal/fakediscord"
	"github.com/citebot/citebot/internal/fakeopenai"
	"github.com/citebot/citebot/internal/testlog"
)

// TestConfigCheckSaysWhatIsWrong runs citebot config --check against the
// fake OpenAI server: models that answer, a refused key, an unknown model,
// a base URL without a scheme, one call per model.
func TestConfigCheckSaysWhatIsWrong(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fail    fakeopenai.Endpoint
		status  int
		baseURL string // instead of the fake's
		code    int
		want    []string
	}{
		{name: "both answer", code: 0, want: []string{"chat model gpt-4o-mini: answers", "embedding model text-embedding-3-small: answers"}},
		{name: "bad key", fail: fakeopenai.Chat, status: 401, code: 1, want: []string{"chat model gpt-4o-mini:", "refused the API key (HTTP 401): check OPENAI_API_KEY", "embedding model text-embedding-3-small: answers"}},
		{name: "unknown model", fail: fakeopenai.Embeddings, status: 404, code: 1, want: []string{"embedding model text-embedding-3-small:", "does not know this model (HTTP 404): check CITEBOT_EMBED_MODEL"}},
		{name: "no scheme", baseURL: "localhost:11434/v1", code: 1, want: []string{`OPENAI_BASE_URL (or --base-url)="localhost:11434/v1" has no http:// or https:// scheme`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakeopenai.New(fakeopenai.Options{Dimensions: 16})
			t.Cleanup(srv.Close)
			if tt.status != 0 {
				srv.Fail(tt.fail, fakeopenai.Failure{Status: tt.status})
			}
			c := newCLI(t)
			c.env["OPENAI_BASE_URL"] = srv.URL
			if tt.baseURL != "" {
				c.env["OPENAI_BASE_URL"] = tt.baseURL
			}
			c.env["CITEBOT_EMBEDDER"] = "openai"
			code, out, errOut := c.run("", "config", "--check")
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			wantCalls := 1
			if tt.baseURL != "" {
				wantCalls = 0
			}
			if got := srv.Count(fakeopenai.Chat); got != wantCalls {
				t.Errorf("%d chat calls, want %d", got, wantCalls)
			}
			if got := srv.Count(fakeopenai.Embeddings); got != wantCalls {
				t.Errorf("%d embedding calls, want %d", got, wantCalls)
			}
		})
	}
	// Nothing configured: nothing to call.
	code, out, _ := newCLI(t).run("", "config", "--check")
	if code != 0 || !strings.Contains(out, "no model to check") {
		t.Errorf("config --check with no model: exit %d, %q", code, out)
	}
}

// TestServeRefusesABadModelConfiguration checks that serve stops at start,
// before connecting to Discord, when the model refuses the key.
func TestServeRefusesABadModelConfiguration(t *testing.T) {
	t.Parallel()
	srv := fakeopenai.New(fakeopenai.Options{})
	t.Cleanup(srv.Close)
	srv.Fail(fakeopenai.Chat, fakeopenai.Failure{Status: 401})
	c := newCLI(t)
	c.env["DISCORD_TOKEN"] = "test-token-not-secret"
	c.env["DISCORD_API_BASE"] = "http://127.0.0.1:1"
	c.env["OPENAI_BASE_URL"] = srv.URL
	c.env["OPENAI_API_KEY"] = "sk-wrong-key-for-test"
	code, _, errOut := c.run("", "serve")
	if code != 1 || !strings.Contains(errOut, "refused the API key") || !strings.Contains(errOut, "OPENAI_API_KEY") {
		t.Errorf("exit %d, stderr %q; want 1 and the key named", code, errOut)
	}
	if strings.Contains(errOut, "sk-wrong") {
		t.Errorf("the key was printed: %q", errOut)
	}
}

// serve runs citebot serve in the background until stop is called; done
// gets its exit status.
func (c *cli) serve(ctx context.Context) (stop context.CancelFunc, done <-chan int, stderr *testlog.Buffer) {
	serveCtx, stop := context.WithCancel(ctx)
	exit := make(chan int, 1)
	// discordgo's log is process-wide: another serve's session may write
	// to this one's stderr, also after it stopped.
	stderr = &testlog.Buffer{}
	getenv := func(k string) string {
		if k == "CITEBOT_DATA_DIR" {
			return c.dataDir
		}
		return c.env[k]
	}
	go func() {
		exit <- run(serveCtx, []string{"serve"}, strings.NewReader(""), &bytes.Buffer{}, stderr, getenv)
	}()
	return stop, exit, stderr
}

// TestServeLogsWhatItServes checks the start-up line: the data directory
// and how many articles and passages it holds.
func TestServeLogsWhatItServes(t *testing.T) {
	t.Parallel()
	fake := fakediscord.New(fakediscord.Options{Guilds: []string{"g1"}})
	t.Cleanup(fake.Close)
	c := newCLI(t)
	if code, _, errOut := c.run("", "ingest", filepath.Join(articlesDir, "carson-ridge-wildfire.txt")); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	c.env["DISCORD_TOKEN"] = "test-token-not-secret"
	c.env["DISCORD_API_BASE"] = fake.URL
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stop, done, stderr := c.serve(ctx)
	if _, err := fake.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	stop()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	}
	_, out, _ := c.run("", "sources", "--json")
	chunks := strings.Split(strings.Split(out, `"chunks":`)[1], ",")[0]
	for _, w := range []string{"data_dir=" + c.dataDir, "articles=1", "passages=" + chunks} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("the start-up log lacks %q:\n%s", w, stderr.String())
		}
	}
}
