package feed

import (
	"context"
	"errors"
	"fmt"
	"mime"

	"github.com/citebot/citebot/ingest"
)

// accept is the Accept header of feed requests: feeds first, and pages
// (which may announce one) after them.
const accept = "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, " +
	"application/xml;q=0.8, text/xml;q=0.8, text/html;q=0.5, */*;q=0.1"

// Fetched is a feed fetched by Fetch.
type Fetched struct {
	// URL is the feed document's address: after redirects, and after
	// discovery when the address given was a page announcing the feed.
	URL string
	// Doc is the parsed feed; empty when NotModified.
	Doc Document
	// NotModified: the server answered 304 to the validators sent.
	NotModified bool
	// Validators to send with the next request for URL.
	Validators ingest.Validators
}

// Fetch gets and parses the feed at rawURL with f (so with its SSRF guard,
// limits and User-Agent), sending v as a conditional request. With
// discover, an HTML page that announces a feed (see Discover) is followed
// to that feed, once, without validators. Errors: a *ingest.PageError for
// the fetch (its UserMessage explains it), or one wrapping ErrNotFeed;
// each names the URL.
func Fetch(ctx context.Context, f *ingest.Fetcher, rawURL string, v ingest.Validators, discover bool) (Fetched, error) {
	page, err := f.FetchRaw(ctx, rawURL, accept, v)
	if err != nil {
		return Fetched{}, err
	}
	out := Fetched{URL: page.URL, NotModified: page.NotModified, Validators: page.Validators}
	if page.NotModified {
		return out, nil
	}
	doc, err := Parse(page.Body, page.URL)
	if err == nil {
		out.Doc = doc
		return out, nil
	}
	media, _, _ := mime.ParseMediaType(page.ContentType)
	if !discover || (media != "text/html" && media != "application/xhtml+xml" && media != "") {
		return Fetched{}, err
	}
	link, ok := Discover(page.Body, page.URL)
	if !ok {
		return Fetched{}, fmt.Errorf("follow %s: %w: the page announces no feed", page.URL, ErrNotFeed)
	}
	found, err := Fetch(ctx, f, link, ingest.Validators{}, false)
	if err != nil {
		return Fetched{}, fmt.Errorf("feed announced by %s: %w", page.URL, err)
	}
	return found, nil
}

// UserMessage is a short, friendly explanation of a Follow, Unfollow or
// poll error for the person who asked (the details belong in the log).
func UserMessage(err error) string {
	var pe *ingest.PageError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrFeedLimit):
		return "This server already follows as many feeds as it may: unfollow one first."
	case errors.Is(err, ErrNotFeed):
		return "That link is not an RSS or Atom feed, and it does not announce one."
	case errors.Is(err, ErrNoSuchFeed):
		return "There is no such feed here."
	case errors.As(err, &pe):
		return pe.UserMessage()
	}
	return genericMessage
}

// genericMessage is UserMessage's answer for an error it cannot explain.
const genericMessage = "I couldn't follow that feed."
