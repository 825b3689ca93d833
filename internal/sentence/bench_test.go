package sentence

import (
	"testing"
)

// BenchmarkEncode encodes a 30-word news sentence with the built-in model.
func BenchmarkEncode(b *testing.B) {
	e, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	s := "The 1973 oil crisis began in October 1973 when the members of the Organization of Arab Petroleum Exporting Countries proclaimed an oil embargo against the nations that had supported Israel."
	n := len(e.tok.encode(s))
	b.ResetTimer()
	for b.Loop() {
		e.Encode(s)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/piece")
}
