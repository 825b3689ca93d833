package ingest

import (
	"regexp"
	"strings"
)

// markdownBlocks splits a Markdown body into blocks: paragraphs (runs of
// non-blank lines joined with spaces), headings, list items, block quote
// paragraphs, table rows and the lines of code blocks, each reduced to
// plain text.
func markdownBlocks(s string) []block {
	var (
		blocks []block
		para   []string
		fence  string // the opening fence while inside a fenced code block
	)
	flush := func() {
		if t := cleanParagraph(stripInline(strings.Join(para, " "))); t != "" {
			blocks = append(blocks, block{text: t, lines: len(para)})
		}
		para = para[:0]
	}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trim := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trim, fence) && strings.Trim(trim, fence[:1]) == "" {
				fence = ""
				continue
			}
			if t := cleanParagraph(line); t != "" {
				blocks = append(blocks, block{text: t})
			}
			continue
		}
		if f := fenceOf(trim); f != "" {
			flush()
			fence = f
			continue
		}
		if trim == "" {
			flush()
			continue
		}
		if strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t") {
			if len(para) == 0 { // indented code
				if t := cleanParagraph(line); t != "" {
					blocks = append(blocks, block{text: t})
				}
				continue
			}
		}
		// Setext heading: a paragraph line underlined with === or ---.
		if len(para) == 1 && (isRule(trim, '=') || isRule(trim, '-')) {
			level := 1
			if trim[0] == '-' {
				level = 2
			}
			if t := cleanParagraph(stripInline(para[0])); t != "" {
				blocks = append(blocks, block{text: t, heading: level})
			}
			para = para[:0]
			continue
		}
		if isThematicBreak(trim) || linkDefRE.MatchString(trim) {
			flush()
			continue
		}
		if m := headingRE.FindStringSubmatch(trim); m != nil {
			flush()
			text := strings.TrimRight(strings.TrimRight(m[2], "#"), " \t")
			if t := cleanParagraph(stripInline(text)); t != "" {
				blocks = append(blocks, block{text: t, heading: len(m[1])})
			}
			continue
		}
		if m := listRE.FindStringSubmatch(line); m != nil {
			flush()
			para = append(para, m[1])
			continue
		}
		if strings.HasPrefix(trim, ">") {
			trim = strings.TrimSpace(strings.TrimLeft(trim, "> "))
			if trim == "" {
				flush()
				continue
			}
		}
		if strings.HasPrefix(trim, "|") {
			flush()
			if !tableRuleRE.MatchString(trim) {
				cells := strings.Split(strings.Trim(trim, "|"), "|")
				for j := range cells {
					cells[j] = strings.TrimSpace(cells[j])
				}
				para = append(para, strings.Join(cells, " | "))
				flush()
			}
			continue
		}
		para = append(para, trim)
	}
	flush()
	return blocks
}

var (
	headingRE   = regexp.MustCompile(`^(#{1,6})(?:[ \t]+(.*))?$`)
	listRE      = regexp.MustCompile(`^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(.*)$`)
	linkDefRE   = regexp.MustCompile(`^\[[^\]]+\]:\s*\S+`)
	tableRuleRE = regexp.MustCompile(`^\|?[\s:|-]+\|?$`)
)

func fenceOf(trim string) string {
	for _, f := range []string{"```", "~~~"} {
		if strings.HasPrefix(trim, f) {
			return f
		}
	}
	return ""
}

// isRule reports whether s is three or more of c (a setext underline).
func isRule(s string, c byte) bool {
	if len(s) < 3 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != c {
			return false
		}
	}
	return true
}

// isThematicBreak reports whether s is a horizontal rule: three or more
// '-', '*' or '_' optionally separated by spaces.
func isThematicBreak(s string) bool {
	s = strings.ReplaceAll(s, " ", "")
	return isRule(s, '-') || isRule(s, '*') || isRule(s, '_')
}

var inlineREs = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`), "$1"},                                     // image → alt text
	{regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`), "$1"},                                      // [text](url)
	{regexp.MustCompile(`\[([^\]]+)\]\[[^\]]*\]`), "$1"},                                     // [text][ref]
	{regexp.MustCompile(`<((?:https?|mailto):[^>\s]+)>`), "$1"},                              // <https://…>
	{regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>`), ""},                     // inline HTML tags
	{regexp.MustCompile(`(\*\*|__)([^\s*_](?:.*?[^\s*_])?)(\*\*|__)`), "$2"},                 // strong
	{regexp.MustCompile(`~~([^~]+)~~`), "$1"},                                                // strikethrough
	{regexp.MustCompile(`\*([^\s*](?:[^*]*[^\s*])?)\*`), "$1"},                               // *em*
	{regexp.MustCompile(`(^|[^\pL\pN_])_([^\s_](?:[^_]*[^\s_])?)_($|[^\pL\pN_])`), "$1$2$3"}, // _em_
}

var escapeRE = regexp.MustCompile(`\\([\\` + "`" + `*_{}\[\]()#+\-.!|>~])`)

// stripInline reduces inline Markdown to its text: links and images keep
// their text, emphasis markers and inline HTML tags go, inline code spans
// keep their content verbatim.
func stripInline(s string) string {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unmatched backtick is literal
		parts[len(parts)-2] += "`" + parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	for i := 0; i < len(parts); i += 2 {
		p := parts[i]
		for _, r := range inlineREs {
			p = r.re.ReplaceAllString(p, r.repl)
		}
		parts[i] = escapeRE.ReplaceAllString(p, "$1")
	}
	return strings.Join(parts, "")
}

// frontMatter splits front matter from the start of a Markdown document:
// YAML-style ("---" lines around "key: value" lines) or Hugo's TOML ("+++"
// lines around "key = value" lines). It returns the fields it sets and the
// rest of the text. An author list, [A, B] ("authors" as well as
// "author"), becomes "A, B".
func frontMatter(s string) (Article, string) {
	var a Article
	rest := strings.TrimLeft(s, "\n\uFEFF")
	fence, sep := "---", ":"
	if strings.HasPrefix(rest, "+++\n") {
		fence, sep = "+++", "="
	}
	if !strings.HasPrefix(rest, fence+"\n") {
		return a, s
	}
	end := strings.Index(rest[4:], "\n"+fence)
	if end < 0 {
		return a, s
	}
	fm := rest[4 : 4+end]
	body := rest[4+end+4:]
	if i := strings.IndexByte(body, '\n'); i >= 0 {
		body = body[i+1:]
	} else {
		body = ""
	}
	for _, line := range strings.Split(fm, "\n") {
		key, val, ok := strings.Cut(line, sep)
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		if key == "author" || key == "authors" {
			key, val = "author", listText(val)
		}
		if val == "" {
			continue
		}
		setMeta(&a, key, val)
	}
	return a, body
}

// listText turns a one-line YAML or TOML list ("[A, 'B']") into "A, B";
// any other value is returned as it is.
func listText(val string) string {
	inner, ok := strings.CutPrefix(val, "[")
	if ok {
		inner, ok = strings.CutSuffix(inner, "]")
	}
	if !ok {
		return val
	}
	var items []string
	for _, it := range strings.Split(inner, ",") {
		if it = strings.Trim(strings.TrimSpace(it), `"'`); it != "" {
			items = append(items, it)
		}
	}
	return strings.Join(items, ", ")
}
