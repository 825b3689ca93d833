// Package sentence encodes sentences into vectors of their meaning with
// the Universal Sentence Encoder Lite (Cer et al. 2018; Apache 2.0), a
// two-layer transformer over an 8,000-piece SentencePiece vocabulary
// that maps a sentence to a unit vector of 512 dimensions. Questions and
// the sentences that answer them land near each other even when they
// share no word ("What happened when Putin arrived?" and "Cheering
// crowds greeted Putin"), which is what word counts cannot tell.
//
// The model runs in plain Go, from its TensorFlow.js weights.
package sentence

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Dims is the length of the vectors the encoder returns.
const Dims = 512

// manifest is the part of a TensorFlow.js model.json the encoder reads.
type manifest struct {
	WeightsManifest []struct {
		Paths   []string `json:"paths"`
		Weights []struct {
			Name  string `json:"name"`
			Shape []int  `json:"shape"`
			DType string `json:"dtype"`
		} `json:"weights"`
	} `json:"weightsManifest"`
}

// tensor is one weight: float32 or int32 values with their shape.
type tensor struct {
	shape []int
	f     []float32
	i     []int32
}

// readWeights splits the concatenated weight data along the manifest.
func readWeights(modelJSON []byte, data []byte) (map[string]tensor, error) {
	var m manifest
	if err := json.Unmarshal(modelJSON, &m); err != nil {
		return nil, fmt.Errorf("read model.json: %w", err)
	}
	out := map[string]tensor{}
	off := 0
	for _, g := range m.WeightsManifest {
		for _, w := range g.Weights {
			n := 1
			for _, d := range w.Shape {
				n *= d
			}
			if off+4*n > len(data) {
				return nil, fmt.Errorf("weight %s: data ends at byte %d, need %d", w.Name, len(data), off+4*n)
			}
			t := tensor{shape: w.Shape}
			switch w.DType {
			case "float32":
				t.f = make([]float32, n)
				for k := range t.f {
					t.f[k] = math.Float32frombits(binary.LittleEndian.Uint32(data[off+4*k:]))
				}
			case "int32":
				t.i = make([]int32, n)
				for k := range t.i {
					t.i[k] = int32(binary.LittleEndian.Uint32(data[off+4*k:]))
				}
			default:
				return nil, fmt.Errorf("weight %s: unsupported dtype %q", w.Name, w.DType)
			}
			off += 4 * n
			out[w.Name] = t
		}
	}
	if off != len(data) {
		return nil, fmt.Errorf("weights: %d bytes of data, manifest describes %d", len(data), off)
	}
	return out, nil
}

// pick returns the one weight whose name ends with suffix.
func pick(ws map[string]tensor, suffix string) (tensor, error) {
	var found []string
	var t tensor
	for name, w := range ws {
		if strings.HasSuffix(name, suffix) {
			found = append(found, name)
			t = w
		}
	}
	if len(found) != 1 {
		return tensor{}, fmt.Errorf("weight *%s: %d matches %v", suffix, len(found), found)
	}
	return t, nil
}
