package discord

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/citebot/citebot/internal/testlog"
)

// TestLibraryLogger calls the func LogLibraryTo installs as discordgo's
// logger (installing it would race with the sessions of parallel tests):
// each line comes out through slog at the mapped level, filtered by the
// handler's level, with tokens redacted.
func TestLibraryLogger(t *testing.T) {
	t.Parallel()
	var logs testlog.Buffer
	// caller 0: the line is logged from here (discordgo passes the
	// distance from its msglog to its own caller).
	log := libraryLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	log(discordgo.LogError, 0, "error reading from gateway %s websocket, %s", "wss://gateway", "closed")
	log(discordgo.LogWarning, 0, "PATCH https://discord.com/api/v9/webhooks/800/%s/messages/@original failed", "tok123")
	log(discordgo.LogInformational, 0, "connected")
	log(discordgo.LogDebug, 0, "heartbeat sent")
	got := logs.String()
	for _, want := range []string{
		`level=ERROR msg="discordgo: error reading from gateway wss://gateway websocket, closed"`,
		`level=WARN msg="discordgo: PATCH https://discord.com/api/v9/webhooks/800/<redacted>/messages/@original failed"`,
		`level=INFO msg="discordgo: connected"`,
		"source=library_log_test.go:",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("log lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "tok123") || strings.Contains(got, "heartbeat") {
		t.Errorf("log holds a token or a debug line below the handler's level:\n%s", got)
	}
}

// TestLogLibraryToWhileSessionsLog switches the library's log while
// discordgo logs from other goroutines, as parallel serves in one process
// do: no data race, and lines reach the latest logger.
func TestLogLibraryToWhileSessionsLog(t *testing.T) {
	// Not parallel: the library's logger is process-wide.
	var first, last testlog.Buffer
	LogLibraryTo(slog.New(slog.NewTextHandler(&first, nil)))
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			discordgo.Logger(discordgo.LogError, 0, "a session logs")
		}
	}()
	for range 50 {
		LogLibraryTo(slog.New(slog.NewTextHandler(&first, nil)))
	}
	<-done
	LogLibraryTo(slog.New(slog.NewTextHandler(&last, nil)))
	discordgo.Logger(discordgo.LogError, 0, "the last line")
	if !strings.Contains(last.String(), "discordgo: the last line") || strings.Contains(last.String(), "a session logs") {
		t.Errorf("the latest logger got %q", last.String())
	}
	LogLibraryTo(slog.Default()) // the other tests' sessions log as before
}
