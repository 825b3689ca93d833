package retrieval

import (
	"strings"
	"testing"
)

func TestCheckScope(t *testing.T) {
	t.Parallel()
	for scope, ok := range map[string]bool{
		"shared": true, "guild:1": true, "guild:" + strings.Repeat("9", 20): true,
		"": false, "guild:": false, "guild:abc": false, "guild:1'--": false, "guild:-1": false,
		"guild: 1": false, "guild:" + strings.Repeat("7", 21): false, "guild:" + strings.Repeat("7", 5000): false,
		"Shared": false, "everyone": false,
	} {
		err := CheckScope(scope)
		if (err == nil) != ok {
			t.Errorf("CheckScope(%.40q) = %v, want ok=%v", scope, err, ok)
		}
		if err != nil && len(err.Error()) > 100 {
			t.Errorf("CheckScope(%.40q) error echoes the scope: %.200q", scope, err)
		}
	}
}
