package exec

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/weirsql/weir/functions"
)

// AggCall is one aggregate of a query: its function, argument expressions and optional
// FILTER (WHERE ...) predicate.
type AggCall struct {
	Fn     *functions.Aggregate
	Args   []Expr
	Filter Expr
	Text   string
}

// trashSlot receives the rows that must not count (late events, rows a FILTER rejects); it is
// emptied after every batch and never emitted.
const trashSlot = 0

// HashAggregate groups events by key and window, folds each aggregate batch by batch into
// columnar state indexed by group slot, and emits a window's rows once the watermark reaches
// its end.
//
// The watermark is the largest event time seen minus Delay; it advances event by event, so an
// event whose window ended at or before the watermark as it stood when the event arrived is
// late and dropped, whatever the batch boundaries. At the end of the input the watermark
// becomes +infinity and every open window fires. Its output has the key columns, then
// window_start and window_end when there is a window, then one column per aggregate.
type HashAggregate struct {
	Input  Operator
	Env    *Env
	Keys   []Expr
	Time   Expr // the event time; nil without a window
	Window Window
	Delay  int64
	Aggs   []AggCall
	Out    *arrow.Schema

	groups   map[string]uint32
	slotKey  []string
	start    []int64
	end      []int64
	keyCols  []*keyColumn
	states   []functions.AggState
	free     []uint32
	ends     []int64 // distinct ends of open windows, ascending
	byEnd    map[int64][]uint32
	maxEvent int64
	seen     bool
	done     bool
	emitted  bool

	rowSlots []uint32
	aggSlots []uint32
	keyBuf   []byte
	pending  []arrow.RecordBatch
}

var _ Operator = (*HashAggregate)(nil)

func (h *HashAggregate) Schema() *arrow.Schema { return h.Out }

func (h *HashAggregate) Open(ctx context.Context) error {
	h.groups = map[string]uint32{}
	h.byEnd = map[int64][]uint32{}
	h.maxEvent = minTime
	h.keyCols = make([]*keyColumn, len(h.Keys))
	for i, k := range h.Keys {
		kc, err := newKeyColumn(k.Type())
		if err != nil {
			return err
		}
		h.keyCols[i] = kc
	}
	h.states = make([]functions.AggState, len(h.Aggs))
	for i, a := range h.Aggs {
		types := make([]arrow.DataType, len(a.Args))
		for j, e := range a.Args {
			types[j] = e.Type()
		}
		h.states[i] = a.Fn.New(types)
	}
	h.newSlot("", 0, 0) // the trash slot
	return h.Input.Open(ctx)
}

func (h *HashAggregate) Close() error {
	for _, b := range h.pending {
		b.Release()
	}
	h.pending = nil
	return h.Input.Close()
}

// Watermark is the current watermark: the largest event time seen minus the delay.
func (h *HashAggregate) watermark() int64 {
	if !h.seen {
		return minTime
	}
	if h.maxEvent < minTime+h.Delay {
		return minTime
	}
	return h.maxEvent - h.Delay
}

