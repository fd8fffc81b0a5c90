package exec

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Frame bounds an analytic function's rows: the Lo-th to the Hi-th row before the current
// one (0 is the current row), or, when Range is set, the rows whose order value lies within
// Range before the current one's. Unbounded means every earlier row.
type Frame struct {
	Unbounded bool
	Lo, Hi    int64
	Range     int64
}

// AnalyticFn is one analytic function call: name(Args) OVER (PARTITION BY ... ORDER BY ...).
type AnalyticFn struct {
	Name      string
	Args      []Expr
	Partition []Expr
	Order     []Expr
	Desc      []bool
	Frame     Frame
	T         arrow.DataType
	Text      string
}

// Analytic computes analytic functions over the rows it passes, one column each, appended
// after the input's columns.
//
// When PerBatch is set, every partition of a function is whole in one input batch (PARTITION
// BY names the window, whose rows come out of one firing): each batch's partitions are sorted
// by ORDER BY and computed on their own. Otherwise partitions run on across batches in the
// order rows arrive, which is the order of ORDER BY (window_start, or event time), and each
// partition keeps only the rows its frame needs.
//
// TODO(explain): the partitions' state is not counted in the query's state (EXPLAIN ANALYZE
// shows 0, the memory limit does not see it): measuring it per batch means walking every
// partition, or keeping a running size as frames grow and shrink.
type Analytic struct {
	Input    Operator
	Env      *Env
	Fns      []*AnalyticFn
	PerBatch bool
	Out      *arrow.Schema

	state []map[string]*partitionState
}

var _ Operator = (*Analytic)(nil)

// partitionState is what a running partition remembers.
type partitionState struct {
	rows  int64
	vals  []float64 // the frame's earlier values (bounded frames), oldest first
	times []int64   // their order values, for RANGE frames and rate
	nulls []bool
	// running sums for unbounded frames
	n         int64
	sum, mean float64
	m2        float64
	lo, hi    float64
	ema       float64
	hasEMA    bool
	lastOrder string
	rank      int64
	lags      []any
}

func (a *Analytic) Schema() *arrow.Schema { return a.Out }

func (a *Analytic) Open(ctx context.Context) error {
	a.state = make([]map[string]*partitionState, len(a.Fns))
	for i := range a.state {
		a.state[i] = map[string]*partitionState{}
	}
	return a.Input.Open(ctx)
}

func (a *Analytic) Close() error { return a.Input.Close() }

func (a *Analytic) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := a.Input.Next(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Release()
	cols := append([]arrow.Array(nil), b.Columns()...)
	var made []arrow.Array
	defer func() { releaseAll(made) }()
	for i, fn := range a.Fns {
		col, err := a.compute(i, fn, b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn.Text, err)
		}
		made = append(made, col)
		cols = append(cols, col)
	}
	return array.NewRecordBatch(a.Out, cols, b.NumRows()), nil
}

