package functions

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// rate() is the number of rows per second of the window's length, rate(v) the sum of v per
// second. TUMBLE and HOP windows all have the same length, which the call is bound with; a
// SESSION window runs from its first event to its last plus the gap, so the planner passes
// each row's event time and the state keeps the first and the last.

var rateAggregate = func() *Aggregate {
	a := &Aggregate{
		Name:     "rate",
		Args:     "() -> DOUBLE, (BIGINT|DOUBLE) -> DOUBLE",
		NullRule: "rate() counts every row; rate(v) skips NULLs and is NULL when none is left",
		Summary: "rows, or the sum of v, per second of the window's length (TUMBLE, HOP, " +
			"SESSION)",
	}
	a.Resolve = func(args []arrow.DataType) (arrow.DataType, error) {
		if err := argCount("rate", args, 0, 1); err != nil {
			return nil, err
		}
		if len(args) == 1 {
			if err := argOf("rate", "a numeric argument", args[0], arrow.INT64,
				arrow.FLOAT64); err != nil {
				return nil, err
			}
		}
		return Double, nil
	}
	a.Bind = func(c CallInfo) (Bound, error) {
		if _, err := a.Resolve(c.Args); err != nil {
			return Bound{}, err
		}
		if c.WithinGroup {
			return Bound{}, errWithinGroup("rate")
		}
		if c.Distinct {
			return Bound{}, fmt.Errorf("%w: rate(DISTINCT ...)", ErrUnsupported)
		}
		w := c.Window
		switch w.Kind {
		case NoWindow:
			return Bound{}, fmt.Errorf("%w: rate needs a windowed GROUP BY: it divides by "+
				"the window's length", ErrInvalidArgument)
		case CumulateWindow:
			return Bound{}, fmt.Errorf("%w: rate over CUMULATE windows, whose lengths vary",
				ErrUnsupported)
		case SessionWindow:
			if !c.EventTime {
				return Bound{}, fmt.Errorf("%w: rate over a SESSION window needs the event "+
					"time", ErrInvalidArgument)
			}
			if c.Filter {
				// The rows a FILTER rejects never reach the state, which would measure the
				// session from the rows left.
				return Bound{}, fmt.Errorf("%w: rate with FILTER over a SESSION window",
					ErrUnsupported)
			}
		}
		values := len(c.Args) == 1
		session := w.Kind == SessionWindow
		bound := withState(a, func(args []arrow.DataType) (arrow.DataType, error) {
			if len(args) != b2i(values)+b2i(session) {
				return nil, errSignature("rate: got %d arguments", len(args))
			}
			return Double, nil
		}, func(args []arrow.DataType) AggState {
			s := &rateState{values: values, session: session, seconds: float64(w.Size) / 1e6,
				gap: w.Gap}
			if values {
				s.t = args[0]
			}
			return s
		})
		return Bound{Fn: bound, Args: allArgs(len(c.Args)), Time: session}, nil
	}
	return a
}()

// rateState counts rows (or sums values) per slot; over sessions it keeps each slot's first
// and last event time.
type rateState struct {
	values  bool // rate(v) rather than rate()
	session bool
	t       arrow.DataType
	seconds float64 // the length of every window, when not a session
	gap     int64
	counts  []int64
	sums    []float64
	first   []int64
	last    []int64
}

func (s *rateState) Grow(n int) {
	s.counts = grow(s.counts, n, 0)
	if s.values {
		s.sums = grow(s.sums, n, 0)
	}
	if s.session {
		s.first, s.last = grow(s.first, n, math.MaxInt64), grow(s.last, n, math.MinInt64)
	}
}

func (s *rateState) Update(groups []uint32, args []arrow.Array) error {
	if len(args) != b2i(s.values)+b2i(s.session) {
		return fmt.Errorf("rate: got %d arguments", len(args))
	}
	if err := checkLengths(len(groups), args...); err != nil {
		return err
	}
	if s.session {
		times := int64Values(args[len(args)-1])
		tbm, toff := validity(args[len(args)-1])
		for i, g := range groups {
			if tbm != nil && !rowValid(tbm, toff, i) {
				continue
			}
			s.first[g], s.last[g] = min(s.first[g], times[i]), max(s.last[g], times[i])
		}
	}
	if !s.values {
		for _, g := range groups {
			s.counts[g]++
		}
		return nil
	}
	a := args[0]
	if isNullType(a.DataType()) {
		return nil
	}
	bm, off := validity(a)
	if a.DataType().ID() == arrow.INT64 {
		sumValues(groups, int64Values(a)[:len(groups)], bm, off, s.sums, s.counts)
	} else {
		sumValues(groups, float64Values(a)[:len(groups)], bm, off, s.sums, s.counts)
	}
	return nil
}

// sumValues adds the valid values of in to their slots' sums and counts them.
func sumValues[T int64 | float64](groups []uint32, in []T, bm []byte, off int, sums []float64,
	counts []int64) {
	for i, g := range groups {
		if bm == nil || rowValid(bm, off, i) {
			sums[g] += float64(in[i])
			counts[g]++
		}
	}
}

func (s *rateState) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*rateState)
	s.counts[dst] += o.counts[src]
	if s.values {
		s.sums[dst] += o.sums[src]
	}
	if s.session {
		s.first[dst] = min(s.first[dst], o.first[src])
		s.last[dst] = max(s.last[dst], o.last[src])
	}
}

func (s *rateState) Reset(slot uint32) {
	s.counts[slot] = 0
	if s.values {
		s.sums[slot] = 0
	}
	if s.session {
		s.first[slot], s.last[slot] = math.MaxInt64, math.MinInt64
	}
}

func (s *rateState) Append(b array.Builder, slot uint32) error {
	fb, ok := b.(*array.Float64Builder)
	if !ok {
		return builderError("rate", b)
	}
	seconds := s.seconds
	if s.session {
		if s.first[slot] > s.last[slot] {
			fb.AppendNull() // no event: only rows a FILTER rejected
			return nil
		}
		seconds = float64(s.last[slot]-s.first[slot]+s.gap) / 1e6
	}
	switch {
	case !s.values:
		fb.Append(float64(s.counts[slot]) / seconds)
	case s.counts[slot] == 0:
		fb.AppendNull()
	default:
		fb.Append(s.sums[slot] / seconds)
	}
	return nil
}

func (s *rateState) SizeBytes() int {
	return (cap(s.counts) + cap(s.sums) + cap(s.first) + cap(s.last)) * 8
}

var _ AggState = (*rateState)(nil)
