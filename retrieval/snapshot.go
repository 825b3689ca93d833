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
	"io"
	"math"
	"os"
	"path/filepath"
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
const snapshotMagic = "citeidx\x01"

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

// writeSnapshot writes x to path atomically under s.mu shared (commits
// wait; searches go on) and returns the generation it holds and its
// token; "" when x is no longer its scope's index or is saved already.
func (s *Store) writeSnapshot(x *scopeIndex, path string) (int64, string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || s.loaded[x.name] != x || x.saved {
		return 0, "", nil
	}
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
	w.u64(uint64(x.gen))
	w.str(x.name)
	w.str(s.emb.Name())
	encodeScope(w, x)
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
	return x.gen, fmt.Sprintf("%x-%08x", nonce[:], sum), nil
}

// encodeScope writes the vectors and the lexical index of x, leaving out
// removed documents.
func encodeScope(w *snapWriter, x *scopeIndex) {
	v := x.vec
	w.u32(uint32(v.dims))
	w.u32(uint32(len(v.vecs)))
	ids := make([]int64, 0, len(v.vecs))
	for id := range v.vecs {
		ids = append(ids, id)
		w.u64(uint64(id))
	}
	buf := make([]byte, 4*v.dims)
	for _, id := range ids {
		for i, f := range v.vecs[id] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(f))
		}
		w.write(buf)
	}
	l := x.lex
	renum := make([]uint32, len(l.ids))
	w.u32(uint32(l.docs))
	n := uint32(0)
	for i, id := range l.ids {
		if id >= 0 {
			renum[i] = n
			n++
			w.u64(uint64(id))
		}
	}
	for i, id := range l.ids {
		if id >= 0 {
			w.u32(l.lens[i])
		}
	}
	live := func(ps []posting) int {
		k := 0
		for _, p := range ps {
			if l.ids[p.doc] >= 0 {
				k++
			}
		}
		return k
	}
	var total uint64
	terms := 0
	for _, num := range l.term {
		if k := live(l.post[num]); k > 0 {
			total += uint64(k)
			terms++
		}
	}
	w.u64(total)
	w.u32(uint32(terms))
	var pb []byte
	for t, num := range l.term {
		ps := l.post[num]
		k := live(ps)
		if k == 0 {
			continue
		}
		w.str(t)
		w.u32(uint32(k))
		pb = pb[:0]
		for _, p := range ps {
			if l.ids[p.doc] >= 0 {
				pb = binary.LittleEndian.AppendUint32(pb, renum[p.doc])
				pb = binary.LittleEndian.AppendUint16(pb, p.tf)
				pb = binary.LittleEndian.AppendUint16(pb, p.ttf)
			}
		}
		w.write(pb)
	}
}

// snapReader reads little-endian values through a checksum.
type snapReader struct {
	r   *bufio.Reader
	h   hash.Hash32
	buf []byte
	err error
}

// next returns the next n bytes (valid until the next call).
func (r *snapReader) next(n int) []byte {
	if r.err != nil {
		return nil
	}
	if cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	b := r.buf[:n]
	if _, r.err = io.ReadFull(r.r, b); r.err != nil {
		return nil
	}
	r.h.Write(b)
	return b
}

