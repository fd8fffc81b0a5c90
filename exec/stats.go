package exec

import "sync/atomic"

// Stats counts what one query has done. Every field may be read while the query runs.
//
// The counters of late and skipped events and of state are the sums of what the query's
// operators count in their OpStats (the rows its sources skip are kept by the sources).
type Stats struct {
	EventsRead    atomic.Int64 // rows that reached the query's first operator
	EventsSkipped atomic.Int64 // events skipped by the operators (a NULL event time)
	LateDropped   atomic.Int64 // events late for every window they belong to
	LatePartial   atomic.Int64 // events late for some, not all, of their windows
	WindowsFired  atomic.Int64 // window rows emitted
	OpenWindows   atomic.Int64 // groups of windows not yet fired
	StateBytes    atomic.Int64 // bytes of state held by the operators, summed
	PeakState     atomic.Int64 // the largest StateBytes seen
	PeakWindows   atomic.Int64 // the most windows open at once (as addState saw them)
	WindowsState  atomic.Int64 // StateBytes when PeakWindows were open
	RowsEmitted   atomic.Int64 // rows the query returned
}

// NewOp returns the counters of one more operator of the query.
func (s *Stats) NewOp() *OpStats { return &OpStats{query: s} }

// addState changes the query's state size by d bytes and keeps its peak, and the state when
// the most windows were open.
func (s *Stats) addState(d int64) {
	n := s.StateBytes.Add(d)
	if w := s.OpenWindows.Load(); w > s.PeakWindows.Load() {
		s.PeakWindows.Store(w)
		s.WindowsState.Store(n)
	}
	storeMax(&s.PeakState, n)
}

// storeMax raises a to n if n is larger.
func storeMax(a *atomic.Int64, n int64) {
	for {
		p := a.Load()
		if n <= p || a.CompareAndSwap(p, n) {
			return
		}
	}
}

// OpStats counts what one operator of a query has done, for EXPLAIN ANALYZE: the rows it
// returned (counted only when the plan is analyzed), the events it dropped as late or
// skipped, and the bytes of state it holds. The Add and Set methods count into the query's
// Stats as well. Operators call them once per batch, not once per row; one goroutine at a
// time calls them, and any goroutine may read the counters.
type OpStats struct {
	RowsOut     atomic.Int64
	LateDropped atomic.Int64 // events late for every window they belong to
	LatePartial atomic.Int64 // events late for some, not all, of their windows
	Skipped     atomic.Int64 // events skipped (a NULL event time)
	State       atomic.Int64 // bytes of state held now
	PeakState   atomic.Int64 // the largest State seen

	query *Stats
}

// AddLate counts events dropped as late and events late for some of their windows.
func (o *OpStats) AddLate(dropped, partial int64) {
	if dropped != 0 {
		o.LateDropped.Add(dropped)
		o.query.LateDropped.Add(dropped)
	}
	if partial != 0 {
		o.LatePartial.Add(partial)
		o.query.LatePartial.Add(partial)
	}
}

// AddSkipped counts n skipped events.
func (o *OpStats) AddSkipped(n int64) {
	if n != 0 {
		o.Skipped.Add(n)
		o.query.EventsSkipped.Add(n)
	}
}

// SetState records that the operator holds n bytes of state, and adds the change to the
// query's state.
func (o *OpStats) SetState(n int64) {
	d := n - o.State.Swap(n)
	storeMax(&o.PeakState, n)
	o.query.addState(d)
}

// BytesPerWindow is the state per open window when the most windows were open, or 0.
func (s Snapshot) BytesPerWindow() float64 {
	if s.PeakWindows == 0 {
		return 0
	}
	return float64(s.WindowsState) / float64(s.PeakWindows)
}

// Snapshot is a copy of Stats at one moment.
type Snapshot struct {
	EventsRead, EventsSkipped, LateDropped, LatePartial int64
	WindowsFired, OpenWindows, StateBytes, RowsEmitted  int64
	PeakStateBytes, PeakWindows, WindowsState           int64
}

// Snapshot copies the counters.
func (s *Stats) Snapshot() Snapshot {
	return Snapshot{
		EventsRead:     s.EventsRead.Load(),
		EventsSkipped:  s.EventsSkipped.Load(),
		LateDropped:    s.LateDropped.Load(),
		LatePartial:    s.LatePartial.Load(),
		WindowsFired:   s.WindowsFired.Load(),
		OpenWindows:    s.OpenWindows.Load(),
		StateBytes:     s.StateBytes.Load(),
		RowsEmitted:    s.RowsEmitted.Load(),
		PeakStateBytes: s.PeakState.Load(),
		PeakWindows:    s.PeakWindows.Load(),
		WindowsState:   s.WindowsState.Load(),
	}
}
