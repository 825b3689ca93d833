package trafilatura

// Tests of citebot's patch (see CITEBOT.md): an element pruned from the
// middle of a paragraph leaves the text after it where it was.

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestPrunedElementKeepsTextInPlace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, inline, want string
	}{
		{"hidden note first in the paragraph",
			`<sup class="noprint Inline-Template">[<i><a href="/help">citation needed</a></i>]</sup>`,
			"<p>Its first keeper logged 212 passing ships in its first year, and his logbooks are kept in the harbour archive.</p>"},
		{"hidden note after another element",
			`<b>early</b><sup style="display:none">[update]</sup>`,
			"<p>Its first keeper logged 212 passing ships in its first year,<b>early</b> and his logbooks are kept in the harbour archive.</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			page := `<html><head><title>Kestrel Bay lighthouse</title></head><body><article><h1>Kestrel Bay lighthouse</h1>` +
				`<p>The Kestrel Bay lighthouse is a stone tower on the north shore of the bay, first lit in 1894 and run without a keeper since 1962.</p>` +
				`<p>Its first keeper logged 212 passing ships in its first year,` + tt.inline + ` and his logbooks are kept in the harbour archive.</p>` +
				`<p>The light can be seen 18 nautical miles out to sea on a clear night, and the tower is open to visitors on summer weekends.</p>` +
				`</article></body></html>`
			doc, err := html.Parse(strings.NewReader(page))
			if err != nil {
				t.Fatal(err)
			}
			res, err := ExtractDocument(doc, Options{ExcludeComments: true, HtmlDateMode: Disabled})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := html.Render(&b, res.ContentNode); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tt.want) {
				t.Errorf("extracted\n%s\nwant it to hold\n%s", b.String(), tt.want)
			}
		})
	}
}
