package exec

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

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

// EmitMode says when a windowed aggregate emits its rows.
type EmitMode int

// The emit modes of DESIGN.md.
const (
	EmitFinal   EmitMode = iota // once, when the watermark reaches the window's end
	EmitEvery                   // the open windows' rows every Every of processing time
	EmitChanges                 // revised after every batch
)

// trashSlot receives the rows that must not count (late events, rows a FILTER rejects); it is
// emptied after every batch and never emitted.
const trashSlot = 0

// LateSink receives the events a query drops as late: rows of b.
type LateSink func(b arrow.RecordBatch, rows []int) error

// HashAggregate groups events by key and window, folds each aggregate batch by batch into
// columnar state indexed by group slot, and emits a window's rows once the watermark reaches
// its end.
//
// The watermark comes from the Watermark operator below it: the $wm column says, for each
// row, where the watermark stood when the row arrived, so that lateness is judged event by
// event whatever the batch boundaries; WM says where it stands after the batch, which decides
// what fires. An event is late for a window whose end plus Lateness is at or before its $wm:
// it counts in its other windows, and is dropped when it is late for all of them. At the end
// of the input every open window fires.
//
// Its output is the op column when Changelog is set, then the key columns, then window_start
// and window_end when there is a window, then one column per aggregate. Rows of one emission
// are ordered by window_start, then keys.
type HashAggregate struct {
	Input     Operator
	Env       *Env
	Keys      []Expr
	Time      Expr // the event time; nil without a window
	Window    Window
	WM        *WatermarkState
	WMIndex   int // the $wm column of the input
	Aggs      []AggCall
	Emit      EmitMode
	Every     time.Duration
	Lateness  int64
	Changelog bool
	Late      LateSink
	Out       *arrow.Schema

	groups   map[string]uint32   // windowed groups: key and window bytes to slot
	sessions map[string][]uint32 // session windows: key bytes to the key's sessions
	slot     slotTable
	keyCols  []*keyColumn
	states   []functions.AggState
	shadow   []functions.AggState // what was last emitted, for -U and -D rows
	timers   timerHeap
	dirty    []uint32
	retired  []uint32 // slots of merged sessions whose last row must be retracted
	parent   map[uint32]uint32
	nextTick time.Time
	rowWM    int64 // the watermark as it stood when the row being assigned arrived
	done     bool
	emitted  bool
	keyBytes int

	rowSlots [][]uint32
	aggSlots []uint32
	keyBuf   []byte
	wins     [][2]int64
	dropped  []int
	pending  []arrow.RecordBatch
}

// slotTable holds the per-slot bookkeeping of the groups, column by column.
type slotTable struct {
	key        []string
	start, end []int64
	last       []int64 // a session's last event
	gen        []uint32
	fired      []bool
	emitted    []bool
	isDirty    []bool
	live       []bool
	shStart    []int64 // the bounds of the last emitted row
	shEnd      []int64
	free       []uint32
}

func (t *slotTable) grow() uint32 {
	s := uint32(len(t.key))
	t.key = append(t.key, "")
	t.start = append(t.start, 0)
	t.end = append(t.end, 0)
	t.last = append(t.last, 0)
	t.gen = append(t.gen, 0)
	t.fired = append(t.fired, false)
	t.emitted = append(t.emitted, false)
	t.isDirty = append(t.isDirty, false)
	t.live = append(t.live, false)
	t.shStart = append(t.shStart, 0)
	t.shEnd = append(t.shEnd, 0)
	return s
}

var _ Operator = (*HashAggregate)(nil)

func (h *HashAggregate) Schema() *arrow.Schema { return h.Out }

