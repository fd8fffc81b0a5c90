package exec

import "sync/atomic"

// Stats counts what one query has done. Every field may be read while the query runs.
type Stats struct {
	EventsRead    atomic.Int64 // rows that reached the query's first operator
	EventsSkipped atomic.Int64 // malformed input rows skipped by the sources
	LateDropped   atomic.Int64 // events late for every window they belong to
	LatePartial   atomic.Int64 // events late for some, not all, of their windows
	WindowsFired  atomic.Int64 // window rows emitted
	OpenWindows   atomic.Int64 // groups of windows not yet fired
	StateBytes    atomic.Int64 // bytes of state held by the aggregates
	PeakState     atomic.Int64 // the largest StateBytes seen
	PeakWindows   atomic.Int64 // the most windows open at once (as SetState saw them)
	WindowsState  atomic.Int64 // StateBytes when PeakWindows were open
	RowsEmitted   atomic.Int64 // rows the query returned
}

// SetState records the aggregates' state size and keeps its peak, and the state when the
// most windows were open. One operator calls it at a time.
func (s *Stats) SetState(n int64) {
	s.StateBytes.Store(n)
	if w := s.OpenWindows.Load(); w > s.PeakWindows.Load() {
		s.PeakWindows.Store(w)
		s.WindowsState.Store(n)
	}
	for {
		p := s.PeakState.Load()
		if n <= p || s.PeakState.CompareAndSwap(p, n) {
			return
		}
	}
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
