package discord

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/bwmarrin/discordgo"
)

// LogLibraryTo routes discordgo's own log lines to l, at the slog level
// matching each line's discordgo level and with webhook and interaction
// tokens redacted, so the bot's log has one format. Without it discordgo
// writes them with the standard log package. discordgo's logger is
// process-wide: the latest call wins for every session of the process.
// Calling it while sessions run is safe: discordgo's logger is set once,
// and reads the logger it sends to atomically.
func LogLibraryTo(l *slog.Logger) {
	libraryTo.Store(l)
	setLibraryLogger.Do(func() {
		discordgo.Logger = func(msgL, caller int, format string, a ...any) {
			libraryLogger(libraryTo.Load())(msgL, caller+1, format, a...)
		}
	})
}

var (
	libraryTo        atomic.Pointer[slog.Logger]
	setLibraryLogger sync.Once
)

// libraryLogger adapts l to discordgo.Logger's signature.
func libraryLogger(l *slog.Logger) func(msgL, caller int, format string, a ...any) {
	return func(msgL, caller int, format string, a ...any) {
		level := libraryLevel(msgL)
		ctx := context.Background()
		if !l.Enabled(ctx, level) {
			return
		}
		attrs := []any{}
		// caller counts from discordgo's msglog, which calls this func.
		if _, file, line, ok := runtime.Caller(caller + 1); ok {
			attrs = append(attrs, "source", fmt.Sprintf("%s:%d", filepath.Base(file), line))
		}
		l.Log(ctx, level, "discordgo: "+redactText(fmt.Sprintf(format, a...)), attrs...)
	}
}

// libraryLevel maps a discordgo log level to slog's.
func libraryLevel(msgL int) slog.Level {
	switch msgL {
	case discordgo.LogError:
		return slog.LevelError
	case discordgo.LogWarning:
		return slog.LevelWarn
	case discordgo.LogInformational:
		return slog.LevelInfo
	default:
		return slog.LevelDebug
	}
}
