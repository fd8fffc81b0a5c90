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
// ordered by time and, among equal times, by arrival. An event older than the watermark the
// events before it were released at is late: the rows after it in time have gone out, so it
// is dropped and counted. An event without a time is skipped and counted. At the end of the
// input every held event comes out.
type EventOrder struct {
	Input Operator // ends with the $wm column
	Env   *Env
	Time  Expr
	WM    *WatermarkState // the Watermark operator's
	Op    *OpStats
	Late  LateSink // receives the late events, when set
	// Strict holds the events whose time equals the watermark as well, since more of that
	// time may come: the events of one time then come out together, for frames that reach
	// a row's peers.
	Strict bool

	out      *arrow.Schema
	held     []arrow.RecordBatch // the batches some of whose events are held
	waiting  []heldEvent         // the events held, in arrival order
	released int64               // the watermark up to which events have come out
	bytes    int64               // the held batches' bytes
	late     []int               // the rows of the current batch that are late
	done     bool
}

// heldEvent is an event held until the watermark reaches its time.
type heldEvent struct {
	t     int64
	batch int32 // index into held
	row   int32
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
	o.release(len(o.held))
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

// admit takes one input batch and returns what the watermark after it releases, or nil.
func (o *EventOrder) admit(b arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := int(b.NumRows())
	if n == 0 {
		return o.emit(o.WM.Current)
	}
	tc, err := o.Time.Eval(o.Env.Mem, b)
	if err != nil {
		return nil, err
	}
	defer tc.Release()
	ts := tc.(*array.Timestamp)
	wm := o.WM.Current
	if len(o.waiting) == 0 && ts.NullN() == 0 && inOrderBelow(ts, o.released, wm) {
		// The usual case of events in order and a watermark that keeps up with them: the
		// batch comes out as it is, but for the events at the watermark when Strict.
		o.released = max(o.released, wm)
		k := n
		if o.Strict {
			times := ts.TimestampValues()
			k = sort.Search(n, func(i int) bool { return int64(times[i]) >= o.released })
		}
		if k == n {
			return o.project(b), nil
		}
		for i := k; i < n; i++ {
			o.waiting = append(o.waiting, heldEvent{t: int64(ts.Value(i)), row: int32(i)})
		}
		o.hold(b)
		if err := checkMemory(o.Env); err != nil {
			return nil, err
		}
		if k == 0 {
			return nil, nil
		}
		sub := b.NewSlice(0, int64(k))
		defer sub.Release()
		return o.project(sub), nil
	}
	var skipped int64
	o.late = o.late[:0]
	bi := int32(len(o.held))
	kept := false
	for i := range n {
		switch t := int64(ts.Value(i)); {
		case ts.IsNull(i):
			skipped++
		case t < o.released:
			o.late = append(o.late, i)
		default:
			o.waiting = append(o.waiting, heldEvent{t: t, batch: bi, row: int32(i)})
			kept = true
		}
	}
	o.Op.AddLate(int64(len(o.late)), 0)
	o.Op.AddSkipped(skipped)
	if len(o.late) > 0 && o.Late != nil {
		if err := o.Late(b, o.late); err != nil {
			return nil, fmt.Errorf("writing late events: %w", err)
		}
	}
	if kept {
		o.hold(b)
		if err := checkMemory(o.Env); err != nil {
			return nil, err
		}
	}
	return o.emit(wm)
}

// hold keeps b, some of whose events wait, as the last of the held batches.
func (o *EventOrder) hold(b arrow.RecordBatch) {
	b.Retain()
	o.held = append(o.held, b)
	o.bytes += batchBytes(b)
	o.Op.SetState(o.bytes)
}

// inOrderBelow reports whether ts is in ascending order, from from on, and at most wm.
func inOrderBelow(ts *array.Timestamp, from, wm int64) bool {
	prev := from
	for _, t := range ts.TimestampValues() {
		if int64(t) < prev {
			return false
		}
		prev = int64(t)
	}
	return prev <= wm
}

// project returns b without its $wm column.
func (o *EventOrder) project(b arrow.RecordBatch) arrow.RecordBatch {
	cols := b.Columns()
	return array.NewRecordBatch(o.Schema(), cols[:len(cols)-1], b.NumRows())
}

// emit returns the held events whose time is at most wm, in time order, or nil when there
// are none.
func (o *EventOrder) emit(wm int64) (arrow.RecordBatch, error) {
	o.released = max(o.released, wm)
	if len(o.waiting) == 0 {
		return nil, nil
	}
	wm = o.released
	sort.SliceStable(o.waiting, func(i, j int) bool { return o.waiting[i].t < o.waiting[j].t })
	n := sort.Search(len(o.waiting), func(i int) bool {
		if o.Strict && wm != maxTime {
			return o.waiting[i].t >= wm
		}
		return o.waiting[i].t > wm
	})
	if n == 0 {
		return nil, nil
	}
	out, err := o.gather(o.waiting[:n])
	if err != nil {
		return nil, err
	}
	o.waiting = append(o.waiting[:0], o.waiting[n:]...)
	o.sweep()
	return out, nil
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
			if err := appendCell(bld, o.held[e.batch].Column(c), int(e.row)); err != nil {
				bld.Release()
				return nil, err
			}
		}
		cols[c] = bld.NewArray()
		bld.Release()
	}
	return array.NewRecordBatch(schema, cols, int64(len(evs))), nil
}

// sweep lets go of the held batches none of whose events wait any more, and renumbers the
// waiting events' batches.
func (o *EventOrder) sweep() {
	if len(o.waiting) == 0 {
		o.release(len(o.held))
		return
	}
	used := make([]int32, len(o.held)) // the batch's new index + 1, or 0 when unused
	for _, e := range o.waiting {
		used[e.batch] = 1
	}
	live := 0
	for i, b := range o.held {
		if used[i] == 0 {
			o.bytes -= batchBytes(b)
			b.Release()
			continue
		}
		o.held[live] = b
		live++
		used[i] = int32(live)
	}
	clear(o.held[live:])
	o.held = o.held[:live]
	for i := range o.waiting {
		o.waiting[i].batch = used[o.waiting[i].batch] - 1
	}
	o.Op.SetState(o.bytes)
}

// release lets go of the first n held batches (all of them, when the events are out).
func (o *EventOrder) release(n int) {
	for _, b := range o.held[:n] {
		b.Release()
	}
	o.held = o.held[n:]
	if len(o.held) == 0 {
		o.held, o.waiting, o.bytes = nil, nil, 0
		if o.Op != nil {
			o.Op.SetState(0)
		}
	}
}
