package exec

import (
	"fmt"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/weirsql/weir/functions"
)

// The row kinds of a changelog, as Flink names them.
const (
	OpInsert       = "+I"
	OpUpdateBefore = "-U"
	OpUpdateAfter  = "+U"
	OpDelete       = "-D"
)

// outRow is one row to emit: a slot's live values, or its last emitted ones (shadow).
type outRow struct {
	slot   uint32
	op     string
	shadow bool
}

// emit fires the windows the watermark has passed and emits the revisions the emit mode asks
// for, as one batch ordered by window start, then keys, then retraction before insertion.
func (h *HashAggregate) emit() error { return h.emitAt(h.watermark()) }

// emitAt is emit with the watermark at wm.
func (h *HashAggregate) emitAt(wm int64) error {
	var rows []outRow
	var freed []uint32
	for {
		t, ok := h.timers.popDue(wm)
		if !ok {
			break
		}
		s := t.slot
		if t.gen != h.slot.gen[s] || !h.slot.live[s] {
			continue
		}
		if t.purge {
			freed = append(freed, s)
			continue
		}
		if end := h.slot.end[s]; t.at < end {
			h.timers.push(timer{at: end, slot: s, gen: t.gen}) // the session grew meanwhile
			continue
		}
		h.slot.timed[s] = false
		if h.panes {
			h.mergePanes(s)
		}
		rows = h.revise(rows, s)
		h.Env.Stats.WindowsFired.Add(1)
		if h.Lateness > 0 && wm != maxTime {
			h.slot.fired[s] = true
			h.slot.gen[s]++
			h.timers.push(timer{at: addSat(t.at, h.Lateness), slot: s, gen: h.slot.gen[s],
				purge: true})
		} else {
			freed = append(freed, s)
		}
	}
	if h.Changelog {
		for _, s := range h.retired {
			if h.slot.emitted[s] {
				rows = append(rows, outRow{slot: s, op: OpDelete, shadow: true})
			}
			freed = append(freed, s)
		}
		h.retired = h.retired[:0]
		tick := h.Emit == EmitEvery && !h.now().Before(h.nextTick)
		if tick {
			h.nextTick = nextTick(h.now(), h.Every)
		}
		for _, s := range h.dirty {
			if h.slot.isDirty[s] && h.slot.live[s] &&
				(h.slot.fired[s] || h.Emit == EmitChanges || tick) {
				rows = h.revise(rows, s)
			}
		}
	} else {
		freed = append(freed, h.retired...)
		h.retired = h.retired[:0]
	}
	h.keepDirty()
	if len(rows) == 0 && h.done && h.Time == nil && len(h.Keys) == 0 && !h.emitted {
		// An aggregate over no rows still has one result row, as in a database.
		s := h.alloc()
		for _, st := range h.states {
			st.Grow(h.slot.len())
		}
		rows = append(rows, outRow{slot: s, op: OpInsert})
		freed = append(freed, s)
	}
	if len(rows) > 0 {
		h.emitted = true
		out, err := h.build(rows)
		if err != nil {
			return err
		}
		h.pending = append(h.pending, out)
	}
	for _, s := range freed {
		h.release(s)
	}
	return h.account()
}

// revise adds the rows that bring the consumer up to date with slot s: its first row, or
// the retraction of its last row and the new one. Without a changelog it adds the plain row.
func (h *HashAggregate) revise(rows []outRow, s uint32) []outRow {
	if !h.Changelog {
		return append(rows, outRow{slot: s})
	}
	switch {
	case !h.slot.emitted[s]:
		rows = append(rows, outRow{slot: s, op: OpInsert})
	case !h.slot.isDirty[s]:
		return rows
	case h.slot.shStart[s] != h.slot.start[s] || h.slot.shEnd[s] != h.slot.end[s]:
		rows = append(rows, outRow{slot: s, op: OpDelete, shadow: true},
			outRow{slot: s, op: OpInsert})
	default:
		rows = append(rows, outRow{slot: s, op: OpUpdateBefore, shadow: true},
			outRow{slot: s, op: OpUpdateAfter})
	}
	h.slot.isDirty[s] = false
	return rows
}

// keepDirty drops the slots that are no longer dirty from the dirty list.
func (h *HashAggregate) keepDirty() {
	kept := h.dirty[:0]
	for _, s := range h.dirty {
		if h.slot.isDirty[s] && h.slot.live[s] {
			kept = append(kept, s)
		} else {
			h.slot.isDirty[s] = false
		}
	}
	h.dirty = kept
}

func (h *HashAggregate) bounds(r outRow) (int64, int64) {
	if r.shadow {
		return h.slot.shStart[r.slot], h.slot.shEnd[r.slot]
	}
	return h.slot.start[r.slot], h.slot.end[r.slot]
}

