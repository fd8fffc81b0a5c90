package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
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
//
// A batch is folded in three steps, each a loop over the batch: the group key of every row
// becomes a small key id (keyIndex), every row gets the slot of its key and window (from the
// key's last slot, else a hash table keyed by window start, end and key id), and each
// aggregate folds the batch with one Update call. HOP windows are computed from panes when
// only final rows are emitted (see consumePanes): each event updates one pane, and a window
// merges its panes when it fires.
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
	// Op counts what the aggregate drops, skips and holds; init makes it when nil.
	Op *OpStats

	keyIdx   *keyIndex
	groups   wordTable   // windowed groups: window start, key id (and end) to slot
	groupW   int         // words of a group's key: 3 under CUMULATE, else 2 (end follows)
	last     []lastGroup // per key id: the group it found last
	sessions [][]uint32  // session windows: per key id, the key's open sessions
	slot     slotTable
	keyCols  []*keyColumn
	sortBuf  []sortRow // order's scratch space
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
	panes    bool  // HOP from panes
	noPanes  bool  // tests: HOP window by window even where panes would do
	paneSize int64 // the panes' length: the greatest common divisor of size and slide

	rowSlots [][]uint32
	rowKeys  []uint32
	aggSlots []uint32
	keyArrs  []arrow.Array   // the group keys over the current batch
	args     [][]arrow.Array // each aggregate's arguments over the current batch
	preds    []*array.Boolean
	wins     [][2]int64
	starts   []int64
	hits     []uint32
	dropped  []int
	skipped  int64 // events of the batch without an event time
	late     int64 // events of the batch late for all their windows
	partial  int64 // events of the batch late for some of their windows
	pending  []arrow.RecordBatch
}

// lastGroup is the group a key found last: most events of a key fall in its latest window.
// Its start tells the window (or pane), except under CUMULATE, which does not use it.
type lastGroup struct {
	start int64
	slot  uint32 // trashSlot when none
}

// noKey is the key id of a slot without a group key (the trash slot, the row of an empty
// input).
const noKey = math.MaxUint32

// slotTable holds the per-slot bookkeeping of the groups, column by column. last is kept
// for sessions only, shStart and shEnd for changelogs only.
type slotTable struct {
	sessions   bool
	changelog  bool
	keyID      []uint32
	start, end []int64
	last       []int64 // a session's last event
	gen        []uint32
	fired      []bool
	emitted    []bool
	isDirty    []bool
	live       []bool
	pane       []bool  // a HOP pane: never emitted, merged into its windows
	timed      []bool  // a fire timer of the current gen is scheduled
	shStart    []int64 // the bounds of the last emitted row
	shEnd      []int64
	free       []uint32
}

func (t *slotTable) len() int { return len(t.keyID) }

func (t *slotTable) grow() uint32 {
	s := uint32(len(t.keyID))
	t.keyID = append(t.keyID, noKey)
	t.start = append(t.start, 0)
	t.end = append(t.end, 0)
	if t.sessions {
		t.last = append(t.last, 0)
	}
	t.gen = append(t.gen, 0)
	t.fired = append(t.fired, false)
	t.emitted = append(t.emitted, false)
	t.isDirty = append(t.isDirty, false)
	t.live = append(t.live, false)
	t.pane = append(t.pane, false)
	t.timed = append(t.timed, false)
	if t.changelog {
		t.shStart = append(t.shStart, 0)
		t.shEnd = append(t.shEnd, 0)
	}
	return s
}

// bytes is the memory of the bookkeeping.
func (t *slotTable) bytes() int {
	n := cap(t.keyID)*4 + (cap(t.start)+cap(t.end)+cap(t.last))*8 + cap(t.gen)*4 +
		(cap(t.shStart)+cap(t.shEnd))*8 + cap(t.free)*4
	return n + cap(t.fired) + cap(t.emitted) + cap(t.isDirty) + cap(t.live) + cap(t.pane) +
		cap(t.timed)
}

var _ Operator = (*HashAggregate)(nil)

func (h *HashAggregate) Schema() *arrow.Schema { return h.Out }

