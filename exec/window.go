package exec

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// WindowKind names a kind of event-time window.
type WindowKind int

// The kinds of window. NoWindow groups all of time into one window that ends with the input.
const (
	NoWindow WindowKind = iota
	Tumble
	Hop
	Cumulate
	Session
)

// Window describes how events are assigned to windows. Lengths are in microseconds: Size is
// the window's length (CUMULATE's largest), Slide HOP's slide or CUMULATE's step, Gap SESSION's.
type Window struct {
	Kind   WindowKind
	Size   int64
	Slide  int64
	Offset int64
	Gap    int64
}

// Unbounded bounds of the window of an aggregate without a window.
const (
	minTime = math.MinInt64
	maxTime = math.MaxInt64
)

// floorDiv divides rounding toward negative infinity, so that times before 1970 land in the
// right window (Go's / truncates toward zero).
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// TumbleStart returns the start of the tumbling window of length size holding t.
func TumbleStart(t, size, offset int64) int64 {
	return floorDiv(t-offset, size)*size + offset
}

// tumbleStarts fills starts with the start of the tumbling window of each time (any value
// for a NULL time), computing it again only when a time falls outside the previous one's
// window, and returns starts.
func tumbleStarts(times []arrow.Timestamp, size, offset int64, starts []int64) []int64 {
	starts = slices.Grow(starts[:0], len(times))[:len(times)]
	lo, hi := int64(maxTime), int64(minTime) // the window [lo, hi) of the previous time
	for i, t := range times {
		if int64(t) < lo || int64(t) >= hi {
			lo = TumbleStart(int64(t), size, offset)
			hi = lo + size
		}
		starts[i] = lo
	}
	return starts
}

// MaxWindowsPerEvent is how many windows one event can belong to.
func (w Window) MaxWindowsPerEvent() int {
	switch w.Kind {
	case Hop:
		return int((w.Size + w.Slide - 1) / w.Slide)
	case Cumulate:
		return int(w.Size / w.Slide)
	}
	return 1
}

// Assign appends the windows [start, end) holding t to into, earliest end first.
func (w Window) Assign(t int64, into [][2]int64) [][2]int64 {
	switch w.Kind {
	case Tumble:
		s := TumbleStart(t, w.Size, w.Offset)
		return append(into, [2]int64{s, s + w.Size})
	case Hop:
		// Every window [s, s + size) with s on the slide grid and t - size < s <= t.
		last := TumbleStart(t, w.Slide, w.Offset)
		first := last
		for first-w.Slide > t-w.Size {
			first -= w.Slide
		}
		for s := first; s <= last; s += w.Slide {
			into = append(into, [2]int64{s, s + w.Size})
		}
		return into
	case Cumulate:
		p := TumbleStart(t, w.Size, w.Offset)
		for end := p + w.Slide; end <= p+w.Size; end += w.Slide {
			if end > t {
				into = append(into, [2]int64{p, end})
			}
		}
		return into
	}
	return append(into, [2]int64{minTime, maxTime})
}

// String describes the window for EXPLAIN.
func (w Window) String() string {
	var s string
	switch w.Kind {
	case Tumble:
		s = fmt.Sprintf("TUMBLE(size=%s", formatMicros(w.Size))
	case Hop:
		s = fmt.Sprintf("HOP(slide=%s, size=%s", formatMicros(w.Slide), formatMicros(w.Size))
	case Cumulate:
		s = fmt.Sprintf("CUMULATE(step=%s, size=%s", formatMicros(w.Slide), formatMicros(w.Size))
	case Session:
		return fmt.Sprintf("SESSION(gap=%s)", formatMicros(w.Gap))
	default:
		return "none"
	}
	if w.Offset != 0 {
		s += ", offset=" + formatMicros(w.Offset)
	}
	return s + ")"
}

func formatMicros(us int64) string {
	return time.Duration(us * int64(time.Microsecond)).String()
}

// HOP from panes. The panes of HOP(slide, size) cut time into intervals of the greatest
// common divisor of slide and size, so that every window is a run of whole panes. Each event
// updates the pane of its key that holds it; a pane's first event opens the key's windows
// that cover the pane and have not fired, and when a window fires it merges its key's panes.
// A pane is freed when the last window holding it fires.
//
// An event counts in every window holding it that has not fired (DESIGN.md), judged by the
// watermark as the event found it: when the watermark passes a window's end inside a batch,
// the rows before that point are folded and the window fires (and reads its panes) before the
// rows after it are folded, so that a window never reads events that were late for it.

