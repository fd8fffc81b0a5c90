package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/weirsql/weir/internal/recycle"
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
	reuse  *recycle.Allocator // the $wm columns' buffers, back from the batches released
	scrub  []arrow.Timestamp  // the event times of a batch with nulls, each null as minTime
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
	w.reuse = recycle.New(w.Env.Mem, 4)
	return w.Input.Open(ctx)
}

func (w *Watermark) Close() error {
	if w.reuse != nil {
		w.reuse.Close()
	}
	return w.Input.Close()
}

// skipNulls returns the event times of ts with each null as minTime, which raises no mark.
func (w *Watermark) skipNulls(ts *array.Timestamp) []arrow.Timestamp {
	w.scrub = append(w.scrub[:0], ts.TimestampValues()...)
	for i := range w.scrub {
		if ts.IsNull(i) {
			w.scrub[i] = arrow.Timestamp(minTime)
		}
	}
	return w.scrub
}

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
	v := w.view(-1)
	return v.at(minTime)
}

// partView is the partitions' standing as a batch of one partition found them: the low and
// high marks of the others, and whether the batch's own partition counts towards the low.
type partView struct {
	low, high int64
	any       bool // some other partition counts towards low
	counts    bool // the batch's partition is open and not idle
	delay     int64
}

// view gathers the partitions other than part, judging idleness once, at the batch's arrival.
func (w *Watermark) view(part int) partView {
	now := w.now()
	v := partView{low: maxTime, high: minTime, delay: w.Delay}
	for _, p := range w.Parts.Partitions() {
		active := p.Open && (w.IdleTimeout <= 0 || now.Sub(p.LastActive) < w.IdleTimeout)
		if p.ID == part {
			v.counts = active
			continue
		}
		m, ok := w.maxOf[p.ID]
		if !ok {
			m = minTime
		}
		v.high = max(v.high, m)
		if active {
			v.low, v.any = min(v.low, m), true
		}
	}
	return v
}

// at is the watermark with the batch's partition at largest event time m.
func (v partView) at(m int64) int64 {
	low, high, any := v.low, max(v.high, m), v.any
	if v.counts {
		low, any = min(low, m), true
	}
	if !any {
		low = high // every open partition is idle: follow the ones that sent events
	}
	return minus(low, v.delay)
}

// advance raises the shared watermark to wm.
func (w *Watermark) advance(wm int64) {
	if wm > w.State.Current {
		w.State.Current = wm
	}
}

// evalTime evaluates the event time t over b, which must be a TIMESTAMP.
func evalTime(mem memory.Allocator, t Expr, b arrow.RecordBatch) (*array.Timestamp, error) {
	a, err := t.Eval(mem, b)
	if err != nil {
		return nil, err
	}
	ts, ok := a.(*array.Timestamp)
	if !ok {
		a.Release()
		return nil, fmt.Errorf("event time %s is %s, not TIMESTAMP", t, a.DataType())
	}
	return ts, nil
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
	ts, err := evalTime(w.Env.Mem, w.Time, b)
	if err != nil {
		return nil, err
	}
	defer ts.Release()
	n := int(b.NumRows())
	buf := memory.NewResizableBuffer(w.reuse)
	defer buf.Release()
	buf.Resize(n * arrow.Int64SizeBytes)
	marks := arrow.Int64Traits.CastFromBytes(buf.Bytes())
	times := ts.TimestampValues()
	if ts.NullN() > 0 {
		times = w.skipNulls(ts)
	}
	// The watermark never goes back, even when a partition joins or wakes up. Each row's
	// mark is the watermark before it; the loops have no branch that depends on the data.
	floor := w.State.Current
	if w.Parts == nil {
		m := int64(minTime)
		if w.seen {
			m = w.single
		}
		wm := max(w.current(), floor)
		for i, t := range times {
			marks[i] = wm
			m = max(m, int64(t))
			wm = max(minus(m, w.Delay), floor)
		}
		if len(times) > ts.NullN() {
			w.single, w.seen = m, true
		}
		w.advance(wm)
	} else {
		part := w.Parts.LastPartition()
		v := w.view(part)
		m, ok := w.maxOf[part]
		if !ok {
			m = minTime
		}
		wm := max(v.at(m), floor)
		for i, t := range times {
			marks[i] = wm
			m = max(m, int64(t))
			wm = max(v.at(m), floor)
		}
		if ok || len(times) > ts.NullN() {
			w.maxOf[part] = m
		}
		w.advance(wm)
	}
	data := array.NewData(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer data.Release()
	wcol := array.NewInt64Data(data)
	defer wcol.Release()
	cols := append(append([]arrow.Array(nil), b.Columns()...), wcol)
	return array.NewRecordBatch(w.Schema(), cols, b.NumRows()), nil
}
