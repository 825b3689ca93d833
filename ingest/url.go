package ingest

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"unicode"

	"golang.org/x/net/publicsuffix"
)

// ErrDisguisedURL: the login-name part of a URL ("www.bbc.co.uk@" in
// http://www.bbc.co.uk@example.net/news) looks like a site, so the link
// would be read as going to a site it does not go to.
var ErrDisguisedURL = errors.New("the part before @ looks like another site")

// disguisedUserinfo reports whether u's userinfo looks like a host name or
// address: a user name or password with a dot, slash or bracket in it.
// Ordinary logins ("reporter:hunter2") have none.
func disguisedUserinfo(u *url.URL) bool {
	if u.User == nil {
		return false
	}
	pass, _ := u.User.Password()
	return strings.ContainsAny(u.User.Username()+pass, "./[]\\")
}

// trackingParams are query parameters that only say where a click came
// from; utm_* is matched as a prefix. Keys compare case-insensitively.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "gclsrc": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "twclid": true, "ttclid": true, "li_fat_id": true, "igshid": true,
	"mc_eid": true, "mc_cid": true, "_hsenc": true, "_hsmi": true, "mkt_tok": true, "vero_id": true,
	"oly_enc_id": true, "oly_anon_id": true, "_ga": true, "_gl": true, "ref_src": true,
}

func isTrackingParam(key string) bool {
	key = strings.ToLower(key)
	return strings.HasPrefix(key, "utm_") || trackingParams[key]
}

// cleanURL is the form of an address that is stored, shown and hashed into
// an article's ID: without login details (user name and password), without
// a #fragment, and without tracking parameters (utm_*, fbclid, gclid,
// mc_eid, ...), the other parameters kept in their order and encoding, so
// that the same page reached through differently tagged links is one
// article. Strings that do not parse are returned unchanged.
func cleanURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return cleanParsedURL(u)
}

func cleanParsedURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.Fragment, c.RawFragment = "", ""
	if c.RawQuery != "" {
		var keep []string
		for _, pair := range strings.Split(c.RawQuery, "&") {
			key, _, _ := strings.Cut(pair, "=")
			if k, err := url.QueryUnescape(key); err == nil {
				key = k
			}
			if pair != "" && !isTrackingParam(key) {
				keep = append(keep, pair)
			}
		}
		c.RawQuery = strings.Join(keep, "&")
	}
	c.ForceQuery = false
	return c.String()
}

// sameSite reports whether two host names belong to one site: the same
// registrable domain by the public-suffix list (news.example.org and
// www.example.org do; a.github.io and b.github.io do not). IP addresses
// only match themselves: 127.0.0.1 and 10.20.0.1 are not one site.
func sameSite(a, b string) bool {
	a = strings.TrimSuffix(strings.ToLower(a), ".")
	b = strings.TrimSuffix(strings.ToLower(b), ".")
	ipA, errA := netip.ParseAddr(a)
	ipB, errB := netip.ParseAddr(b)
	if errA == nil || errB == nil {
		return errA == nil && errB == nil && ipA.WithZone("").Unmap() == ipB.WithZone("").Unmap()
	}
	if a == b {
		return a != ""
	}
	ra, err1 := publicsuffix.EffectiveTLDPlusOne(a)
	rb, err2 := publicsuffix.EffectiveTLDPlusOne(b)
	return err1 == nil && err2 == nil && ra == rb
}

// cleanLabel is cleanParagraph for one-line labels (titles, outlets,
// authors) that are shown as headings and links: it also drops Unicode
// format characters (category Cf): bidirectional overrides and isolates
// such as U+202E, which would show text reversed, zero-width spaces and
// joiners, soft hyphens and tag characters, which hide or disguise text.
func cleanLabel(s string) string {
	return cleanParagraph(strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD")))
}

// cleanLabels applies cleanLabel to a's title, outlet and author, and
// cleanURL to its URL.
func cleanLabels(a *Article) {
	a.Title = cleanLabel(a.Title)
	a.Source = cleanLabel(a.Source)
	a.Author = cleanLabel(a.Author)
	a.URL = cleanURL(a.URL)
}
