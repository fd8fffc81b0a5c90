package exec

// timer is an entry of the aggregate's schedule: fire a window at its end, or purge a fired
// window (or a HOP pane) when nothing needs it any more. gen tells a stale entry from a live
// one: a slot's gen changes whenever its end moves or the slot is freed.
type timer struct {
	at    int64
	slot  uint32
	gen   uint32
	purge bool
}

// before orders timers by time, firing before purging at the same time (a window reads its
// panes before they go).
func (t timer) before(o timer) bool {
	if t.at != o.at {
		return t.at < o.at
	}
	return !t.purge && o.purge
}

// timerHeap is a binary min-heap of timers, typed so that pushing one allocates nothing
// (container/heap would box each timer in an interface).
type timerHeap []timer

func (h *timerHeap) push(t timer) {
	q := append(*h, t)
	i := len(q) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !q[i].before(q[p]) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
	*h = q
}

// next is the time of the earliest entry, or maxTime when there is none.
func (h timerHeap) next() int64 {
	if len(h) == 0 {
		return maxTime
	}
	return h[0].at
}

// popDue removes and returns the earliest entry if it is due at wm.
func (h *timerHeap) popDue(wm int64) (timer, bool) {
	q := *h
	if len(q) == 0 || q[0].at > wm {
		return timer{}, false
	}
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q = q[:n]
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && q[r].before(q[l]) {
			m = r
		}
		if !q[m].before(q[i]) {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top, true
}

// addSat adds without overflowing past the largest time.
func addSat(t, d int64) int64 {
	if t > maxTime-d {
		return maxTime
	}
	return t + d
}
