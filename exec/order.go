package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// EventOrder puts a stream's events in the order of their time, as the watermark allows, for
// the analytic functions ordered by that time. Its input is a Watermark operator's: the
// events with the $wm column, which it leaves out of its output. An event is held until the
// watermark reaches its time, then comes out with the others the same advance released,
// ordered by time and, among equal times, by arrival. An event older than the watermark as
// it stood when the event arrived (its $wm) is late, as for windows: events after it in time
// may have gone out, so it is dropped and counted. Which events are late thus follows the
// events one by one, never the batches they came in. An event without a time is skipped and
// counted. At the end of the input every held event comes out; a batch of no rows (a tick of
// the clock) is passed on when it releases nothing.
type EventOrder struct {
	Input Operator // ends with the $wm column
	Env   *Env
	Time  Expr
	WM    *WatermarkState // the Watermark operator's
	Op    *OpStats
	Late  LateSink // receives the late events, when set
	// Strict holds the events whose time equals the watermark as well, since more of that
	// time may come: the events of one time then come out together, for frames that reach
	// a row's peers and for ORDER BY keys after the time.
	Strict bool

	out      *arrow.Schema
	waiting  eventHeap     // the events held, earliest first
	held     []*orderBatch // the held batches from number base on; nil once let go
	base     int32         // the number of held[0]
	seq      int64         // the arrival number of the next event held
	released int64         // the watermark up to which events have come out
	bytes    int64         // the held batches' bytes and the heap's
	late     []int         // the rows of the current batch that are late
	done     bool
}

// heldEvent is an event held until the watermark reaches its time. It names its batch by
// number, so that the heap holds no pointers.
type heldEvent struct {
	t, seq     int64
	batch, row int32
}

// orderBatch is an input batch some of whose events are held.
type orderBatch struct {
	rec  arrow.RecordBatch
	left int // its events still held
	size int64
}

// heldEventBytes is what the heap takes per held event.
const heldEventBytes = 24

// eventHeap is a binary heap of held events, by time, then arrival.
type eventHeap []heldEvent

func (h eventHeap) less(i, j int) bool {
	return h[i].t < h[j].t || h[i].t == h[j].t && h[i].seq < h[j].seq
}

func (h *eventHeap) push(e heldEvent) {
	*h = append(*h, e)
	q := *h
	for i := len(q) - 1; i > 0; {
		up := (i - 1) / 2
		if !q.less(i, up) {
			break
		}
		q[i], q[up] = q[up], q[i]
		i = up
	}
}

func (h *eventHeap) pop() heldEvent {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		if r := l + 1; r < n && q.less(r, l) {
			l = r
		}
		if !q.less(l, i) {
			break
		}
		q[i], q[l] = q[l], q[i]
		i = l
	}
	*h = q
	return top
}

var _ Operator = (*EventOrder)(nil)

func (o *EventOrder) Schema() *arrow.Schema {
	if o.out == nil {
		in := o.Input.Schema().Fields()
		o.out = arrow.NewSchema(in[:len(in)-1], nil)
	}
	return o.out
}

func (o *EventOrder) Open(ctx context.Context) error {
	o.released = minTime
	return o.Input.Open(ctx)
}

func (o *EventOrder) Close() error {
	for _, ob := range o.held {
		if ob != nil {
			ob.rec.Release()
		}
	}
	o.waiting, o.held, o.bytes = nil, nil, 0
	if o.Op != nil {
		o.Op.SetState(0)
	}
	return o.Input.Close()
}

func (o *EventOrder) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for !o.done {
		b, err := o.Input.Next(ctx)
		if errors.Is(err, io.EOF) {
			o.done = true
			out, err := o.emit(maxTime)
			if out == nil && err == nil {
				err = io.EOF
			}
			return out, err
		}
		if err != nil {
			return nil, err
		}
		out, err := o.admit(b)
		b.Release()
		if err != nil || out != nil {
			return out, err
		}
	}
	return nil, io.EOF
}