func (h *HashAggregate) Open(ctx context.Context) error {
	if err := h.init(); err != nil {
		return err
	}
	return h.Input.Open(ctx)
}

// init makes the aggregate's empty state.
func (h *HashAggregate) init() error {
	if h.Op == nil {
		h.Op = h.Env.Stats.NewOp()
	}
	h.parent = map[uint32]uint32{}
	h.keyCols = make([]*keyColumn, len(h.Keys))
	types := make([]arrow.DataType, len(h.Keys))
	for i, k := range h.Keys {
		kc, err := newKeyColumn(k.Type())
		if err != nil {
			return err
		}
		h.keyCols[i] = kc
		types[i] = k.Type()
	}
	h.keyIdx = newKeyIndex(types)
	h.groupW = 2
	if h.Window.Kind == Cumulate {
		h.groupW = 3
	}
	h.groups = newWordTable(h.groupW)
	h.slot.sessions = h.Window.Kind == Session
	h.slot.changelog = h.Changelog
	h.states = h.newStates()
	if h.Changelog {
		h.shadow = h.newStates()
	}
	w := h.Window
	h.panes = !h.noPanes && w.Kind == Hop && w.Size > w.Slide && h.Lateness == 0 &&
		h.Emit == EmitFinal && !h.Changelog
	k := w.MaxWindowsPerEvent()
	if h.panes {
		h.paneSize, k = gcd(w.Size, w.Slide), 1
	}
	if len(h.rowSlots) < k {
		h.rowSlots = make([][]uint32, k)
	}
	h.alloc() // the trash slot
	if h.Emit == EmitEvery {
		h.nextTick = nextTick(h.now(), h.Every)
	}
	return nil
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
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
	keys, err := evalInto(h.keyArrs, h.Env.Mem, b, h.Keys)
	h.keyArrs = keys
	if err != nil {
		return err
	}
	defer releaseInto(keys)
	for j := range h.rowSlots {
		h.rowSlots[j] = slices.Grow(h.rowSlots[j][:0], n)[:n]
	}
	h.rowKeys = slices.Grow(h.rowKeys[:0], n)[:n]
	h.dropped = h.dropped[:0]
	h.newKeys(keys)
	defer h.sweepKeys()
	if err := h.evalArgs(b); err != nil {
		return err
	}
	defer h.releaseArgs()
	if h.panes {
		err = h.consumePanes(b, keys)
	} else {
		err = h.consumeWindows(b, keys)
	}
	h.Op.AddSkipped(h.skipped)
	h.Op.AddLate(h.late, h.partial)
	h.skipped, h.late, h.partial = 0, 0, 0
	if err != nil {
		return err
	}
	if len(h.dropped) > 0 && h.Late != nil {
		if err := h.Late(b, h.dropped); err != nil {
			return fmt.Errorf("writing late events: %w", err)
		}
	}
	return h.account()
}

// newKeys finds the key id of every row of the batch, and keeps the key values of the ids
// it makes.
func (h *HashAggregate) newKeys(keys []arrow.Array) {
	h.keyIdx.lookup(keys, h.rowKeys)
	k := h.keyIdx.ids()
	if len(h.last) < k {
		h.last = append(h.last, make([]lastGroup, k-len(h.last))...)
		if h.Window.Kind == Session {
			h.sessions = append(h.sessions, make([][]uint32, k-len(h.sessions))...)
		}
		for _, kc := range h.keyCols {
			kc.grow(k)
		}
	}
	for j, id := range h.keyIdx.fresh {
		for c, kc := range h.keyCols {
			kc.set(id, keys[c], h.keyIdx.freshRows[j])
		}
	}
}

// sweepKeys forgets the keys no group refers to any more, after a batch.
func (h *HashAggregate) sweepKeys() {
	for _, id := range h.keyIdx.sweep() {
		for _, kc := range h.keyCols {
			kc.clear(id)
		}
	}
}

// consumeWindows assigns every row to its windows' slots, then folds the batch.
func (h *HashAggregate) consumeWindows(b arrow.RecordBatch, keys []arrow.Array) error {
	used, err := h.assign(b, keys)
	if err != nil {
		return err
	}
	if len(h.parent) > 0 {
		h.resolveMerges(used)
	}
	return h.fold(0, int(b.NumRows()), used)
}

