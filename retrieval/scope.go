// Package retrieval keeps articles, chunks and their embeddings in a durable
// SQLite store, derives in-memory vector and BM25 indexes from it (one per
// scope) and searches them with lexical and vector ranking fused by
// reciprocal rank.
package retrieval

import (
	"errors"
	"fmt"
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

// MaxGuildIDDigits is the length of the longest Discord server ID (a
// snowflake: a decimal 64-bit number).
const MaxGuildIDDigits = 20

// CheckScope is the check of a scope a person typed (citebot --scope):
// "shared", or "guild:" and a Discord server ID, 1 to 20 decimal digits.
// Its error says what is wrong, without echoing the scope.
func CheckScope(s string) error {
	if s == SharedScope {
		return nil
	}
	id, ok := strings.CutPrefix(s, "guild:")
	switch {
	case s == "":
		return errors.New("the scope is empty")
	case !ok:
		return errors.New(`a scope is "shared" or "guild:<id>"`)
	case id == "":
		return errors.New("the guild ID is missing")
	case strings.Trim(id, "0123456789") != "":
		return errors.New("a guild ID is a Discord server ID, decimal digits only")
	case len(id) > MaxGuildIDDigits:
		return fmt.Errorf("a guild ID has at most %d digits, this one has %d", MaxGuildIDDigits, len(id))
	}
	return nil
}
