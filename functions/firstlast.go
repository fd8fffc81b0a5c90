package functions

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// first(v) and last(v) keep, per slot, the value with the earliest or the latest event time.
// In a windowed query the planner passes each row's event time as a hidden second argument;
// without a window they go by arrival order. Ties go to the row that arrived first (first) or
// last (last), so that in-order input gives the obvious answer.

var (
	firstAggregate = firstLastAggregate("first", false)
	lastAggregate  = firstLastAggregate("last", true)
)

// firstLastAggregate builds the entry of first (isLast false) or last.
func firstLastAggregate(name string, isLast bool) *Aggregate {
	summary := "the value with the earliest event time (arrival order without a window)"
	if isLast {
		summary = "the value with the latest event time (arrival order without a window)"
	}
	a := &Aggregate{
		Name:     name,
		Args:     "(any) -> same",
		NullRule: "skips NULLs; NULL when there is no non-NULL value",
		Summary:  summary,
	}
	a.Resolve = func(args []arrow.DataType) (arrow.DataType, error) {
		if err := argCount(name, args, 1, 2); err != nil {
			return nil, err
		}
		if len(args) == 2 && args[1].ID() != arrow.TIMESTAMP {
			return nil, errSignature("%s: the event time must be a TIMESTAMP, got %s", name,
				TypeName(args[1]))
		}
		switch args[0].ID() {
		case arrow.INT64, arrow.FLOAT64, arrow.STRING, arrow.BOOL, arrow.TIMESTAMP,
			arrow.DURATION, arrow.NULL:
			return args[0], nil
		}
		return nil, errSignature("%s cannot keep a value of type %s", name, TypeName(args[0]))
	}
	a.New = func(args []arrow.DataType) AggState {
		return &firstLastState{name: name, last: isLast, t: args[0], timed: len(args) == 2}
	}
	a.Bind = func(c CallInfo) (Bound, error) {
		if err := argCount(name, c.Args, 1, 1); err != nil {
			return Bound{}, err
		}
		if c.WithinGroup {
			return Bound{}, errWithinGroup(name)
		}
		if c.Distinct { // the distinct values have no time
			return Bound{}, fmt.Errorf("%w: %s(DISTINCT ...)", ErrUnsupported, name)
		}
		return Bound{Fn: a, Args: []int{0}, Time: c.EventTime}, nil
	}
	return a
}

// firstLastState keeps one value per slot and the time it is kept for: the event time, or an
// arrival sequence number when timed is false. Fixed-width values are kept as int64 bits
// (float64 bits for DOUBLE, 0 or 1 for BOOLEAN); VARCHAR values in bytes of their own.
type firstLastState struct {
	name  string
	last  bool
	timed bool
	t     arrow.DataType
	seq   int64
	times []int64
	seen  []bool
	ints  []int64
	strs  [][]byte
	bytes int // capacity of the kept strings
}

func (s *firstLastState) Grow(n int) {
	s.times, s.seen = grow(s.times, n, 0), grow(s.seen, n, false)
	if s.t.ID() == arrow.STRING {
		s.strs = grow(s.strs, n, nil)
	} else {
		s.ints = grow(s.ints, n, 0)
	}
}

// wins reports whether a value at time t replaces the one a slot keeps.
func (s *firstLastState) wins(slot uint32, t int64) bool {
	if !s.seen[slot] {
		return true
	}
	if s.last {
		return t >= s.times[slot]
	}
	return t < s.times[slot]
}

func (s *firstLastState) Update(groups []uint32, args []arrow.Array) error {
	want := 1 + b2i(s.timed)
	if len(args) != want {
		return errSignature("%s: got %d arguments, want %d", s.name, len(args), want)
	}
	if err := checkLengths(len(groups), args...); err != nil {
		return err
	}
	a := args[0]
	if isNullType(a.DataType()) {
		return nil
	}
	bm, off := validity(a)
	var times []int64
	var tbm []byte
	var toff int
	if s.timed {
		times = int64Values(args[1])
		tbm, toff = validity(args[1])
	}
	for i, g := range groups {
		if bm != nil && !rowValid(bm, off, i) || tbm != nil && !rowValid(tbm, toff, i) {
			continue
		}
		t := s.seq
		if s.timed {
			t = times[i]
		} else {
			s.seq++
		}
		if s.wins(g, t) {
			s.keep(g, t, a, i)
		}
	}
	return nil
}

// keep stores row i of a in slot g at time t.
func (s *firstLastState) keep(g uint32, t int64, a arrow.Array, i int) {
	s.times[g], s.seen[g] = t, true
	switch a := a.(type) {
	case *array.String:
		s.setString(g, a.Value(i))
	case *array.Float64:
		s.ints[g] = int64(math.Float64bits(a.Value(i)))
	case *array.Boolean:
		s.ints[g] = int64(b2i(a.Value(i)))
	default:
		s.ints[g] = int64Values(a)[i]
	}
}

// setString copies v into slot g's bytes.
func (s *firstLastState) setString(g uint32, v string) {
	before := cap(s.strs[g])
	s.strs[g] = append(s.strs[g][:0], v...)
	s.bytes += cap(s.strs[g]) - before
}

func (s *firstLastState) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*firstLastState)
	if !o.seen[src] {
		return
	}
	take := s.wins(dst, o.times[src])
	if s.seen[dst] && !s.timed && s != o {
		take = s.last // arrival numbers of two states do not compare: src comes after dst
	}
	if !take {
		return
	}
	s.times[dst], s.seen[dst] = o.times[src], true
	if s.t.ID() == arrow.STRING {
		s.setString(dst, string(o.strs[src]))
	} else {
		s.ints[dst] = o.ints[src]
	}
}

func (s *firstLastState) Reset(slot uint32) {
	s.times[slot], s.seen[slot] = 0, false
	if s.t.ID() == arrow.STRING {
		s.bytes -= cap(s.strs[slot])
		s.strs[slot] = nil
	} else {
		s.ints[slot] = 0
	}
}

func (s *firstLastState) Append(b array.Builder, slot uint32) error {
	if b.Type().ID() != s.t.ID() {
		return builderError(s.name, b)
	}
	if !s.seen[slot] {
		b.AppendNull()
		return nil
	}
	if sb, ok := b.(*array.StringBuilder); ok {
		sb.BinaryBuilder.Append(s.strs[slot])
		return nil
	}
	switch v := s.ints[slot]; b := b.(type) {
	case *array.Float64Builder:
		b.Append(math.Float64frombits(uint64(v)))
	case *array.BooleanBuilder:
		b.Append(v != 0)
	case *array.Int64Builder:
		b.Append(v)
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(v))
	default:
		return builderError(s.name, b)
	}
	return nil
}

func (s *firstLastState) SizeBytes() int {
	return cap(s.times)*8 + cap(s.seen) + cap(s.ints)*8 + cap(s.strs)*24 + s.bytes
}

// b2i is 1 for true and 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

var _ AggState = (*firstLastState)(nil)
