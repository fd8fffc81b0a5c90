package functions

import (
	"fmt"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// Every aggregate state here is columnar: one flat slice per field, indexed by group slot.
// Update checks the argument's type once per batch, then runs a tight loop over the values
// slice, reading the validity bitmap only when the batch has NULLs.

// countAggregate is count(*) with no argument and count(x) with one.
var countAggregate = &Aggregate{
	Name:     "count",
	Args:     "(*) -> BIGINT, (any) -> BIGINT",
	NullRule: "count(*) counts every row, count(x) the rows where x is not NULL; 0 when none",
	Summary:  "number of rows, or of non-NULL values",
	Resolve: func(args []arrow.DataType) (arrow.DataType, error) {
		if len(args) > 1 {
			return nil, errSignature("count expects one argument or *, got %d", len(args))
		}
		return Bigint, nil
	},
	New: func(args []arrow.DataType) AggState {
		return &countState{star: len(args) == 0}
	},
}

// sumAggregate is sum over BIGINT, DOUBLE and INTERVAL.
var sumAggregate = &Aggregate{
	Name:     "sum",
	Args:     "(BIGINT|DOUBLE|INTERVAL) -> same",
	NullRule: "skips NULLs; NULL when there is no non-NULL value",
	Summary:  "sum of the values; BIGINT fails only when the final sum overflows",
	Resolve: func(args []arrow.DataType) (arrow.DataType, error) {
		if err := oneArg("sum", args); err != nil {
			return nil, err
		}
		switch args[0].ID() {
		case arrow.INT64, arrow.FLOAT64, arrow.DURATION:
			return args[0], nil
		case arrow.NULL:
			return Bigint, nil
		}
		return nil, errSignature("sum expects a numeric argument, got %s", TypeName(args[0]))
	},
	New: func(args []arrow.DataType) AggState {
		switch args[0].ID() {
		case arrow.FLOAT64:
			return &sumFloatState{}
		case arrow.NULL:
			return &nullState{}
		}
		return &sumIntState{t: args[0]}
	},
}

// avgAggregate is avg over BIGINT and DOUBLE.
var avgAggregate = &Aggregate{
	Name:     "avg",
	Args:     "(BIGINT|DOUBLE) -> DOUBLE",
	NullRule: "skips NULLs; NULL when there is no non-NULL value",
	Summary:  "arithmetic mean of the values; never overflows",
	Resolve: func(args []arrow.DataType) (arrow.DataType, error) {
		if err := oneArg("avg", args); err != nil {
			return nil, err
		}
		switch args[0].ID() {
		case arrow.INT64, arrow.FLOAT64, arrow.NULL:
			return Double, nil
		}
		return nil, errSignature("avg expects a numeric argument, got %s", TypeName(args[0]))
	},
	New: func(args []arrow.DataType) AggState {
		switch args[0].ID() {
		case arrow.INT64:
			return &avgState{sumIntState: sumIntState{t: Bigint}}
		case arrow.FLOAT64:
			return &avgState{float: true}
		}
		return &nullState{}
	},
}

// oneArg checks that an aggregate got exactly one argument.
func oneArg(name string, args []arrow.DataType) error {
	if len(args) != 1 {
		return errSignature("%s expects one argument, got %d", name, len(args))
	}
	return nil
}

// checkUpdate checks the arguments of Update against the groups and the expected type.
func checkUpdate(name string, groups []uint32, args []arrow.Array, want arrow.DataType) error {
	if len(args) != 1 {
		return fmt.Errorf("%s: got %d arguments, want 1", name, len(args))
	}
	if args[0].Len() != len(groups) {
		return fmt.Errorf("%s: argument of %d rows for %d groups", name, args[0].Len(), len(groups))
	}
	if t := args[0].DataType(); t.ID() != want.ID() && !isNullType(t) {
		return fmt.Errorf("%s: argument of type %s, want %s", name, TypeName(t), TypeName(want))
	}
	return nil
}

// grow extends s to n elements, the new ones set to init.
func grow[T any](s []T, n int, init T) []T {
	for len(s) < n {
		s = append(s, init)
	}
	return s
}

// builderError is the error for a builder of the wrong type in Append.
func builderError(name string, b array.Builder) error {
	return fmt.Errorf("%s: cannot append to a %s builder", name, b.Type())
}

// nullState is the state of an aggregate of a NULL argument: every result is NULL.
type nullState struct{}

func (*nullState) Grow(int)                               {}
func (*nullState) Update([]uint32, []arrow.Array) error   { return nil }
func (*nullState) Merge(uint32, AggState, uint32)         {}
func (*nullState) Reset(uint32)                           {}
func (*nullState) SizeBytes() int                         { return 0 }
func (*nullState) Append(b array.Builder, _ uint32) error { b.AppendNull(); return nil }

// countState counts rows (star) or non-NULL values per slot.
type countState struct {
	counts []int64
	star   bool
}

func (s *countState) Grow(n int) { s.counts = grow(s.counts, n, 0) }

func (s *countState) Update(groups []uint32, args []arrow.Array) error {
	counts := s.counts
	if s.star {
		for _, g := range groups {
			counts[g]++
		}
		return nil
	}
	if len(args) != 1 || args[0].Len() != len(groups) {
		return fmt.Errorf("count: want one argument of %d rows", len(groups))
	}
	a := args[0]
	bits, off := validity(a)
	switch {
	case isNullType(a.DataType()):
	case bits == nil:
		for _, g := range groups {
			counts[g]++
		}
	default:
		for i, g := range groups {
			j := off + i
			counts[g] += int64(bits[j>>3] >> (j & 7) & 1)
		}
	}
	return nil
}

func (s *countState) Merge(dst uint32, other AggState, src uint32) {
	s.counts[dst] += other.(*countState).counts[src]
}

func (s *countState) Reset(slot uint32) { s.counts[slot] = 0 }

func (s *countState) Append(b array.Builder, slot uint32) error {
	ib, ok := b.(*array.Int64Builder)
	if !ok {
		return builderError("count", b)
	}
	ib.Append(s.counts[slot])
	return nil
}

func (s *countState) SizeBytes() int { return cap(s.counts) * 8 }

// sumIntState sums int64 values exactly in 128 bits per slot (hi:lo, two's complement), so
// that a running total may leave the int64 range and come back.
type sumIntState struct {
	t    arrow.DataType // BIGINT or INTERVAL
	lo   []uint64
	hi   []int64
	seen []bool
}

func (s *sumIntState) Grow(n int) {
	s.lo, s.hi, s.seen = grow(s.lo, n, 0), grow(s.hi, n, 0), grow(s.seen, n, false)
}

func (s *sumIntState) Update(groups []uint32, args []arrow.Array) error {
	if err := checkUpdate("sum", groups, args, s.t); err != nil {
		return err
	}
	s.update(groups, args[0], nil)
	return nil
}

// update adds the values of a to their slots, and counts them in counts when it is not nil.
func (s *sumIntState) update(groups []uint32, a arrow.Array, counts []int64) {
	if isNullType(a.DataType()) {
		return
	}
	vals := int64Values(a)[:len(groups)]
	lo, hi, seen := s.lo, s.hi, s.seen
	bm, off := validity(a)
	for i, g := range groups {
		if bm != nil && bitutil.BitIsNotSet(bm, off+i) {
			continue
		}
		v := vals[i]
		sum, carry := bits.Add64(lo[g], uint64(v), 0)
		lo[g] = sum
		hi[g] += int64(carry) + v>>63
		seen[g] = true
		if counts != nil {
			counts[g]++
		}
	}
}

func (s *sumIntState) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*sumIntState)
	s.merge(dst, o, src)
}

