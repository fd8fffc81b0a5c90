package functions

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// minAggregate and maxAggregate keep the extreme value of each group.
var (
	minAggregate = extremeAggregate("min", false)
	maxAggregate = extremeAggregate("max", true)
)

// extremeAggregate builds the registry entry of min (isMax false) or max.
func extremeAggregate(name string, isMax bool) *Aggregate {
	summary := "smallest value; NaN only when every value is NaN"
	if isMax {
		summary = "largest value; NaN is above every number"
	}
	return &Aggregate{
		Name:     name,
		Args:     "(BIGINT|DOUBLE|VARCHAR|TIMESTAMP|INTERVAL|BOOLEAN) -> same",
		NullRule: "skips NULLs; NULL when there is no non-NULL value",
		Summary:  summary,
		Resolve: func(args []arrow.DataType) (arrow.DataType, error) {
			if err := oneArg(name, args); err != nil {
				return nil, err
			}
			switch args[0].ID() {
			case arrow.INT64, arrow.FLOAT64, arrow.STRING, arrow.TIMESTAMP, arrow.DURATION,
				arrow.BOOL, arrow.NULL:
				return args[0], nil
			}
			return nil, errSignature("%s expects BIGINT, DOUBLE, VARCHAR, TIMESTAMP, INTERVAL "+
				"or BOOLEAN, got %s", name, TypeName(args[0]))
		},
		New: func(args []arrow.DataType) AggState {
			t := args[0]
			switch t.ID() {
			case arrow.FLOAT64:
				init := math.Inf(-1)
				if !isMax {
					init = math.NaN() // replaced by the first value; stays only if all are NaN
				}
				return &extremeState[float64]{name: name, t: t, max: isMax, init: init}
			case arrow.STRING:
				return &extremeString{name: name, max: isMax}
			case arrow.BOOL:
				return &extremeBool{name: name, max: isMax}
			case arrow.NULL:
				return &nullState{}
			}
			init := int64(math.MaxInt64)
			if isMax {
				init = math.MinInt64
			}
			return &extremeState[int64]{name: name, t: t, max: isMax, init: init}
		},
	}
}

// extremeState keeps the minimum or maximum of int64 (BIGINT, TIMESTAMP, INTERVAL) or
// float64 values per slot. Empty slots hold init, the identity of the operation, so that the
// loops need no first-value branch; seen tells an empty slot from one that saw init.
//
// For float64, NaN is above every number: max takes NaN as soon as it sees one (v != v), and
// min starts from NaN, which any value replaces (cur != cur), so that NaN remains only when
// every value is NaN. For int64 those tests are always false.
type extremeState[T int64 | float64] struct {
	name string
	t    arrow.DataType
	max  bool
	init T
	vals []T
	seen []bool
}

func (s *extremeState[T]) Grow(n int) {
	s.vals, s.seen = grow(s.vals, n, s.init), grow(s.seen, n, false)
}

func (s *extremeState[T]) Update(groups []uint32, args []arrow.Array) error {
	if err := checkUpdate(s.name, groups, args, s.t); err != nil {
		return err
	}
	a := args[0]
	if isNullType(a.DataType()) {
		return nil
	}
	var in []T
	switch v := any(&in).(type) {
	case *[]int64:
		*v = int64Values(a)
	case *[]float64:
		*v = float64Values(a)
	}
	in = in[:len(groups)]
	bm, off := validity(a)
	if s.max {
		updateMax(groups, in, bm, off, s.vals, s.seen)
	} else {
		updateMin(groups, in, bm, off, s.vals, s.seen)
	}
	return nil
}

// updateMax folds the valid values of in into vals.
func updateMax[T int64 | float64](groups []uint32, in []T, bm []byte, off int, vals []T,
	seen []bool) {
	if bm == nil {
		for i, g := range groups {
			if v := in[i]; v > vals[g] || v != v {
				vals[g] = v
			}
			seen[g] = true
		}
		return
	}
	for i, g := range groups {
		if bitutil.BitIsNotSet(bm, off+i) {
			continue
		}
		if v := in[i]; v > vals[g] || v != v {
			vals[g] = v
		}
		seen[g] = true
	}
}

// updateMin folds the valid values of in into vals.
func updateMin[T int64 | float64](groups []uint32, in []T, bm []byte, off int, vals []T,
	seen []bool) {
	if bm == nil {
		for i, g := range groups {
			if v, cur := in[i], vals[g]; v < cur || cur != cur {
				vals[g] = v
			}
			seen[g] = true
		}
		return
	}
	for i, g := range groups {
		if bitutil.BitIsNotSet(bm, off+i) {
			continue
		}
		if v, cur := in[i], vals[g]; v < cur || cur != cur {
			vals[g] = v
		}
		seen[g] = true
	}
}

func (s *extremeState[T]) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*extremeState[T])
	if !o.seen[src] {
		return
	}
	v, cur := o.vals[src], s.vals[dst]
	if s.max && (v > cur || v != v) || !s.max && (v < cur || cur != cur) {
		s.vals[dst] = v
	}
	s.seen[dst] = true
}

