package sentence

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// layer is one transformer layer's weights. Matrices are row-major
// [in][out].
type layer struct {
	in, width              int // input and attention width
	lnScale, lnBias        []float32
	qkv, qkvBias           []float32 // [in][3*width]
	out, outBias           []float32 // [width][Dims]
	residual, residualBias []float32 // [in][Dims], only when in != Dims
	scale                  float32   // the queries' scale
	heads                  int
	ffnScale, ffnBias      []float32
	ffn1, ffn1Bias         []float32 // [Dims][hidden]
	ffn2, ffn2Bias         []float32 // [hidden][Dims]
	hidden                 int
}

// Encoder turns text into unit vectors of Dims dimensions. It is safe for
// concurrent use.
type Encoder struct {
	tok        *tokenizer
	embeddings []float32 // [vocab][embedDims]
	embedDims  int
	vocab      int
	timing     []float32 // inverse timescales, embedDims/2 of them
	maxLen     int
	eps        float32
	layers     [2]layer
	tanh       []float32 // [Dims][Dims]
	tanhBias   []float32
	normFloor  float32
}

// load builds an Encoder from weights read by readWeights and the
// vocabulary's pieces and scores.
func load(ws map[string]tensor, pieces []string, scores []float32) (*Encoder, error) {
	var err error
	get := func(suffix string) tensor {
		if err != nil {
			return tensor{}
		}
		var t tensor
		t, err = pick(ws, suffix)
		return t
	}
	e := &Encoder{}
	emb := get("module/Embeddings_en")
	e.embeddings, e.vocab = emb.f, 0
	if len(emb.shape) == 2 {
		e.vocab, e.embedDims = emb.shape[0], emb.shape[1]
	}
	e.timing = get("AddTimingSignal/TimingSignal/ExpandDims_1").f
	if t := get("ClipToMaxLength/Less/y"); len(t.i) == 1 {
		e.maxLen = int(t.i[0])
	}
	if t := get("Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x"); len(t.f) == 1 {
		e.eps = t.f[0]
	}
	heads := get("Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2")
	for l := range e.layers {
		ly := &e.layers[l]
		p := fmt.Sprintf("Encode/Layer_%d/TransformerLayer/", l)
		s := fmt.Sprintf("TransformerStack/Layer_%d/TransformerLayer/", l)
		ly.lnScale = get(p + "layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat").f
		ly.lnBias = get(p + "layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat").f
		ly.in = len(ly.lnScale)
		ly.qkv = get(p + "MultiheadAttention/qkv_transform_single/kernel/part_0").f
		ly.qkvBias = get(p + "MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat").f
		ly.width = len(ly.qkvBias) / 3
		ly.out = get(p + "MultiheadAttention/output_transform_single/kernel/part_0").f
		ly.outBias = get(p + "MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat").f
		if t := get(s + "MultiheadAttention/mul/y"); len(t.f) == 1 {
			ly.scale = t.f[0]
		}
		if len(heads.i) == 1 {
			ly.heads = int(heads.i[0])
		}
		if ly.in != Dims {
			ly.residual = get(p + "dense/kernel/ConcatPartitions/concat").f
			ly.residualBias = get(p + "dense/bias/ConcatPartitions/concat").f
		}
		ly.ffnScale = get(p + "FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat").f
		ly.ffnBias = get(p + "FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat").f
		ly.ffn1 = get(s + "FFN/conv1/Tensordot/Reshape_1").f
		ly.ffn1Bias = get(p + "FFN/conv1/bias/ConcatPartitions/concat").f
		ly.hidden = len(ly.ffn1Bias)
		ly.ffn2 = get(s + "FFN/conv2/Tensordot/Reshape_1").f
		ly.ffn2Bias = get(p + "FFN/conv2/bias/ConcatPartitions/concat").f
	}
	e.tanh = get("hidden_layers/tanh_layer_0/weights").f
	e.tanhBias = get("hidden_layers/tanh_layer_0/bias").f
	if t := get("l2_normalize/Maximum/y"); len(t.f) == 1 {
		e.normFloor = t.f[0]
	}
	if err != nil {
		return nil, err
	}
	if err := e.check(); err != nil {
		return nil, err
	}
	e.tok = newTokenizer(pieces, scores)
	if len(pieces) > e.vocab {
		return nil, fmt.Errorf("vocabulary has %d pieces, embeddings %d rows", len(pieces), e.vocab)
	}
	return e, nil
}