func (h *HashAggregate) Open(ctx context.Context) error {
	h.groups = map[string]uint32{}
	h.sessions = map[string][]uint32{}
	h.parent = map[uint32]uint32{}
	h.keyCols = make([]*keyColumn, len(h.Keys))
	for i, k := range h.Keys {
		kc, err := newKeyColumn(k.Type())
		if err != nil {
			return err
		}
		h.keyCols[i] = kc
	}
	h.states = h.newStates()
	if h.Changelog {
		h.shadow = h.newStates()
	}
	if k := h.Window.MaxWindowsPerEvent(); len(h.rowSlots) < k {
		h.rowSlots = make([][]uint32, k)
	}
	h.alloc() // the trash slot
	if h.Emit == EmitEvery {
		h.nextTick = nextTick(h.now(), h.Every)
	}
	return h.Input.Open(ctx)
}

func (h *HashAggregate) newStates() []functions.AggState {
	out := make([]functions.AggState, len(h.Aggs))
	for i, a := range h.Aggs {
		types := make([]arrow.DataType, len(a.Args))
		for j, e := range a.Args {
			types[j] = e.Type()
		}
		out[i] = a.Fn.New(types)
	}
	return out
}

func (h *HashAggregate) Close() error {
	for _, b := range h.pending {
		b.Release()
	}
	h.pending = nil
	return h.Input.Close()
}

func (h *HashAggregate) watermark() int64 {
	if h.done {
		return maxTime
	}
	if h.WM == nil {
		return minTime
	}
	return h.WM.Current
}

func (h *HashAggregate) now() time.Time {
	if h.Env.Now != nil {
		return h.Env.Now()
	}
	return time.Now()
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
			if err := h.emit(); err != nil {
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
		if err := h.emit(); err != nil {
			return nil, err
		}
	}
	out := h.pending[0]
	h.pending = h.pending[1:]
	return out, nil
}

// consume assigns each row of b to its group slots and folds the batch into the aggregates.
func (h *HashAggregate) consume(b arrow.RecordBatch) error {
	n := int(b.NumRows())
	if n == 0 {
		return nil
	}
	keys, err := evalAll(h.Env.Mem, b, h.Keys)
	if err != nil {
		return err
	}
	defer releaseAll(keys)
	for j := range h.rowSlots {
		if cap(h.rowSlots[j]) < n {
			h.rowSlots[j] = make([]uint32, n)
		}
		h.rowSlots[j] = h.rowSlots[j][:n]
	}
	h.dropped = h.dropped[:0]
	used, err := h.assign(b, keys)
	if err != nil {
		return err
	}
	if len(h.parent) > 0 {
		h.resolveMerges(used)
	}
	for _, s := range h.states {
		s.Grow(len(h.slot.key))
	}
	for _, s := range h.shadow {
		s.Grow(len(h.slot.key))
	}
	for i, a := range h.Aggs {
		if err := h.update(b, i, a, used); err != nil {
			return err
		}
	}
	for _, s := range h.states {
		s.Reset(trashSlot)
	}
	if len(h.dropped) > 0 && h.Late != nil {
		if err := h.Late(b, h.dropped); err != nil {
			return fmt.Errorf("writing late events: %w", err)
		}
	}
	return h.account()
}

// assign fills rowSlots[j][i] with the slot of row i's j-th window, or the trash slot. It
// returns how many window columns are in use.
func (h *HashAggregate) assign(b arrow.RecordBatch, keys []arrow.Array) (int, error) {
	slots := h.rowSlots[0]
	h.rowWM = minTime
	if h.Time == nil {
		for i := range slots {
			slots[i] = h.lookup(keys, i, minTime, maxTime)
		}
		return 1, nil
	}
	tarr, err := h.Time.Eval(h.Env.Mem, b)
	if err != nil {
		return 0, err
	}
	defer tarr.Release()
	ts, ok := tarr.(*array.Timestamp)
	if !ok {
		return 0, fmt.Errorf("event time %s is %s, not TIMESTAMP", h.Time, tarr.DataType())
	}
	wms := b.Column(h.WMIndex).(*array.Int64).Int64Values()
	if h.Window.Kind == Session {
		return 1, h.assignSessions(ts, wms, keys)
	}
	times := ts.TimestampValues()
	nulls := ts.NullN() > 0
	used := 0
	for i := range slots {
		if nulls && ts.IsNull(i) {
			for j := range h.rowSlots {
				h.rowSlots[j][i] = trashSlot
			}
			h.Env.Stats.EventsSkipped.Add(1)
			continue
		}
		h.wins = h.Window.Assign(int64(times[i]), h.wins[:0])
		h.rowWM = wms[i]
		late := 0
		for j := range h.rowSlots {
			if j >= len(h.wins) {
				h.rowSlots[j][i] = trashSlot
				continue
			}
			w := h.wins[j]
			if addSat(w[1], h.Lateness) <= wms[i] {
				h.rowSlots[j][i] = trashSlot
				late++
				continue
			}
			h.rowSlots[j][i] = h.lookup(keys, i, w[0], w[1])
		}
		used = max(used, len(h.wins))
		h.countLate(i, late, len(h.wins))
	}
	return used, nil
}

