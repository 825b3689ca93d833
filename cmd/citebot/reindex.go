package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// reindexProgressEvery is how often citebot reindex says how far it got.
const reindexProgressEvery = 2 * time.Second

// reindexProgress prints citebot reindex's progress on standard error: at
// the start, at most every reindexProgressEvery, and at the end.
type reindexProgress struct {
	w           io.Writer
	now         func() time.Time
	last        time.Time
	done, total int
}

func newReindexProgress(w io.Writer) *reindexProgress {
	return &reindexProgress{w: w, now: time.Now}
}

// report is retrieval.ReindexOptions.Progress.
func (p *reindexProgress) report(done, total int) {
	first := p.last.IsZero()
	p.done, p.total = done, total
	if !first && done < total && p.now().Sub(p.last) < reindexProgressEvery {
		return
	}
	p.last = p.now()
	fmt.Fprintf(p.w, "reindex: %d of %d passages re-embedded\n", done, total)
}

// failed turns Reindex's error into the command's: an interruption
// (SIGINT or SIGTERM ends ctx) says how far it got and that a rerun
// continues from there.
func (p *reindexProgress) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return fmt.Errorf("interrupted after %d of %d passages; the store still uses its old embeddings. "+
			"Run `citebot reindex` again with the same settings to continue", p.done, p.total)
	}
	return err
}