// compute evaluates one function over the batch's rows.
func (a *Analytic) compute(fi int, fn *AnalyticFn, b arrow.RecordBatch) (arrow.Array, error) {
	n := int(b.NumRows())
	parts, err := evalAll(a.Env.Mem, b, fn.Partition)
	if err != nil {
		return nil, err
	}
	defer releaseAll(parts)
	orders, err := evalAll(a.Env.Mem, b, fn.Order)
	if err != nil {
		return nil, err
	}
	defer releaseAll(orders)
	args, err := evalAll(a.Env.Mem, b, fn.Args)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)

	// The rows in the order to process them: by partition, then ORDER BY, per batch.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	keys := make([]string, n)
	var buf []byte
	for i := range idx {
		buf = buf[:0]
		for _, p := range parts {
			buf = encodeKey(buf, p, i)
		}
		keys[i] = string(buf)
	}
	if a.PerBatch {
		sort.SliceStable(idx, func(x, y int) bool {
			i, j := idx[x], idx[y]
			if keys[i] != keys[j] {
				return keys[i] < keys[j]
			}
			for k, o := range orders {
				c := compareCells(o, i, o, j, false)
				if fn.Desc[k] {
					c = -c
				}
				if c != 0 {
					return c < 0
				}
			}
			return false
		})
		a.state[fi] = map[string]*partitionState{}
	}
	vals := make([]float64, n)
	valid := make([]bool, n)
	for i := 0; i < n; i++ {
		if len(args) > 0 {
			vals[i], valid[i] = numberAt(args[0], i)
		} else {
			valid[i] = true // count(*): every row counts
		}
	}
	out := make([]float64, n)
	outValid := make([]bool, n)
	var anyOut []any
	if fn.Name == "lag" || fn.Name == "lead" {
		anyOut = make([]any, n)
	}
	for pos, i := range idx {
		st := a.state[fi][keys[i]]
		if st == nil {
			st = &partitionState{}
			a.state[fi][keys[i]] = st
		}
		order := int64(0)
		orderKey := ""
		if len(orders) > 0 {
			if ts, ok := orders[0].(*array.Timestamp); ok && ts.IsValid(i) {
				order = int64(ts.Value(i))
			}
			var ob []byte
			for _, o := range orders {
				ob = encodeKey(ob, o, i)
			}
			orderKey = string(ob)
		}
		switch fn.Name {
		case "lag":
			anyOut[i] = lagValue(st, args, i)
			continue
		case "lead":
			anyOut[i] = leadValue(idx, pos, keys, args, i)
			continue
		}
		out[i], outValid[i] = st.step(fn, vals[i], valid[i], order, orderKey, args, i)
	}
	return buildAnalytic(a, fn, out, outValid, anyOut)
}

// step folds the current row into the partition and returns the function's value for it.
func (st *partitionState) step(fn *AnalyticFn, v float64, ok bool, order int64,
	orderKey string, args []arrow.Array, i int) (float64, bool) {
	st.rows++
	switch fn.Name {
	case "row_number":
		return float64(st.rows), true
	case "rank":
		if st.rows == 1 || orderKey != st.lastOrder {
			st.rank = st.rows
		}
		st.lastOrder = orderKey
		return float64(st.rank), true
	case "ema":
		alpha := 0.5
		if len(args) > 1 {
			if x, ok := numberAt(args[1], i); ok {
				alpha = x
			}
		}
		if ok {
			if !st.hasEMA {
				st.ema, st.hasEMA = v, true
			} else {
				st.ema = alpha*v + (1-alpha)*st.ema
			}
		}
		return st.ema, st.hasEMA
	}
	// Frame functions: gather the frame's values, then fold the current row in.
	var frame []float64
	var times []int64
	if fn.Frame.Unbounded {
		out, has := st.unboundedValue(fn, v, ok, order)
		return out, has
	}
	frame, times = st.frame(fn.Frame, v, ok, order)
	st.remember(fn.Frame, v, ok, order)
	return frameValue(fn.Name, frame, times, v, ok, order)
}

// frame returns the values of the frame for a row with value v at order.
func (st *partitionState) frame(f Frame, v float64, ok bool, order int64) ([]float64,
	[]int64) {
	var vals []float64
	var times []int64
	if f.Range > 0 {
		for j, t := range st.times {
			if t >= order-f.Range && !st.nulls[j] {
				vals = append(vals, st.vals[j])
				times = append(times, t)
			}
		}
		if ok {
			vals = append(vals, v)
			times = append(times, order)
		}
		return vals, times
	}
	// ROWS: the Lo-th to the Hi-th row before this one.
	n := int64(len(st.vals))
	for back := f.Lo; back >= f.Hi; back-- {
		if back == 0 {
			if ok {
				vals = append(vals, v)
				times = append(times, order)
			}
			continue
		}
		j := n - back
		if j < 0 || j >= n || st.nulls[j] {
			continue
		}
		vals = append(vals, st.vals[j])
		times = append(times, st.times[j])
	}
	return vals, times
}

