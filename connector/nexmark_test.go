package connector

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// nexTable is a Nexmark table read to its end, column by column.
type nexTable struct {
	ints map[string][]int64
	strs map[string][]string
	rows int
}

// readNexmark reads a whole bounded Nexmark table with every column and checks that nothing
// leaks.
func readNexmark(t *testing.T, opts NexmarkOptions) nexTable {
	t.Helper()
	schema, err := NexmarkSchema(opts.Table)
	require.NoError(t, err)
	return readNexmarkColumns(t, opts, schema)
}

func readNexmarkColumns(t *testing.T, opts NexmarkOptions, schema *arrow.Schema) nexTable {
	t.Helper()
	var out nexTable
	readNexmarkWith(t, opts, schema, func(Source) {}, &out)
	return out
}

// readNexmarkWith reads a table into out, calling prepare on the source before Open.
func readNexmarkWith(t *testing.T, opts NexmarkOptions, schema *arrow.Schema,
	prepare func(Source), out *nexTable) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src, err := NewNexmarkSource(opts, schema, mem)
	require.NoError(t, err)
	prepare(src)
	ctx := context.Background()
	require.NoError(t, src.Open(ctx))
	*out = nexTable{ints: map[string][]int64{}, strs: map[string][]string{}}
	for {
		b, err := src.Next(ctx)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		require.True(t, b.Schema().Equal(schema))
		for j, col := range b.Columns() {
			name := schema.Field(j).Name
			require.Zero(t, col.NullN())
			switch a := col.(type) {
			case *array.Int64:
				out.ints[name] = append(out.ints[name], a.Int64Values()...)
			case *array.Timestamp:
				for _, v := range a.TimestampValues() {
					out.ints[name] = append(out.ints[name], int64(v))
				}
			case *array.String:
				// Copied: the source reuses a batch's buffers once it is released.
				for i := range a.Len() {
					out.strs[name] = append(out.strs[name], strings.Clone(a.Value(i)))
				}
			}
		}
		out.rows += int(b.NumRows())
		b.Release()
	}
	_, err = src.Next(ctx)
	require.Equal(t, io.EOF, err, "io.EOF again after the end")
	require.NoError(t, src.Close())
	require.NoError(t, src.Close())
	require.Equal(t, int64(out.rows), src.Stats().RowsRead.Load())
}

// share returns the fraction of xs for which f holds.
func share[T any](xs []T, f func(i int, x T) bool) float64 {
	n := 0
	for i, x := range xs {
		if f(i, x) {
			n++
		}
	}
	return float64(n) / float64(len(xs))
}

// eventNumber returns the event number of an event time at the default rate (100 µs apart).
func eventNumber(ts int64) int64 { return (ts - NexmarkBaseTime) / 100 }

// The tolerance of the shares checked over a million events: at least five standard
// deviations of the smallest sample (60,000 auctions: sqrt(0.25 * 0.75 / 60000) = 0.0018).
const nexTolerance = 0.01

func TestNexmarkMixAndIDs(t *testing.T) {
	const events = 1_000_000
	people := readNexmark(t, NexmarkOptions{Table: "person", Events: events, Seed: 1})
	auctions := readNexmark(t, NexmarkOptions{Table: "auction", Events: events, Seed: 1})
	bids := readNexmark(t, NexmarkOptions{Table: "bid", Events: events, Seed: 1})

	// 1:3:46 in every 50 events.
	require.Equal(t, 20_000, people.rows)
	require.Equal(t, 60_000, auctions.rows)
	require.Equal(t, 920_000, bids.rows)

	// Ids count up from 1000 in event order; event n happens at base + n * 100 µs.
	require.Zero(t, share(people.ints["id"], func(i int, id int64) bool {
		return id != int64(1000+i) || eventNumber(people.ints["dateTime"][i]) != int64(i*50)
	}), "person ids and times")
	require.Zero(t, share(auctions.ints["id"], func(i int, id int64) bool {
		n := eventNumber(auctions.ints["dateTime"][i])
		return id != int64(1000+i) || n != int64(i/3*50+1+i%3)
	}), "auction ids and times")
	require.Zero(t, share(bids.ints["dateTime"], func(i int, ts int64) bool {
		return eventNumber(ts) != int64(i/46*50+4+i%46)
	}), "bid times")
}

