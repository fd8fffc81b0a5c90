package functions

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// The spread aggregates keep, per slot, the count, the mean and the sum of squared distances
// from the mean (M2), updated by Welford's method and merged by Chan's formula. Unlike the
// textbook sum of squares minus the square of the sum, this loses no precision on values that
// sit far from zero (1e9 plus a little noise).

// spreadKind says which statistic a spread aggregate returns.
type spreadKind struct {
	sample bool // divide M2 by n-1 (NULL for one value) rather than by n
	root   bool // the standard deviation rather than the variance
}

// spreadAggregate builds the registry entry of one spread statistic.
func spreadAggregate(name string, k spreadKind, summary string) *Aggregate {
	rule := "skips NULLs; NULL when there is no non-NULL value"
	if k.sample {
		rule = "skips NULLs; NULL when there are fewer than two non-NULL values"
	}
	return &Aggregate{
		Name:     name,
		Args:     "(BIGINT|DOUBLE) -> DOUBLE",
		NullRule: rule,
		Summary:  summary + "; NaN when a value is NaN",
		Resolve: func(args []arrow.DataType) (arrow.DataType, error) {
			if err := oneArg(name, args); err != nil {
				return nil, err
			}
			if err := argOf(name, "a numeric argument", args[0], arrow.INT64,
				arrow.FLOAT64); err != nil {
				return nil, err
			}
			return Double, nil
		},
		New: func(args []arrow.DataType) AggState {
			if isNullType(args[0]) {
				return &nullState{}
			}
			return &spreadState{name: name, kind: k, t: args[0]}
		},
	}
}

// spreadAggregates lists stddev, variance and their sample and population forms.
func spreadAggregates() []*Aggregate {
	samp := spreadKind{sample: true}
	sampRoot := spreadKind{sample: true, root: true}
	const sd = "sample standard deviation (n - 1 in the denominator)"
	const v = "sample variance (n - 1 in the denominator)"
	return []*Aggregate{
		spreadAggregate("stddev", sampRoot, sd),
		spreadAggregate("stddev_samp", sampRoot, sd),
		spreadAggregate("stddev_pop", spreadKind{root: true},
			"population standard deviation; 0 for one value"),
		spreadAggregate("variance", samp, v),
		spreadAggregate("var_samp", samp, v),
		spreadAggregate("var_pop", spreadKind{}, "population variance; 0 for one value"),
	}
}

// spreadState holds count, mean and M2 per slot.
type spreadState struct {
	name   string
	kind   spreadKind
	t      arrow.DataType
	counts []int64
	means  []float64
	m2s    []float64
}

func (s *spreadState) Grow(n int) {
	s.counts, s.means, s.m2s = grow(s.counts, n, 0), grow(s.means, n, 0), grow(s.m2s, n, 0)
}

func (s *spreadState) Update(groups []uint32, args []arrow.Array) error {
	if err := checkUpdate(s.name, groups, args, s.t); err != nil {
		return err
	}
	a := args[0]
	if isNullType(a.DataType()) {
		return nil
	}
	bm, off := validity(a)
	if a.DataType().ID() == arrow.INT64 {
		welford(groups, int64Values(a)[:len(groups)], bm, off, s.counts, s.means, s.m2s)
	} else {
		welford(groups, float64Values(a)[:len(groups)], bm, off, s.counts, s.means, s.m2s)
	}
	return nil
}

// welford folds the valid values of in into the count, mean and M2 of their slots.
func welford[T int64 | float64](groups []uint32, in []T, bm []byte, off int, counts []int64,
	means, m2s []float64) {
	for i, g := range groups {
		if bm != nil && !rowValid(bm, off, i) {
			continue
		}
		x := float64(in[i])
		n := counts[g] + 1
		d := x - means[g]
		mean := means[g] + d/float64(n)
		m2s[g] += d * (x - mean)
		means[g], counts[g] = mean, n
	}
}

func (s *spreadState) Merge(dst uint32, other AggState, src uint32) {
	o := other.(*spreadState)
	nb := o.counts[src]
	if nb == 0 {
		return
	}
	na := s.counts[dst]
	if na == 0 {
		s.counts[dst], s.means[dst], s.m2s[dst] = nb, o.means[src], o.m2s[src]
		return
	}
	n := na + nb
	d := o.means[src] - s.means[dst]
	fa, fb, fn := float64(na), float64(nb), float64(n)
	s.means[dst] += d * fb / fn
	s.m2s[dst] += o.m2s[src] + d*d*fa*fb/fn
	s.counts[dst] = n
}

func (s *spreadState) Reset(slot uint32) {
	s.counts[slot], s.means[slot], s.m2s[slot] = 0, 0, 0
}

func (s *spreadState) Append(b array.Builder, slot uint32) error {
	fb, ok := b.(*array.Float64Builder)
	if !ok {
		return builderError(s.name, b)
	}
	n := s.counts[slot]
	den := float64(n)
	if s.kind.sample {
		den--
	}
	if den <= 0 {
		fb.AppendNull()
		return nil
	}
	v := max(s.m2s[slot], 0) / den // max keeps a NaN
	if s.kind.root {
		v = math.Sqrt(v)
	}
	fb.Append(v)
	return nil
}

func (s *spreadState) SizeBytes() int {
	return (cap(s.counts) + cap(s.means) + cap(s.m2s)) * 8
}

var _ AggState = (*spreadState)(nil)
