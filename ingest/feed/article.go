package feed

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/url"

	"github.com/citebot/citebot/ingest"
)

// ArticleFor returns the article a feed item brings: the page at its link,
// fetched and extracted with f as `/ingest url:` does; when the item has no
// link, or the page cannot be fetched or read, the item's own text (its
// content or summary, titled by the item), dated by the item when the
// page gives no date. Text that was not fetched from the link keeps the
// link as its URL only when the link is on the feed's own site (feedURL),
// so a feed cannot put its words under another site's address. An item
// with no readable text anywhere is an error wrapping ingest.ErrEmpty; the
// end of ctx is returned as it is.
func ArticleFor(ctx context.Context, f *ingest.Fetcher, feedURL, feedTitle string, it Item) (ingest.Article, error) {
	var fetchErr error
	if it.Link != "" {
		a, err := f.Fetch(ctx, it.Link)
		if err == nil {
			if a.Published.IsZero() {
				a.Published = it.Published
			}
			return a, nil
		}
		if ctx.Err() != nil {
			return ingest.Article{}, fmt.Errorf("feed item %s: %w", it.Link, ctx.Err())
		}
		fetchErr = err
	}
	a, err := itemArticle(feedURL, feedTitle, it)
	if err != nil {
		return ingest.Article{}, errors.Join(fetchErr, err)
	}
	return a, nil
}

// itemArticle builds an article from the item's own text.
func itemArticle(feedURL, feedTitle string, it Item) (ingest.Article, error) {
	name := it.Link
	if name == "" {
		name = it.Title
	}
	if it.Content == "" {
		return ingest.Article{}, fmt.Errorf("feed item %q: no text in the item: %w", name, ingest.ErrEmpty)
	}
	// The item's title goes first as the page's <title>: without one, a
	// short first paragraph would be taken for the title, and lost when
	// the item's title replaces it.
	page := it.Content
	if it.Title != "" {
		page = "<title>" + html.EscapeString(it.Title) + "</title>" + page
	}
	a, err := ingest.Parse("item.html", []byte(page))
	if err != nil {
		return ingest.Article{}, fmt.Errorf("feed item %q: %w", name, err)
	}
	if it.Title != "" {
		a.Title = it.Title
	}
	a.Source, a.Author, a.Published, a.URL = feedTitle, it.Author, it.Published, ""
	link, errL := url.Parse(it.Link)
	feed, errF := url.Parse(feedURL)
	if it.Link != "" && errL == nil && errF == nil && ingest.SameSite(link.Hostname(), feed.Hostname()) {
		a.URL = ingest.CleanURL(it.Link)
	}
	a.ID = ingest.NewID(a.URL, a.Title, a.Paragraphs)
	return a, nil
}