func (h *HashAggregate) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for len(h.pending) == 0 {
		if h.done {
			return nil, io.EOF
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := h.Input.Next(ctx)
		if errors.Is(err, io.EOF) {
			h.done = true
			if err := h.fire(maxTime); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		err = h.consume(b)
		b.Release()
		if err != nil {
			return nil, err
		}
		if err := h.fire(h.watermark()); err != nil {
			return nil, err
		}
	}
	out := h.pending[0]
	h.pending = h.pending[1:]
	return out, nil
}

// consume assigns each row of b to its group slot and folds the batch into the aggregates.
func (h *HashAggregate) consume(b arrow.RecordBatch) error {
	keys, err := evalAll(h.Env.Mem, b, h.Keys)
	if err != nil {
		return err
	}
	defer releaseAll(keys)
	n := int(b.NumRows())
	if cap(h.rowSlots) < n {
		h.rowSlots = make([]uint32, n)
	}
	slots := h.rowSlots[:n]
	if err := h.assign(b, keys, slots); err != nil {
		return err
	}
	h.growStates()
	for i, a := range h.Aggs {
		if err := h.update(b, i, a, slots); err != nil {
			return err
		}
	}
	for _, s := range h.states {
		s.Reset(trashSlot)
	}
	h.account()
	return nil
}

// assign computes each row's slot, advancing the watermark event by event.
func (h *HashAggregate) assign(b arrow.RecordBatch, keys []arrow.Array, slots []uint32) error {
	if h.Time == nil {
		for i := range slots {
			slots[i] = h.slotFor(keys, i, minTime, maxTime)
		}
		return nil
	}
	tarr, err := h.Time.Eval(h.Env.Mem, b)
	if err != nil {
		return err
	}
	defer tarr.Release()
	ts, ok := tarr.(*array.Timestamp)
	if !ok {
		return fmt.Errorf("event time %s is %s, not TIMESTAMP", h.Time, tarr.DataType())
	}
	times := ts.TimestampValues()
	nulls := ts.NullN() > 0
	for i := range slots {
		if nulls && ts.IsNull(i) {
			slots[i] = trashSlot
			h.Env.Stats.EventsSkipped.Add(1)
			continue
		}
		t := int64(times[i])
		start := TumbleStart(t, h.Window.Size, h.Window.Offset)
		end := start + h.Window.Size
		if end <= h.watermark() {
			slots[i] = trashSlot
			h.Env.Stats.LateDropped.Add(1)
		} else {
			slots[i] = h.slotFor(keys, i, start, end)
		}
		if !h.seen || t > h.maxEvent {
			h.maxEvent, h.seen = t, true
		}
	}
	return nil
}

// slotFor returns the slot of row i's group in the window [start, end), creating it.
func (h *HashAggregate) slotFor(keys []arrow.Array, i int, start, end int64) uint32 {
	buf := binary.LittleEndian.AppendUint64(h.keyBuf[:0], uint64(start))
	for _, k := range keys {
		buf = encodeKey(buf, k, i)
	}
	h.keyBuf = buf
	if s, ok := h.groups[string(buf)]; ok {
		return s
	}
	s := h.newSlot(string(buf), start, end)
	for j, k := range keys {
		h.keyCols[j].set(s, k, i)
	}
	return s
}

func (h *HashAggregate) newSlot(key string, start, end int64) uint32 {
	var s uint32
	if n := len(h.free); n > 0 {
		s = h.free[n-1]
		h.free = h.free[:n-1]
		h.slotKey[s], h.start[s], h.end[s] = key, start, end
	} else {
		s = uint32(len(h.slotKey))
		h.slotKey = append(h.slotKey, key)
		h.start = append(h.start, start)
		h.end = append(h.end, end)
		for _, k := range h.keyCols {
			k.grow(len(h.slotKey))
		}
	}
	if s == trashSlot {
		return s
	}
	h.groups[key] = s
	if _, ok := h.byEnd[end]; !ok {
		i := sort.Search(len(h.ends), func(i int) bool { return h.ends[i] >= end })
		h.ends = append(h.ends, 0)
		copy(h.ends[i+1:], h.ends[i:])
		h.ends[i] = end
	}
	h.byEnd[end] = append(h.byEnd[end], s)
	h.Env.Stats.OpenWindows.Add(1)
	return s
}

func (h *HashAggregate) growStates() {
	for _, s := range h.states {
		s.Grow(len(h.slotKey))
	}
}

// update folds one aggregate over the batch, sending rows its FILTER rejects to the trash.
func (h *HashAggregate) update(b arrow.RecordBatch, ai int, a AggCall, slots []uint32) error {
	groups := slots
	if a.Filter != nil {
		p, err := a.Filter.Eval(h.Env.Mem, b)
		if err != nil {
			return err
		}
		defer p.Release()
		pred := p.(*array.Boolean)
		if cap(h.aggSlots) < len(slots) {
			h.aggSlots = make([]uint32, len(slots))
		}
		groups = h.aggSlots[:len(slots)]
		for i, s := range slots {
			if pred.IsValid(i) && pred.Value(i) {
				groups[i] = s
			} else {
				groups[i] = trashSlot
			}
		}
	}
	args, err := evalAll(h.Env.Mem, b, a.Args)
	if err != nil {
		return err
	}
	defer releaseAll(args)
	if err := h.states[ai].Update(groups, args); err != nil {
		return fmt.Errorf("%s: %w", a.Text, err)
	}
	return nil
}

// fire emits every open window whose end is at or before wm, ordered by window start then
// keys, and frees their slots.
func (h *HashAggregate) fire(wm int64) error {
	var slots []uint32
	n := 0
	for n < len(h.ends) && h.ends[n] <= wm {
		slots = append(slots, h.byEnd[h.ends[n]]...)
		delete(h.byEnd, h.ends[n])
		n++
	}
	h.ends = h.ends[n:]
	if len(slots) == 0 && wm == maxTime && h.Time == nil && len(h.Keys) == 0 && !h.emitted {
		// An aggregate over no rows still has one result row, as in a database.
		h.growStates()
		slots = append(slots, h.newSlot("", minTime, maxTime))
		delete(h.byEnd, maxTime)
		h.ends = h.ends[:0]
	}
	if len(slots) == 0 {
		return nil
	}
	h.emitted = true
	sort.Slice(slots, func(i, j int) bool { return h.less(slots[i], slots[j]) })
	out, err := h.build(slots)
	if err != nil {
		return err
	}
	for _, s := range slots {
		delete(h.groups, h.slotKey[s])
		h.slotKey[s] = ""
		for _, st := range h.states {
			st.Reset(s)
		}
		h.free = append(h.free, s)
	}
	h.Env.Stats.OpenWindows.Add(-int64(len(slots)))
	h.Env.Stats.WindowsFired.Add(int64(len(slots)))
	h.account()
	h.pending = append(h.pending, out)
	return nil
}

func (h *HashAggregate) less(a, b uint32) bool {
	if h.start[a] != h.start[b] {
		return h.start[a] < h.start[b]
	}
	for _, k := range h.keyCols {
		if c := k.compare(a, b); c != 0 {
			return c < 0
		}
	}
	return false
}

// build makes the output batch of the given slots.
func (h *HashAggregate) build(slots []uint32) (arrow.RecordBatch, error) {
	mem := h.Env.Mem
	cols := make([]arrow.Array, 0, h.Out.NumFields())
	for _, k := range h.keyCols {
		cols = append(cols, k.build(mem, slots))
	}
	if h.Time != nil {
		sb := array.NewTimestampBuilder(mem, functions.Timestamp.(*arrow.TimestampType))
		eb := array.NewTimestampBuilder(mem, functions.Timestamp.(*arrow.TimestampType))
		for _, s := range slots {
			sb.Append(arrow.Timestamp(h.start[s]))
			eb.Append(arrow.Timestamp(h.end[s]))
		}
		cols = append(cols, sb.NewArray(), eb.NewArray())
		sb.Release()
		eb.Release()
	}
	for i, st := range h.states {
		b := array.NewBuilder(mem, h.Out.Field(len(cols)).Type)
		for _, s := range slots {
			if err := st.Append(b, s); err != nil {
				b.Release()
				releaseAll(cols)
				return nil, fmt.Errorf("%s: %w", h.Aggs[i].Text, err)
			}
		}
		cols = append(cols, b.NewArray())
		b.Release()
	}
	defer releaseAll(cols)
	return array.NewRecordBatch(h.Out, cols, int64(len(slots))), nil
}

// account publishes the state's size.
func (h *HashAggregate) account() {
	total := 0
	for _, s := range h.states {
		total += s.SizeBytes()
	}
	total += len(h.slotKey) * (8 + 8 + 16)
	for _, k := range h.slotKey {
		total += len(k) + 48 // the key bytes and the map entry
	}
	h.Env.Stats.StateBytes.Store(int64(total))
}
