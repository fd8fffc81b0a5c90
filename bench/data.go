// Package bench runs the workloads of weir's performance issue side by side in weir and in
// DuckDB, on the same generated data, and checks that both give the same answers. It is a
// module of its own so that the engine never depends on DuckDB (which needs cgo).
package bench

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The shape of the generated stream. cmd/weir/bench.go generates the same events from the
// same seed, so that `weir --bench` and this module measure the same data.
const (
	Keys      = 1000        // distinct keys, drawn from a Zipf distribution (s = 1.1)
	Step      = int64(1000) // µs of event time between consecutive events
	Disorder  = int64(2e6)  // one event in ten arrives up to this many µs late
	BatchRows = 4096        // rows per pushed batch
	Seed      = uint64(1)   // the generator's seed
	Delay     = "2"         // the watermark delay in seconds: no event is ever late
	baseTime  = int64(1704067200) * 1e6
)

// Schema is the stream's schema: ts TIMESTAMP, k BIGINT, v DOUBLE.
var Schema = arrow.NewSchema([]arrow.Field{
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
		Nullable: true},
	{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// Data is a generated stream held in memory as Arrow batches.
type Data struct {
	Batches []arrow.RecordBatch
	// WM is the watermark after each batch: the largest event time so far minus the delay.
	WM     []int64
	Events int
}

// Release frees the batches.
func (d *Data) Release() {
	for _, b := range d.Batches {
		b.Release()
	}
	d.Batches = nil
}

// event is one generated event.
type event struct {
	ts, k int64
	v     float64
}

// generator makes the events one at a time, deterministically.
type generator struct {
	rng  *rand.Rand
	zipf *rand.Zipf
	i    int64
}

func newGenerator() *generator {
	rng := rand.New(rand.NewPCG(Seed, 0x5eed))
	return &generator{rng: rng, zipf: rand.NewZipf(rng, 1.1, 1, Keys-1)}
}

// next returns the next event: timestamps mostly increasing, one in ten up to 2 s behind;
// keys skewed; values with two decimals, so that they survive a round trip through text.
func (g *generator) next() event {
	t := baseTime + g.i*Step
	g.i++
	if g.rng.IntN(10) == 0 {
		t -= g.rng.Int64N(Disorder)
	}
	k := int64(g.zipf.Uint64())
	v := math.Round(g.rng.ExpFloat64()*1e4) / 100
	return event{ts: t, k: k, v: v}
}

// Generate makes n events in batches of BatchRows.
func Generate(n int) *Data {
	g := newGenerator()
	d := &Data{Events: n}
	b := array.NewRecordBuilder(memory.DefaultAllocator, Schema)
	defer b.Release()
	tb := b.Field(0).(*array.TimestampBuilder)
	kb := b.Field(1).(*array.Int64Builder)
	vb := b.Field(2).(*array.Float64Builder)
	maxSeen := int64(math.MinInt64)
	for i := 0; i < n; i++ {
		e := g.next()
		maxSeen = max(maxSeen, e.ts)
		tb.Append(arrow.Timestamp(e.ts))
		kb.Append(e.k)
		vb.Append(e.v)
		if (i+1)%BatchRows == 0 || i == n-1 {
			d.Batches = append(d.Batches, b.NewRecordBatch())
			d.WM = append(d.WM, maxSeen-2e6)
		}
	}
	return d
}

// WriteCSV writes n generated events to path as CSV with a header: ts as
// `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), k, v.
func WriteCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	g := newGenerator()
	w.WriteString("ts,k,v\n")
	var buf []byte
	for i := 0; i < n; i++ {
		e := g.next()
		buf = time.UnixMicro(e.ts).UTC().AppendFormat(buf[:0], "2006-01-02 15:04:05.000000")
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, e.k, 10)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, e.v, 'f', -1, 64)
		buf = append(buf, '\n')
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Checksum is a digest of the first n generated events, to show that two generators agree.
func Checksum(n int) string {
	g := newGenerator()
	var h uint64 = 14695981039346656037
	for i := 0; i < n; i++ {
		e := g.next()
		for _, x := range []uint64{uint64(e.ts), uint64(e.k), math.Float64bits(e.v)} {
			h = (h ^ x) * 1099511628211
		}
	}
	return fmt.Sprintf("%016x", h)
}
