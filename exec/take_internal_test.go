package exec

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// TestSelected checks the rows a predicate selects, byte by byte, against a row by row
// reading, with NULLs, at offsets inside and at the start of a byte, for dense and sparse
// predicates.
func TestSelected(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, share := range []float64{0, 0.01, 0.5, 1} {
		for _, nulls := range []bool{false, true} {
			b := array.NewBooleanBuilder(mem)
			for range 1000 {
				if nulls && rng.IntN(5) == 0 {
					b.AppendNull()
				} else {
					b.Append(rng.Float64() < share)
				}
			}
			full := b.NewBooleanArray()
			b.Release()
			for _, off := range []int64{0, 3, 8, 64, 997} {
				for _, end := range []int64{1000, 999, off + 1} {
					a := array.NewSlice(full, off, end).(*array.Boolean)
					require.Equal(t, selectedRows(a, nil), selected(a, nil),
						"share %v, nulls %v, rows %d to %d", share, nulls, off, end)
					a.Release()
				}
			}
			full.Release()
		}
	}
	empty := array.NewBooleanBuilder(mem)
	defer empty.Release()
	e := empty.NewBooleanArray()
	defer e.Release()
	require.Empty(t, selected(e, nil))
}

// BenchmarkSelected reads a sparse predicate over a batch, as Nexmark q2's filter does.
func BenchmarkSelected(b *testing.B) {
	bb := array.NewBooleanBuilder(memory.DefaultAllocator)
	for i := range 4096 {
		bb.Append(i%123 == 0)
	}
	pred := bb.NewBooleanArray()
	bb.Release()
	defer pred.Release()
	into := make([]int, 0, 4096)
	b.Run("bytes", func(b *testing.B) {
		for b.Loop() {
			into = selected(pred, into)
		}
	})
	b.Run("rows", func(b *testing.B) {
		for b.Loop() {
			into = selectedRows(pred, into[:0])
		}
	})
}