// consumePanes assigns every row of b to its pane and folds the batch, a run of rows at a
// time: each run ends where the watermark reaches the next window end.
func (h *HashAggregate) consumePanes(b arrow.RecordBatch, keys []arrow.Array) error {
	ts, wms, err := h.eventTimes(b)
	if err != nil {
		return err
	}
	defer ts.Release()
	n := int(b.NumRows())
	h.starts = tumbleStarts(ts.TimestampValues()[:n], h.paneSize, h.Window.Offset, h.starts)
	for lo := 0; lo < n; {
		if h.timers.next() <= wms[lo] {
			if err := h.emitAt(wms[lo]); err != nil {
				return err
			}
		}
		hi := h.assignPanes(ts, wms, keys, lo)
		if err := h.fold(lo, hi, 1); err != nil {
			return err
		}
		lo = hi
	}
	return nil
}

// assignPanes fills rowSlots[0] from row lo with each row's pane, or the trash slot for an
// event late for all its windows (or without a time). It stops before the first row whose
// watermark reaches a pending timer, and returns that row (n at the end of the batch).
func (h *HashAggregate) assignPanes(ts *array.Timestamp, wms []int64, keys []arrow.Array,
	lo int) int {
	slots := h.rowSlots[0]
	bm, off := validityOf(ts)
	w, g := h.Window, h.paneSize
	next := h.timers.next()
	// The pane of the previous event and its windows' starts: first, ..., last.
	pStart, pEnd := int64(maxTime), int64(minTime)
	var first, last int64
	for i := lo; i < len(slots); i++ {
		wm := wms[i]
		if wm >= next && i > lo {
			return i
		}
		if nullBit(bm, off, i) {
			slots[i] = trashSlot
			h.skipped++
			continue
		}
		if p := h.starts[i]; p != pStart {
			pStart, pEnd = p, p+g
			last = TumbleStart(pStart, w.Slide, w.Offset)
			first = TumbleStart(pEnd-w.Size-1, w.Slide, w.Offset) + w.Slide
		}
		if last+w.Size <= wm {
			slots[i] = trashSlot
			nw := int((last-first)/w.Slide) + 1
			h.countLate(i, nw, nw)
			continue
		}
		if first+w.Size <= wm {
			h.partial++
		}
		h.rowWM = wm
		id := h.rowKeys[i]
		l := &h.last[id]
		if l.slot != trashSlot && l.start == pStart {
			slots[i] = l.slot
			continue
		}
		var k [3]uint64
		key := h.groupKey(&k, pStart, pEnd, id, true)
		hash := h.groups.hash(key)
		s, ok := h.groups.get(key, hash)
		if !ok {
			s = h.newPane(id, keys, i, pStart, pEnd, first, last)
			h.groups.insert(key, hash, s)
			next = h.timers.next()
		}
		*l = lastGroup{start: pStart, slot: s}
		slots[i] = s
	}
	return len(slots)
}

// newPane takes a slot for the pane [start, end) of key id (row i's), opens the windows
// holding it that have not fired (those starting at first, ..., last), and schedules the
// pane's purge when the last of them fires.
func (h *HashAggregate) newPane(id uint32, keys []arrow.Array, i int, start, end, first,
	last int64) uint32 {
	w := h.Window
	s := h.newSlot(id, keys, i, start, end)
	h.slot.pane[s] = true
	h.timers.push(timer{at: last + w.Size, slot: s, gen: h.slot.gen[s], purge: true})
	for ws := first; ws <= last; ws += w.Slide {
		if ws+w.Size > h.rowWM {
			h.lookup(id, keys, i, ws, ws+w.Size)
		}
	}
	return s
}

// mergePanes folds the panes of window slot s into its state as it fires.
func (h *HashAggregate) mergePanes(s uint32) {
	id, g := h.slot.keyID[s], h.paneSize
	for p := h.slot.start[s]; p < h.slot.end[s]; p += g {
		var k [3]uint64
		key := h.groupKey(&k, p, p+g, id, true)
		pane, ok := h.groups.get(key, h.groups.hash(key))
		if !ok {
			continue
		}
		for _, st := range h.states {
			st.Merge(s, st, pane)
		}
	}
}
