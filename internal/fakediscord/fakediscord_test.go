package fakediscord

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestChecksEveryMessage proves the fake refuses what Discord would
// refuse or what could ping, so bot tests that pass mean something.
func TestChecksEveryMessage(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	defer s.Close()
	tests := []struct {
		name, body string
		status     int
		violation  string
	}{
		{name: "no allowed mentions", body: `{"content":"hi @everyone"}`, status: 400, violation: "allowed_mentions missing"},
		{name: "parse everyone", body: `{"content":"hi","allowed_mentions":{"parse":["everyone"]}}`, status: 400, violation: "allowed_mentions.parse"},
		{name: "pings the replied user", body: `{"content":"hi","allowed_mentions":{"parse":[],"replied_user":true}}`, status: 400, violation: "allows pings"},
		{name: "too long", body: `{"content":"` + strings.Repeat("x", 2001) + `","allowed_mentions":{"parse":[]}}`, status: 400, violation: "over 2000"},
		{name: "rate limited once", body: `{"content":"hi","allowed_mentions":{"parse":[]}}`, status: 429},
		{name: "fine", body: `{"content":"hi","allowed_mentions":{"parse":[]}}`, status: 200},
	}
	for _, tt := range tests {
		if tt.status == 429 {
			s.RateLimitOnce("POST", "/channels/")
		}
		resp, err := http.Post(s.URL+"/api/v9/channels/5/messages", "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
		v := s.Violations()
		if tt.violation != "" && (len(v) == 0 || !strings.Contains(v[len(v)-1], tt.violation)) {
			t.Errorf("%s: violations %q, want one about %q", tt.name, v, tt.violation)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rs, err := s.WaitRequests(ctx, len(tests), func(r Request) bool { return r.Path == "/channels/5/messages" })
	if err != nil {
		t.Fatal(err)
	}
	if rs[len(rs)-1].Status != 200 {
		t.Errorf("last request recorded with status %d", rs[len(rs)-1].Status)
	}
}
