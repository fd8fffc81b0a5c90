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
)

// Window describes how events are assigned to windows. Lengths are in microseconds.
type Window struct {
	Kind   WindowKind
	Size   int64
	Offset int64
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

// String describes the window for EXPLAIN.
func (w Window) String() string {
	switch w.Kind {
	case Tumble:
		s := fmt.Sprintf("TUMBLE(size=%s", formatMicros(w.Size))
		if w.Offset != 0 {
			s += ", offset=" + formatMicros(w.Offset)
		}
		return s + ")"
	}
	return "none"
}

func formatMicros(us int64) string {
	return time.Duration(us * int64(time.Microsecond)).String()
}
