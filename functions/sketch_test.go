package functions

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/DataDog/sketches-go/ddsketch"
	enc "github.com/DataDog/sketches-go/ddsketch/encoding"
	"github.com/DataDog/sketches-go/ddsketch/store"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// heavyTailed returns n values with the shape of web response sizes: log-normal, a few
// zeros and, when signed, negatives.
func heavyTailed(r *rand.Rand, n int, signed bool) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Round(math.Exp(r.NormFloat64()*2 + 8))
		if r.IntN(50) == 0 {
			out[i] = 0
		}
		if signed && r.IntN(3) == 0 {
			out[i] = -out[i] / 7
		}
	}
	return out
}

// TestSketchAccuracy checks the sketch's guarantee: the estimate at every q lies within 1% of
// the exact value at rank floor(q·(n-1)), and equals sketches-go's own DDSketch estimate with
// the same mapping over its own dense bins (clamped to the extremes) for positive values.
func TestSketchAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 10, 100, 1000, 20000} {
		for _, signed := range []bool{false, true} {
			vals := heavyTailed(r, n, signed)
			var sl sketchSlot = emptySketchSlot
			lib := ddsketch.NewDDSketch(sketchMapping, store.NewDenseStore(),
				store.NewDenseStore())
			for _, v := range vals {
				sl.add(v)
				require.NoError(t, lib.Add(v))
			}
			sorted := slices.Clone(vals)
			slices.Sort(sorted)
			for q := 0.0; q <= 1; q += 0.001 {
				got, ok := sl.quantile(q)
				require.True(t, ok)
				rank := int(float64(q * float64(n-1)))
				exact := sorted[rank]
				if exact > 0 && exact < sorted[n-1]/sketchSpan ||
					exact < 0 && exact < sorted[0]/sketchSpan {
					// A full store folds its lowest values upward: no guarantee there.
					require.GreaterOrEqual(t, got, exact-SketchAccuracy*math.Abs(exact))
					continue
				}
				require.LessOrEqual(t, math.Abs(got-exact), SketchAccuracy*math.Abs(exact)+1e-9,
					"n=%d q=%v: got %v, exact %v", n, q, got, exact)
				// For negative values the library rounds a fractional rank up, not down.
				if rank > 0 && rank < n-1 && !signed {
					want, err := lib.GetValueAtQuantile(q)
					require.NoError(t, err)
					require.Equal(t, min(max(want, sorted[0]), sorted[n-1]), got)
				}
			}
			p0, _ := sl.quantile(0)
			p100, _ := sl.quantile(1)
			require.Equal(t, sorted[0], p0)
			require.Equal(t, sorted[n-1], p100)
		}
	}
}

// sketchSpan is the factor below the largest value (above the smallest, for negatives)
// within which a full store keeps its accuracy: 512 bins of 2% cover e^10.
const sketchSpan = 20000

// TestSketchSize measures the heap of the bins of sketches of a few values and of many values
// spread over seven orders of magnitude, which reach the bound of 2 KB.
func TestSketchSize(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		n   int
		max int
	}{{1, 8}, {10, 64}, {1000, 2048}, {100000, 2048}} {
		sl := emptySketchSlot
		for _, v := range heavyTailed(r, tc.n, false) {
			sl.add(v)
		}
		size := sl.pos.sizeBytes() + sl.neg.sizeBytes()
		require.LessOrEqual(t, size, tc.max, "n=%d: %d bytes of bins", tc.n, size)
	}
}