func (h *HashAggregate) countLate(row, late, windows int) {
	switch {
	case late == 0:
	case late == windows:
		h.Env.Stats.LateDropped.Add(1)
		h.dropped = append(h.dropped, row)
	default:
		h.Env.Stats.LatePartial.Add(1)
	}
}

// keyOf encodes row i's group key, after prefix bytes.
func (h *HashAggregate) keyOf(keys []arrow.Array, i int, prefix ...int64) []byte {
	buf := h.keyBuf[:0]
	for _, p := range prefix {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(p))
	}
	for _, k := range keys {
		buf = encodeKey(buf, k, i)
	}
	h.keyBuf = buf
	return buf
}

// lookup returns the slot of row i's group in the window [start, end), creating it.
func (h *HashAggregate) lookup(keys []arrow.Array, i int, start, end int64) uint32 {
	buf := h.keyOf(keys, i, start, end)
	if s, ok := h.groups[string(buf)]; ok {
		h.touch(s)
		return s
	}
	s := h.newGroup(string(buf), keys, i, start, end)
	h.groups[h.slot.key[s]] = s
	return s
}

// newGroup takes a slot for a new group and schedules its window.
func (h *HashAggregate) newGroup(key string, keys []arrow.Array, i int, start, end int64) uint32 {
	s := h.alloc()
	h.slot.key[s], h.slot.start[s], h.slot.end[s] = key, start, end
	h.slot.live[s] = true
	h.keyBytes += len(key)
	for j, k := range keys {
		h.keyCols[j].set(s, k, i)
	}
	h.Env.Stats.OpenWindows.Add(1)
	h.schedule(s)
	h.touch(s)
	return s
}

// alloc takes a free slot or grows the table.
func (h *HashAggregate) alloc() uint32 {
	if n := len(h.slot.free); n > 0 {
		s := h.slot.free[n-1]
		h.slot.free = h.slot.free[:n-1]
		return s
	}
	s := h.slot.grow()
	for _, k := range h.keyCols {
		k.grow(len(h.slot.key))
	}
	return s
}

// schedule sets a slot's timer after its end changed: fire at the end while the watermark (as
// the current row found it) is before it, else (a late change within the allowed lateness)
// purge when the lateness is over.
func (h *HashAggregate) schedule(s uint32) {
	h.slot.gen[s]++
	end := h.slot.end[s]
	if end > h.rowWM {
		h.slot.fired[s] = false
		h.timers.push(timer{at: end, slot: s, gen: h.slot.gen[s]})
		return
	}
	if !h.slot.fired[s] {
		h.Env.Stats.WindowsFired.Add(1) // created by a late event within the lateness
	}
	h.slot.fired[s] = true
	h.timers.push(timer{at: addSat(end, h.Lateness), slot: s, gen: h.slot.gen[s], purge: true})
}

func (h *HashAggregate) touch(s uint32) {
	if h.Changelog && !h.slot.isDirty[s] {
		h.slot.isDirty[s] = true
		h.dirty = append(h.dirty, s)
	}
}

