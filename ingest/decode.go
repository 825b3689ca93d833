package ingest

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// decode turns raw bytes into text with "\n" line breaks, or explains why
// there is no text. Bytes that are neither UTF-8 nor mostly UTF-8 but read
// as 8-bit text (see legacyText) are decoded as windows-1252, what Windows
// Notepad saves as "ANSI" in Western Europe and the Americas.
func decode(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		data = decodeUTF16(data)
	default:
		if !utf8.Valid(data) && !mostlyUTF8(data) && legacyText(data) {
			if out, err := charmap.Windows1252.NewDecoder().Bytes(data); err == nil {
				data = out
			}
		}
	}
	if looksBinary(data) {
		return "", fmt.Errorf("binary data: %w", ErrEmpty)
	}
	s := strings.ToValidUTF8(string(data), "\uFFFD")
	s = lineBreaks.Replace(s)
	if strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }) == "" {
		return "", ErrEmpty
	}
	return s, nil
}

var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\u0085", "\n")

// mostlyUTF8 reports whether data, which is not valid UTF-8, has more
// valid multi-byte UTF-8 characters than invalid bytes: text in a legacy
// 8-bit charset almost never forms a valid multi-byte sequence.
func mostlyUTF8(data []byte) bool {
	multi, bad := 0, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			bad++
		case size > 1:
			multi++
		}
		i += size
	}
	return multi > bad
}

// legacyText reports whether data, not UTF-8, looks like text in an 8-bit
// charset: no NUL byte, and bytes over 0x7F (accented letters, curly
// quotes) are at most a third of the bytes that are not white space.
func legacyText(data []byte) bool {
	if len(data) > 1<<20 {
		data = data[:1<<20]
	}
	high, visible := 0, 0
	for _, c := range data {
		switch {
		case c == 0:
			return false
		case c >= 0x80:
			high++
		}
		if c > ' ' {
			visible++
		}
	}
	return high*3 <= visible
}

// decodeUTF16 decodes data that starts with a UTF-16 byte order mark.
func decodeUTF16(data []byte) []byte {
	big := data[0] == 0xFE
	data = data[2:]
	u := make([]uint16, len(data)/2)
	for i := range u {
		if big {
			u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			u[i] = uint16(data[2*i+1])<<8 | uint16(data[2*i])
		}
	}
	return []byte(string(utf16.Decode(u)))
}

// looksBinary reports whether data (judged by its first MiB) is not text:
// it has a NUL byte, or more than a tenth of its characters are control
// characters or invalid UTF-8.
func looksBinary(data []byte) bool {
	if len(data) > 1<<20 {
		data = data[:1<<20]
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return true
	}
	total, bad := 0, 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		total++
		if (r == utf8.RuneError && size == 1) || (isControl(r) && !unicode.IsSpace(r)) {
			bad++
		}
		i += size
	}
	// Tolerate a cut-off multi-byte character at the end of the sample.
	return total > 0 && bad*10 > total+3
}

func isControl(r rune) bool { return r < 0x20 || (r >= 0x7F && r < 0xA0) }

// cleanParagraph folds white space runs into one space, drops control
// characters and trims.
func cleanParagraph(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case isControl(r), r == '\uFEFF':
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
