package functions

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
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
			return &sumIntState{t: Bigint, avg: true}
		case arrow.FLOAT64:
			return &sumFloatState{avg: true}
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
		return fmt.Errorf("%s: argument of %d rows for %d groups",
			name, args[0].Len(), len(groups))
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
// that a running total may leave the int64 range and come back, and counts them; it serves
// sum over BIGINT and INTERVAL, and avg over BIGINT.
type sumIntState struct {
	t      arrow.DataType // BIGINT or INTERVAL
	avg    bool
	lo     []uint64
	hi     []int64
	counts []int64
}

func (s *sumIntState) name() string {
	if s.avg {
		return "avg"
	}
	return "sum"
}

func (s *sumIntState) Grow(n int) {
	s.lo, s.hi, s.counts = grow(s.lo, n, 0), grow(s.hi, n, 0), grow(s.counts, n, 0)
}

func (s *sumIntState) Update(groups []uint32, args []arrow.Array) error {
	if err := checkUpdate(s.name(), groups, args, s.t); err != nil {
		return err
	}
	a := args[0]
	if isNullType(a.DataType()) {
		return nil
	}
	vals := int64Values(a)[:len(groups)]
	lo, hi, counts := s.lo, s.hi, s.counts
	bm, off := validity(a)
	if bm == nil {
		for i, g := range groups {
			v := vals[i]
			sum, carry := bits.Add64(lo[g], uint64(v), 0)
			lo[g] = sum
			hi[g] += int64(carry) + v>>63
			counts[g]++
		}
		return nil
	}
	// Without branches: a NULL row adds 0 and counts 0.
	for i, g := range groups {
		j := uint(off + i)
		k := int64(bm[j/8] >> (j & 7) & 1)
		v := vals[i] & -k
		sum, carry := bits.Add64(lo[g], uint64(v), 0)
		lo[g] = sum
		hi[g] += int64(carry) + v>>63
		counts[g] += k
	}
	return nil
}

func (s *sumIntState) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*sumIntState)
	sum, carry := bits.Add64(s.lo[dst], o.lo[src], 0)
	s.lo[dst] = sum
	s.hi[dst] += o.hi[src] + int64(carry)
	s.counts[dst] += o.counts[src]
}

func (s *sumIntState) Reset(slot uint32) {
	s.lo[slot], s.hi[slot], s.counts[slot] = 0, 0, 0
}

func (s *sumIntState) Append(b array.Builder, slot uint32) error {
	if s.avg {
		return appendAvg(b, s.counts[slot], s.float(slot))
	}
	switch b.(type) {
	case *array.Int64Builder, *array.DurationBuilder:
	default:
		return builderError("sum", b)
	}
	if s.counts[slot] == 0 {
		b.AppendNull()
		return nil
	}
	v := int64(s.lo[slot])
	if s.hi[slot] != v>>63 {
		return fmt.Errorf("%w: sum is out of range for %s", ErrOverflow, TypeName(s.t))
	}
	if db, ok := b.(*array.DurationBuilder); ok {
		db.Append(arrow.Duration(v))
	} else {
		b.(*array.Int64Builder).Append(v)
	}
	return nil
}

// appendAvg appends sum / count, or NULL for a count of 0.
func appendAvg(b array.Builder, count int64, sum float64) error {
	fb, ok := b.(*array.Float64Builder)
	if !ok {
		return builderError("avg", b)
	}
	if count == 0 {
		fb.AppendNull()
		return nil
	}
	fb.Append(sum / float64(count))
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

func (s *sumIntState) SizeBytes() int { return (cap(s.lo) + cap(s.hi) + cap(s.counts)) * 8 }

// sumFloatState sums and counts float64 values per slot; it serves sum and avg over DOUBLE.
type sumFloatState struct {
	avg    bool
	sums   []float64
	counts []int64
}

func (s *sumFloatState) Grow(n int) {
	s.sums, s.counts = grow(s.sums, n, 0), grow(s.counts, n, 0)
}

func (s *sumFloatState) Update(groups []uint32, args []arrow.Array) error {
	name := "sum"
	if s.avg {
		name = "avg"
	}
	if err := checkUpdate(name, groups, args, Double); err != nil {
		return err
	}
	a := args[0]
	if isNullType(a.DataType()) {
		return nil
	}
	vals := float64Values(a)[:len(groups)]
	sums, counts := s.sums, s.counts
	bm, off := validity(a)
	if bm == nil {
		for i, g := range groups {
			sums[g] += vals[i]
			counts[g]++
		}
		return nil
	}
	// Without branches: a NULL row adds +0 (its bits masked off) and counts 0.
	for i, g := range groups {
		j := uint(off + i)
		k := uint64(bm[j/8] >> (j & 7) & 1)
		sums[g] += math.Float64frombits(math.Float64bits(vals[i]) & -k)
		counts[g] += int64(k)
	}
	return nil
}

func (s *sumFloatState) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*sumFloatState)
	s.sums[dst] += o.sums[src]
	s.counts[dst] += o.counts[src]
}

func (s *sumFloatState) Reset(slot uint32) { s.sums[slot], s.counts[slot] = 0, 0 }

func (s *sumFloatState) Append(b array.Builder, slot uint32) error {
	if s.avg {
		return appendAvg(b, s.counts[slot], s.sums[slot])
	}
	fb, ok := b.(*array.Float64Builder)
	if !ok {
		return builderError("sum", b)
	}
	if s.counts[slot] == 0 {
		fb.AppendNull()
		return nil
	}
	fb.Append(s.sums[slot])
	return nil
}

func (s *sumFloatState) SizeBytes() int { return (cap(s.sums) + cap(s.counts)) * 8 }

// Compile-time checks that every state implements AggState.
var (
	_ AggState = (*nullState)(nil)
	_ AggState = (*countState)(nil)
	_ AggState = (*sumIntState)(nil)
	_ AggState = (*sumFloatState)(nil)
)