func TestNexmarkBidSpec(t *testing.T) {
	bids := readNexmark(t, NexmarkOptions{Table: "bid", Events: 1_000_000, Seed: 1})
	ts := bids.ints["dateTime"]

	// Auction ids: the hot one (the first of the last 100) half the time, else one of the
	// 100 before the last, the last, and 10 to come (111 ids, the hot one among them).
	auctions := bids.ints["auction"]
	require.Zero(t, share(auctions, func(i int, a int64) bool {
		last := lastAuctionID(eventNumber(ts[i])) + 1000
		return a < max(last-100, 1000) || a > last+10
	}), "auction ids out of range")
	hot := share(auctions, func(i int, a int64) bool {
		return a == (lastAuctionID(eventNumber(ts[i])))/100*100+1000
	})
	require.InDelta(t, 0.5+0.5/111, hot, nexTolerance, "bids to the hot auction")

	// Bidders: the hot one (the second of the last 100 people) 3/4 of the time, else one of
	// the 1000 most recent people or 10 to come.
	bidders := bids.ints["bidder"]
	require.Zero(t, share(bidders, func(i int, b int64) bool {
		people := lastPersonID(eventNumber(ts[i])) + 1
		return b < 1000+people-min(people, 1000) || b >= 1000+people+10
	}), "bidder ids out of range")
	hot = share(bidders, func(i int, b int64) bool {
		return b == lastPersonID(eventNumber(ts[i]))/100*100+1+1000
	})
	require.InDelta(t, 0.75+0.25/1010, hot, nexTolerance, "bids by the hot bidder")

	// Prices are log-uniform over six decades from 1.00.
	prices := bids.ints["price"]
	for d := range 6 {
		lo, hi := 100*math.Pow(10, float64(d)), 100*math.Pow(10, float64(d+1))
		got := share(prices, func(_ int, p int64) bool {
			return float64(p) >= lo && float64(p) < hi
		})
		require.InDelta(t, 1.0/6, got, nexTolerance, "prices in decade %d", d)
	}
	require.Equal(t, 0.0, share(prices, func(_ int, p int64) bool {
		return p < 100 || p > 100_000_000
	}))

	// Half the bids come through one of the four hot channels.
	for _, c := range []string{"Google", "Facebook", "Baidu", "Apple"} {
		got := share(bids.strs["channel"], func(_ int, s string) bool { return s == c })
		require.InDelta(t, 0.125, got, nexTolerance, c)
	}
	urls := map[string]string{}
	require.Zero(t, share(bids.strs["channel"], func(i int, c string) bool {
		u, ok := urls[c]
		urls[c] = bids.strs["url"][i]
		return ok && u != urls[c]
	}), "a channel has one URL")
	require.Greater(t, len(urls), 9000)

	// The padding brings a bid to 100 bytes on average: 32 for the numbers, 68 of letters.
	total := 0
	for _, e := range bids.strs["extra"] {
		total += len(e)
	}
	require.InDelta(t, 67.5, float64(total)/float64(len(bids.strs["extra"])), 0.5)
}

