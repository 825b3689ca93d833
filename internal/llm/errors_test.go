package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"unicode"

	"github.com/sashabaranov/go-openai"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	var syntaxErr error = &json.SyntaxError{}
	tests := []struct {
		name string
		err  error
		kind Kind
	}{
		{"429", &openai.APIError{HTTPStatusCode: 429, Message: "slow down"}, RateLimited},
		{"quota", &openai.APIError{HTTPStatusCode: 429, Code: "insufficient_quota"}, QuotaExceeded},
		{"401", &openai.APIError{HTTPStatusCode: 401}, Unauthorized},
		{"404", &openai.APIError{HTTPStatusCode: 404}, BadRequest},
		{"500 request error", &openai.RequestError{HTTPStatusCode: 500, Err: syntaxErr}, Unavailable},
		{"504", &openai.RequestError{HTTPStatusCode: 504}, Timeout},
		{"stream error event", fmt.Errorf("error, %w", &openai.APIError{Message: "overloaded"}), Unavailable},
		{"deadline", fmt.Errorf("post: %w", context.DeadlineExceeded), Timeout},
		{"canceled", context.Canceled, Canceled},
		{"network", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, Unavailable},
		{"cut", io.ErrUnexpectedEOF, BadResponse},
		{"bad json", syntaxErr, BadResponse},
		{"other", errors.New("strange"), Other},
	}
	for _, tt := range tests {
		err := Classify("chat", "m", tt.err)
		var e *Error
		if !errors.As(err, &e) || e.Kind != tt.kind || !errors.Is(err, tt.err) {
			t.Errorf("%s: Classify = %#v, want kind %v wrapping the cause", tt.name, err, tt.kind)
		}
		if Classify("again", "m", err) != err {
			t.Errorf("%s: classifying twice re-wraps", tt.name)
		}
	}
	if Classify("chat", "m", nil) != nil {
		t.Error("Classify(nil) != nil")
	}
}

func TestErrorRedactsKeys(t *testing.T) {
	t.Parallel()
	err := Classify("chat", "m", &openai.APIError{HTTPStatusCode: 401, Message: "Incorrect API key provided: sk-proj-abc***wxyz. Bearer abc.def"})
	if s := err.Error(); strings.Contains(s, "sk-proj") || strings.Contains(s, "abc.def") || !strings.Contains(s, "HTTP 401") {
		t.Errorf("Error() = %q", s)
	}
}

func TestUserMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind Kind
		want string
	}{
		{RateLimited, "The language model is limiting how fast the bot may ask it; try again in a minute."},
		{Timeout, "The language model did not answer in time; please try again."},
		{Unavailable, "The language model is unavailable right now; try again later."},
		{Unauthorized, "The language model refused the bot's credentials; please tell whoever runs the bot."},
		{QuotaExceeded, "The language model's account has run out of quota; please tell whoever runs the bot."},
		{Canceled, "The request was cancelled."},
	}
	for _, tt := range tests {
		if got := (&Error{Op: "chat", Kind: tt.kind}).UserMessage(); got != tt.want {
			t.Errorf("%v: %q, want %q", tt.kind, got, tt.want)
		}
	}
	// Every kind reads as a sentence a Discord user understands.
	for k := Kind(0); k <= Canceled; k++ {
		for _, op := range []string{"chat", "embeddings"} {
			msg := (&Error{Op: op, Kind: k}).UserMessage()
			if r := []rune(msg)[0]; !unicode.IsUpper(r) || !strings.HasSuffix(msg, ".") || strings.Contains(msg, "operator") || strings.Contains(msg, " us") {
				t.Errorf("%s %v: %q is not a plain sentence for a user", op, k, msg)
			}
		}
	}
}