// check verifies that every weight has the size the computation assumes.
func (e *Encoder) check() error {
	bad := func(what string, got, want int) error {
		return fmt.Errorf("sentence model: %s has %d values, want %d", what, got, want)
	}
	if len(e.embeddings) != e.vocab*e.embedDims || e.vocab == 0 {
		return bad("embeddings", len(e.embeddings), e.vocab*e.embedDims)
	}
	if 2*len(e.timing) != e.embedDims {
		return bad("timing signal", 2*len(e.timing), e.embedDims)
	}
	in := e.embedDims
	for l, ly := range e.layers {
		name := fmt.Sprintf("layer %d ", l)
		switch {
		case ly.in != in:
			return bad(name+"input", ly.in, in)
		case len(ly.lnBias) != in:
			return bad(name+"norm bias", len(ly.lnBias), in)
		case len(ly.qkv) != in*3*ly.width:
			return bad(name+"qkv", len(ly.qkv), in*3*ly.width)
		case len(ly.out) != ly.width*Dims || len(ly.outBias) != Dims:
			return bad(name+"output", len(ly.out), ly.width*Dims)
		case ly.heads <= 0 || ly.width%ly.heads != 0:
			return bad(name+"heads", ly.heads, ly.width)
		case ly.in != Dims && (len(ly.residual) != in*Dims || len(ly.residualBias) != Dims):
			return bad(name+"residual", len(ly.residual), in*Dims)
		case len(ly.ffnScale) != Dims || len(ly.ffnBias) != Dims:
			return bad(name+"FFN norm", len(ly.ffnScale), Dims)
		case len(ly.ffn1) != Dims*ly.hidden || len(ly.ffn2) != ly.hidden*Dims || len(ly.ffn2Bias) != Dims:
			return bad(name+"FFN", len(ly.ffn1), Dims*ly.hidden)
		}
		in = Dims
	}
	if len(e.tanh) != Dims*Dims || len(e.tanhBias) != Dims {
		return bad("output layer", len(e.tanh), Dims*Dims)
	}
	return nil
}

// maxTextBytes bounds the text Encode tokenizes: 128 pieces of English
// take about 700 bytes.
const maxTextBytes = 8 << 10