func TestNexmarkAuctionSpec(t *testing.T) {
	auctions := readNexmark(t, NexmarkOptions{Table: "auction", Events: 1_000_000, Seed: 1})
	ts := auctions.ints["dateTime"]

	sellers := auctions.ints["seller"]
	hot := share(sellers, func(i int, s int64) bool {
		return s == lastPersonID(eventNumber(ts[i]))/100*100+1000
	})
	require.InDelta(t, 0.75+0.25/1010, hot, nexTolerance, "auctions by the hot seller")

	for c := int64(10); c < 15; c++ {
		got := share(auctions.ints["category"], func(_ int, x int64) bool { return x == c })
		require.InDelta(t, 0.2, got, nexTolerance, "category %d", c)
	}
	// An auction lasts on average as long as 100 more auctions take to come: 1666 events,
	// 166.6 ms at 10,000 events a second.
	var sum float64
	require.Zero(t, share(auctions.ints["expires"], func(i int, e int64) bool {
		sum += float64(e - ts[i])
		return e <= ts[i]
	}), "auctions expire after they start")
	require.InDelta(t, 166_600, sum/float64(len(ts)), 166_600*0.02)
	require.Zero(t, share(auctions.ints["reserve"], func(i int, r int64) bool {
		return r <= auctions.ints["initialBid"][i]
	}), "reserve above the initial bid")
	require.Zero(t, share(auctions.strs["itemName"], func(_ int, name string) bool {
		return len(name) >= 20
	}), "item names shorter than 20")
}

func TestNexmarkPersonSpec(t *testing.T) {
	people := readNexmark(t, NexmarkOptions{Table: "person", Events: 100_000, Seed: 7})
	require.Equal(t, 2000, people.rows)
	for i := range people.rows {
		require.Regexp(t, `^[A-Z][a-z]+ [A-Z][a-z]+$`, people.strs["name"][i])
		require.Regexp(t, `^[a-z ]+@[a-z ]+\.com$`, people.strs["emailAddress"][i])
		require.Regexp(t, `^\d{4} \d{4} \d{4} \d{4}$`, people.strs["creditCard"][i])
		require.Contains(t, nexStates, people.strs["state"][i])
		require.Contains(t, nexCities, people.strs["city"][i])
	}
}

func TestNexmarkSeeds(t *testing.T) {
	opts := NexmarkOptions{Table: "bid", Events: 20_000, Seed: 42}
	a := readNexmark(t, opts)
	b := readNexmark(t, opts)
	require.Equal(t, a, b, "the same seed gives the same events")

	opts.Seed = 43
	c := readNexmark(t, opts)
	require.Equal(t, a.ints["dateTime"], c.ints["dateTime"])
	require.NotEqual(t, a.ints["price"], c.ints["price"], "another seed gives other events")
	require.NotEqual(t, a.strs["extra"], c.strs["extra"])

	// A subset of the columns, in another order and case, has the same values.
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "PRICE", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "url", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	opts.Seed = 42
	sub := readNexmarkColumns(t, opts, schema)
	require.Equal(t, a.ints["price"], sub.ints["PRICE"])
	require.Equal(t, a.strs["url"], sub.strs["url"])
}

func TestNexmarkRateAndBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema, _ := NexmarkSchema("bid")
	src, err := NewNexmarkSource(NexmarkOptions{Table: "BID", Events: 1000, Rate: 1000,
		BatchSize: 100}, schema, mem)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, src.Open(ctx))
	defer src.Close()
	b, err := src.Next(ctx)
	require.NoError(t, err)
	defer b.Release()
	require.Equal(t, int64(100), b.NumRows())
	times := b.Column(5).(*array.Timestamp)
	require.Equal(t, NexmarkBaseTime+4000, int64(times.Value(0)), "event 4, 1 ms apart")
}

func TestNexmarkErrors(t *testing.T) {
	schema, _ := NexmarkSchema("bid")
	for _, tt := range []struct {
		opts   NexmarkOptions
		schema *arrow.Schema
		err    string
	}{
		{NexmarkOptions{Table: "bids"}, schema, `unknown nexmark table "bids"`},
		{NexmarkOptions{Table: "bid", Rate: -1}, schema, "rate must be positive"},
		{NexmarkOptions{Table: "bid", Events: -1}, schema, "events must not be negative"},
		{NexmarkOptions{Table: "person"}, schema, `nexmark.person has no column "auction"`},
		{NexmarkOptions{Table: "bid"}, arrow.NewSchema([]arrow.Field{
			{Name: "price", Type: arrow.PrimitiveTypes.Float64}}, nil),
			`column "price" of nexmark.bid is int64, not float64`},
	} {
		_, err := NewNexmarkSource(tt.opts, tt.schema, nil)
		require.ErrorContains(t, err, tt.err)
	}
}

