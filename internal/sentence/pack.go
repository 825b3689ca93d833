package sentence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// The packed model is one file: packMagic, then the vocabulary (count,
// then each piece and its score), then the weights (count, then each
// weight's name, kind, shape and values). Large float matrices are kept
// as int8 with one float32 scale per row (a quarter of the size; the
// vectors keep a cosine above 0.999 to the original's), the rest as is.
const packMagic = "citebot sentence model 1\n"

const (
	kindFloat32 byte = iota
	kindInt32
	kindInt8Rows
)

// quantizeAbove is the size from which float matrices are stored as int8.
const quantizeAbove = 1 << 16

// Pack converts a TensorFlow.js model (model.json, its weight data
// concatenated, vocab.json's pieces and scores) into the packed form.
func Pack(modelJSON, data []byte, pieces []string, scores []float32) ([]byte, error) {
	ws, err := readWeights(modelJSON, data)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(packMagic)
	putUvarint(&b, uint64(len(pieces)))
	for i, p := range pieces {
		putString(&b, p)
		putFloat(&b, scores[i])
	}
	names := make([]string, 0, len(ws))
	for n := range ws {
		names = append(names, n)
	}
	slices.Sort(names)
	putUvarint(&b, uint64(len(names)))
	for _, n := range names {
		t := ws[n]
		putString(&b, n)
		kind := kindFloat32
		switch {
		case t.i != nil:
			kind = kindInt32
		case len(t.f) >= quantizeAbove && len(t.shape) >= 2:
			kind = kindInt8Rows
		}
		b.WriteByte(kind)
		putUvarint(&b, uint64(len(t.shape)))
		for _, d := range t.shape {
			putUvarint(&b, uint64(d))
		}
		switch kind {
		case kindInt32:
			for _, v := range t.i {
				binary.Write(&b, binary.LittleEndian, v)
			}
		case kindFloat32:
			for _, v := range t.f {
				putFloat(&b, v)
			}
		case kindInt8Rows:
			cols := t.shape[len(t.shape)-1]
			for r := 0; r < len(t.f); r += cols {
				row := t.f[r : r+cols]
				var m float32
				for _, v := range row {
					m = max(m, float32(math.Abs(float64(v))))
				}
				scale := m / 127
				putFloat(&b, scale)
				for _, v := range row {
					q := 0.0
					if scale > 0 {
						q = math.Round(float64(v / scale))
					}
					b.WriteByte(byte(int8(q)))
				}
			}
		}
	}
	return b.Bytes(), nil
}

// unpack reads the packed form back into weights and vocabulary.
func unpack(p []byte) (map[string]tensor, []string, []float32, error) {
	r := &reader{b: p}
	if !bytes.HasPrefix(p, []byte(packMagic)) {
		return nil, nil, nil, errors.New("not a packed sentence model")
	}
	r.off = len(packMagic)
	n := r.count(len(p))
	pieces := make([]string, n)
	scores := make([]float32, n)
	for i := range n {
		pieces[i] = r.str()
		scores[i] = r.float()
	}
	nw := r.count(len(p))
	ws := make(map[string]tensor, nw)
	for range nw {
		name := r.str()
		kind := r.byte()
		t := tensor{shape: make([]int, r.count(8))}
		size := 1
		for j := range t.shape {
			t.shape[j] = r.count(len(p))
			// Checked at each step: the product of a damaged file's
			// dimensions could overflow.
			if size *= t.shape[j]; r.err == nil && size > len(p) {
				r.err = fmt.Errorf("weight %s: more values than the file's %d bytes", name, len(p))
			}
		}
		if r.err != nil {
			break
		}
		switch kind {
		case kindInt32:
			t.i = make([]int32, size)
			for k := range t.i {
				t.i[k] = int32(r.uint32())
			}
		case kindFloat32:
			t.f = make([]float32, size)
			for k := range t.f {
				t.f[k] = r.float()
			}
		case kindInt8Rows:
			if len(t.shape) == 0 || t.shape[len(t.shape)-1] == 0 {
				r.err = fmt.Errorf("weight %s: int8 rows of shape %v", name, t.shape)
				break
			}
			t.f = make([]float32, size)
			cols := t.shape[len(t.shape)-1]
			for row := 0; row < size && r.err == nil; row += cols {
				scale := r.float()
				q := r.take(cols)
				for k, v := range q {
					t.f[row+k] = float32(int8(v)) * scale
				}
			}
		default:
			r.err = fmt.Errorf("weight %s: unknown kind %d", name, kind)
		}
		ws[name] = t
	}
	if r.err == nil && r.off != len(p) {
		r.err = fmt.Errorf("%d bytes after the last weight", len(p)-r.off)
	}
	if r.err != nil {
		return nil, nil, nil, fmt.Errorf("read packed sentence model: %w", r.err)
	}
	return ws, pieces, scores, nil
}

func putUvarint(b *bytes.Buffer, v uint64) { b.Write(binary.AppendUvarint(nil, v)) }
func putString(b *bytes.Buffer, s string)  { putUvarint(b, uint64(len(s))); b.WriteString(s) }
func putFloat(b *bytes.Buffer, f float32) {
	b.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(f)))
}

// reader reads the packed form, keeping the first error.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || r.off+n > len(r.b) {
		r.err = fmt.Errorf("truncated at byte %d", r.off)
		return nil
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out
}

// count reads a uvarint that must not exceed limit.
func (r *reader) count(limit int) int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 || v > uint64(limit) {
		r.err = fmt.Errorf("bad count at byte %d", r.off)
		return 0
	}
	r.off += n
	return int(v)
}

func (r *reader) str() string { return string(r.take(r.count(len(r.b)))) }

func (r *reader) byte() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) uint32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) float() float32 { return math.Float32frombits(r.uint32()) }