// admit takes one input batch and returns what the watermark after it releases: nil when
// nothing, or the empty batch itself for a batch of no rows.
func (o *EventOrder) admit(b arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := int(b.NumRows())
	if n == 0 {
		out, err := o.emit(o.WM.Current)
		if out == nil && err == nil {
			out = o.project(b)
		}
		return out, err
	}
	ts, err := evalTime(o.Env.Mem, o.Time, b)
	if err != nil {
		return nil, err
	}
	defer ts.Release()
	wm := o.WM.Current
	marks := b.Column(int(b.NumCols()) - 1).(*array.Int64).Int64Values()
	if len(o.waiting) == 0 && ts.NullN() == 0 && inOrderFrom(ts, marks) {
		// The usual case of events in order and none late: those up to the watermark come
		// out as they are.
		o.released = max(o.released, wm)
		times := ts.TimestampValues()
		k := sort.Search(n, func(i int) bool { return !o.releases(int64(times[i])) })
		if k < n {
			o.hold(b, ts, k, nil)
			if err := o.account(); err != nil {
				return nil, err
			}
		}
		switch k {
		case 0:
			return nil, nil
		case n:
			return o.project(b), nil
		}
		sub := b.NewSlice(0, int64(k))
		defer sub.Release()
		return o.project(sub), nil
	}
	var skipped int64
	o.late = o.late[:0]
	for i := range n {
		switch {
		case ts.IsNull(i):
			skipped++
		case int64(ts.Value(i)) < marks[i]:
			o.late = append(o.late, i)
		}
	}
	o.Op.AddLate(int64(len(o.late)), 0)
	o.Op.AddSkipped(skipped)
	if len(o.late) > 0 && o.Late != nil {
		if err := o.Late(b, o.late); err != nil {
			return nil, fmt.Errorf("writing late events: %w", err)
		}
	}
	if int(skipped)+len(o.late) < n {
		o.hold(b, ts, 0, marks)
		if err := o.account(); err != nil {
			return nil, err
		}
	}
	return o.emit(wm)
}

// releases reports whether an event at t comes out at the watermark reached so far.
func (o *EventOrder) releases(t int64) bool {
	if o.Strict && o.released != maxTime {
		return t < o.released
	}
	return t <= o.released
}

// inOrderFrom reports whether ts is in ascending order with no time below its mark. (A
// filter between the Watermark and EventOrder may have dropped the row that raised a mark,
// so order alone does not say that none is late.)
func inOrderFrom(ts *array.Timestamp, marks []int64) bool {
	prev := int64(minTime)
	for i, t := range ts.TimestampValues() {
		if int64(t) < prev || int64(t) < marks[i] {
			return false
		}
		prev = int64(t)
	}
	return true
}

// hold keeps b's events from row `from` on, but for those without a time and the late ones
// (older than their mark, when marks is given).
func (o *EventOrder) hold(b arrow.RecordBatch, ts *array.Timestamp, from int,
	marks []int64) {
	ob := &orderBatch{rec: b, size: batchBytes(b)}
	num := o.base + int32(len(o.held))
	for i := from; i < int(b.NumRows()); i++ {
		t := int64(ts.Value(i))
		if ts.IsNull(i) || marks != nil && t < marks[i] {
			continue
		}
		o.waiting.push(heldEvent{t: t, seq: o.seq, batch: num, row: int32(i)})
		o.seq++
		ob.left++
	}
	b.Retain()
	o.held = append(o.held, ob)
	o.bytes += ob.size + int64(ob.left)*heldEventBytes
}

// account publishes the held bytes and fails past the memory limit.
func (o *EventOrder) account() error {
	o.Op.SetState(o.bytes)
	return checkMemory(o.Env)
}

// project returns b without its $wm column.
func (o *EventOrder) project(b arrow.RecordBatch) arrow.RecordBatch {
	cols := b.Columns()
	return array.NewRecordBatch(o.Schema(), cols[:len(cols)-1], b.NumRows())
}

// emit returns the held events the watermark wm releases, in time order, or nil when there
// are none.
func (o *EventOrder) emit(wm int64) (arrow.RecordBatch, error) {
	o.released = max(o.released, wm)
	var evs []heldEvent
	for len(o.waiting) > 0 && o.releases(o.waiting[0].t) {
		evs = append(evs, o.waiting.pop())
	}
	if len(evs) == 0 {
		return nil, nil
	}
	out, err := o.gather(evs)
	for _, e := range evs {
		o.bytes -= heldEventBytes
		ob := o.held[e.batch-o.base]
		if ob.left--; ob.left == 0 {
			o.bytes -= ob.size
			ob.rec.Release()
			o.held[e.batch-o.base] = nil
		}
	}
	// Batches mostly go in arrival order: drop those let go from the front.
	k := 0
	for k < len(o.held) && o.held[k] == nil {
		k++
	}
	o.held, o.base = o.held[k:], o.base+int32(k)
	if len(o.waiting) == 0 {
		o.waiting, o.held = nil, nil // let go of slices that grew large
	}
	o.Op.SetState(o.bytes)
	return out, err
}

// gather builds a batch of the given events.
func (o *EventOrder) gather(evs []heldEvent) (arrow.RecordBatch, error) {
	schema := o.Schema()
	cols := make([]arrow.Array, schema.NumFields())
	defer func() { releaseAll(cols) }()
	for c := range cols {
		bld := array.NewBuilder(o.Env.Mem, schema.Field(c).Type)
		bld.Reserve(len(evs))
		for _, e := range evs {
			rec := o.held[e.batch-o.base].rec
			if err := appendCell(bld, rec.Column(c), int(e.row)); err != nil {
				bld.Release()
				return nil, err
			}
		}
		cols[c] = bld.NewArray()
		bld.Release()
	}
	return array.NewRecordBatch(schema, cols, int64(len(evs))), nil
}
