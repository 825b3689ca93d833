package discord

import "strings"

// plainLinks shows the links an answer's text carries as text. The text
// quotes the articles, and an article may hold a masked link
// ("[Official notice](https://evil.example/login)") or a bare URL that
// Discord would make clickable under the bot's name. Outside code blocks
// (where Discord links nothing) it escapes every "](" — a masked link
// cannot form without it, so Discord shows the brackets — and every ":/"
// ("https:\//…"): Discord shows "https://…" but makes a link of it
// neither bare, nor between angle brackets, nor in a masked link. The
// bot's own links, in the Sources embed, are not text and stay links.
func plainLinks(text string) string {
	var b strings.Builder
	last := 0
	for _, blk := range codeBlocks(text) {
		b.WriteString(unlink.Replace(text[last:blk.start]))
		b.WriteString(text[blk.start:blk.end])
		last = blk.end
	}
	b.WriteString(unlink.Replace(text[last:]))
	return b.String()
}

// unlink neutralises the links of text outside code blocks.
var unlink = strings.NewReplacer("](", `\]\(`, ":/", `:\/`)

// plainText shows s, text from outside (a file's name, say), as it is,
// on one line: Markdown escaped, links and mentions neutralised.
func plainText(s string) string {
	return unmention.Replace(unlink.Replace(escapeMarkdown(s)))
}

// unmention keeps Discord from rendering mentions in text that is
// already Markdown-escaped: "<" is escaped, so a user, role or channel
// mention ("<@123>", "<@&4>", "<#5>") shows as typed, and "@everyone" and
// "@here" get a zero-width space after the "@". (Nothing the bot sends
// pings anyway: its allowed mentions are empty.)
var unmention = strings.NewReplacer("<", `\<`, "@everyone", "@\u200beveryone", "@here", "@\u200bhere")
