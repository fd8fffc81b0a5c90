package exec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/weirsql/weir/functions"
)

// Frame bounds the rows whose values a frame function (avg, sum, ... rate) folds.
type Frame struct {
	// Unbounded is every row of the partition up to the current one.
	Unbounded bool
	// Lo and Hi make a ROWS frame: the Lo-th to the Hi-th row before the current one (0 is
	// the current row).
	Lo, Hi int64
	// Range makes a RANGE frame: the rows whose order time lies at most Range µs before the
	// current one's.
	Range int64
	// Ranged tells a RANGE frame, or the default one, from a ROWS frame: in SQL only a RANGE
	// frame reaches the current row's peers (the rows of its partition with equal ORDER BY
	// values).
	Ranged bool
	// Peers puts the current row's peers in the frame. It is set for a ranged frame when the
	// peers of a row come in one batch: when every partition is whole in one batch
	// (PerBatch), or over events that an EventOrder holding the watermark's time releases.
	Peers bool
}

// AnalyticFn is one analytic function call: name(Args) OVER (PARTITION BY ... ORDER BY ...).
type AnalyticFn struct {
	Fn         *functions.Analytic
	Args       []Expr
	Partition  []Expr
	Order      []Expr
	Desc       []bool
	NullsFirst []bool
	// End is where each row ends in time, for rate: window_end over the rows of windows
	// ordered by window_start. Without it a row ends at its order time (an event).
	End   Expr
	Frame Frame
	// SortBatch sorts each batch's rows by partition and ORDER BY before computing them, for
	// peers and for keys after the time: set when the rows of one time come in one batch.
	SortBatch bool
	// Offset is how many rows back lag looks, or ahead lead looks.
	Offset int64
	// Alpha is the smoothing factor of ema.
	Alpha float64
	T     arrow.DataType
	Text  string
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
// lead over a stream needs a later row of the partition: a row is held back until the row
// Offset after it arrives (or the input ends, when it gets the default), so that each
// partition holds its last Offset rows. Rows then come out in the order they are completed:
// by the arrival of the row that completed them, then by their own.
//
// The partitions and the rows held back are the operator's state, counted in Op and against
// the memory limit. When Ordered is set its input comes in time order (an EventOrder below
// it): a partition of a RANGE frame whose rows are all older than the frame of the latest row
// is dropped, since no later row's frame reaches them. The partitions of the other functions
// are kept while the query runs: a ROWS frame, lag, row_number, rank and ema go on from the
// partition's last row however long ago it came.
type Analytic struct {
	Input    Operator
	Env      *Env
	Fns      []*AnalyticFn
	PerBatch bool
	Ordered  bool
	Out      *arrow.Schema
	Op       *OpStats

	state   []map[string]*partition
	hold    *holdBack // nil unless a lead runs over a stream
	key     []byte
	bytes   int64   // the partitions' bytes
	gen     int64   // the number of the batch being computed, to visit each partition once
	parts   int     // the partitions made so far, which number them
	latest  []int64 // per function: the latest order time seen (Ordered)
	sweepAt []int   // per function: the partitions that start the next sweep (Ordered)
}

var _ Operator = (*Analytic)(nil)

func (a *Analytic) Schema() *arrow.Schema { return a.Out }

func (a *Analytic) Open(ctx context.Context) error {
	a.state = make([]map[string]*partition, len(a.Fns))
	a.latest = make([]int64, len(a.Fns))
	a.sweepAt = make([]int, len(a.Fns))
	for i := range a.state {
		a.state[i] = map[string]*partition{}
		a.latest[i] = minTime
		a.sweepAt[i] = minSweep
	}
	if !a.PerBatch {
		a.hold = newHoldBack(a)
	}
	return a.Input.Open(ctx)
}

func (a *Analytic) Close() error {
	if a.hold != nil {
		a.hold.release()
	}
	return a.Input.Close()
}

func (a *Analytic) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if a.hold != nil && a.hold.done {
		return nil, io.EOF
	}
	b, err := a.Input.Next(ctx)
	if errors.Is(err, io.EOF) && a.hold != nil {
		a.hold.done = true
		return a.hold.flush()
	}
	if err != nil {
		return nil, err
	}
	defer b.Release()
	cols := make([]arrow.Array, 0, len(a.Out.Fields()))
	for _, c := range b.Columns() {
		c.Retain()
		cols = append(cols, c)
	}
	defer func() { releaseAll(cols) }()
	var held *heldBatch
	if a.hold != nil {
		held = a.hold.admit(int(b.NumRows()))
	}
	for i, fn := range a.Fns {
		col, err := a.compute(i, fn, b, held)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn.Text, err)
		}
		cols = append(cols, col) // nil for a lead held back
	}
	if a.hold == nil {
		return array.NewRecordBatch(a.Out, cols, b.NumRows()), a.account()
	}
	a.hold.keep(held, cols)
	out, err := a.hold.emit()
	if err == nil {
		err = a.account()
	}
	if err != nil && out != nil {
		out.Release()
		out = nil
	}
	return out, err
}

