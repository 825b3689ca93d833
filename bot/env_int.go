package bot

import (
	"fmt"
	"strconv"
	"strings"
)

// envInt reads the integer variable name through getenv: 0 when unset, an
// error naming the variable when it is not an integer of at least lowest.
//
// It stays here only for DiscordConfigFromEnv; the same function is in
// cmd/citebot/env_llm.go, and this file goes once the Discord variables
// are parsed in cmd/citebot too.
func envInt(getenv func(string) string, name string, lowest int) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lowest {
		return 0, fmt.Errorf("%s=%q: want an integer of at least %d", name, v, lowest)
	}
	return n, nil
}
