package bot

import (
	"errors"
	"strings"
	"testing"

	"github.com/citebot/citebot/retrieval"
)

// The error of forgetting a missing article names it and its scope once:
// not "forget X in shared: forget X in shared: not found".
func TestForgetErrorNamesTheArticleOnce(t *testing.T) {
	t.Parallel()
	core, _ := newStoreCore(t, CoreOptions{})
	err := core.Forget(t.Context(), retrieval.SharedScope, "t0000000000000000")
	if !errors.Is(err, retrieval.ErrNotFound) || !strings.Contains(UserMessage(err), "No article") {
		t.Fatalf("Forget(missing) = %v, want a not-found user error", err)
	}
	if n := strings.Count(err.Error(), "forget t0000000000000000 in shared"); n != 1 {
		t.Errorf("error %q names the article %d times, want once", err, n)
	}
}