// remember keeps the current row for later frames, dropping what no frame needs any more.
func (st *partitionState) remember(f Frame, v float64, ok bool, order int64) {
	st.vals = append(st.vals, v)
	st.nulls = append(st.nulls, !ok)
	st.times = append(st.times, order)
	drop := 0
	if f.Range > 0 {
		for drop < len(st.times) && st.times[drop] < order-f.Range {
			drop++
		}
	} else if keep := int(f.Lo); len(st.vals) > keep {
		drop = len(st.vals) - keep
	}
	if drop > 0 {
		st.vals = append(st.vals[:0], st.vals[drop:]...)
		st.nulls = append(st.nulls[:0], st.nulls[drop:]...)
		st.times = append(st.times[:0], st.times[drop:]...)
	}
}

// unboundedValue folds v into running totals and returns the function over every row so far.
func (st *partitionState) unboundedValue(fn *AnalyticFn, v float64, ok bool,
	order int64) (float64, bool) {
	prevMean, prevN := st.mean, st.n
	prevM2 := st.m2
	if ok {
		if st.n == 0 {
			st.lo, st.hi = v, v
			st.times = []int64{order}
			st.vals = []float64{v}
		}
		st.n++
		st.sum += v
		d := v - st.mean
		st.mean += d / float64(st.n)
		st.m2 += d * (v - st.mean)
		st.lo, st.hi = math.Min(st.lo, v), math.Max(st.hi, v)
	}
	switch fn.Name {
	case "count":
		return float64(st.n), true
	case "sum":
		return st.sum, st.n > 0
	case "avg":
		return st.mean, st.n > 0
	case "min":
		return st.lo, st.n > 0
	case "max":
		return st.hi, st.n > 0
	case "stddev":
		if st.n < 2 {
			return 0, false
		}
		return math.Sqrt(st.m2 / float64(st.n-1)), true
	case "zscore":
		// The distance of v from the mean of the rows before it.
		if !ok || prevN < 2 || prevM2 == 0 {
			return 0, false
		}
		return (v - prevMean) / math.Sqrt(prevM2/float64(prevN-1)), true
	case "rate":
		if !ok || st.n < 2 || order == st.times[0] {
			return 0, false
		}
		return (v - st.vals[0]) / (float64(order-st.times[0]) / 1e6), true
	}
	return 0, false
}

// frameValue computes a frame function over the frame's values (the current row's included
// when the frame reaches it).
func frameValue(name string, frame []float64, times []int64, v float64, ok bool,
	order int64) (float64, bool) {
	switch name {
	case "count":
		return float64(len(frame)), true
	case "zscore":
		if !ok || len(frame) < 2 {
			return 0, false
		}
		m, sd := meanStddev(frame)
		if sd == 0 || math.IsNaN(sd) {
			return 0, false
		}
		return (v - m) / sd, true
	case "rate":
		if len(frame) < 2 || times[len(times)-1] == times[0] {
			return 0, false
		}
		last := len(frame) - 1
		return (frame[last] - frame[0]) / (float64(times[last]-times[0]) / 1e6), true
	}
	if len(frame) == 0 {
		return 0, false
	}
	switch name {
	case "sum":
		s := 0.0
		for _, x := range frame {
			s += x
		}
		return s, true
	case "avg":
		m, _ := meanStddev(frame)
		return m, true
	case "min", "max":
		r := frame[0]
		for _, x := range frame[1:] {
			if (name == "min") == (x < r) {
				r = x
			}
		}
		return r, true
	case "stddev":
		if len(frame) < 2 {
			return 0, false
		}
		_, sd := meanStddev(frame)
		return sd, true
	}
	return 0, false
}

// meanStddev is the mean and sample standard deviation, by Welford's method.
func meanStddev(xs []float64) (float64, float64) {
	var mean, m2 float64
	for i, x := range xs {
		d := x - mean
		mean += d / float64(i+1)
		m2 += d * (x - mean)
	}
	if len(xs) < 2 {
		return mean, math.NaN()
	}
	return mean, math.Sqrt(m2 / float64(len(xs)-1))
}