// release frees a slot for reuse.
func (h *HashAggregate) release(s uint32) {
	if h.slot.live[s] {
		h.Env.Stats.OpenWindows.Add(-1)
	}
	key := h.slot.key[s]
	if g, ok := h.groups[key]; ok && g == s {
		delete(h.groups, key)
	}
	if list, ok := h.sessions[key]; ok {
		kept := list[:0]
		for _, x := range list {
			if x != s {
				kept = append(kept, x)
			}
		}
		if len(kept) == 0 {
			delete(h.sessions, key)
		} else {
			h.sessions[key] = kept
		}
	}
	h.keyBytes -= len(h.slot.key[s])
	h.slot.key[s] = ""
	h.slot.gen[s]++
	h.slot.live[s], h.slot.fired[s], h.slot.emitted[s], h.slot.isDirty[s] = false, false,
		false, false
	for _, st := range h.states {
		st.Reset(s)
	}
	for _, st := range h.shadow {
		st.Reset(s)
	}
	h.slot.free = append(h.slot.free, s)
}

// update folds one aggregate over the batch, once per window column, sending rows its FILTER
// rejects to the trash.
func (h *HashAggregate) update(b arrow.RecordBatch, ai int, a AggCall, used int) error {
	var pred *array.Boolean
	if a.Filter != nil {
		p, err := a.Filter.Eval(h.Env.Mem, b)
		if err != nil {
			return err
		}
		defer p.Release()
		// A NULL-typed predicate (FILTER (WHERE NULL)) passes no row.
		pred, _ = p.(*array.Boolean)
		if pred == nil {
			pred = falseArray(len(h.rowSlots[0]))
		}
	}
	args, err := evalAll(h.Env.Mem, b, a.Args)
	if err != nil {
		return err
	}
	defer releaseAll(args)
	for j := 0; j < used; j++ {
		groups := h.rowSlots[j]
		if pred != nil {
			if cap(h.aggSlots) < len(groups) {
				h.aggSlots = make([]uint32, len(groups))
			}
			filtered := h.aggSlots[:len(groups)]
			for i, s := range groups {
				if pred.IsValid(i) && pred.Value(i) {
					filtered[i] = s
				} else {
					filtered[i] = trashSlot
				}
			}
			groups = filtered
		}
		if err := h.states[ai].Update(groups, args); err != nil {
			return fmt.Errorf("%s: %w", a.Text, err)
		}
	}
	return nil
}

// ErrMemoryLimit is returned when a query's state grows past its memory limit.
var ErrMemoryLimit = errors.New("memory limit exceeded")

// account publishes the state's size, and fails when it is past the memory limit.
func (h *HashAggregate) account() error {
	total := 0
	for _, s := range h.states {
		total += s.SizeBytes()
	}
	for _, s := range h.shadow {
		total += s.SizeBytes()
	}
	total += len(h.slot.key)*(8*5+4+5+16) + h.keyBytes + len(h.groups)*48
	for _, k := range h.keyCols {
		total += k.heapBytes()
	}
	h.Env.Stats.SetState(int64(total))
	if lim := h.Env.MemoryLimit; lim > 0 && int64(total) > lim {
		return fmt.Errorf("%w: the state of %d open windows takes %s, over the limit of %s "+
			"(raise it with SET memory_limit = '1GB' or --memory-limit)", ErrMemoryLimit,
			h.Env.Stats.OpenWindows.Load(), FormatBytes(int64(total)), FormatBytes(lim))
	}
	return nil
}

// FormatBytes writes a size as people read it: 512B, 64.0KB, 256.0MB.
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%cB", float64(n)/float64(div), "KMGTPE"[exp])
}

// falseArray is a BOOLEAN array of n FALSE values, on the Go heap.
func falseArray(n int) *array.Boolean {
	b := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(make([]bool, n), nil)
	return b.NewBooleanArray()
}
