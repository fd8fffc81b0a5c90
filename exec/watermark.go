package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// WatermarkColumn is the hidden column the Watermark operator appends: for each row, the
// watermark as it stood when the row arrived.
const WatermarkColumn = "$wm"

// PartitionState describes one partition of a stream, for the watermark.
type PartitionState struct {
	ID         int
	Open       bool      // false once the partition has ended
	LastActive time.Time // when it last sent a batch (or opened)
}

// Partitioned is implemented by sources fed by several partitions (the Go API's appenders,
// the script tests' named partitions). A source without it is one partition.
type Partitioned interface {
	// LastPartition is the partition of the batch Next returned last.
	LastPartition() int
	// Partitions lists the partitions that have opened so far.
	Partitions() []PartitionState
}

// WatermarkState is the watermark as the Watermark operator last computed it, shared with the
// operators above it that fire windows.
type WatermarkState struct {
	Current int64 // after the last batch; minTime before any event, maxTime at the end
}

// Watermark tracks a stream's watermark: the largest event time seen minus Delay, taken as the
// minimum over the stream's partitions (leaving out those idle longer than IdleTimeout, when
// it is set). It evaluates the event time on every event, before any WHERE filter, and appends
// the per-row watermark as the hidden column $wm.
type Watermark struct {
	Input       Operator
	Env         *Env
	Time        Expr
	Delay       int64
	IdleTimeout time.Duration
	Parts       Partitioned // nil for a single partition
	State       *WatermarkState

	out    *arrow.Schema
	maxOf  map[int]int64
	single int64
	seen   bool
}

var _ Operator = (*Watermark)(nil)

// WithWatermarkColumn returns s with the hidden $wm column appended.
func WithWatermarkColumn(s *arrow.Schema) *arrow.Schema {
	fields := append(append([]arrow.Field(nil), s.Fields()...),
		arrow.Field{Name: WatermarkColumn, Type: arrow.PrimitiveTypes.Int64})
	return arrow.NewSchema(fields, nil)
}

func (w *Watermark) Schema() *arrow.Schema {
	if w.out == nil {
		w.out = WithWatermarkColumn(w.Input.Schema())
	}
	return w.out
}

func (w *Watermark) Open(ctx context.Context) error {
	w.maxOf = map[int]int64{}
	w.single = minTime
	w.State.Current = minTime
	return w.Input.Open(ctx)
}

func (w *Watermark) Close() error { return w.Input.Close() }

func (w *Watermark) now() time.Time {
	if w.Env.Now != nil {
		return w.Env.Now()
	}
	return time.Now()
}

// current computes the watermark from the partitions' largest event times.
func (w *Watermark) current() int64 {
	if w.Parts == nil {
		if !w.seen {
			return minTime
		}
		return minus(w.single, w.Delay)
	}
	now := w.now()
	low, any := int64(maxTime), false
	high := int64(minTime)
	for _, p := range w.Parts.Partitions() {
		m, ok := w.maxOf[p.ID]
		if !ok {
			m = minTime
		}
		high = max(high, m)
		if !p.Open {
			continue
		}
		if w.IdleTimeout > 0 && now.Sub(p.LastActive) >= w.IdleTimeout {
			continue
		}
		low, any = min(low, m), true
	}
	if !any {
		low = high // every open partition is idle: follow the ones that sent events
	}
	return minus(low, w.Delay)
}

func minus(t, d int64) int64 {
	if t < minTime+d {
		return minTime
	}
	return t - d
}

func (w *Watermark) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := w.Input.Next(ctx)
	if errors.Is(err, io.EOF) {
		w.State.Current = maxTime
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	defer b.Release()
	tarr, err := w.Time.Eval(w.Env.Mem, b)
	if err != nil {
		return nil, err
	}
	defer tarr.Release()
	ts, ok := tarr.(*array.Timestamp)
	if !ok {
		return nil, fmt.Errorf("event time %s is %s, not TIMESTAMP", w.Time, tarr.DataType())
	}
	part := 0
	if w.Parts != nil {
		part = w.Parts.LastPartition()
	}
	n := int(b.NumRows())
	wb := array.NewInt64Builder(w.Env.Mem)
	defer wb.Release()
	wb.Reserve(n)
	times := ts.TimestampValues()
	nulls := ts.NullN() > 0
	// The watermark never goes back, even when a partition joins or wakes up.
	floor := w.State.Current
	wm := max(w.current(), floor)
	for i := 0; i < n; i++ {
		wb.UnsafeAppend(wm)
		if nulls && ts.IsNull(i) {
			continue
		}
		t := int64(times[i])
		if w.Parts == nil {
			if !w.seen || t > w.single {
				w.single, w.seen = t, true
				wm = max(minus(t, w.Delay), floor)
			}
			continue
		}
		if m, ok := w.maxOf[part]; !ok || t > m {
			w.maxOf[part] = t
			wm = max(w.current(), floor)
		}
	}
	if wm > w.State.Current {
		w.State.Current = wm
	}
	wcol := wb.NewArray()
	defer wcol.Release()
	cols := append(append([]arrow.Array(nil), b.Columns()...), wcol)
	return array.NewRecordBatch(w.Schema(), cols, b.NumRows()), nil
}
