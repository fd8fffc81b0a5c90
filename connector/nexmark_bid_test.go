package connector

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/internal/recycle"
)

// TestNexmarkPrice checks the price from the table and series against math.Exp, on random
// numbers and on numbers whose price lies next to a half cent, where the two could round
// apart.
func TestNexmarkPrice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		if u := rng.Float64(); nexPrice(u) != nexPriceExact(u) {
			t.Fatalf("price of %v: %d, want %d", u, nexPrice(u), nexPriceExact(u))
		}
	}
	for cents := 100.5; cents < 1e8; cents = math.Floor(cents*1.37) + 0.5 {
		u := math.Log(cents/100) / (6 * math.Ln10)
		for _, v := range []float64{u, math.Nextafter(u, 0), math.Nextafter(u, 1)} {
			require.Equal(t, nexPriceExact(v), nexPrice(v), "u = %v", v)
		}
	}
	require.Equal(t, int64(100), nexPrice(0))
	require.Equal(t, int64(100_000_000), nexPrice(math.Nextafter(1, 0)))
}

// TestNexmarkBidAllocs checks that a running bid stream allocates per batch, not per bid.
func TestNexmarkBidAllocs(t *testing.T) {
	schema, err := NexmarkSchema("bid")
	require.NoError(t, err)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src, err := NewNexmarkSource(NexmarkOptions{Table: "bid", Seed: 1}, schema, mem)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, src.Open(ctx))
	defer src.Close()
	allocs := testing.AllocsPerRun(50, func() {
		b, err := src.Next(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(defaultBatchSize), b.NumRows())
		b.Release()
	})
	require.Less(t, allocs, 64.0, "allocations per batch of %d bids", defaultBatchSize)
}

// TestRecycler checks that freed buffers are handed out again and all go back at Close.
func TestRecycler(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := recycle.New(mem, 2)
	a := r.Allocate(1000)
	require.Len(t, a, 1000)
	r.Free(a)
	b := r.Allocate(900)
	require.Len(t, b, 900)
	require.Same(t, &a[0], &b[0], "the freed buffer again")
	c := r.Allocate(400) // too small a request for the kept buffer: a new one
	b = r.Reallocate(1100, b)
	require.Len(t, b, 1100, "grown within what was allocated")
	b = r.Reallocate(5000, b)
	require.Len(t, b, 5000)
	r.Free(b)
	r.Free(c)
	d := r.Allocate(10)
	r.Close()
	r.Free(d) // after Close: straight back to mem
	require.Nil(t, r.Allocate(0))
}

// BenchmarkNexmarkBids generates batches of bids with every column from a running stream;
// allocs/op are per batch of 4096 bids, and allocs/event shows that none is per bid.
func BenchmarkNexmarkBids(b *testing.B) {
	schema, _ := NexmarkSchema("bid")
	src, err := NewNexmarkSource(NexmarkOptions{Table: "bid", Seed: 1}, schema, nil)
	require.NoError(b, err)
	ctx := context.Background()
	require.NoError(b, src.Open(ctx))
	defer src.Close()
	var rows int64
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		batch, err := src.Next(ctx)
		if err != nil {
			b.Fatal(err)
		}
		rows += batch.NumRows()
		batch.Release()
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(rows), "ns/event")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(rows), "allocs/event")
}

// TestNexmarkSkipColumns checks that the columns read have the same values when the others
// are skipped, and that those others are zeros or empty strings.
func TestNexmarkSkipColumns(t *testing.T) {
	for _, table := range NexmarkTables() {
		schema, err := NexmarkSchema(table)
		require.NoError(t, err)
		opts := NexmarkOptions{Table: table, Events: 30_000, Seed: 7, BatchSize: 1000}
		all := readNexmark(t, opts)
		for _, keep := range []int{0, 1, 2, 3, schema.NumFields() - 1} {
			read := make([]bool, schema.NumFields())
			read[keep] = true
			got := readNexmarkSkipping(t, opts, schema, read)
			require.Equal(t, all.rows, got.rows)
			for i, f := range schema.Fields() {
				name := f.Name
				switch {
				case read[i] && f.Type.ID() == arrow.STRING:
					require.Equal(t, all.strs[name], got.strs[name], "%s.%s", table, name)
				case read[i]:
					require.Equal(t, all.ints[name], got.ints[name], "%s.%s", table, name)
				case f.Type.ID() == arrow.STRING:
					require.Equal(t, make([]string, got.rows), got.strs[name])
				default:
					require.Equal(t, make([]int64, got.rows), got.ints[name])
				}
			}
		}
	}
}

func readNexmarkSkipping(t *testing.T, opts NexmarkOptions, schema *arrow.Schema,
	read []bool) nexTable {
	t.Helper()
	var out nexTable
	readNexmarkWith(t, opts, schema, func(src Source) {
		src.(ColumnSkipper).SkipColumns(read)
	}, &out)
	return out
}

var sinkPrice int64

// BenchmarkNexmarkPrice compares the price from the table and series with math.Exp's, on
// random numbers.
func BenchmarkNexmarkPrice(b *testing.B) {
	b.Run("table", func(b *testing.B) {
		r := newSplitMix(1, 1)
		for b.Loop() {
			sinkPrice += nexPrice(r.float())
		}
	})
	b.Run("exp", func(b *testing.B) {
		r := newSplitMix(1, 1)
		for b.Loop() {
			sinkPrice += nexPriceExact(r.float())
		}
	})
}