func (s *extremeState[T]) Reset(slot uint32) { s.vals[slot], s.seen[slot] = s.init, false }

func (s *extremeState[T]) Append(b array.Builder, slot uint32) error {
	if b.Type().ID() != s.t.ID() {
		return builderError(s.name, b)
	}
	if !s.seen[slot] {
		b.AppendNull()
		return nil
	}
	switch v := s.vals[slot]; b := b.(type) {
	case *array.Int64Builder:
		b.Append(int64(v))
	case *array.Float64Builder:
		b.Append(float64(v))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(v))
	default:
		return builderError(s.name, b)
	}
	return nil
}

func (s *extremeState[T]) SizeBytes() int { return cap(s.vals)*8 + cap(s.seen) }

// extremeString keeps the minimum or maximum VARCHAR per slot, in bytes of its own: a value
// read from a batch is a view into the batch's buffer and is copied before being kept.
type extremeString struct {
	name  string
	max   bool
	vals  [][]byte
	seen  []bool
	bytes int // capacity of the kept values
}

func (s *extremeString) Grow(n int) {
	s.vals, s.seen = grow(s.vals, n, nil), grow(s.seen, n, false)
}

func (s *extremeString) Update(groups []uint32, args []arrow.Array) error {
	if err := checkUpdate(s.name, groups, args, Varchar); err != nil {
		return err
	}
	a, ok := args[0].(*array.String)
	if !ok {
		return nil // a NULL array
	}
	bm, off := validity(a)
	for i, g := range groups {
		if bm != nil && bitutil.BitIsNotSet(bm, off+i) {
			continue
		}
		s.fold(g, a.Value(i))
	}
	return nil
}

// fold keeps v in slot g if it is the new extreme.
func (s *extremeString) fold(g uint32, v string) {
	cur := s.vals[g]
	if s.seen[g] && (s.max && v <= string(cur) || !s.max && v >= string(cur)) {
		return
	}
	s.bytes -= cap(cur)
	s.vals[g] = append(cur[:0], v...)
	s.bytes += cap(s.vals[g])
	s.seen[g] = true
}

func (s *extremeString) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*extremeString)
	if o.seen[src] {
		s.fold(dst, string(o.vals[src]))
	}
}

func (s *extremeString) Reset(slot uint32) {
	s.bytes -= cap(s.vals[slot])
	s.vals[slot], s.seen[slot] = nil, false
}

func (s *extremeString) Append(b array.Builder, slot uint32) error {
	sb, ok := b.(*array.StringBuilder)
	if !ok {
		return builderError(s.name, b)
	}
	if !s.seen[slot] {
		sb.AppendNull()
		return nil
	}
	sb.BinaryBuilder.Append(s.vals[slot])
	return nil
}

func (s *extremeString) SizeBytes() int { return cap(s.vals)*24 + cap(s.seen) + s.bytes }

// extremeBool keeps the minimum (AND) or maximum (OR) BOOLEAN per slot.
type extremeBool struct {
	name string
	max  bool
	vals []bool
	seen []bool
}

func (s *extremeBool) Grow(n int) {
	s.vals, s.seen = grow(s.vals, n, !s.max), grow(s.seen, n, false)
}

func (s *extremeBool) Update(groups []uint32, args []arrow.Array) error {
	if err := checkUpdate(s.name, groups, args, Boolean); err != nil {
		return err
	}
	a := args[0]
	if isNullType(a.DataType()) {
		return nil
	}
	vb, voff := boolValues(a)
	bm, off := validity(a)
	for i, g := range groups {
		if bm != nil && bitutil.BitIsNotSet(bm, off+i) {
			continue
		}
		v := bitutil.BitIsSet(vb, int(voff)+i)
		if s.max {
			s.vals[g] = s.vals[g] || v
		} else {
			s.vals[g] = s.vals[g] && v
		}
		s.seen[g] = true
	}
	return nil
}

func (s *extremeBool) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*extremeBool)
	if !o.seen[src] {
		return
	}
	if s.max {
		s.vals[dst] = s.vals[dst] || o.vals[src]
	} else {
		s.vals[dst] = s.vals[dst] && o.vals[src]
	}
	s.seen[dst] = true
}

func (s *extremeBool) Reset(slot uint32) { s.vals[slot], s.seen[slot] = !s.max, false }

func (s *extremeBool) Append(b array.Builder, slot uint32) error {
	bb, ok := b.(*array.BooleanBuilder)
	if !ok {
		return builderError(s.name, b)
	}
	if !s.seen[slot] {
		bb.AppendNull()
		return nil
	}
	bb.Append(s.vals[slot])
	return nil
}

func (s *extremeBool) SizeBytes() int { return cap(s.vals) + cap(s.seen) }

// Compile-time checks that every state implements AggState.
var (
	_ AggState = (*extremeState[int64])(nil)
	_ AggState = (*extremeState[float64])(nil)
	_ AggState = (*extremeString)(nil)
	_ AggState = (*extremeBool)(nil)
)