// account publishes the bytes of the partitions and of the rows held back, and fails when
// the query's state is past its memory limit.
func (a *Analytic) account() error {
	n := a.bytes
	if a.hold != nil {
		n += a.hold.bytes()
	}
	if a.Op == nil {
		return nil
	}
	a.Op.SetState(n)
	return checkMemory(a.Env)
}

// batchRows is one batch's input to one function, row by row.
type batchRows struct {
	part   []*partition // each row's partition
	vals   []float64    // the first argument's value (1 for count(*) and rate())
	ok     []bool       // false where it is NULL
	starts []int64      // the order time (0 unless the first ORDER BY key is a TIMESTAMP)
	ends   []int64      // where the row ends in time (its window_end, or its order time)
	order  []int        // the rows in the order to compute them
	orders []arrow.Array
	args   []arrow.Array
}

// compute evaluates one function over the batch's rows; it returns nil for a lead held back,
// whose values held collects.
func (a *Analytic) compute(fi int, fn *AnalyticFn, b arrow.RecordBatch,
	held *heldBatch) (arrow.Array, error) {
	mem := a.Env.Mem
	parts, err := evalAll(mem, b, fn.Partition)
	if err != nil {
		return nil, err
	}
	defer releaseAll(parts)
	orders, err := evalAll(mem, b, fn.Order)
	if err != nil {
		return nil, err
	}
	defer releaseAll(orders)
	args, err := evalAll(mem, b, fn.Args)
	if err != nil {
		return nil, err
	}
	defer releaseAll(args)
	var end arrow.Array
	if fn.End != nil {
		if end, err = fn.End.Eval(mem, b); err != nil {
			return nil, err
		}
		defer end.Release()
	}

	rows := a.gather(fi, int(b.NumRows()), parts, orders, args, end)
	if a.PerBatch || fn.SortBatch {
		a.sortRows(fn, rows)
	}
	var col arrow.Array
	switch fn.Fn.Kind {
	case functions.Lag:
		col, err = a.lag(fn, rows)
	case functions.Lead:
		if !a.PerBatch {
			a.hold.lead(fi, fn, rows, held)
		} else {
			col, err = a.leadInBatch(fn, rows)
		}
	default:
		col, err = a.numbers(fn, rows)
	}
	if !a.PerBatch {
		a.measure(fi, fn, rows)
	}
	return col, err
}

// minSweep is the fewest partitions a function keeps before they are swept.
const minSweep = 1024