func TestCompactStore(t *testing.T) {
	var s compactStore
	require.True(t, s.IsEmpty())
	_, err := s.MinIndex()
	require.Error(t, err)

	// A count past 32,767 continues in more entries of the same bin.
	s.add(5, 100000)
	s.Add(-3)
	s.AddWithCount(40000, 2.4)
	s.add(5, 1)
	require.Equal(t, 100004.0, s.TotalCount())
	require.Len(t, s.bins, 1+4+1)
	lo, _ := s.MinIndex()
	hi, _ := s.MaxIndex()
	require.Equal(t, []int{-3, 40000}, []int{lo, hi})
	require.Equal(t, -3, s.KeyAtRank(0))
	require.Equal(t, 5, s.KeyAtRank(1))
	require.Equal(t, 5, s.KeyAtRank(100001))
	require.Equal(t, 40000, s.KeyAtRank(100002))
	require.Equal(t, 40000, s.KeyAtRank(1e9))

	// Merging walks both lists; the other store may be of another kind.
	var o compactStore
	for i := -20; i < 20; i++ {
		o.add(i, uint64(i+21))
	}
	c := s.Copy().(*compactStore)
	c.MergeWith(&o)
	dense := store.NewDenseStore()
	dense.MergeWith(&s)
	dense.MergeWith(&o)
	var d compactStore
	d.MergeWith(dense)
	require.Equal(t, c.ToProto().BinCounts, d.ToProto().BinCounts)
	require.Equal(t, dense.TotalCount(), c.TotalCount())
	for r := 0.0; r < c.TotalCount(); r += 997 {
		require.Equal(t, dense.KeyAtRank(r), c.KeyAtRank(r))
	}
	var bins []store.Bin
	for b := range c.Bins() {
		bins = append(bins, b)
	}
	require.Len(t, bins, len(c.bins))

	// Encoding round trip, through the library's decoder.
	var buf []byte
	c.Encode(&buf, enc.FlagTypePositiveStore)
	flag, err := enc.DecodeFlag(&buf)
	require.NoError(t, err)
	var back compactStore
	require.NoError(t, back.DecodeAndMergeWith(&buf, flag.SubFlag()))
	require.Equal(t, c.ToProto().BinCounts, back.ToProto().BinCounts)

	require.NoError(t, c.Reweight(1))
	require.Error(t, c.Reweight(2))
	c.Clear()
	require.True(t, c.IsEmpty())
}

// TestSketchAsDDSketch uses a slot's bins as a sketches-go DDSketch.
func TestSketchAsDDSketch(t *testing.T) {
	sl := emptySketchSlot
	for _, v := range []float64{-5, 0, 0, 1, 10, 100} {
		sl.add(v)
	}
	sk := sl.ddsketch()
	require.Equal(t, 6.0, sk.GetCount())
	require.Equal(t, 2.0, sk.GetZeroCount())
	v, err := sk.GetValueAtQuantile(1)
	require.NoError(t, err)
	require.InEpsilon(t, 100, v, SketchAccuracy)
	var buf []byte
	sk.Encode(&buf, false)
	require.NotEmpty(t, buf)
}

// TestVarianceIsStable checks the spreads on values far from zero, where the sum of squares
// method loses every digit.
func TestVarianceIsStable(t *testing.T) {
	mem := newMem(t)
	r := rand.New(rand.NewPCG(5, 6))
	n := 10000
	vals := make([]any, n)
	offsets := make([]float64, n)
	for i := range vals {
		offsets[i] = r.Float64()
		vals[i] = 1e9 + offsets[i]
	}
	// The exact variance of the values is that of their offsets, which lose nothing.
	mean := 0.0
	for _, x := range offsets {
		mean += x
	}
	mean /= float64(n)
	m2 := 0.0
	for _, x := range offsets {
		m2 += (x - mean) * (x - mean)
	}
	for _, tc := range []struct {
		fn   string
		want float64
	}{{"var_samp", m2 / float64(n-1)}, {"var_pop", m2 / float64(n)},
		{"stddev", math.Sqrt(m2 / float64(n-1))}} {
		// One slot fed row by row, and eight slots merged into one.
		s, rt, types := bind(t, tc.fn, callOfTypes(Double), 9)
		groups := make([]uint32, n)
		for i := range groups {
			groups[i] = uint32(1 + i%8)
		}
		require.NoError(t, feedRows(t, mem, s, types, 3, rows{fill(n, 0), cols(vals)},
			rows{groups, cols(vals)}))
		for slot := uint32(2); slot <= 8; slot++ {
			s.Merge(1, s, slot)
		}
		got, err := finals(t, mem, s, rt, 2)
		require.NoError(t, err)
		require.InEpsilon(t, tc.want, got[0], 1e-6, tc.fn)
		require.InEpsilon(t, tc.want, got[1], 1e-6, tc.fn)
	}
}

