package retrieval

import (
	"slices"
	"testing"
)

func TestFuse(t *testing.T) {
	t.Parallel()
	ids := func(fs []fused) []int64 {
		out := make([]int64, len(fs))
		for i, f := range fs {
			out[i] = f.ID
		}
		return out
	}
	tests := []struct {
		name  string
		lists []rankedList
		want  []int64
	}{
		{"empty", nil, []int64{}},
		{"one list keeps its order", []rankedList{{IDs: []int64{3, 1, 2}, Weight: 1}}, []int64{3, 1, 2}},
		{"agreement wins", []rankedList{{IDs: []int64{1, 2, 3}, Weight: 1}, {IDs: []int64{2, 3, 4}, Weight: 1}}, []int64{2, 3, 1, 4}},
		{"weight decides", []rankedList{{IDs: []int64{1, 2}, Weight: 1}, {IDs: []int64{2, 1}, Weight: 2}}, []int64{2, 1}},
		{"off list ignored", []rankedList{{IDs: []int64{1, 2}, Weight: -1}, {IDs: []int64{5}, Weight: 1}}, []int64{5}},
		{"ties break by id", []rankedList{{IDs: []int64{9}, Weight: 1}, {IDs: []int64{4}, Weight: 1}}, []int64{4, 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fuse(60, tt.lists...)
			if !slices.Equal(ids(got), tt.want) {
				t.Errorf("fuse = %v, want %v", ids(got), tt.want)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Score > got[i-1].Score {
					t.Errorf("scores not descending: %v", got)
				}
			}
		})
	}
}