// measure updates the bytes of the partitions the batch's rows went to, and sweeps the
// partitions of a RANGE frame when they have doubled since the last sweep.
func (a *Analytic) measure(fi int, fn *AnalyticFn, r *batchRows) {
	a.gen++
	for _, p := range r.part {
		if p.gen == a.gen {
			continue
		}
		p.gen = a.gen
		n := p.size()
		a.bytes += n - p.bytes
		p.bytes = n
	}
	if !a.Ordered || fn.Fn.Kind != functions.FrameFunction || fn.Frame.Range <= 0 {
		return
	}
	for _, t := range r.starts {
		a.latest[fi] = max(a.latest[fi], t)
	}
	m := a.state[fi]
	if len(m) < a.sweepAt[fi] {
		return
	}
	// The next row starts at latest or later, and its frame at latest - Range or later.
	from := a.latest[fi] - fn.Frame.Range
	for key, p := range m {
		k := &p.kept
		if k.len() == 0 || k.starts[len(k.starts)-1] < from {
			a.bytes -= p.bytes
			delete(m, key)
		}
	}
	a.sweepAt[fi] = max(minSweep, 2*len(m))
}

// gather reads the rows' partitions, values and times.
func (a *Analytic) gather(fi, n int, parts, orders, args []arrow.Array,
	end arrow.Array) *batchRows {
	r := &batchRows{part: make([]*partition, n), vals: make([]float64, n),
		ok: make([]bool, n), starts: make([]int64, n), ends: make([]int64, n),
		order: make([]int, n), orders: orders, args: args}
	m := a.state[fi]
	if a.PerBatch {
		clear(m)
	}
	var ts *array.Timestamp
	if len(orders) > 0 {
		ts, _ = orders[0].(*array.Timestamp)
	}
	var ends *array.Timestamp
	if end != nil {
		ends, _ = end.(*array.Timestamp)
	}
	for i := 0; i < n; i++ {
		a.key = a.key[:0]
		for _, p := range parts {
			a.key = encodeKey(a.key, p, i)
		}
		p := m[string(a.key)]
		if p == nil {
			a.parts++
			p = &partition{id: a.parts, keyBytes: int64(len(a.key))}
			m[string(a.key)] = p
		}
		r.part[i] = p
		r.order[i] = i
		if len(args) > 0 {
			r.vals[i], r.ok[i] = numberAt(args[0], i)
		} else {
			r.vals[i], r.ok[i] = 1, true
		}
		if ts != nil && ts.IsValid(i) {
			r.starts[i] = int64(ts.Value(i))
		}
		r.ends[i] = r.starts[i]
		if ends != nil && ends.IsValid(i) {
			r.ends[i] = int64(ends.Value(i))
		}
	}
	return r
}

// sortRows orders the rows by partition, then by ORDER BY, keeping arrival order among ties.
func (a *Analytic) sortRows(fn *AnalyticFn, r *batchRows) {
	sort.SliceStable(r.order, func(x, y int) bool {
		i, j := r.order[x], r.order[y]
		if pi, pj := r.part[i].id, r.part[j].id; pi != pj {
			return pi < pj
		}
		return compareOrder(fn, r.orders, i, j) < 0
	})
}