// numberAt reads row i of a numeric array as a float64.
func numberAt(a arrow.Array, i int) (float64, bool) {
	if cellIsNull(a, i) {
		return 0, false
	}
	switch x := a.(type) {
	case *array.Int64:
		return float64(x.Value(i)), true
	case *array.Float64:
		return x.Value(i), true
	case *array.Timestamp:
		return float64(x.Value(i)), true
	}
	return 0, false
}

func lagOffset(args []arrow.Array, i int) int {
	if len(args) > 1 {
		if x, ok := numberAt(args[1], i); ok {
			return int(x)
		}
	}
	return 1
}

func lagDefault(args []arrow.Array, i int) any {
	if len(args) > 2 {
		return cellValue(args[2], i)
	}
	return nil
}

// lagValue returns the value offset rows back in the partition, and remembers this row's.
func lagValue(st *partitionState, args []arrow.Array, i int) any {
	off := lagOffset(args, i)
	var out any = lagDefault(args, i)
	if off >= 1 && len(st.lags) >= off {
		out = st.lags[len(st.lags)-off]
	}
	st.lags = append(st.lags, cellValue(args[0], i))
	if len(st.lags) > max(off, 1) {
		st.lags = st.lags[len(st.lags)-max(off, 1):]
	}
	return out
}

// leadValue returns the value offset rows ahead in the batch's sorted partition.
func leadValue(idx []int, pos int, keys []string, args []arrow.Array, i int) any {
	off := lagOffset(args, i)
	j := pos + off
	if j < len(idx) && keys[idx[j]] == keys[i] {
		return cellValue(args[0], idx[j])
	}
	return lagDefault(args, i)
}

func cellValue(a arrow.Array, i int) any {
	if cellIsNull(a, i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Int64:
		return x.Value(i)
	case *array.Float64:
		return x.Value(i)
	case *array.String:
		return x.Value(i)
	case *array.Boolean:
		return x.Value(i)
	case *array.Timestamp:
		return int64(x.Value(i))
	case *array.Duration:
		return int64(x.Value(i))
	}
	return nil
}

func buildAnalytic(a *Analytic, fn *AnalyticFn, out []float64, valid []bool,
	anyOut []any) (arrow.Array, error) {
	if anyOut != nil {
		return valuesArray(a.Env.Mem, fn.T, anyOut)
	}
	b := array.NewBuilder(a.Env.Mem, fn.T)
	defer b.Release()
	b.Reserve(len(out))
	for i, v := range out {
		if !valid[i] || math.IsNaN(v) && fn.Name != "avg" && fn.Name != "sum" &&
			fn.Name != "min" && fn.Name != "max" {
			b.AppendNull()
			continue
		}
		switch bb := b.(type) {
		case *array.Int64Builder:
			bb.Append(int64(v))
		case *array.Float64Builder:
			bb.Append(v)
		default:
			b.AppendNull()
		}
	}
	return b.NewArray(), nil
}

// valuesArray builds an array of type t from Go values as cellValue returns them.
func valuesArray(mem memory.Allocator, t arrow.DataType, vals []any) (arrow.Array, error) {
	b := array.NewBuilder(mem, t)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
			continue
		}
		switch bb := b.(type) {
		case *array.Int64Builder:
			bb.Append(v.(int64))
		case *array.Float64Builder:
			switch x := v.(type) {
			case float64:
				bb.Append(x)
			case int64:
				bb.Append(float64(x))
			}
		case *array.StringBuilder:
			bb.Append(v.(string))
		case *array.BooleanBuilder:
			bb.Append(v.(bool))
		case *array.TimestampBuilder:
			bb.Append(arrow.Timestamp(v.(int64)))
		case *array.DurationBuilder:
			bb.Append(arrow.Duration(v.(int64)))
		default:
			return nil, fmt.Errorf("%w: values of type %s", ErrUnsupported, t)
		}
	}
	return b.NewArray(), nil
}