func (s *sumIntState) merge(dst uint32, o *sumIntState, src uint32) {
	if !o.seen[src] {
		return
	}
	sum, carry := bits.Add64(s.lo[dst], o.lo[src], 0)
	s.lo[dst] = sum
	s.hi[dst] += o.hi[src] + int64(carry)
	s.seen[dst] = true
}

func (s *sumIntState) Reset(slot uint32) {
	s.lo[slot], s.hi[slot], s.seen[slot] = 0, 0, false
}

func (s *sumIntState) Append(b array.Builder, slot uint32) error {
	if !s.seen[slot] {
		b.AppendNull()
		return nil
	}
	v := int64(s.lo[slot])
	if s.hi[slot] != v>>63 {
		return fmt.Errorf("%w: sum is out of range for %s", ErrOverflow, TypeName(s.t))
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v)
	case *array.DurationBuilder:
		b.Append(arrow.Duration(v))
	default:
		return builderError("sum", b)
	}
	return nil
}

// float returns the 128-bit sum of a slot as a float64.
func (s *sumIntState) float(slot uint32) float64 {
	lo, hi := s.lo[slot], s.hi[slot]
	if v := int64(lo); hi == v>>63 {
		return float64(v)
	}
	neg := hi < 0
	if neg { // negate the 128-bit value to work on its magnitude
		var borrow uint64
		lo, borrow = bits.Sub64(0, lo, 0)
		hi = -hi - int64(borrow)
	}
	f := float64(uint64(hi))*(1<<64) + float64(lo)
	if neg {
		return -f
	}
	return f
}