// compareOrder compares rows i and j by the ORDER BY keys: NULLs last unless NULLS FIRST,
// whatever the direction.
func compareOrder(fn *AnalyticFn, orders []arrow.Array, i, j int) int {
	for k, o := range orders {
		c := compareCells(o, i, o, j, fn.NullsFirst[k])
		if fn.Desc[k] && !cellIsNull(o, i) && !cellIsNull(o, j) {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// numbers computes a function whose values are numbers: the frame functions, row_number,
// rank and ema.
func (a *Analytic) numbers(fn *AnalyticFn, r *batchRows) (arrow.Array, error) {
	n := len(r.order)
	out := make([]float64, n)
	valid := make([]bool, n)
	var stats functions.FrameStats
	for pos := 0; pos < n; {
		// A run of peers is computed together when the frame reaches the peers.
		run := 1
		if fn.Frame.Peers && fn.Fn.Kind == functions.FrameFunction {
			for pos+run < n && a.peers(fn, r, r.order[pos], r.order[pos+run]) {
				run++
			}
		}
		group := r.order[pos : pos+run]
		switch fn.Fn.Kind {
		case functions.FrameFunction:
			r.part[group[0]].frameValues(fn, r, group, &stats, out, valid)
		default:
			for _, i := range group {
				out[i], valid[i] = a.position(fn, r, i)
			}
		}
		pos += run
	}
	b := array.NewBuilder(a.Env.Mem, fn.T)
	defer b.Release()
	b.Reserve(n)
	for i, v := range out {
		switch bb := b.(type) {
		case *array.Int64Builder:
			if valid[i] {
				bb.Append(int64(v))
			} else {
				bb.AppendNull()
			}
		case *array.Float64Builder:
			if valid[i] {
				bb.Append(v)
			} else {
				bb.AppendNull()
			}
		default:
			return nil, fmt.Errorf("%w: analytic result of type %s", ErrUnsupported, fn.T)
		}
	}
	return b.NewArray(), nil
}

// peers reports whether rows i and j are in one partition with equal ORDER BY values.
func (a *Analytic) peers(fn *AnalyticFn, r *batchRows, i, j int) bool {
	return r.part[i] == r.part[j] && compareOrder(fn, r.orders, i, j) == 0
}

// position computes row_number, rank or ema for row i, the next row of its partition.
func (a *Analytic) position(fn *AnalyticFn, r *batchRows, i int) (float64, bool) {
	p := r.part[i]
	p.rows++
	switch fn.Fn.Kind {
	case functions.RowNumber:
		return float64(p.rows), true
	case functions.Rank:
		a.key = a.key[:0]
		for _, o := range r.orders {
			a.key = encodeKey(a.key, o, i)
		}
		if p.rows == 1 || !bytes.Equal(a.key, p.lastOrder) {
			p.rank = p.rows
			p.lastOrder = append(p.lastOrder[:0], a.key...)
		}
		return float64(p.rank), true
	case functions.EMA:
		if r.ok[i] {
			if p.hasEMA {
				p.ema = fn.Alpha*r.vals[i] + (1-fn.Alpha)*p.ema
			} else {
				p.ema, p.hasEMA = r.vals[i], true
			}
		}
		return p.ema, p.hasEMA
	}
	return 0, false
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
	}
	return 0, false
}

// lag returns, for each row, the value Offset rows before it in its partition.
func (a *Analytic) lag(fn *AnalyticFn, r *batchRows) (arrow.Array, error) {
	out := make([]cell, len(r.order))
	off := int(fn.Offset)
	for _, i := range r.order {
		p := r.part[i]
		cur := cellAt(r.args[0], i)
		switch {
		case off == 0:
			out[i] = cur
		case len(p.prev) == off:
			out[i] = p.prev[0]
		default:
			out[i] = shiftDefault(r.args, i)
		}
		if off > 0 {
			if len(p.prev) == off {
				copy(p.prev, p.prev[1:])
				p.prev = p.prev[:off-1]
			}
			p.prev = append(p.prev, cur)
		}
	}
	return buildCells(a.Env.Mem, fn.T, out)
}

// leadInBatch returns, for each row, the value Offset rows after it in its partition, which
// is whole in the batch.
func (a *Analytic) leadInBatch(fn *AnalyticFn, r *batchRows) (arrow.Array, error) {
	out := make([]cell, len(r.order))
	off := int(fn.Offset)
	for pos, i := range r.order {
		if j := pos + off; j < len(r.order) && r.part[r.order[j]] == r.part[i] {
			out[i] = cellAt(r.args[0], r.order[j])
		} else {
			out[i] = shiftDefault(r.args, i)
		}
	}
	return buildCells(a.Env.Mem, fn.T, out)
}

// shiftDefault is lag's or lead's default for row i: its third argument, or NULL.
func shiftDefault(args []arrow.Array, i int) cell {
	if len(args) > 2 {
		return cellAt(args[2], i)
	}
	return cell{null: true}
}
