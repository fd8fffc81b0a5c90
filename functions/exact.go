package functions

import (
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The exact percentiles keep every value of a group, as DuckDB and PostgreSQL do, and sort
// them when the group's row is emitted. NaN sorts above every number.

const exactRule = "skips NULLs; NULL when there is no non-NULL value"

// exactAggregates lists median, percentile_cont, percentile_disc and DuckDB's names for them.
func exactAggregates() []*Aggregate {
	median := &Aggregate{
		Name:     "median",
		Args:     "(BIGINT|DOUBLE) -> DOUBLE, (TIMESTAMP|INTERVAL) -> same",
		NullRule: exactRule,
		Summary:  "exact median: the mean of the two middle values when their number is even",
		Resolve:  exactResolve("median", true),
		New:      exactNew("median", 0.5, true, false),
	}
	return []*Aggregate{
		median,
		exactAggregate("percentile_cont", true),
		exactAggregate("percentile_disc", false),
		exactAggregate("quantile_cont", true),
		exactAggregate("quantile_disc", false),
		exactAggregate("quantile", false),
	}
}

// exactAggregate builds percentile_cont (cont) or percentile_disc under a name. Its calls are
// bound: the fraction must be a constant.
func exactAggregate(name string, cont bool) *Aggregate {
	a := &Aggregate{Name: name, NullRule: exactRule}
	if cont {
		a.Args = "(BIGINT|DOUBLE, q) -> DOUBLE, (TIMESTAMP|INTERVAL, q) -> same; " +
			"(q) WITHIN GROUP (ORDER BY v)"
		a.Summary = "exact percentile q, interpolated linearly between the two nearest values"
	} else {
		a.Args = "(BIGINT|DOUBLE|TIMESTAMP|INTERVAL, q) -> same; (q) WITHIN GROUP (ORDER BY v)"
		a.Summary = "exact percentile q: the first value whose cumulative share reaches q"
	}
	resolve := exactResolve(name, cont)
	a.Resolve = func(args []arrow.DataType) (arrow.DataType, error) {
		if err := argCount(name, args, 2, 2); err != nil {
			return nil, errSignature("%s expects (value, fraction) or (fraction) WITHIN GROUP "+
				"(ORDER BY value)", name)
		}
		if err := argOf(name, "a numeric fraction", args[1], arrow.INT64,
			arrow.FLOAT64); err != nil {
			return nil, err
		}
		return resolve(args[:1])
	}
	a.Bind = func(c CallInfo) (Bound, error) {
		if _, err := a.Resolve(c.Args); err != nil {
			return Bound{}, err
		}
		q, err := fractionArg(name, c, 1)
		if err != nil {
			return Bound{}, err
		}
		return Bound{Fn: withState(a, resolve, exactNew(name, q, cont, c.Desc)),
			Args: []int{0}}, nil
	}
	return a
}

// exactResolve checks the value argument of an exact percentile: percentile_cont of a number
// is DOUBLE, everything else keeps its type.
func exactResolve(name string, cont bool) func([]arrow.DataType) (arrow.DataType, error) {
	return func(args []arrow.DataType) (arrow.DataType, error) {
		if err := oneArg(name, args); err != nil {
			return nil, err
		}
		switch args[0].ID() {
		case arrow.INT64:
			if cont {
				return Double, nil
			}
			return args[0], nil
		case arrow.FLOAT64, arrow.TIMESTAMP, arrow.DURATION:
			return args[0], nil
		case arrow.NULL:
			return Double, nil
		}
		return nil, errSignature("%s expects a numeric, TIMESTAMP or INTERVAL value, got %s",
			name, TypeName(args[0]))
	}
}

// exactNew makes the state of an exact percentile q.
func exactNew(name string, q float64, cont, desc bool) func([]arrow.DataType) AggState {
	return func(args []arrow.DataType) AggState {
		t := args[0]
		switch t.ID() {
		case arrow.NULL:
			return &nullState{}
		case arrow.FLOAT64:
			return &exactState[float64]{name: name, t: t, q: q, cont: cont, desc: desc}
		}
		return &exactState[int64]{name: name, t: t, q: q, cont: cont, desc: desc}
	}
}

// exactState keeps every value of each slot.
type exactState[T int64 | float64] struct {
	name       string
	t          arrow.DataType
	q          float64
	cont, desc bool
	vals       [][]T
	bytes      int // capacity of the value slices
}

func (s *exactState[T]) Grow(n int) { s.vals = grow(s.vals, n, nil) }

func (s *exactState[T]) Update(groups []uint32, args []arrow.Array) error {
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
	for i, g := range groups {
		if bm != nil && !rowValid(bm, off, i) {
			continue
		}
		before := cap(s.vals[g])
		s.vals[g] = append(s.vals[g], in[i])
		s.bytes += (cap(s.vals[g]) - before) * 8
	}
	return nil
}

func (s *exactState[T]) Merge(dst uint32, other AggState, src uint32) {
	before := cap(s.vals[dst])
	s.vals[dst] = append(s.vals[dst], other.(*exactState[T]).vals[src]...)
	s.bytes += (cap(s.vals[dst]) - before) * 8
}

func (s *exactState[T]) Reset(slot uint32) {
	s.bytes -= cap(s.vals[slot]) * 8
	s.vals[slot] = nil
}

func (s *exactState[T]) Append(b array.Builder, slot uint32) error {
	if b.Type().ID() == arrow.INT64 && s.cont || b.Type().ID() != s.t.ID() && !s.cont {
		return builderError(s.name, b)
	}
	v := s.vals[slot]
	if len(v) == 0 {
		b.AppendNull()
		return nil
	}
	sortNaNLast(v)
	n := len(v)
	at := func(i int) T {
		if s.desc {
			return v[n-1-i]
		}
		return v[i]
	}
	if !s.cont {
		i := int(math.Ceil(s.q*float64(n))) - 1
		return appendExact(b, at(min(max(i, 0), n-1)))
	}
	r := s.q * float64(n-1)
	lo := int(math.Floor(r))
	hi := min(lo+1, n-1)
	return appendInterpolated(b, at(lo), at(hi), r-float64(lo))
}

// sortNaNLast sorts v ascending with NaN above every number.
func sortNaNLast[T int64 | float64](v []T) {
	var zero T
	if _, isFloat := any(zero).(float64); !isFloat {
		slices.Sort(v)
		return
	}
	k := 0 // move the NaNs to the end, then sort the numbers before them
	for i, x := range v {
		if x == x {
			v[k], v[i] = v[i], v[k]
			k++
		}
	}
	slices.Sort(v[:k])
}

// appendExact appends an input value to a builder of the input's type.
func appendExact[T int64 | float64](b array.Builder, x T) error {
	switch b := b.(type) {
	case *array.Float64Builder:
		b.Append(float64(x))
	case *array.Int64Builder:
		b.Append(int64(x))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(x))
	case *array.DurationBuilder:
		b.Append(arrow.Duration(x))
	default:
		return builderError("percentile", b)
	}
	return nil
}

// appendInterpolated appends lo + (hi - lo)·f: a DOUBLE for numbers, a TIMESTAMP or INTERVAL
// rounded to the microsecond for times.
func appendInterpolated[T int64 | float64](b array.Builder, lo, hi T, f float64) error {
	if f == 0 || lo == hi {
		return appendExact(b, lo)
	}
	if fb, ok := b.(*array.Float64Builder); ok {
		fl, fh := float64(lo), float64(hi)
		fb.Append(fl + (fh-fl)*f)
		return nil
	}
	// hi >= lo, so the unsigned difference is exact even when it passes the int64 range.
	d := uint64(int64(hi)) - uint64(int64(lo))
	return appendExact(b, int64(lo)+int64(uint64(math.Round(float64(d)*f))))
}

func (s *exactState[T]) SizeBytes() int { return cap(s.vals)*24 + s.bytes }

var (
	_ AggState = (*exactState[int64])(nil)
	_ AggState = (*exactState[float64])(nil)
)
