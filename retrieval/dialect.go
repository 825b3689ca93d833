package retrieval

import (
	"strconv"
	"strings"
)

// The store's SQL is written once, for SQLite, in the subset that
// PostgreSQL also runs: ? placeholders (?N numbered), ON CONFLICT upserts,
// RETURNING instead of LastInsertId, no PRAGMA outside storefile.go. On
// PostgreSQL every statement passes through rebind (postgres_driver.go),
// so the code that runs SQL is shared by both backends.

// rebind rewrites the ? and ?N placeholders of query into PostgreSQL's
// $N, leaving string literals, quoted identifiers and comments alone.
func rebind(query string) string {
	if strings.IndexByte(query, '?') < 0 {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(query) {
				if query[j] == c {
					if j+1 < len(query) && query[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(query))
			b.WriteString(query[i:end])
			i = end - 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(query[i+1 : j])
			} else {
				n++
				b.WriteString(strconv.Itoa(n))
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