func (r *snapReader) u32() uint32 {
	if b := r.next(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *snapReader) u64() uint64 {
	if b := r.next(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// count reads a count and checks it against what the file can hold.
func (r *snapReader) count(max uint64) int {
	n := uint64(r.u32())
	if r.err == nil && n > max {
		r.err = fmt.Errorf("count %d over %d", n, max)
	}
	return int(n)
}

func (r *snapReader) str() string {
	return string(r.next(r.count(1 << 20)))
}

// readSnapshot reads the snapshot of scope, which the store names by
// token for generation gen.
func (s *Store) readSnapshot(scope string, gen int64, token string) (*scopeIndex, error) {
	path := filepath.Join(s.snapDir, snapshotName(scope))
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := uint64(info.Size())
	r := &snapReader{r: bufio.NewReaderSize(f, 1<<20), h: crc32.New(castagnoli)}
	fail := func(err error) (*scopeIndex, error) { return nil, fmt.Errorf("index snapshot %s: %w", path, err) }
	if string(r.next(len(snapshotMagic))) != snapshotMagic {
		return fail(cmpErr(r.err, "not a citebot index snapshot"))
	}
	nonce := fmt.Sprintf("%x", r.next(8))
	fileGen, fileScope, emb := int64(r.u64()), r.str(), r.str()
	switch {
	case r.err != nil:
		return fail(r.err)
	case !strings.HasPrefix(token, nonce+"-"):
		return fail(errors.New("not the snapshot the store names (stale, or of another store)"))
	case fileGen != gen || fileScope != scope:
		return fail(fmt.Errorf("holds %s at generation %d, want %s at %d", fileScope, fileGen, scope, gen))
	case emb != s.emb.Name():
		return fail(fmt.Errorf("made with embedder %s, not %s", emb, s.emb.Name()))
	}
	x, err := s.decodeScope(r, scope, size)
	if err != nil {
		return fail(err)
	}
	sum := r.h.Sum32()
	var tail [4]byte
	if _, err := io.ReadFull(r.r, tail[:]); err != nil {
		return fail(err)
	}
	if got := binary.LittleEndian.Uint32(tail[:]); got != sum || token != fmt.Sprintf("%s-%08x", nonce, sum) {
		return fail(fmt.Errorf("checksum %08x, want %08x (damaged)", got, sum))
	}
	if n, _ := r.r.Read(tail[:1]); n != 0 {
		return fail(errors.New("bytes after the checksum (damaged)"))
	}
	x.gen, x.saved = gen, true
	return x, nil
}

func cmpErr(err error, msg string) error {
	if err != nil {
		return err
	}
	return errors.New(msg)
}

// decodeScope reads the indexes of scope from r; size (the file's) bounds
// every count, so a damaged count fails instead of allocating wildly.
func (s *Store) decodeScope(r *snapReader, scope string, size uint64) (*scopeIndex, error) {
	vec, err := newVecScope(s.emb, scope)
	if err != nil {
		return nil, err
	}
	if dims := int(r.u32()); r.err == nil && dims != vec.dims {
		return nil, fmt.Errorf("vectors of %d dimensions, want %d", dims, vec.dims)
	}
	nvec := r.count(size / uint64(8+4*vec.dims))
	ids := make([]int64, nvec)
	for i := range ids {
		ids[i] = int64(r.u64())
	}
	// One block for every vector of the scope; each is a slice of it that
	// chromem-go keeps (capped, so nothing appends into a neighbour).
	block := make([]float32, nvec*vec.dims)
	const per = 256
	for i := 0; i < nvec && r.err == nil; i += per {
		k := min(per, nvec-i)
		b := r.next(4 * vec.dims * k)
		for j := range b[:len(b)/4] {
			block[i*vec.dims+j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	for i, id := range ids {
		v := block[i*vec.dims : (i+1)*vec.dims : (i+1)*vec.dims]
		if err := vec.put(context.Background(), id, v); err != nil {
			return nil, err
		}
	}
	lex := newLexScope()
	ndoc := r.count(size / 12)
	lex.ids = make([]int64, ndoc)
	for i := range lex.ids {
		lex.ids[i] = int64(r.u64())
	}
	lex.lens = make([]uint32, ndoc)
	lex.local = make(map[int64]uint32, ndoc)
	for i := range lex.lens {
		lex.lens[i] = r.u32()
		lex.words += int64(lex.lens[i])
		lex.local[lex.ids[i]] = uint32(i)
	}
	lex.docs = ndoc
	total := r.u64()
	if r.err == nil && total > size/8 {
		return nil, fmt.Errorf("%d postings in %d bytes", total, size)
	}
	all := make([]posting, total)
	nterm := r.count(size / 9)
	lex.df = make([]int32, 0, nterm)
	lex.post = make([][]posting, 0, nterm)
	for range nterm {
		t := r.str()
		k := r.count(uint64(ndoc))
		if r.err != nil {
			return nil, r.err
		}
		if k > len(all) {
			return nil, fmt.Errorf("term %q: %d postings, %d left", t, k, len(all))
		}
		if _, dup := lex.term[t]; dup {
			return nil, fmt.Errorf("term %q twice", t)
		}
		ps := all[:k:k]
		all = all[k:]
		b := r.next(8 * k)
		if r.err != nil {
			return nil, r.err
		}
		for j := range ps {
			p := posting{doc: binary.LittleEndian.Uint32(b[8*j:]), tf: binary.LittleEndian.Uint16(b[8*j+4:]), ttf: binary.LittleEndian.Uint16(b[8*j+6:])}
			if int(p.doc) >= ndoc {
				return nil, fmt.Errorf("term %q: posting of document %d of %d", t, p.doc, ndoc)
			}
			ps[j] = p
		}
		lex.term[t] = int32(len(lex.df))
		lex.df = append(lex.df, int32(k))
		lex.post = append(lex.post, ps)
	}
	if r.err != nil {
		return nil, r.err
	}
	return &scopeIndex{name: scope, lex: lex, vec: vec}, nil
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
