package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/citebot/citebot/internal/testweb"
)

func TestIngestURL(t *testing.T) {
	t.Parallel()
	web := testweb.New(t)
	news := web.URL(testweb.News)

	// The test site is on 127.0.0.1: refused unless the operator allows
	// private addresses.
	c := newCLI(t)
	code, _, errOut := c.run("", "ingest", news)
	if code != 1 || !strings.Contains(errOut, news) || !strings.Contains(errOut, "CITEBOT_ALLOW_PRIVATE_URLS=1") {
		t.Fatalf("loopback URL: exit %d, stderr %q; want a refusal naming the URL and the setting that allows it", code, errOut)
	}

	c.env["CITEBOT_ALLOW_PRIVATE_URLS"] = "1"
	code, out, errOut := c.run("", "ingest", news, web.URL(testweb.Paywall))
	if code != 1 {
		t.Errorf("exit %d, want 1: the paywall page has no article", code)
	}
	if !strings.Contains(errOut, "no article text found") {
		t.Errorf("stderr %q does not say the paywall page has no article", errOut)
	}
	if !strings.HasSuffix(strings.TrimSpace(out), "added") {
		t.Fatalf("the news article was not added: %q", out)
	}

	// Again: the same content is not stored twice.
	if code, out, _ = c.run("", "ingest", news); code != 0 || !strings.Contains(out, "already ingested") {
		t.Errorf("re-ingest: exit %d, %q", code, out)
	}

	code, out, errOut = c.run("", "sources", "--json")
	if code != 0 {
		t.Fatalf("sources: %s", errOut)
	}
	var src []sourceJSON
	if err := json.Unmarshal([]byte(out), &src); err != nil {
		t.Fatal(err)
	}
	if len(src) != 1 || src[0].URL == "" || src[0].Source == "" || src[0].Published == nil {
		t.Errorf("sources of a web article lack URL, outlet or date: %+v", src)
	}
}
