package discord

import "regexp"

// tokenInURL matches the secret part of Discord's webhook and interaction
// URLs: the token after /webhooks/<application ID>/ and
// /interactions/<interaction ID>/.
var tokenInURL = regexp.MustCompile(`(/(?:webhooks|interactions)/\d+/)[^/\s"?#]+`)

// redact returns err's text with webhook and interaction tokens replaced,
// for logging the errors of Discord REST calls: on a network error
// discordgo returns the *url.Error of net/http, whose text holds the
// request's URL and so the token, which lets anyone answer or edit as the
// bot for that interaction. It returns "" for nil.
func redact(err error) string {
	if err == nil {
		return ""
	}
	return redactText(err.Error())
}

// redactText returns s with webhook and interaction tokens replaced.
func redactText(s string) string {
	return tokenInURL.ReplaceAllString(s, "${1}<redacted>")
}
