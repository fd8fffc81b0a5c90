package functions

import (
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// f(DISTINCT x) keeps the set of each group's distinct values and runs f over them when the
// group's row is emitted; count(DISTINCT x) is the size of the set. NaN is one value, and -0
// the same value as 0, as in PostgreSQL.

// Estimated heap bytes of Go's maps, for SizeBytes: a map's header and first group of eight
// slots, and each entry with the table's slack (measured on the small sets of a window).
const (
	intMapBytes   = 120
	strMapBytes   = 184
	intEntryBytes = 20
	strEntryBytes = 28 // before the string's bytes
)

// canonicalNaN is the one set key of every NaN.
const canonicalNaN = 0x7ff8000000000001

// distinctOf wraps an aggregate of one argument so that it sees each distinct value of a group
// once.
func distinctOf(inner *Aggregate) *Aggregate {
	return withState(inner, inner.Resolve, func(args []arrow.DataType) AggState {
		if len(args) != 1 || isNullType(args[0]) {
			return inner.New(args)
		}
		return &distinctState{inner: inner, t: args[0], count: inner == countAggregate}
	})
}

// distinctState keeps a set per slot: fixed-width values as their bits, VARCHAR as strings.
type distinctState struct {
	inner *Aggregate
	t     arrow.DataType
	count bool
	ints  []map[uint64]struct{}
	strs  []map[string]struct{}
	bytes int
}

func (s *distinctState) isString() bool { return s.t.ID() == arrow.STRING }

func (s *distinctState) Grow(n int) {
	if s.isString() {
		s.strs = grow(s.strs, n, nil)
	} else {
		s.ints = grow(s.ints, n, nil)
	}
}

// distinctBits is the set key of a fixed-width value.
func distinctBits(a arrow.Array, i int) uint64 {
	switch a := a.(type) {
	case *array.Float64:
		f := a.Value(i)
		switch {
		case f != f:
			return canonicalNaN
		case f == 0:
			return 0
		}
		return math.Float64bits(f)
	case *array.Boolean:
		return uint64(b2i(a.Value(i)))
	}
	return uint64(int64Values(a)[i])
}

func (s *distinctState) Update(groups []uint32, args []arrow.Array) error {
	if err := checkUpdate(s.inner.Name, groups, args, s.t); err != nil {
		return err
	}
	a := args[0]
	if isNullType(a.DataType()) {
		return nil
	}
	bm, off := validity(a)
	if sa, ok := a.(*array.String); ok {
		for i, g := range groups {
			if bm == nil || rowValid(bm, off, i) {
				s.addString(g, sa.Value(i))
			}
		}
		return nil
	}
	for i, g := range groups {
		if bm == nil || rowValid(bm, off, i) {
			s.addBits(g, distinctBits(a, i))
		}
	}
	return nil
}

// addBits adds a fixed-width value to slot g's set.
func (s *distinctState) addBits(g uint32, k uint64) {
	m := s.ints[g]
	if m == nil {
		m = map[uint64]struct{}{}
		s.ints[g] = m
		s.bytes += intMapBytes
	}
	if _, ok := m[k]; !ok {
		m[k] = struct{}{}
		s.bytes += intEntryBytes
	}
}

// addString adds a VARCHAR value to slot g's set, copying it out of the batch.
func (s *distinctState) addString(g uint32, v string) {
	m := s.strs[g]
	if m == nil {
		m = map[string]struct{}{}
		s.strs[g] = m
		s.bytes += strMapBytes
	}
	if _, ok := m[v]; !ok {
		m[string([]byte(v))] = struct{}{}
		s.bytes += strEntryBytes + len(v)
	}
}

func (s *distinctState) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*distinctState)
	if s.isString() {
		for k := range o.strs[src] {
			s.addString(dst, k)
		}
		return
	}
	for k := range o.ints[src] {
		s.addBits(dst, k)
	}
}

func (s *distinctState) Reset(slot uint32) {
	if s.isString() {
		if m := s.strs[slot]; m != nil {
			s.bytes -= strMapBytes
			for k := range m {
				s.bytes -= strEntryBytes + len(k)
			}
		}
		s.strs[slot] = nil
		return
	}
	if m := s.ints[slot]; m != nil {
		s.bytes -= intMapBytes + len(m)*intEntryBytes
	}
	s.ints[slot] = nil
}

// size is the number of distinct values of a slot.
func (s *distinctState) size(slot uint32) int {
	if s.isString() {
		return len(s.strs[slot])
	}
	return len(s.ints[slot])
}

func (s *distinctState) Append(b array.Builder, slot uint32) error {
	if s.count {
		ib, ok := b.(*array.Int64Builder)
		if !ok {
			return builderError("count", b)
		}
		ib.Append(int64(s.size(slot)))
		return nil
	}
	vals := s.values(slot)
	defer vals.Release()
	st := s.inner.New([]arrow.DataType{s.t})
	st.Grow(1)
	if err := st.Update(make([]uint32, vals.Len()), []arrow.Array{vals}); err != nil {
		return err
	}
	return st.Append(b, 0)
}

// values builds an array of a slot's distinct values in ascending order, so that the result
// of a sum of DOUBLE does not depend on the order of a map.
func (s *distinctState) values(slot uint32) arrow.Array {
	b := array.NewBuilder(memory.DefaultAllocator, s.t)
	defer b.Release()
	if s.isString() {
		keys := make([]string, 0, len(s.strs[slot]))
		for k := range s.strs[slot] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		sb := b.(*array.StringBuilder)
		for _, k := range keys {
			sb.Append(k)
		}
		return b.NewArray()
	}
	keys := make([]uint64, 0, len(s.ints[slot]))
	for k := range s.ints[slot] {
		keys = append(keys, k)
	}
	switch b := b.(type) {
	case *array.Float64Builder:
		fs := make([]float64, len(keys))
		for i, k := range keys {
			fs[i] = math.Float64frombits(k)
		}
		sortNaNLast(fs)
		b.AppendValues(fs, nil)
	case *array.BooleanBuilder:
		slices.Sort(keys)
		for _, k := range keys {
			b.Append(k != 0)
		}
	default:
		is := make([]int64, len(keys))
		for i, k := range keys {
			is[i] = int64(k)
		}
		slices.Sort(is)
		for _, v := range is {
			_ = appendExact(b, v) // b is an Int64, Timestamp or Duration builder
		}
	}
	return b.NewArray()
}

func (s *distinctState) SizeBytes() int {
	return (cap(s.ints)+cap(s.strs))*8 + s.bytes
}

var _ AggState = (*distinctState)(nil)
