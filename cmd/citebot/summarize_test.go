package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSummarizeJSONAndArguments: summarize --json prints ask's object
// without answerability (a summary searches nothing, so there is no
// decision to report; it printed 0, "as likely as not"), and an empty
// article ID is a usage error, not a search for "No article with ID  here".
func TestSummarizeJSONAndArguments(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	id := c.ingestID("riverton-transit-strike.txt")
	tests := []struct {
		args          []string
		code          int
		answerability bool // the JSON object has the key
		stderr        string
	}{
		{[]string{"summarize", "--json", id}, 0, false, ""},
		{[]string{"ask", "--json", "Is paratransit still running during the Riverton strike?"}, 0, true, ""},
		{[]string{"summarize", ""}, 2, false, "summarize takes one article ID"},
		{[]string{"summarize", "--json", " "}, 2, false, "summarize takes one article ID"},
		{[]string{"summarize", "--json", "tnosuchid"}, 1, false, "No article with ID tnosuchid here."},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			code, out, errOut := c.run("", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.stderr)
			}
			if code != 0 {
				if out != "" {
					t.Errorf("a failure printed %q", out)
				}
				return
			}
			var obj map[string]json.RawMessage
			if err := json.Unmarshal([]byte(out), &obj); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if _, ok := obj["answerability"]; ok != tt.answerability {
				t.Errorf("answerability present %v, want %v: %s", ok, tt.answerability, out)
			}
			if string(obj["found"]) != "true" || len(obj["citations"]) < 3 {
				t.Errorf("no cited answer: %s", out)
			}
		})
	}
}
