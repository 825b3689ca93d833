package retrieval

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// A snapshot holds what one scope's indexes are made of, in the form they
// are used, so the scope loads at disk speed: one contiguous block of
// normalised float32 vectors, and the lexical index's terms, postings and
// lengths. It is derived data: the chunks stay the only source of truth.
//
// It is written (temporary file, fsync, rename, fsync of the directory)
// after a scope was built from its chunks and at Close for the loaded
// scopes that changed since; then its token (a random nonce and the
// checksum) is recorded in scope_generations for the generation it holds,
// unless the scope moved on meanwhile. A commit to the scope clears the
// token in its own transaction. A snapshot is read only when the store
// names it for the scope's current generation and its checksum, scope,
// generation and embedder agree, so a crash between a commit and a
// snapshot, a restored back-up, another history or a damaged file can
// never serve a stale index: any of those is rebuilt from the chunks.
//
// Layout, little-endian: magic; nonce u64; generation i64; scope,
// embedder name (u32 length + bytes); dimensions u32; vector count u32,
// their chunk IDs (i64), their floats; document count u32, their chunk
// IDs (i64) and lengths in words (u32); total postings u64; term count
// u32, each term (u32 length + bytes), its posting count u32 and postings
// (document u32, text and title frequencies u16); CRC-32C of all before.
//
// The magic's last byte is the version of the terms: 2 since text.Stem
// reads irregular forms as their base ("began" is "begin"), 3 since
// "won", "don" and "shan" are terms outside "won't", "don't" and "shan't"
// (text.ForEachTermWord: "won" is "win"). A snapshot of
// an earlier version holds terms this build no longer makes; it is
// rebuilt from the chunks like a stale one (errSnapshotVersion).
const (
	snapshotMagic = "citeidx\x03"
)

// snapshotMagicsBefore are the magics of the earlier versions of the terms.
var snapshotMagicsBefore = []string{
	"citeidx\x01", // the terms of Porter's stemmer alone
	"citeidx\x02", // before "won", "don" and "shan" were terms
}

