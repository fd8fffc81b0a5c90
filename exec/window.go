package exec

import (
	"fmt"
	"math"
	"time"
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
