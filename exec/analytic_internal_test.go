package exec

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/weirsql/weir/functions"
)

// batchList hands out prepared batches, then io.EOF.
type batchList struct {
	schema  *arrow.Schema
	batches []arrow.RecordBatch
}

func (s *batchList) Schema() *arrow.Schema      { return s.schema }
func (s *batchList) Open(context.Context) error { return nil }

func (s *batchList) Next(context.Context) (arrow.RecordBatch, error) {
	if len(s.batches) == 0 {
		return nil, io.EOF
	}
	b := s.batches[0]
	s.batches = s.batches[1:]
	return b, nil
}

func (s *batchList) Close() error {
	for _, b := range s.batches {
		b.Release()
	}
	s.batches = nil
	return nil
}

// keyedBatches makes batches of (ts, k) rows: row i of the whole input has time i and key
// key(i).
func keyedBatches(mem memory.Allocator, schema *arrow.Schema, rows, size int,
	key func(int) int64) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	for lo := 0; lo < rows; lo += size {
		b := array.NewRecordBuilder(mem, schema)
		for i := lo; i < min(lo+size, rows); i++ {
			b.Field(0).(*array.TimestampBuilder).Append(arrow.Timestamp(i))
			b.Field(1).(*array.Int64Builder).Append(key(i))
		}
		out = append(out, b.NewRecordBatch())
		b.Release()
	}
	return out
}

// TestLeadHoldsBoundedRows runs lead(ts, 2) OVER (PARTITION BY k ORDER BY ts) over a stream
// of 200,000 rows in batches of 1,000: 100 keys that come round and round, and in each batch
// a key seen only once, whose row waits to the end. It checks after every batch that the rows
// waiting are at most 2 per partition, that the batches kept for them stay within twice those
// rows plus the slack (the rows of the rare keys are compacted out of their batches), and
// that every row comes out once with its lead.
func TestLeadHoldsBoundedRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ts", Type: functions.Timestamp, Nullable: true},
		{Name: "k", Type: functions.Bigint, Nullable: true},
	}, nil)
	const rows, keys = 200_000, 100
	rare := func(i int) bool { return i%1000 == 500 }
	key := func(i int) int64 {
		if rare(i) {
			return int64(-i)
		}
		return int64(i % keys)
	}
	// after is the row 2 after row i of its key, or -1.
	after := func(i int) int {
		j, n := i, 0
		for j++; j < rows && n < 2; j++ {
			if key(j) == key(i) {
				n++
				if n == 2 {
					return j
				}
			}
		}
		return -1
	}
	lead, _ := functions.NewRegistry().Analytic("lead")
	ts := &Column{Index: 0, T: functions.Timestamp, Name: "ts"}
	k := &Column{Index: 1, T: functions.Bigint, Name: "k"}
	fn := &AnalyticFn{Fn: lead, Args: []Expr{ts}, Partition: []Expr{k},
		Order: []Expr{ts}, Desc: []bool{false}, NullsFirst: []bool{false}, Offset: 2,
		T: functions.Timestamp, Text: "lead(ts, 2)"}
	out := arrow.NewSchema(append(schema.Fields(), arrow.Field{Name: "next",
		Type: functions.Timestamp, Nullable: true}), nil)
	op := &Analytic{Input: &batchList{schema: schema,
		batches: keyedBatches(mem, schema, rows, 1000, key)},
		Env: &Env{Mem: mem, Stats: &Stats{}}, Fns: []*AnalyticFn{fn}, Out: out}
	ctx := context.Background()
	require.NoError(t, op.Open(ctx))
	defer op.Close()

	seen := make([]bool, rows)
	for {
		b, err := op.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		times := b.Column(0).(*array.Timestamp)
		next := b.Column(2).(*array.Timestamp)
		for r := 0; r < int(b.NumRows()); r++ {
			i := int(times.Value(r))
			require.False(t, seen[i], "row %d comes out once", i)
			seen[i] = true
			if j := after(i); j < 0 {
				require.True(t, next.IsNull(r), "row %d has no row 2 after it", i)
			} else {
				require.EqualValues(t, j, next.Value(r), "row %d", i)
			}
		}
		b.Release()
		h := op.hold
		if !h.done {
			require.LessOrEqual(t, h.waiting, 2*keys+rows/1000)
			require.LessOrEqual(t, h.retained, 2*h.waiting+compactSlack)
			require.Equal(t, heldBytes(h), h.bytes(), "the running size of the held rows")
		}
	}
	for i, s := range seen {
		require.True(t, s, "row %d came out", i)
	}
}

// heldBytes measures the held batches from scratch: their columns, a cell and the bookkeeping
// per row and lead, and the leads' strings.
func heldBytes(h *holdBack) int64 {
	var n int64
	for _, hb := range h.batches {
		for _, c := range hb.cols {
			if c != nil {
				n += dataBytes(c.Data())
			}
		}
		n += int64(len(hb.waits)) * h.heldRowBytes()
		for _, l := range hb.leads {
			for _, c := range l {
				n += int64(len(c.str))
			}
		}
	}
	return n
}
