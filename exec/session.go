package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// assignSessions puts each event into its key's session: it joins a session when it is at most
// Gap after the session's last event or before its first, and merges the two sessions it
// bridges. An event whose own window [t, t + gap) ends (plus the allowed lateness) at or before
// the watermark is dropped.
func (h *HashAggregate) assignSessions(ts *array.Timestamp, wms []int64,
	keys []arrow.Array) error {
	slots := h.rowSlots[0]
	times := ts.TimestampValues()[:len(slots)]
	bm, off := validityOf(ts)
	gap := h.Window.Gap
	for i, t := range times {
		if nullBit(bm, off, i) {
			slots[i] = trashSlot
			h.skipped++
			continue
		}
		h.rowWM = wms[i]
		if addSat(addSat(int64(t), gap), h.Lateness) <= wms[i] {
			slots[i] = trashSlot
			h.countLate(i, 1, 1)
			continue
		}
		slots[i] = h.joinSession(h.rowKeys[i], keys, i, int64(t))
	}
	return nil
}

// joinSession returns the slot of the session that event time t of row i, of key id, joins.
func (h *HashAggregate) joinSession(id uint32, keys []arrow.Array, i int, t int64) uint32 {
	gap := h.Window.Gap
	list := h.sessions[id]
	// The common case: the event joins the key's only session, inside it or extending it.
	if len(list) == 1 {
		s := list[0]
		if t >= h.slot.start[s]-gap && t <= h.slot.last[s]+gap {
			h.slot.start[s] = min(h.slot.start[s], t)
			if t > h.slot.last[s] {
				h.slot.last[s] = t
				h.slot.end[s] = addSat(t, gap)
				h.schedule(s)
			}
			h.touch(s)
			return s
		}
	}
	hit := h.hits[:0]
	for _, s := range list {
		if t >= h.slot.start[s]-gap && t <= h.slot.last[s]+gap {
			hit = append(hit, s)
		}
	}
	h.hits = hit
	if len(hit) == 0 {
		s := h.newGroup(id, keys, i, t, addSat(t, gap))
		h.slot.last[s] = t
		h.sessions[id] = append(list, s)
		return s
	}
	s := hit[0]
	for _, o := range hit[1:] {
		h.mergeSession(id, s, o)
	}
	h.slot.start[s] = min(h.slot.start[s], t)
	h.slot.last[s] = max(h.slot.last[s], t)
	if end := addSat(h.slot.last[s], gap); end != h.slot.end[s] {
		h.slot.end[s] = end
		h.schedule(s)
	}
	h.touch(s)
	return s
}

// mergeSession folds session o of key id into s: its state now, its rows of this batch when
// the batch's slots are resolved, and a retraction of its last emitted row.
func (h *HashAggregate) mergeSession(id uint32, s, o uint32) {
	for _, st := range h.states {
		st.Grow(h.slot.len())
		st.Merge(s, st, o)
	}
	h.slot.start[s] = min(h.slot.start[s], h.slot.start[o])
	h.slot.last[s] = max(h.slot.last[s], h.slot.last[o])
	h.parent[o] = s
	list := h.sessions[id]
	for j, x := range list {
		if x == o {
			h.sessions[id] = append(list[:j:j], list[j+1:]...)
			break
		}
	}
	// The merged session's slot is freed after the batch's rows are resolved; until then it
	// keeps its shadow state for the retraction, and no timer fires it.
	h.slot.gen[o]++
	h.slot.timed[o] = false
	if h.slot.live[o] {
		h.slot.live[o] = false
		h.Env.Stats.OpenWindows.Add(-1)
	}
	for _, st := range h.states {
		st.Reset(o)
	}
	h.retired = append(h.retired, o)
}

// resolveMerges points the rows assigned to a merged session at the session it joined.
func (h *HashAggregate) resolveMerges(used int) {
	find := func(s uint32) uint32 {
		for {
			p, ok := h.parent[s]
			if !ok {
				return s
			}
			s = p
		}
	}
	for j := 0; j < used; j++ {
		for i, s := range h.rowSlots[j] {
			h.rowSlots[j][i] = find(s)
		}
	}
	for k := range h.parent {
		delete(h.parent, k)
	}
}
