package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestStartupLeavesDateDataUnloaded: a citebot process no longer builds
// go-dateparser's locale data and timezone expressions while starting
// (78 MB and 0.1–0.2 s in every process, issue 14); the patched copy in
// third_party/go-dateparser builds them on first use, which no command
// reaches without parsing a date from free text.
func TestStartupLeavesDateDataUnloaded(t *testing.T) {
	t.Parallel()
	bin := buildCitebot(t, t.Context())
	cmd := exec.CommandContext(t.Context(), bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), "citebot ") {
		t.Fatalf("citebot version: %v, output %q\n%s", err, out, stderr.String())
	}
	// runtime's inittrace: "init <package> @<t> ms, <clock> ms clock, <bytes> bytes, <allocs> allocs"
	line := regexp.MustCompile(`(?m)^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, \d+ allocs$`)
	allocated := map[string]int{}
	for _, m := range line.FindAllStringSubmatch(stderr.String(), -1) {
		allocated[m[1]], _ = strconv.Atoi(m[2])
	}
	const limit = 1 << 20 // before: 78 MB (data), 5 MB (timezone); now well under 0.1 MB
	for _, pkg := range []string{"github.com/markusmobius/go-dateparser/internal/data", "github.com/markusmobius/go-dateparser/internal/timezone"} {
		n, ok := allocated[pkg]
		switch {
		case !ok:
			t.Errorf("no init line for %s in the trace (%d packages traced)", pkg, len(allocated))
		case n >= limit:
			t.Errorf("%s allocates %d bytes at start-up, want under %d: its data is built at init again", pkg, n, limit)
		}
	}
}