// TestApproxCountDistinctAccuracy checks the HyperLogLog past its sparse range, merged from
// parts.
func TestApproxCountDistinctAccuracy(t *testing.T) {
	mem := newMem(t)
	n := 200000
	vals := make([]any, n)
	strs := make([]any, n)
	for i := range vals {
		vals[i] = int64(i) * 7
		strs[i] = string(rune(0x4e00+i%20000)) + "user"
	}
	for _, tc := range []struct {
		typ  []any
		want int
	}{{vals, n}, {strs, 20000}} {
		s, rt, types := bind(t, "approx_count_distinct", callOfTypes(newArrType(tc.typ)), 3)
		groups := make([]uint32, n)
		for i := range groups {
			groups[i] = uint32(1 + i%2)
		}
		require.NoError(t, feedRows(t, mem, s, types, 67, rows{groups, cols(tc.typ)}))
		s.Merge(1, s, 2)
		got, err := finals(t, mem, s, rt, 2)
		require.NoError(t, err)
		require.InEpsilon(t, float64(tc.want), float64(got[1].(int64)), 0.02)
		require.Greater(t, s.SizeBytes(), 16384)
	}
}

// newArrType is the type of a column of Go values.
func newArrType(vals []any) arrow.DataType {
	if _, ok := vals[0].(string); ok {
		return Varchar
	}
	return Bigint
}

// TestCompactStoreBound fills a store to its bound and checks which bins fold.
func TestCompactStoreBound(t *testing.T) {
	var s compactStore
	for i := 0; i < maxStoreEntries; i++ {
		s.add(i*2, 1)
	}
	require.Len(t, s.bins, maxStoreEntries)
	require.LessOrEqual(t, s.sizeBytes(), 2048)

	s.add(100, 5) // an existing bin: nothing folds
	lo, _ := s.MinIndex()
	require.Equal(t, 0, lo)
	s.add(-7, 1) // below the lowest bin: counted in it
	require.Equal(t, 0, s.keyAt(0))
	require.Len(t, s.bins, maxStoreEntries)
	s.add(5000, 1) // a new high bin: the lowest folds into the next
	require.Len(t, s.bins, maxStoreEntries)
	lo, _ = s.MinIndex()
	require.Equal(t, 2, lo)
	require.Equal(t, 2, s.keyAt(2))
	require.Equal(t, 4, s.keyAt(3))
	require.Equal(t, float64(maxStoreEntries+5+2), s.TotalCount())
	require.LessOrEqual(t, s.sizeBytes(), 2048)

	// The negative values' store folds its highest bins: their values are the lowest.
	var neg compactStore
	for i := 0; i < maxStoreEntries; i++ {
		neg.addBounded(i, 1, true)
	}
	neg.addBounded(-1, 1, true)
	hi, _ := neg.MaxIndex()
	require.Equal(t, maxStoreEntries-2, hi)

	// Merging two full stores keeps the bound and every count.
	var m compactStore
	for i := 0; i < maxStoreEntries; i++ {
		m.add(i*2+1, 3)
	}
	m.merge(&s, false)
	require.Len(t, m.bins, maxStoreEntries)
	require.Equal(t, float64(3*maxStoreEntries+maxStoreEntries+7), m.TotalCount())
	hi, _ = m.MaxIndex()
	require.Equal(t, 5000, hi)
}

// BenchmarkAggregateUpdate measures Update per row of the new aggregates: batches of 4,096
// heavy-tailed BIGINT values over 64 groups.
func BenchmarkAggregateUpdate(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	n := 4096
	vals := make([]any, n)
	groups := make([]uint32, n)
	for i, v := range heavyTailed(r, n, false) {
		vals[i], groups[i] = int64(v), uint32(r.IntN(64))
	}
	arr := newArr(b, memory.NewGoAllocator(), Bigint, 0, vals...)
	defer arr.Release()
	for _, fn := range []string{"p99", "approx_count_distinct", "stddev", "median"} {
		b.Run(fn, func(b *testing.B) {
			s, _, _ := bind(b, fn, callOfTypes(Bigint), 64)
			for b.Loop() {
				if err := s.Update(groups, []arrow.Array{arr}); err != nil {
					b.Fatal(err)
				}
				if fn == "median" {
					for g := uint32(0); g < 64; g++ {
						s.Reset(g)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
		})
	}
}