// errSnapshotVersion is why a snapshot of an earlier version of the terms
// is not read: the scope is built from its chunks, once, and a new
// snapshot written.
var errSnapshotVersion = errors.New("made by an earlier citebot, whose index terms differ")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// snapshotName is the file name of scope's snapshot: letters, digits,
// '-' and '_' as they are, every other byte as %XX (one name per scope).
func snapshotName(scope string) string {
	var b strings.Builder
	for i := 0; i < len(scope); i++ {
		c := scope[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String() + ".idx"
}

// snapWriter writes little-endian values through a checksum.
type snapWriter struct {
	w   *bufio.Writer
	h   hash.Hash32
	buf [8]byte
	err error
}

func (w *snapWriter) write(p []byte) {
	if w.err != nil {
		return
	}
	w.h.Write(p)
	_, w.err = w.w.Write(p)
}

func (w *snapWriter) u32(v uint32) { binary.LittleEndian.PutUint32(w.buf[:4], v); w.write(w.buf[:4]) }
func (w *snapWriter) u64(v uint64) { binary.LittleEndian.PutUint64(w.buf[:8], v); w.write(w.buf[:8]) }
func (w *snapWriter) str(s string) { w.u32(uint32(len(s))); w.write([]byte(s)) }

// saveSnapshot writes the snapshot of x, if it is still the loaded index
// of its scope, and records it. Failures are logged: the scope is then
// built from its chunks at its next load.
func (s *Store) saveSnapshot(x *scopeIndex) {
	if s.snapDir == "" {
		return
	}
	start := time.Now()
	path := filepath.Join(s.snapDir, snapshotName(x.name))
	gen, token, err := s.writeSnapshot(x, path)
	if err == nil && token == "" {
		return // replaced or saved meanwhile
	}
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = recordSnapshot(ctx, s.db, x.name, gen, token)
		cancel()
	}
	if err != nil {
		s.log.Warn("index snapshot not written; the scope is built from the store at its next load", "scope", x.name, "file", path, "err", err)
		return
	}
	s.mu.Lock()
	if x.gen == gen {
		x.saved = true
	}
	s.mu.Unlock()
	s.log.Debug("index snapshot written", "scope", x.name, "file", path, "generation", gen, "took", time.Since(start))
}

// writeSnapshot writes x to path atomically and returns the generation it
// holds and its token; "" when x is no longer its scope's index or is
// saved already. Only taking its image holds s.mu (shared, a moment):
// neither commits nor searches wait for the disk.
func (s *Store) writeSnapshot(x *scopeIndex, path string) (int64, string, error) {
	s.mu.RLock()
	if s.closed || s.loaded[x.name] != x || x.saved {
		s.mu.RUnlock()
		return 0, "", nil
	}
	img := imageOf(x)
	s.mu.RUnlock()
	if err := os.MkdirAll(s.snapDir, 0o700); err != nil {
		return 0, "", err
	}
	f, err := os.CreateTemp(s.snapDir, snapshotName(x.name)+".tmp-*")
	if err != nil {
		return 0, "", err
	}
	defer os.Remove(f.Name()) // gone once renamed
	defer f.Close()
	var nonce [8]byte
	rand.Read(nonce[:])
	w := &snapWriter{w: bufio.NewWriterSize(f, 1<<20), h: crc32.New(castagnoli)}
	w.write([]byte(snapshotMagic))
	w.write(nonce[:])
	w.u64(uint64(img.gen))
	w.str(x.name)
	w.str(s.emb.Name())
	img.encode(w)
	sum := w.h.Sum32()
	binary.LittleEndian.PutUint32(w.buf[:4], sum)
	if w.err == nil {
		_, w.err = w.w.Write(w.buf[:4])
	}
	if w.err == nil {
		w.err = w.w.Flush()
	}
	if err := errors.Join(w.err, f.Sync(), f.Close()); err != nil {
		return 0, "", err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return 0, "", err
	}
	if err := syncDir(s.snapDir); err != nil {
		return 0, "", err
	}
	return img.gen, fmt.Sprintf("%x-%08x", nonce[:], sum), nil
}

// scopeImage is a scope's indexes at one generation, taken under s.mu
// in a moment: copies of what commits change in place (the document IDs,
// the term dictionary), and the rest as slices up to their length then —
// commits only append past it, and never write a vector, a length or
// a posting in place (lexScope.compact makes new slices).
type scopeImage struct {
	gen    int64
	dims   int
	vecIDs []int64
	vecs   [][]float32
	ids    []int64 // -1: removed
	lens   []uint32
	terms  []string
	posts  [][]posting
	// mem holds the blocks vecs lie in until the image is written.
	mem *vectorMemory
}

// imageOf takes the image of x. Callers hold s.mu.
func imageOf(x *scopeIndex) *scopeImage {
	img := &scopeImage{gen: x.gen, dims: x.vec.dims, ids: slices.Clone(x.lex.ids), lens: x.lex.lens[:len(x.lex.lens):len(x.lex.lens)], mem: x.vec.mem}
	x.vec.mu.RLock()
	for id, v := range x.vec.vecs {
		img.vecIDs, img.vecs = append(img.vecIDs, id), append(img.vecs, v)
	}
	x.vec.mu.RUnlock()
	for t, num := range x.lex.term {
		if ps := x.lex.post[num]; len(ps) > 0 {
			img.terms, img.posts = append(img.terms, t), append(img.posts, ps[:len(ps):len(ps)])
		}
	}
	return img
}

// encode writes the vectors and the lexical index of img, leaving out
// removed documents.
func (img *scopeImage) encode(w *snapWriter) {
	w.u32(uint32(img.dims))
	w.u32(uint32(len(img.vecIDs)))
	for _, id := range img.vecIDs {
		w.u64(uint64(id))
	}
	buf := make([]byte, 4*img.dims)
	for _, v := range img.vecs {
		for i, f := range v {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(f))
		}
		w.write(buf)
	}
	runtime.KeepAlive(img.mem) // the vectors were read from its blocks
	renum := make([]uint32, len(img.ids))
	live := uint32(0)
	for i, id := range img.ids {
		if id >= 0 {
			renum[i] = live
			live++
		}
	}
	w.u32(live)
	for _, id := range img.ids {
		if id >= 0 {
			w.u64(uint64(id))
		}
	}
	for i, id := range img.ids {
		if id >= 0 {
			w.u32(img.lens[i])
		}
	}
	alive := func(ps []posting) int {
		k := 0
		for _, p := range ps {
			if img.ids[p.doc] >= 0 {
				k++
			}
		}
		return k
	}
	var total uint64
	terms := 0
	for _, ps := range img.posts {
		if k := alive(ps); k > 0 {
			total += uint64(k)
			terms++
		}
	}
	w.u64(total)
	w.u32(uint32(terms))
	var pb []byte
	for i, ps := range img.posts {
		k := alive(ps)
		if k == 0 {
			continue
		}
		w.str(img.terms[i])
		w.u32(uint32(k))
		pb = pb[:0]
		for _, p := range ps {
			if img.ids[p.doc] >= 0 {
				pb = binary.LittleEndian.AppendUint32(pb, renum[p.doc])
				pb = binary.LittleEndian.AppendUint16(pb, p.tf)
				pb = binary.LittleEndian.AppendUint16(pb, p.ttf)
			}
		}
		w.write(pb)
	}
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