// fold grows the states to the slots in use and folds rows [lo, hi) of the batch into every
// aggregate, then empties the trash.
func (h *HashAggregate) fold(lo, hi, used int) error {
	for _, s := range h.states {
		s.Grow(h.slot.len())
	}
	for _, s := range h.shadow {
		s.Grow(h.slot.len())
	}
	for i := range h.Aggs {
		if err := h.update(i, lo, hi, used); err != nil {
			return err
		}
	}
	for _, s := range h.states {
		s.Reset(trashSlot)
	}
	return nil
}

// eventTimes evaluates the event time of b, and returns it with the $wm column.
func (h *HashAggregate) eventTimes(b arrow.RecordBatch) (*array.Timestamp, []int64, error) {
	ts, err := evalTime(h.Env.Mem, h.Time, b)
	if err != nil {
		return nil, nil, err
	}
	return ts, b.Column(h.WMIndex).(*array.Int64).Int64Values(), nil
}

// assign fills rowSlots[j][i] with the slot of row i's j-th window, or the trash slot. It
// returns how many window columns are in use.
func (h *HashAggregate) assign(b arrow.RecordBatch, keys []arrow.Array) (int, error) {
	slots := h.rowSlots[0]
	h.rowWM = minTime
	if h.Time == nil {
		for i, id := range h.rowKeys {
			slots[i] = h.group(id, keys, i, minTime, maxTime)
		}
		return 1, nil
	}
	ts, wms, err := h.eventTimes(b)
	if err != nil {
		return 0, err
	}
	defer ts.Release()
	switch h.Window.Kind {
	case Session:
		return 1, h.assignSessions(ts, wms, keys)
	case Tumble:
		h.assignTumble(ts, wms, keys)
		return 1, nil
	}
	times := ts.TimestampValues()
	bm, off := validityOf(ts)
	used := 0
	for i := range slots {
		if nullBit(bm, off, i) {
			for j := range h.rowSlots {
				h.rowSlots[j][i] = trashSlot
			}
			h.skipped++
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
			h.rowSlots[j][i] = h.group(h.rowKeys[i], keys, i, w[0], w[1])
		}
		used = max(used, len(h.wins))
		h.countLate(i, late, len(h.wins))
	}
	return used, nil
}

// assignTumble is assign for TUMBLE: one window per event. The loop looks at the key's last
// group itself, which most events hit.
func (h *HashAggregate) assignTumble(ts *array.Timestamp, wms []int64, keys []arrow.Array) {
	slots := h.rowSlots[0]
	times := ts.TimestampValues()[:len(slots)]
	h.starts = tumbleStarts(times, h.Window.Size, h.Window.Offset, h.starts)
	bm, off := validityOf(ts)
	size, lateness := h.Window.Size, h.Lateness
	wms = wms[:len(slots)]
	last, ids := h.last, h.rowKeys[:len(slots)]
	cached := h.groupW == 2 && !h.Changelog
	for i, start := range h.starts {
		if bm != nil && nullBit(bm, off, i) {
			slots[i] = trashSlot
			h.skipped++
			continue
		}
		if addSat(start+size, lateness) <= wms[i] {
			slots[i] = trashSlot
			h.countLate(i, 1, 1)
			continue
		}
		if l := last[ids[i]]; cached && l.slot != trashSlot && l.start == start {
			slots[i] = l.slot
			continue
		}
		h.rowWM = wms[i]
		slots[i] = h.group(ids[i], keys, i, start, start+size)
	}
}

func (h *HashAggregate) countLate(row, late, windows int) {
	switch {
	case late == 0:
	case late == windows:
		h.late++
		h.dropped = append(h.dropped, row)
	default:
		h.partial++
	}
}

// group returns the slot of the group of key id (row i's) in the window [start, end),
// creating it.
func (h *HashAggregate) group(id uint32, keys []arrow.Array, i int, start, end int64) uint32 {
	l := &h.last[id]
	if l.slot != trashSlot && l.start == start && h.groupW == 2 {
		h.touch(l.slot)
		return l.slot
	}
	s := h.lookup(id, keys, i, start, end)
	*l = lastGroup{start: start, slot: s}
	return s
}

