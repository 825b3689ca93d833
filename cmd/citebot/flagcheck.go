package main

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/citebot/citebot/ingest"
	"github.com/citebot/citebot/retrieval"
)

// Bounds of the numeric flags: a passage of more words than an embedding
// model reads is of no use, nor is a vector of more dimensions than any
// model makes.
const (
	maxChunkWords      = 5000
	maxOverlap         = 100
	maxEmbedDimensions = 65536
)

// boundedInt is an int flag refused, as a usage error naming the flag,
// outside [min, max]; left unset, it keeps its zero ("the default").
type boundedInt struct {
	p        *int
	min, max int
}

func (b boundedInt) String() string {
	if b.p == nil {
		return "0"
	}
	return strconv.Itoa(*b.p)
}

func (b boundedInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < b.min || n > b.max {
		return fmt.Errorf("want a whole number from %d to %d", b.min, b.max)
	}
	*b.p = n
	return nil
}

// intFlag defines an int flag of fs bounded to [min, max].
func intFlag(fs *flag.FlagSet, p *int, name string, min, max int, usage string) {
	fs.Var(boundedInt{p: p, min: min, max: max}, name, usage)
}

// check refuses flag values that are wrong together, or that need more
// than a number's bounds: a scope that is not "shared" or a Discord
// server's, a passage limit below the passage target.
func (c *common) check() error {
	if c.hasScope {
		if err := retrieval.CheckScope(c.scope); err != nil {
			return usageError(`invalid --scope %q: %v`, clip(c.scope), err)
		}
	}
	target := c.chunking.TargetWords
	if target == 0 {
		target = ingest.DefaultTargetWords
	}
	if m := c.chunking.MaxWords; m != 0 && m < target {
		return usageError("--chunk-max-words %d is below the passage target (--chunk-words %d): passages could not reach it", m, target)
	}
	return nil
}