func TestNexmarkCancel(t *testing.T) {
	schema, _ := NexmarkSchema("bid")
	t.Run("unbounded", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		src, err := NewNexmarkSource(NexmarkOptions{Table: "bid"}, schema, mem)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		require.NoError(t, src.Open(ctx))
		for range 10 {
			b, err := src.Next(ctx)
			require.NoError(t, err)
			b.Release()
		}
		cancel()
		_, err = src.Next(ctx)
		require.ErrorIs(t, err, context.Canceled)
		require.NoError(t, src.Close())
	})
	t.Run("paced", func(t *testing.T) {
		people, _ := NexmarkSchema("person")
		src, err := NewNexmarkSource(NexmarkOptions{Table: "person", Rate: 1, Pace: true},
			people, nil)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		require.NoError(t, src.Open(ctx))
		b, err := src.Next(ctx)
		require.NoError(t, err, "the first person is due at once")
		require.Equal(t, int64(1), b.NumRows())
		b.Release()
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err = src.Next(ctx) // the next person is due in 50 s
		require.ErrorIs(t, err, context.Canceled)
		require.Less(t, time.Since(start), 2*time.Second)
		require.NoError(t, src.Close())
	})
}

func TestNexmarkPace(t *testing.T) {
	schema, _ := NexmarkSchema("bid")
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := NexmarkOptions{Table: "bid", Rate: 1000, Pace: true,
		now: func() time.Time { return now }}
	src, err := NewNexmarkSource(opts, schema, nil)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, src.Open(ctx))
	defer src.Close()

	now = now.Add(10 * time.Millisecond)
	b, err := src.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(7), b.NumRows(), "events 4 to 10 are due after 10 ms")
	b.Release()

	now = now.Add(100 * time.Millisecond)
	b, err = src.Next(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(92), b.NumRows(), "events 11 to 110 but the 8 people and auctions")
	b.Release()
}

// nexDigest returns a SHA-256 of a table's columns in schema order, values in row order.
func nexDigest(tb nexTable, schema *arrow.Schema) string {
	h := sha256.New()
	var buf [8]byte
	for _, f := range schema.Fields() {
		h.Write([]byte(f.Name))
		for _, v := range tb.ints[f.Name] {
			binary.LittleEndian.PutUint64(buf[:], uint64(v))
			h.Write(buf[:])
		}
		for _, s := range tb.strs[f.Name] {
			binary.LittleEndian.PutUint32(buf[:4], uint32(len(s)))
			h.Write(buf[:4])
			h.Write([]byte(s))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestNexmarkStable pins what seed 1 generates, so that a faster generator is known to make
// the same events; a deliberate change of the events updates the digests.
func TestNexmarkStable(t *testing.T) {
	want := map[string]string{
		"bid":     "ff011d1e250e2911de895f9ff9099d6ebbd3bec0e625564f3443dda00c62c87d",
		"auction": "d8bb4ac7d54794932802699bc4b4ab79e121f252d54425f48cbb2f15ebb88acf",
		"person":  "4dd23f189f3faeb945b85be19015c9f9088e6f4df86d917cc56f286038b6fdb9",
	}
	for _, table := range NexmarkTables() {
		for _, batch := range []int{0, 777} {
			schema, err := NexmarkSchema(table)
			require.NoError(t, err)
			tb := readNexmark(t, NexmarkOptions{Table: table, Events: 200_000, Seed: 1,
				BatchSize: batch})
			require.Equal(t, want[table], nexDigest(tb, schema), "%s, batch %d", table, batch)
		}
	}
}