// paneFlag marks the key id in the key of a HOP pane, so that a pane and a window with the
// same start are different groups.
const paneFlag = 1 << 32

// groupKey fills k with the key of the group of key id in the window (or pane) [start, end)
// and returns its words: start and id, and end under CUMULATE, where windows share starts.
func (h *HashAggregate) groupKey(k *[3]uint64, start, end int64, id uint32,
	pane bool) []uint64 {
	k[0], k[1], k[2] = uint64(start), uint64(id), uint64(end)
	if pane {
		k[1] |= paneFlag
	}
	return k[:h.groupW]
}

// lookup is group without the key's last group.
func (h *HashAggregate) lookup(id uint32, keys []arrow.Array, i int, start, end int64) uint32 {
	var k [3]uint64
	key := h.groupKey(&k, start, end, id, false)
	hash := h.groups.hash(key)
	if s, ok := h.groups.get(key, hash); ok {
		h.touch(s)
		return s
	}
	s := h.newGroup(id, keys, i, start, end)
	h.groups.insert(key, hash, s)
	return s
}

// newGroup takes a slot for a new group and schedules its window.
func (h *HashAggregate) newGroup(id uint32, keys []arrow.Array, i int, start, end int64) uint32 {
	s := h.newSlot(id, keys, i, start, end)
	h.Env.Stats.OpenWindows.Add(1)
	h.schedule(s)
	h.touch(s)
	return s
}

// newSlot takes a slot for key id (row i's) and the bounds [start, end).
func (h *HashAggregate) newSlot(id uint32, keys []arrow.Array, i int, start, end int64) uint32 {
	s := h.alloc()
	h.slot.keyID[s], h.slot.start[s], h.slot.end[s] = id, start, end
	h.slot.live[s] = true
	h.keyIdx.ref(id)
	return s
}

// alloc takes a free slot or grows the table.
func (h *HashAggregate) alloc() uint32 {
	if n := len(h.slot.free); n > 0 {
		s := h.slot.free[n-1]
		h.slot.free = h.slot.free[:n-1]
		return s
	}
	return h.slot.grow()
}

// schedule sets a slot's timer after its end changed: fire at the end while the watermark (as
// the current row found it) is before it, else (a late change within the allowed lateness)
// purge when the lateness is over. An end that moves later while a fire timer is pending
// keeps that timer: when it comes due, emit finds the end moved and sets it again.
func (h *HashAggregate) schedule(s uint32) {
	end := h.slot.end[s]
	if end > h.rowWM {
		if h.slot.timed[s] && !h.slot.fired[s] {
			return
		}
		h.slot.gen[s]++
		h.slot.fired[s] = false
		h.slot.timed[s] = true
		h.timers.push(timer{at: end, slot: s, gen: h.slot.gen[s]})
		return
	}
	h.slot.gen[s]++
	h.slot.timed[s] = false
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
	if h.slot.live[s] && !h.slot.pane[s] {
		h.Env.Stats.OpenWindows.Add(-1)
	}
	if id := h.slot.keyID[s]; id != noKey {
		h.forgetGroup(s, id)
		if h.last[id].slot == s {
			h.last[id] = lastGroup{}
		}
		h.keyIdx.unref(id)
	}
	h.slot.keyID[s] = noKey
	h.slot.gen[s]++
	h.slot.live[s], h.slot.fired[s], h.slot.emitted[s], h.slot.isDirty[s] = false, false,
		false, false
	h.slot.pane[s], h.slot.timed[s] = false, false
	for _, st := range h.states {
		st.Reset(s)
	}
	for _, st := range h.shadow {
		st.Reset(s)
	}
	h.slot.free = append(h.slot.free, s)
}

// forgetGroup removes slot s of key id from the table of groups, or from its key's sessions.
func (h *HashAggregate) forgetGroup(s, id uint32) {
	if h.Window.Kind == Session {
		list := h.sessions[id]
		for j, x := range list {
			if x == s {
				h.sessions[id] = append(list[:j], list[j+1:]...)
				break
			}
		}
		return
	}
	var k [3]uint64
	key := h.groupKey(&k, h.slot.start[s], h.slot.end[s], id, h.slot.pane[s])
	hash := h.groups.hash(key)
	if g, ok := h.groups.get(key, hash); ok && g == s {
		h.groups.remove(key, hash)
	}
}

