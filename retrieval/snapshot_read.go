package retrieval

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

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
	switch magic := string(r.next(len(snapshotMagic))); {
	case magic == snapshotMagic:
	case slices.Contains(snapshotMagicsBefore, magic):
		return fail(errSnapshotVersion)
	default:
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
	// One block for every vector of the scope (outside the heap, see
	// vectorMemory); each is a slice of it that chromem-go keeps (capped,
	// so nothing appends into a neighbour).
	block := vec.mem.alloc(nvec * vec.dims)
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
		lex.number(t, int32(len(lex.df)))
		lex.df = append(lex.df, int32(k))
		lex.post = append(lex.post, ps)
	}
	if r.err != nil {
		return nil, r.err
	}
	return &scopeIndex{name: scope, lex: lex, vec: vec}, nil
}