// Pieces returns the ids of the word pieces of text that the model reads:
// at most its first 128. Training scripts read texts through it, so that
// they see what Encode sees.
func (e *Encoder) Pieces(text string) []int32 {
	// The model reads the first maxLen pieces only. Pieces run to a few
	// characters each, so a longer text is cut first: tokenizing all of a
	// huge "sentence" (a page without punctuation) would cost time for
	// nothing.
	if len(text) > maxTextBytes {
		cut := maxTextBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	ids := e.tok.encode(text)
	if len(ids) > e.maxLen {
		ids = ids[:e.maxLen]
	}
	return ids
}

// Encode returns the unit vector of text; a text with no pieces gives the
// zero vector.
func (e *Encoder) Encode(text string) []float32 {
	ids := e.Pieces(text)
	n := len(ids)
	out := make([]float32, Dims)
	if n == 0 {
		return out
	}
	d := e.embedDims
	x := make([]float32, n*d)
	half := d / 2
	for p, id := range ids {
		row := x[p*d : (p+1)*d]
		// The graph adds the embedding to itself with the timing
		// signal (the embedding scattered, plus the embedding and
		// timing scattered again).
		for k, v := range e.embeddings[int(id)*d : (int(id)+1)*d] {
			row[k] = 2 * v
		}
		for k, inv := range e.timing {
			a := float64(float32(p) * inv)
			row[k] += float32(math.Sin(a))
			row[half+k] += float32(math.Cos(a))
		}
	}
	for l := range e.layers {
		x = e.layers[l].apply(x, n, e.eps)
	}
	pooled := make([]float32, Dims)
	for p := range n {
		for k, v := range x[p*Dims : (p+1)*Dims] {
			pooled[k] += v
		}
	}
	for k := range pooled {
		pooled[k] /= float32(n)
	}
	matmul(out, pooled, e.tanh, 1, Dims, Dims)
	var ss float32
	for k := range out {
		out[k] = float32(math.Tanh(float64(out[k] + e.tanhBias[k])))
		ss += out[k] * out[k]
	}
	inv := float32(1 / math.Sqrt(float64(max(ss, e.normFloor))))
	for k := range out {
		out[k] *= inv
	}
	return out
}

// apply runs the layer over x, n rows of ly.in values, and returns n rows
// of Dims values.
func (ly *layer) apply(x []float32, n int, eps float32) []float32 {
	w := ly.width
	normed := layerNorm(x, n, ly.in, ly.lnScale, ly.lnBias, eps)
	qkv := make([]float32, n*3*w)
	matmul(qkv, normed, ly.qkv, n, ly.in, 3*w)
	addBias(qkv, ly.qkvBias)
	att := make([]float32, n*w)
	attend(att, qkv, n, w, ly.heads, ly.scale)
	y := make([]float32, n*Dims)
	matmul(y, att, ly.out, n, w, Dims)
	addBias(y, ly.outBias)
	if ly.residual != nil {
		r := make([]float32, n*Dims)
		matmul(r, x, ly.residual, n, ly.in, Dims)
		addBias(r, ly.residualBias)
		x = r
	}
	for k := range y {
		y[k] += x[k]
	}
	normed = layerNorm(y, n, Dims, ly.ffnScale, ly.ffnBias, eps)
	hidden := make([]float32, n*ly.hidden)
	matmul(hidden, normed, ly.ffn1, n, Dims, ly.hidden)
	addBias(hidden, ly.ffn1Bias)
	for k, v := range hidden {
		hidden[k] = max(v, 0)
	}
	f := make([]float32, n*Dims)
	matmul(f, hidden, ly.ffn2, n, ly.hidden, Dims)
	addBias(f, ly.ffn2Bias)
	for k := range f {
		f[k] += y[k]
	}
	return f
}

// attend sets att (n×w) to the heads' attention over qkv (n rows of the
// queries, keys and values, w each). Like matmul, it is go:norace.
//
//go:norace
func attend(att, qkv []float32, n, w, heads int, scale float32) {
	hd := w / heads
	scores := make([]float32, n)
	for h := range heads {
		for i := range n {
			q := qkv[i*3*w+h*hd : i*3*w+h*hd+hd]
			maxS := float32(math.Inf(-1))
			for j := range n {
				k := qkv[j*3*w+w+h*hd : j*3*w+w+h*hd+hd]
				var s float32
				for c, qv := range q {
					s += qv * scale * k[c]
				}
				scores[j] = s
				maxS = max(maxS, s)
			}
			var sum float32
			for j := range n {
				scores[j] = float32(math.Exp(float64(scores[j] - maxS)))
				sum += scores[j]
			}
			o := att[i*w+h*hd : i*w+h*hd+hd]
			for j := range n {
				v := qkv[j*3*w+2*w+h*hd : j*3*w+2*w+h*hd+hd]
				a := scores[j] / sum
				for c, vv := range v {
					o[c] += a * vv
				}
			}
		}
	}
}

func layerNorm(x []float32, n, d int, scale, bias []float32, eps float32) []float32 {
	out := make([]float32, n*d)
	for r := range n {
		row := x[r*d : (r+1)*d]
		var mean float32
		for _, v := range row {
			mean += v
		}
		mean /= float32(d)
		var variance float32
		for _, v := range row {
			variance += (v - mean) * (v - mean)
		}
		variance /= float32(d)
		inv := float32(1 / math.Sqrt(float64(variance+eps)))
		o := out[r*d : (r+1)*d]
		for k, v := range row {
			o[k] = scale[k]*inv*(v-mean) + bias[k]
		}
	}
	return out
}

func addBias(x, bias []float32) {
	d := len(bias)
	for r := 0; r < len(x); r += d {
		row := x[r : r+d]
		for k := range row {
			row[k] += bias[k]
		}
	}
}

// matmul sets out (n×m) to a (n×k) times b (k×m), all row-major. Rows
// of a are taken four at a time, so that each row of b is read once for
// four rows of out: b is the large operand, and reading it is the cost.
//
// The race detector leaves it alone (go:norace): it only reads the
// weights, which nothing writes after loading, and writes memory of its
// caller's own; instrumented, it is thirty times slower, which makes every
// test that answers a question with the model crawl.
//
//go:norace
func matmul(out, a, b []float32, n, k, m int) {
	clear(out[:n*m])
	r := 0
	for ; r+4 <= n; r += 4 {
		o0 := out[r*m : (r+1)*m]
		o1 := out[(r+1)*m : (r+2)*m]
		o2 := out[(r+2)*m : (r+3)*m]
		o3 := out[(r+3)*m : (r+4)*m]
		for i := range k {
			a0, a1, a2, a3 := a[r*k+i], a[(r+1)*k+i], a[(r+2)*k+i], a[(r+3)*k+i]
			row := b[i*m : (i+1)*m]
			o0, o1, o2, o3 := o0[:len(row)], o1[:len(row)], o2[:len(row)], o3[:len(row)]
			for c, bv := range row {
				o0[c] += a0 * bv
				o1[c] += a1 * bv
				o2[c] += a2 * bv
				o3[c] += a3 * bv
			}
		}
	}
	for ; r < n; r++ {
		o := out[r*m : (r+1)*m]
		for i, av := range a[r*k : (r+1)*k] {
			if av == 0 {
				continue
			}
			row := b[i*m : (i+1)*m]
			o := o[:len(row)]
			for c, bv := range row {
				o[c] += av * bv
			}
		}
	}
}