func (s *sumIntState) SizeBytes() int { return cap(s.lo)*8 + cap(s.hi)*8 + cap(s.seen) }

// sumFloatState sums float64 values per slot.
type sumFloatState struct {
	sums []float64
	seen []bool
}

func (s *sumFloatState) Grow(n int) { s.sums, s.seen = grow(s.sums, n, 0), grow(s.seen, n, false) }

func (s *sumFloatState) Update(groups []uint32, args []arrow.Array) error {
	if err := checkUpdate("sum", groups, args, Double); err != nil {
		return err
	}
	updateFloatSum(groups, args[0], s.sums, s.seen, nil)
	return nil
}

// updateFloatSum adds the values of a to sums, marks seen and counts them in counts (each may
// be nil).
func updateFloatSum(groups []uint32, a arrow.Array, sums []float64, seen []bool, counts []int64) {
	if isNullType(a.DataType()) {
		return
	}
	vals := float64Values(a)[:len(groups)]
	bm, off := validity(a)
	for i, g := range groups {
		if bm != nil && bitutil.BitIsNotSet(bm, off+i) {
			continue
		}
		sums[g] += vals[i]
		if seen != nil {
			seen[g] = true
		}
		if counts != nil {
			counts[g]++
		}
	}
}

func (s *sumFloatState) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*sumFloatState)
	if o.seen[src] {
		s.sums[dst] += o.sums[src]
		s.seen[dst] = true
	}
}

func (s *sumFloatState) Reset(slot uint32) { s.sums[slot], s.seen[slot] = 0, false }

func (s *sumFloatState) Append(b array.Builder, slot uint32) error {
	fb, ok := b.(*array.Float64Builder)
	if !ok {
		return builderError("sum", b)
	}
	if !s.seen[slot] {
		fb.AppendNull()
		return nil
	}
	fb.Append(s.sums[slot])
	return nil
}

func (s *sumFloatState) SizeBytes() int { return cap(s.sums)*8 + cap(s.seen) }

// avgState keeps a sum and a count per slot: an exact 128-bit sum for BIGINT, a float64 sum
// for DOUBLE.
type avgState struct {
	sumIntState
	float  bool
	sums   []float64
	counts []int64
}

func (s *avgState) Grow(n int) {
	if s.float {
		s.sums = grow(s.sums, n, 0)
	} else {
		s.sumIntState.Grow(n)
	}
	s.counts = grow(s.counts, n, 0)
}

func (s *avgState) Update(groups []uint32, args []arrow.Array) error {
	want := Bigint
	if s.float {
		want = Double
	}
	if err := checkUpdate("avg", groups, args, want); err != nil {
		return err
	}
	if s.float {
		updateFloatSum(groups, args[0], s.sums, nil, s.counts)
	} else {
		s.update(groups, args[0], s.counts)
	}
	return nil
}

func (s *avgState) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*avgState)
	if o.counts[src] == 0 {
		return
	}
	if s.float {
		s.sums[dst] += o.sums[src]
	} else {
		s.merge(dst, &o.sumIntState, src)
	}
	s.counts[dst] += o.counts[src]
}

func (s *avgState) Reset(slot uint32) {
	if s.float {
		s.sums[slot] = 0
	} else {
		s.sumIntState.Reset(slot)
	}
	s.counts[slot] = 0
}

func (s *avgState) Append(b array.Builder, slot uint32) error {
	fb, ok := b.(*array.Float64Builder)
	if !ok {
		return builderError("avg", b)
	}
	n := s.counts[slot]
	switch {
	case n == 0:
		fb.AppendNull()
	case s.float:
		fb.Append(s.sums[slot] / float64(n))
	default:
		fb.Append(s.sumIntState.float(slot) / float64(n))
	}
	return nil
}

func (s *avgState) SizeBytes() int {
	return s.sumIntState.SizeBytes() + cap(s.sums)*8 + cap(s.counts)*8
}

// Compile-time checks that every state implements AggState.
var (
	_ AggState = (*nullState)(nil)
	_ AggState = (*countState)(nil)
	_ AggState = (*sumIntState)(nil)
	_ AggState = (*sumFloatState)(nil)
	_ AggState = (*avgState)(nil)
)
