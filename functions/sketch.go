package functions

import (
	"math"
	"unsafe"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// SketchAccuracy is the relative accuracy of the percentile sketch: the estimate of the value
// at a rank lies within 1% of that value (DDSketch's guarantee, for any distribution).
const SketchAccuracy = 0.01

// sketchMapping maps values to the bins of every sketch: bins 2% wide, from a cubic
// interpolation of the logarithm between powers of two, which has the same accuracy as the
// logarithm itself with about 1% more bins and costs a few multiplications instead of a call
// to math.Log.
var sketchMapping = func() *mapping.CubicallyInterpolatedMapping {
	m, err := mapping.NewCubicallyInterpolatedMapping(SketchAccuracy)
	if err != nil {
		panic(err)
	}
	return m
}()

// sketchSummary ends the summary of every sketch aggregate.
const sketchSummary = ", within 1% of the value at rank floor(q·(n-1)) (DDSketch)"

// sketchArgs is the signature of the sketch aggregates' value argument.
const sketchArgs = "(BIGINT|DOUBLE) -> DOUBLE, (INTERVAL) -> INTERVAL"

// sketchAggregates lists the estimated percentiles: the p-shorthands, approx_median and
// percentile(v, q) with DuckDB's name approx_quantile.
func sketchAggregates() []*Aggregate {
	out := []*Aggregate{
		sketchAggregate("approx_median", 0.5, "estimated median"),
	}
	for _, p := range []struct {
		name string
		q    float64
		nth  string
	}{{"p50", 0.5, "50th"}, {"p90", 0.9, "90th"}, {"p95", 0.95, "95th"}, {"p99", 0.99, "99th"},
		{"p999", 0.999, "99.9th"}} {
		out = append(out, sketchAggregate(p.name, p.q, "estimated "+p.nth+" percentile"))
	}
	for _, name := range []string{"percentile", "approx_quantile"} {
		a := &Aggregate{
			Name:     name,
			Args:     "(BIGINT|DOUBLE, q) -> DOUBLE, (INTERVAL, q) -> INTERVAL",
			NullRule: "skips NULLs; NULL when there is no non-NULL value",
			Summary:  "estimated percentile q (a constant in [0, 1])" + sketchSummary,
		}
		a.Resolve = func(args []arrow.DataType) (arrow.DataType, error) {
			if err := argCount(name, args, 2, 2); err != nil {
				return nil, err
			}
			if err := argOf(name, "a numeric fraction", args[1], arrow.INT64,
				arrow.FLOAT64); err != nil {
				return nil, err
			}
			return sketchResolve(name)(args[:1])
		}
		a.Bind = func(c CallInfo) (Bound, error) {
			if c.WithinGroup {
				return Bound{}, errWithinGroup(name)
			}
			if _, err := a.Resolve(c.Args); err != nil {
				return Bound{}, err
			}
			q, err := fractionArg(name, c, 1)
			if err != nil {
				return Bound{}, err
			}
			fixed := sketchAggregate(name, q, "")
			return Bound{Fn: withState(a, fixed.Resolve, fixed.New), Args: []int{0}}, nil
		}
		out = append(out, a)
	}
	return out
}

// sketchAggregate builds the entry of a sketch percentile with a fixed fraction q.
func sketchAggregate(name string, q float64, summary string) *Aggregate {
	return &Aggregate{
		Name:     name,
		Args:     sketchArgs,
		NullRule: "skips NULLs; NULL when there is no non-NULL value",
		Summary:  summary + sketchSummary,
		Resolve:  sketchResolve(name),
		New: func(args []arrow.DataType) AggState {
			if isNullType(args[0]) {
				return &nullState{}
			}
			return &sketchState{name: name, t: args[0], q: q}
		},
	}
}

// sketchResolve checks the value argument of a sketch aggregate.
func sketchResolve(name string) func([]arrow.DataType) (arrow.DataType, error) {
	return func(args []arrow.DataType) (arrow.DataType, error) {
		if err := oneArg(name, args); err != nil {
			return nil, err
		}
		switch args[0].ID() {
		case arrow.INT64, arrow.FLOAT64, arrow.NULL:
			return Double, nil
		case arrow.DURATION:
			return args[0], nil
		case arrow.TIMESTAMP:
			return nil, errSignature("%s estimates within a relative error, which means "+
				"nothing for a TIMESTAMP; use percentile_disc", name)
		}
		return nil, errSignature("%s expects a numeric or INTERVAL argument, got %s", name,
			TypeName(args[0]))
	}
}

// sketchSlot is one group's sketch: DDSketch bins for positive and negative values (by
// magnitude), the count of zeros, of infinities and of NaNs, and the exact extremes.
type sketchSlot struct {
	pos, neg       compactStore
	zero, nan      uint64
	negInf, posInf uint64
	min, max       float64
}

var emptySketchSlot = sketchSlot{min: math.Inf(1), max: math.Inf(-1)}

// add folds one value into the slot.
func (sl *sketchSlot) add(x float64) {
	m := sketchMapping
	switch lo := m.MinIndexableValue(); {
	case x > lo:
		if x > m.MaxIndexableValue() {
			if math.IsInf(x, 1) {
				sl.posInf++
				break
			}
			x = m.MaxIndexableValue()
		}
		sl.pos.add(m.Index(x), 1)
	case x < -lo:
		if x < -m.MaxIndexableValue() {
			if math.IsInf(x, -1) {
				sl.negInf++
				break
			}
			x = -m.MaxIndexableValue()
		}
		sl.neg.addBounded(m.Index(-x), 1, true)
	case x != x:
		sl.nan++
		return
	default:
		sl.zero++
	}
	sl.min, sl.max = min(sl.min, x), max(sl.max, x)
}

// merge folds o into the slot.
func (sl *sketchSlot) merge(o *sketchSlot) {
	sl.pos.merge(&o.pos, false)
	sl.neg.merge(&o.neg, true)
	sl.zero += o.zero
	sl.nan += o.nan
	sl.negInf += o.negInf
	sl.posInf += o.posInf
	sl.min, sl.max = min(sl.min, o.min), max(sl.max, o.max)
}

// numbers counts the values that are not NaN.
func (sl *sketchSlot) numbers() uint64 {
	return sl.negInf + sl.neg.total() + sl.zero + sl.pos.total() + sl.posInf
}

// quantile estimates the value at rank floor(q·(n-1)) of the slot's n values, NaN sorting
// above every number; ok is false for an empty slot. The first and the last number are
// exact, and every estimate is clamped to the exact extremes.
func (sl *sketchSlot) quantile(q float64) (v float64, ok bool) {
	nn := sl.numbers()
	n := nn + sl.nan
	if n == 0 {
		return 0, false
	}
	r := uint64(float64(q * float64(n-1))) // the same rank as DDSketch's GetValueAtQuantile
	switch {
	case r >= nn:
		return math.NaN(), true
	case r == 0:
		return sl.min, true
	case r == nn-1:
		return sl.max, true
	}
	m := sketchMapping
	if r < sl.negInf {
		return math.Inf(-1), true
	}
	r -= sl.negInf
	if nt := sl.neg.total(); r < nt {
		v = -m.Value(sl.neg.keyAt(nt - 1 - r))
	} else if r -= nt; r < sl.zero {
		v = 0
	} else if r -= sl.zero; r < sl.pos.total() {
		v = m.Value(sl.pos.keyAt(r))
	} else {
		return math.Inf(1), true
	}
	return min(max(v, sl.min), sl.max), true
}

// ddsketch is a view of the slot's finite values as a sketches-go DDSketch sharing its bins,
// for encoding and for checking the quantiles against the library's own.
func (sl *sketchSlot) ddsketch() *ddsketch.DDSketch {
	sk := ddsketch.NewDDSketch(sketchMapping, &sl.pos, &sl.neg)
	if sl.zero > 0 {
		_ = sk.AddWithCount(0, float64(sl.zero))
	}
	return sk
}

// sketchState is the state of a sketch percentile: one sketchSlot per group slot.
type sketchState struct {
	name     string
	t        arrow.DataType
	q        float64
	slots    []sketchSlot
	binBytes int
}

func (s *sketchState) Grow(n int) { s.slots = grow(s.slots, n, emptySketchSlot) }

func (s *sketchState) Update(groups []uint32, args []arrow.Array) error {
	if err := checkUpdate(s.name, groups, args, s.t); err != nil {
		return err
	}
	a := args[0]
	if isNullType(a.DataType()) {
		return nil
	}
	bm, off := validity(a)
	if a.DataType().ID() == arrow.FLOAT64 {
		s.binBytes += sketchAdd(s.slots, groups, float64Values(a)[:len(groups)], bm, off)
	} else {
		s.binBytes += sketchAdd(s.slots, groups, int64Values(a)[:len(groups)], bm, off)
	}
	return nil
}

// sketchAdd folds the valid values of in into their slots and returns by how many bytes the
// bins grew.
func sketchAdd[T int64 | float64](slots []sketchSlot, groups []uint32, in []T, bm []byte,
	off int) int {
	grown := 0
	for i, g := range groups {
		if bm != nil && !rowValid(bm, off, i) {
			continue
		}
		sl := &slots[g]
		before := sl.pos.sizeBytes() + sl.neg.sizeBytes()
		sl.add(float64(in[i]))
		grown += sl.pos.sizeBytes() + sl.neg.sizeBytes() - before
	}
	return grown
}

func (s *sketchState) Merge(dst uint32, other AggState, src uint32) {
	sl := &s.slots[dst]
	before := sl.pos.sizeBytes() + sl.neg.sizeBytes()
	sl.merge(&other.(*sketchState).slots[src])
	s.binBytes += sl.pos.sizeBytes() + sl.neg.sizeBytes() - before
}

func (s *sketchState) Reset(slot uint32) {
	sl := &s.slots[slot]
	s.binBytes -= sl.pos.sizeBytes() + sl.neg.sizeBytes()
	*sl = emptySketchSlot
}

func (s *sketchState) Append(b array.Builder, slot uint32) error {
	v, ok := s.slots[slot].quantile(s.q)
	switch b := b.(type) {
	case *array.Float64Builder:
		if !ok {
			b.AppendNull()
			return nil
		}
		b.Append(v)
	case *array.DurationBuilder:
		if !ok {
			b.AppendNull()
			return nil
		}
		b.Append(arrow.Duration(math.Round(v)))
	default:
		return builderError(s.name, b)
	}
	return nil
}

func (s *sketchState) SizeBytes() int {
	return cap(s.slots)*int(unsafe.Sizeof(sketchSlot{})) + s.binBytes
}

var _ AggState = (*sketchState)(nil)
