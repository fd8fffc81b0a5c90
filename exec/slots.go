package exec

import "container/heap"

// timer is an entry of the aggregate's schedule: fire a window at its end, or purge a fired
// window when its allowed lateness has passed. gen tells a stale entry from a live one: a
// slot's gen changes whenever its end moves or the slot is freed.
type timer struct {
	at    int64
	slot  uint32
	gen   uint32
	purge bool
}

type timerHeap []timer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return !h[i].purge && h[j].purge
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timer)) }
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

func (h *timerHeap) push(t timer) { heap.Push(h, t) }

// popDue removes and returns the earliest entry if it is due at wm.
func (h *timerHeap) popDue(wm int64) (timer, bool) {
	if len(*h) == 0 || (*h)[0].at > wm {
		return timer{}, false
	}
	return heap.Pop(h).(timer), true
}

// addSat adds without overflowing past the largest time.
func addSat(t, d int64) int64 {
	if t > maxTime-d {
		return maxTime
	}
	return t + d
}
