// Package retrieval keeps articles, chunks and their embeddings in a durable
// SQLite store, derives in-memory vector and BM25 indexes from it (one per
// scope) and searches them with lexical and vector ranking fused by
// reciprocal rank.
package retrieval

import (
	"strings"
)

// SharedScope holds articles visible everywhere; it is the CLI default.
const SharedScope = "shared"

// GuildScope returns the scope of one Discord server.
func GuildScope(guildID string) string { return "guild:" + guildID }

// SearchScopes returns the scopes a search in scope may see: a guild sees
// itself and shared; shared sees only shared.
func SearchScopes(scope string) []string {
	if scope == "" || scope == SharedScope {
		return []string{SharedScope}
	}
	return []string{scope, SharedScope}
}

// ValidScope reports whether s is "shared" or "guild:<id>" with a non-empty id.
func ValidScope(s string) bool {
	if s == SharedScope {
		return true
	}
	id, ok := strings.CutPrefix(s, "guild:")
	return ok && id != "" && !strings.ContainsAny(id, " \t\n:")
}
