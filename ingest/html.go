package ingest

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// ExtractHTML reads an HTML document and returns its title and visible body
// text as an Article, one paragraph per block element. pageURL, when not
// empty, is the address the page was fetched from.
func ExtractHTML(data []byte, pageURL string) (Article, error) {
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		return Article{}, fmt.Errorf("parse html: %w", err)
	}
	var (
		title string
		paras []string
		cur   strings.Builder
	)
	flush := func() {
		if p := strings.Join(strings.Fields(cur.String()), " "); p != "" {
			paras = append(paras, p)
		}
		cur.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Iframe, atom.Head:
				if n.DataAtom == atom.Head {
					for c := n.FirstChild; c != nil; c = c.NextSibling {
						if c.DataAtom == atom.Title && title == "" {
							title = strings.Join(strings.Fields(textOf(c)), " ")
						}
					}
				}
				return
			case atom.Title:
				if title == "" {
					title = strings.Join(strings.Fields(textOf(n)), " ")
				}
				return
			}
		}
		if n.Type == html.TextNode {
			cur.WriteString(n.Data)
			return
		}
		block := n.Type == html.ElementNode && isBlock(n.DataAtom)
		if block || n.DataAtom == atom.Br {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
	}
	walk(doc)
	flush()
	if title == "" {
		for _, p := range paras {
			title = p
			break
		}
	}
	a := Article{Title: title, URL: pageURL, Paragraphs: paras}
	a.ID = NewID(pageURL, a.Title, a.Paragraphs)
	return a, nil
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Li, atom.Ul, atom.Ol, atom.Blockquote, atom.Pre, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Nav, atom.Aside, atom.Main, atom.Table, atom.Tr,
		atom.Td, atom.Th, atom.Figure, atom.Figcaption, atom.Dd, atom.Dt, atom.Hr, atom.Body:
		return true
	}
	return false
}
