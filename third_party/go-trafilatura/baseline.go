// Modified by citebot: the baseline extraction keeps an article's paragraphs
// apart (blockParagraphs, textParagraphs; see CITEBOT.md).

package trafilatura

import (
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/go-shiori/dom"
	"github.com/markusmobius/go-trafilatura/internal/etree"
	"golang.org/x/net/html"
)

var basicCleaningSelector = strings.Join([]string{
	`aside`,
	`footer`,
	`div[id*="footer"]`,
	`div[class*="footer"]`,
	`script`,
	`style`,
}, ", ")

func basicCleaning(doc *html.Node) *html.Node {
	discardedElements := dom.QuerySelectorAll(doc, basicCleaningSelector)
	for i := len(discardedElements) - 1; i >= 0; i-- {
		discardedElements[i].Parent.RemoveChild(discardedElements[i])
	}
	return doc
}

// baseline uses baseline extraction function targeting text paragraphs and/or JSON metadata.
func baseline(doc *html.Node) (*html.Node, string) {
	var tmpText string
	postBody := etree.Element("body")
	if doc == nil {
		return postBody, ""
	}

	// Scrape JSON+LD for article body
	for _, script := range dom.QuerySelectorAll(doc, `script[type="application/ld+json"]`) {
		// Get the json text inside the script
		jsonLdText := dom.TextContent(script)
		jsonLdText = strings.TrimSpace(jsonLdText)
		jsonLdText = html.UnescapeString(jsonLdText)
		if jsonLdText == "" {
			continue
		}

		// Decode JSON text, assuming it is an object
		data := map[string]any{}
		err := json.Unmarshal([]byte(jsonLdText), &data)
		if err != nil {
			continue
		}

		// Find article body recursively
		var articleBody string
		var articleParas []string
		var findArticleBody func(obj map[string]any)

		findArticleBody = func(obj map[string]any) {
			for key, value := range obj {
				switch v := value.(type) {
				case string:
					raw := v
					v = trim(v)
					if strings.ToLower(key) == "articlebody" && v != "" {
						// citebot: the body is kept one paragraph per
						// block (or per blank line of plain text), not
						// run together.
						if strings.Contains(v, "<p>") {
							tmp := dom.CreateElement("div")
							dom.SetInnerHTML(tmp, raw)
							articleParas = blockParagraphs(tmp)
						} else {
							articleParas = textParagraphs(raw)
						}
						articleBody = strings.Join(articleParas, " ")
						return
					}

				case map[string]any:
					findArticleBody(v)

				case []any:
					for _, item := range v {
						if obj, isObject := item.(map[string]any); isObject {
							findArticleBody(obj)
						}
					}
				}
			}
		}

		findArticleBody(data)
		if articleBody != "" {
			appendParagraphs(postBody, articleParas)
			tmpText += " " + articleBody
		}
	}

	tmpText = trim(tmpText)
	if utf8.RuneCountInString(tmpText) > 100 {
		return postBody, tmpText
	}

	// Basic tree cleaning
	doc = basicCleaning(doc)

	// Scrape from article tag
	articleElement := dom.QuerySelector(doc, "article")
	if articleElement != nil {
		articleParas := blockParagraphs(articleElement)
		articleText := strings.Join(articleParas, " ")
		if utf8.RuneCountInString(articleText) > 100 {
			// citebot: one paragraph per block, not run together.
			appendParagraphs(postBody, articleParas)
			tmpText += " " + articleText
		}
	}

	if len(dom.Children(postBody)) > 0 {
		tmpText = trim(tmpText)
		return postBody, tmpText
	}

	// Scrape from text paragraphs
	results := make(map[string]struct{})
	for _, element := range etree.Iter(doc, "blockquote", "pre", "q", "code", "p") {
		entry := trim(dom.TextContent(element))
		if _, exist := results[entry]; !exist {
			p := etree.SubElement(postBody, "p")
			etree.SetText(p, entry)
			tmpText += " " + entry
			results[entry] = struct{}{}
		}
	}

	tmpText = trim(tmpText)
	if utf8.RuneCountInString(tmpText) > 100 {
		return postBody, tmpText
	}

	// Default strategy: clean the tree and take everything
	if body := dom.QuerySelector(doc, "body"); body != nil {
		text := trim(etree.IterText(body, "\n"))
		if utf8.RuneCountInString(text) > 100 {
			elem := etree.SubElement(postBody, "p")
			etree.SetText(elem, text)
			return postBody, text
		}
	}

	// New fallback
	text := trim(dom.TextContent(doc))
	elem := etree.SubElement(postBody, "p")
	etree.SetText(elem, text)
	return postBody, text
}

// blockParagraphs returns the text of n one paragraph per block: the text
// between the starts and ends of block elements (and blank lines made of
// two <br>s), each trimmed, empty ones left out. dom.TextContent runs the
// blocks together ("…the dredging.The work starts…"). Added by citebot.
func blockParagraphs(n *html.Node) []string {
	var paras []string
	var cur strings.Builder
	flush := func() {
		paras = append(paras, textParagraphs(cur.String())...)
		cur.Reset()
	}
	type step struct {
		n    *html.Node
		exit bool
	}
	stack := []step{{n: n}}
	for len(stack) > 0 {
		st := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case st.n.Type == html.TextNode:
			cur.WriteString(st.n.Data)
			continue
		case st.n.Type == html.ElementNode && st.n.Data == "br":
			cur.WriteString("\n")
			continue
		case st.n.Type == html.ElementNode && (st.n.Data == "script" || st.n.Data == "style"):
			continue
		}
		_, isBlock := baselineBlocks[st.n.Data]
		block := st.n.Type == html.ElementNode && isBlock
		if st.exit {
			if block {
				flush()
			}
			continue
		}
		if block {
			flush()
		}
		stack = append(stack, step{n: st.n, exit: true})
		for c := st.n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, step{n: c})
		}
	}
	flush()
	return paras
}

// textParagraphs splits plain text at its blank lines into trimmed,
// non-empty paragraphs. Added by citebot.
func textParagraphs(s string) []string {
	var paras []string
	for _, part := range blankLines.Split(s, -1) {
		if t := trim(part); t != "" {
			paras = append(paras, t)
		}
	}
	return paras
}

var blankLines = regexp.MustCompile(`\n[^\S\n]*\n`)

// appendParagraphs adds each of paras to body as a <p>. Added by citebot.
func appendParagraphs(body *html.Node, paras []string) {
	for _, para := range paras {
		p := etree.SubElement(body, "p")
		etree.SetText(p, para)
	}
}

// baselineBlocks are the elements that start and end a paragraph for
// blockParagraphs. Added by citebot.
var baselineBlocks = sliceToMap(
	"p", "div", "h1", "h2", "h3", "h4", "h5", "h6",
	"li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre",
	"section", "article", "header", "footer", "aside", "main",
	"table", "tr", "caption", "figure", "figcaption", "hr",
	"address", "details", "summary", "form", "center",
)
