package text

import (
	"math"
	"testing"
)

func TestCoverage(t *testing.T) {
	t.Parallel()
	have := map[string]struct{}{"toll": {}, "bridg": {}, "monthli": {}}
	tests := []struct {
		terms   []string
		weights map[string]float64
		want    float64
	}{
		{[]string{"toll", "bridg"}, nil, 1},
		{[]string{"toll", "ferri"}, nil, 0.5},
		{[]string{"toll", "ferri"}, map[string]float64{"toll": 3, "ferri": 1}, 0.75},
		{[]string{"month", "ferri"}, nil, 0.25}, // "month" shares a stem with "monthli": half credit
		{nil, nil, 0},
	}
	for _, tt := range tests {
		if got := Coverage(tt.terms, tt.weights, have); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Coverage(%v, %v) = %v, want %v", tt.terms, tt.weights, got, tt.want)
		}
	}
}