// opRank orders the rows of one slot: the retraction of the old row before the new one.
func opRank(op string) int {
	if op == OpDelete || op == OpUpdateBefore {
		return 0
	}
	return 1
}

// sortRow is an outRow with what orders it gathered beside it: its bounds and, when the
// first key column holds integers, that key.
type sortRow struct {
	start, end int64
	key        int64
	null       bool
	outRow
}

// order sorts rows by window start, keys, window end, slot, and retraction before insertion.
// The order is total: a slot appears at most twice, with ops of different ranks.
func (h *HashAggregate) order(rows []outRow) {
	ints := len(h.keyCols) > 0 && h.keyCols[0].integer()
	rest := h.keyCols
	if ints {
		rest = rest[1:]
	}
	keyed := h.sortBuf[:0]
	for _, r := range rows {
		s, e := h.bounds(r)
		sr := sortRow{start: s, end: e, outRow: r}
		if ints {
			id := h.slot.keyID[r.slot]
			sr.key, sr.null = h.keyCols[0].ints[id], h.keyCols[0].null[id]
		}
		keyed = append(keyed, sr)
	}
	slices.SortFunc(keyed, func(a, b sortRow) int {
		if a.start != b.start {
			return cmp3(a.start, b.start)
		}
		if ints {
			if a.null != b.null {
				return cmp3(b2i(a.null), b2i(b.null)) // NULL last
			}
			if !a.null && a.key != b.key {
				return cmp3(a.key, b.key)
			}
		}
		for _, k := range rest {
			if c := k.compare(h.slot.keyID[a.slot], h.slot.keyID[b.slot]); c != 0 {
				return c
			}
		}
		if a.end != b.end {
			return cmp3(a.end, b.end)
		}
		if a.slot != b.slot {
			return cmp3(int64(a.slot), int64(b.slot))
		}
		return opRank(a.op) - opRank(b.op)
	})
	for i := range keyed {
		rows[i] = keyed[i].outRow
	}
	h.sortBuf = keyed[:0]
}

// build makes the output batch of rows, then records what it emitted as the slots' shadow.
func (h *HashAggregate) build(rows []outRow) (arrow.RecordBatch, error) {
	h.order(rows)
	mem := h.Env.Mem
	cols := make([]arrow.Array, 0, h.Out.NumFields())
	defer func() { releaseAll(cols) }()
	slots := make([]uint32, len(rows))
	for i, r := range rows {
		slots[i] = r.slot
	}
	if h.Changelog {
		ob := array.NewStringBuilder(mem)
		for _, r := range rows {
			ob.Append(r.op)
		}
		cols = append(cols, ob.NewArray())
		ob.Release()
	}
	ids := make([]uint32, len(rows))
	for i, r := range rows {
		ids[i] = h.slot.keyID[r.slot]
	}
	for _, k := range h.keyCols {
		cols = append(cols, k.build(mem, ids))
	}
	if h.Time != nil {
		tt := functions.Timestamp.(*arrow.TimestampType)
		sb, eb := array.NewTimestampBuilder(mem, tt), array.NewTimestampBuilder(mem, tt)
		for _, r := range rows {
			s, e := h.bounds(r)
			sb.Append(arrow.Timestamp(s))
			eb.Append(arrow.Timestamp(e))
		}
		cols = append(cols, sb.NewArray(), eb.NewArray())
		sb.Release()
		eb.Release()
	}
	for i, st := range h.states {
		b := array.NewBuilder(mem, h.Out.Field(len(cols)).Type)
		for _, r := range rows {
			src := st
			if r.shadow {
				src = h.shadow[i]
			}
			if err := src.Append(b, r.slot); err != nil {
				b.Release()
				return nil, fmt.Errorf("%s: %w", h.Aggs[i].Text, err)
			}
		}
		cols = append(cols, b.NewArray())
		b.Release()
	}
	if h.Changelog {
		h.remember(rows)
	}
	return array.NewRecordBatch(h.Out, cols, int64(len(rows))), nil
}

// remember copies the emitted live values of each slot into its shadow state.
func (h *HashAggregate) remember(rows []outRow) {
	for _, r := range rows {
		if r.shadow {
			continue
		}
		s := r.slot
		for i, st := range h.shadow {
			st.Reset(s)
			st.Merge(s, h.states[i], s)
		}
		h.slot.emitted[s] = true
		h.slot.shStart[s], h.slot.shEnd[s] = h.slot.start[s], h.slot.end[s]
	}
}

// nextTick is the first multiple of every, counted from the Unix epoch, after now.
func nextTick(now time.Time, every time.Duration) time.Time {
	e := every.Microseconds()
	return time.UnixMicro(floorDiv(now.UnixMicro(), e)*e + e).UTC()
}
