package exec

import (
	"hash/maphash"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// TestHashKeysFollowsKeyEquality checks that keys the aggregate holds equal hash alike, so
// that they meet in one worker: NULLs whatever their slots hold, -0 and +0, NaNs of any
// payload; and that different keys do not all collide.
func TestHashKeysFollowsKeyEquality(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ib := array.NewInt64Builder(mem)
	defer ib.Release()
	// Rows 0 and 1 are NULL over different values; 2 and 3 are equal; 4 differs.
	ib.AppendValues([]int64{7, 9, 5, 5, 6}, []bool{false, false, true, true, true})
	ints := ib.NewArray()
	defer ints.Release()
	fb := array.NewFloat64Builder(mem)
	defer fb.Release()
	nan2 := math.Float64frombits(math.Float64bits(math.NaN()) | 1)
	fb.AppendValues([]float64{0, math.Copysign(0, -1), math.NaN(), nan2, 1}, nil)
	floats := fb.NewArray()
	defer floats.Release()
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.AppendValues([]string{"a", "b", "c", "c", "d"}, []bool{false, false, true, true, true})
	strs := sb.NewArray()
	defer strs.Release()

	seed := maphash.MakeSeed()
	for _, col := range []arrow.Array{ints, floats, strs} {
		h := hashKeys([]arrow.Array{col}, 5, seed, nil)
		if col != floats {
			require.Equal(t, h[0], h[1], "NULLs of %s", col.DataType())
		} else {
			require.Equal(t, h[0], h[1], "-0 and +0")
		}
		require.Equal(t, h[2], h[3], "equal keys of %s", col.DataType())
		require.NotEqual(t, h[3], h[4], "different keys of %s", col.DataType())
	}
	two := hashKeys([]arrow.Array{ints, strs}, 5, seed, nil)
	require.Equal(t, two[0], two[1])
	require.Equal(t, two[2], two[3])
	require.NotEqual(t, two[3], two[4])
}
