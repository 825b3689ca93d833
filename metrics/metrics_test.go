package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestReadinessNamesWhatIsMissing(t *testing.T) {
	t.Parallel()
	m := New(nil, nil)
	storeErr := errors.New("store closed")
	var storeDown atomic.Bool
	srv := httptest.NewServer(m.Handler(m.GatewayCheck(), Check{Name: "store", Check: func(context.Context) error {
		if storeDown.Load() {
			return storeErr
		}
		return nil
	}}))
	defer srv.Close()
	tests := []struct {
		name      string
		connected bool
		storeDown bool
		status    int
		body      string
	}{
		{"gateway down", false, false, 503, "not ready: discord gateway: not connected"},
		{"all up", true, false, 200, "ready"},
		{"store closed", true, true, 503, "not ready: store: store closed"},
	}
	for _, tt := range tests {
		m.Gateway(tt.connected)
		storeDown.Store(tt.storeDown)
		if code, body := get(t, srv, "/readyz"); code != tt.status || strings.TrimSpace(body) != tt.body {
			t.Errorf("%s: /readyz = %d %q, want %d %q", tt.name, code, body, tt.status, tt.body)
		}
	}
	if code, body := get(t, srv, "/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %d %q", code, body)
	}
}

func TestLabelsStayBounded(t *testing.T) {
	t.Parallel()
	m := New(func(context.Context) (int, int, error) { return 3, 17, nil }, nil)
	m.Question("slash", "answered", 2*time.Second)
	m.Question("slash", "rate_limited", 0)
	m.Question("guild:1234", "a free text outcome", time.Second) // not a known entry or outcome
	m.Ingest("feed", "added")
	m.Ingest("https://example.org/x", "added")
	m.DiscordRequest(429)
	m.DiscordRequest(0)
	m.Vote("up")
	m.VoteReason("I hated it")
	m.ObserveCall("chat", time.Second, "rate_limit")
	m.ObserveTokens("stream", 10, 5)
	m.AnswerInFlight(1)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	_, body := get(t, srv, "/metrics")
	for _, want := range []string{
		`citebot_questions_total{entry="slash",outcome="answered"} 1`,
		`citebot_questions_total{entry="slash",outcome="rate_limited"} 1`,
		`citebot_questions_total{entry="other",outcome="other"} 1`,
		`citebot_questions_total{entry="mention",outcome="not_covered"} 0`,
		`citebot_answer_seconds_count 2`, // refusals are not timed
		`citebot_ingests_total{outcome="added",source="feed"} 1`,
		`citebot_ingests_total{outcome="added",source="other"} 1`,
		`citebot_discord_requests_total{status="429"} 1`,
		`citebot_discord_requests_total{status="error"} 1`,
		`citebot_discord_rate_limited_total 1`,
		`citebot_feedback_votes_total{vote="up"} 1`,
		`citebot_feedback_votes_total{vote="down"} 0`,
		`citebot_feedback_reasons_total{reason="other"} 1`,
		`citebot_model_errors_total{class="rate_limit",kind="chat"} 1`,
		`citebot_model_call_seconds_count{kind="chat"} 1`,
		`citebot_model_tokens_total{kind="stream",type="completion"} 5`,
		`citebot_answers_in_flight 1`,
		`citebot_articles 3`,
		`citebot_passages 17`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, leaked := range []string{"guild:1234", "example.org", "hated", "free text"} {
		if strings.Contains(body, leaked) {
			t.Errorf("/metrics carries %q", leaked)
		}
	}
}
