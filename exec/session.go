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
	times := ts.TimestampValues()
	nulls := ts.NullN() > 0
	gap := h.Window.Gap
	for i := range slots {
		if nulls && ts.IsNull(i) {
			slots[i] = trashSlot
			h.Env.Stats.EventsSkipped.Add(1)
			continue
		}
		t := int64(times[i])
		h.rowWM = wms[i]
		if addSat(addSat(t, gap), h.Lateness) <= wms[i] {
			slots[i] = trashSlot
			h.countLate(i, 1, 1)
			continue
		}
		key := string(h.keyOf(keys, i))
		slots[i] = h.joinSession(key, keys, i, t)
	}
	return nil
}

// joinSession returns the slot of the session that event time t of row i joins.
func (h *HashAggregate) joinSession(key string, keys []arrow.Array, i int, t int64) uint32 {
	gap := h.Window.Gap
	list := h.sessions[key]
	var hit []uint32
	for _, s := range list {
		if t >= h.slot.start[s]-gap && t <= h.slot.last[s]+gap {
			hit = append(hit, s)
		}
	}
	if len(hit) == 0 {
		s := h.newGroup(key, keys, i, t, addSat(t, gap))
		h.slot.last[s] = t
		h.sessions[key] = append(list, s)
		return s
	}
	s := hit[0]
	for _, o := range hit[1:] {
		h.mergeSession(key, s, o)
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

// mergeSession folds session o into s: its state now, its rows of this batch when the batch's
// slots are resolved, and a retraction of its last emitted row.
func (h *HashAggregate) mergeSession(key string, s, o uint32) {
	for _, st := range h.states {
		st.Grow(len(h.slot.key))
		st.Merge(s, st, o)
	}
	h.slot.start[s] = min(h.slot.start[s], h.slot.start[o])
	h.slot.last[s] = max(h.slot.last[s], h.slot.last[o])
	h.parent[o] = s
	list := h.sessions[key]
	for j, x := range list {
		if x == o {
			h.sessions[key] = append(list[:j:j], list[j+1:]...)
			break
		}
	}
	// The merged session's slot is freed after the batch's rows are resolved; until then it
	// keeps its shadow state for the retraction, and no timer fires it.
	h.slot.gen[o]++
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
