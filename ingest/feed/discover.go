package feed

import (
	"bytes"
	"mime"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// feedTypes are the media types a page's <link rel="alternate"> names
// when it announces a feed, best first.
var feedTypes = []string{"application/atom+xml", "application/rss+xml", "application/rdf+xml"}

// Discover returns the address of the feed an HTML page announces with
// <link rel="alternate" type="application/rss+xml"> (or atom+xml,
// rdf+xml) in its markup, resolved against the page's <base href> and
// pageURL; Atom is preferred when both are given, else the first. ok is
// false when the page announces no http(s) feed. Safe for any input.
func Discover(page []byte, pageURL string) (feedURL string, ok bool) {
	base, err := url.Parse(pageURL)
	if err != nil {
		return "", false
	}
	z := html.NewTokenizer(bytes.NewReader(page))
	found := make(map[string]string) // media type → first address
	for {
		switch z.Next() {
		case html.ErrorToken:
			for _, t := range feedTypes {
				if found[t] != "" {
					return found[t], true
				}
			}
			return "", false
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if !hasAttr {
				continue
			}
			attrs := attributes(z)
			switch atom.Lookup(name) {
			case atom.Base:
				if u, err := url.Parse(strings.TrimSpace(attrs["href"])); err == nil && attrs["href"] != "" {
					base = base.ResolveReference(u)
				}
			case atom.Link:
				if !hasWord(attrs["rel"], "alternate") {
					continue
				}
				media, _, _ := mime.ParseMediaType(attrs["type"])
				if link := absolute(base, attrs["href"]); link != "" && found[media] == "" {
					found[media] = link
				}
			case atom.Body:
				// Feeds are announced in the head; stop at the body
				// unless none was found yet (some pages put links late).
				for _, t := range feedTypes {
					if found[t] != "" {
						return found[t], true
					}
				}
			}
		}
	}
}

// attributes returns the current tag's attributes, names lower-cased,
// the first of each name kept.
func attributes(z *html.Tokenizer) map[string]string {
	out := make(map[string]string)
	for {
		k, v, more := z.TagAttr()
		key := strings.ToLower(string(k))
		if _, dup := out[key]; !dup {
			out[key] = string(v)
		}
		if !more {
			return out
		}
	}
}

// hasWord reports whether the space-separated list s holds w (case
// folded), as rel="alternate feed" does.
func hasWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, w) {
			return true
		}
	}
	return false
}