// evalArgs evaluates every aggregate's arguments and FILTER predicate over b.
func (h *HashAggregate) evalArgs(b arrow.RecordBatch) error {
	if len(h.args) < len(h.Aggs) {
		h.args = make([][]arrow.Array, len(h.Aggs))
		h.preds = make([]*array.Boolean, len(h.Aggs))
	}
	for i, a := range h.Aggs {
		if a.Filter != nil {
			p, err := a.Filter.Eval(h.Env.Mem, b)
			if err != nil {
				return err
			}
			// A NULL-typed predicate (FILTER (WHERE NULL)) passes no row.
			pred, _ := p.(*array.Boolean)
			if pred == nil {
				p.Release()
				pred = falseArray(int(b.NumRows()))
			}
			h.preds[i] = pred
		}
		args, err := evalInto(h.args[i], h.Env.Mem, b, a.Args)
		h.args[i] = args
		if err != nil {
			return err
		}
	}
	return nil
}

func (h *HashAggregate) releaseArgs() {
	for i := range h.args {
		releaseInto(h.args[i])
		if h.preds[i] != nil {
			h.preds[i].Release()
			h.preds[i] = nil
		}
	}
}

// evalInto evaluates exprs over b into dst's storage; on an error it releases what it made
// and returns dst empty.
func evalInto(dst []arrow.Array, mem memory.Allocator, b arrow.RecordBatch,
	exprs []Expr) ([]arrow.Array, error) {
	dst = dst[:0]
	for _, e := range exprs {
		a, err := e.Eval(mem, b)
		if err != nil {
			releaseInto(dst)
			return dst[:0], err
		}
		dst = append(dst, a)
	}
	return dst, nil
}

// releaseInto releases the arrays of arrs and forgets them, keeping the storage.
func releaseInto(arrs []arrow.Array) {
	releaseAll(arrs)
	clear(arrs)
}

// update folds rows [lo, hi) of the batch into aggregate ai, once per window column, sending
// rows its FILTER rejects to the trash.
func (h *HashAggregate) update(ai, lo, hi, used int) error {
	a, pred := h.Aggs[ai], h.preds[ai]
	args := h.args[ai]
	if lo > 0 || (len(args) > 0 && hi < args[0].Len()) {
		sliced := make([]arrow.Array, len(args))
		for j, x := range args {
			sliced[j] = array.NewSlice(x, int64(lo), int64(hi))
		}
		defer releaseAll(sliced)
		args = sliced
	}
	for j := 0; j < used; j++ {
		groups := h.rowSlots[j][lo:hi]
		if pred != nil {
			h.aggSlots = slices.Grow(h.aggSlots[:0], len(groups))[:len(groups)]
			filtered := h.aggSlots
			for i, s := range groups {
				if pred.IsValid(lo+i) && pred.Value(lo+i) {
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
	total += h.slot.bytes() + h.groups.heapBytes() + h.keyIdx.heapBytes() + 16*len(h.last)
	if h.sessions != nil {
		total += 24*len(h.sessions) + 4*int(h.Env.Stats.OpenWindows.Load())
	}
	for _, k := range h.keyCols {
		total += k.heapBytes()
	}
	h.Op.SetState(int64(total))
	return checkMemory(h.Env)
}

// checkMemory fails when the query's state (every operator's, summed) is past its memory
// limit.
func checkMemory(env *Env) error {
	total := env.Stats.StateBytes.Load()
	if lim := env.MemoryLimit; lim > 0 && total > lim {
		open := ""
		if w := env.Stats.OpenWindows.Load(); w > 0 {
			open = fmt.Sprintf(" with %d windows open", w)
		}
		return fmt.Errorf("%w: the query's state takes %s%s, over the limit of %s (raise "+
			"it with SET memory_limit = '1GB' or --memory-limit)",
			ErrMemoryLimit, FormatBytes(total), open, FormatBytes(lim))
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
