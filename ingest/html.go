package ingest

// ExtractHTML turns an HTML document into an Article: the main text
// without navigation, ads, related links, cookie banners, comments or
// footers (go-trafilatura with its readability fallbacks), one paragraph per
// block, and the title, site name (Source), author, publication date,
// language and canonical URL when the page states them.
//
// pageURL is the address the page was fetched from (after redirects), or ""
// for a local file. Article.URL is the page's canonical URL when it declares
// one on the same site, else pageURL. A fetched page that yields less than
// a short article's worth of text is refused; a local file falls back to its
// visible text. Without any text the error wraps ErrNoArticle and is a
// *PageError. Any input, however large or deeply nested, is handled in time
// roughly linear in its size. Safe for concurrent use.
func ExtractHTML(data []byte, pageURL string) (Article, error) {
	return extractHTML(data, pageURL, "")
}
