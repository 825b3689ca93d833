package discord

// What people read: refusals and reports in plain sentences, sizes in
// units people use, names from outside shown as text.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// TestIngestFileRefusalsReadAsText sends files /ingest refuses and checks
// the report word for word.
func TestIngestFileRefusalsReadAsText(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{}) // the default limit, 8 MiB
	small := h.fake.AddFile("notes.txt", []byte("Notes\n\nThe harbour bridge reopened on Monday."))
	big := h.fake.AddFile("big.txt", []byte(strings.Repeat("x", 9<<20)))
	for n, tt := range []struct {
		name, url, filename string
		size                int
		want                string // the report contains it
	}{
		{name: "too large", url: small, filename: "notes.txt", size: 9 << 20, want: "(9 MiB; the limit is 8 MiB)"},
		{name: "a little too large", url: small, filename: "notes.txt", size: 8<<20 + 1, want: "(8,388,609 bytes; the limit is 8,388,608 bytes)"},
		{name: "larger than it said", url: big, filename: "big.txt", size: 10, want: "(the limit is 8 MiB)"},
	} {
		att := &discordgo.MessageAttachment{ID: fmt.Sprint("att", n), URL: tt.url, Filename: tt.filename, Size: tt.size}
		i := h.interact(ingestFile("g1", manager("m1"), att))
		if got := body(t, h.wait(editsOf(i))).Content; !strings.Contains(got, tt.want) {
			t.Errorf("%s: report %q, want it to contain %q", tt.name, got, tt.want)
		}
	}
}

func TestByteSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{
		0: "0 bytes", 1: "1 byte", 1000: "1,000 bytes", 1023: "1,023 bytes", 1024: "1 KiB", 1536: "1.5 KiB",
		5000: "4.9 KiB", 8 << 20: "8 MiB", 9437184: "9 MiB", 10<<20 + 1<<19: "10.5 MiB", 3 << 30: "3 GiB",
	} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}
