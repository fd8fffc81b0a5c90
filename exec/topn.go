package exec

import (
	"context"
	"errors"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// SortKey is one ORDER BY key: a column of the input.
type SortKey struct {
	Column     int
	Desc       bool
	NullsFirst bool
}

// TopN orders rows and keeps the first Limit of them (after skipping Offset), per window when
// PerWindow is set and over the whole input otherwise. Per window, it works on each batch its
// input returns, whose rows of one window all arrive together (a firing); the window is told
// apart by the columns WindowStart and WindowEnd. Over the whole input it returns its rows at
// the end. It outputs the first Visible columns of its input.
type TopN struct {
	Input       Operator
	Env         *Env
	Keys        []SortKey
	Limit       int64 // -1: no limit
	Offset      int64
	PerWindow   bool
	WindowStart int
	WindowEnd   int
	Visible     int
	// Op counts the bytes of the rows it holds until the end of its input (over the whole
	// input only), which count towards the query's memory limit; Open makes it when nil.
	Op *OpStats

	out     *arrow.Schema
	buffer  []arrow.RecordBatch
	held    int64 // bytes of buffer
	flushed bool
}

var _ Operator = (*TopN)(nil)

func (t *TopN) Schema() *arrow.Schema {
	if t.out == nil {
		t.out = arrow.NewSchema(t.Input.Schema().Fields()[:t.Visible], nil)
	}
	return t.out
}

func (t *TopN) Open(ctx context.Context) error {
	if t.Op == nil {
		t.Op = t.Env.Stats.NewOp()
	}
	return t.Input.Open(ctx)
}

func (t *TopN) Close() error {
	t.release()
	return t.Input.Close()
}

// release lets go of the buffered rows.
func (t *TopN) release() {
	for _, b := range t.buffer {
		b.Release()
	}
	t.buffer = nil
	if t.held != 0 {
		t.held = 0
		t.Op.SetState(0)
	}
}

func (t *TopN) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if t.flushed {
			return nil, io.EOF
		}
		b, err := t.Input.Next(ctx)
		if errors.Is(err, io.EOF) && !t.PerWindow {
			t.flushed = true
			return t.flush()
		}
		if err != nil {
			return nil, err
		}
		if !t.PerWindow {
			t.buffer = append(t.buffer, b)
			t.held += batchBytes(b)
			t.Op.SetState(t.held)
			if err := checkMemory(t.Env); err != nil {
				return nil, err
			}
			continue
		}
		out, err := t.perWindow(b)
		b.Release()
		return out, err
	}
}

// flush sorts everything buffered and returns the kept rows.
func (t *TopN) flush() (arrow.RecordBatch, error) {
	defer t.release()
	var rows []rowRef
	for bi, b := range t.buffer {
		for i := 0; i < int(b.NumRows()); i++ {
			rows = append(rows, rowRef{bi, i})
		}
	}
	t.sortRows(rows)
	return t.gather(rows)
}

type rowRef struct{ batch, row int }

func (t *TopN) sortRows(rows []rowRef) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		for _, k := range t.Keys {
			c := compareCells(t.buffer[a.batch].Column(k.Column), a.row,
				t.buffer[b.batch].Column(k.Column), b.row, k.NullsFirst)
			if k.Desc && !(cellNull(t.buffer[a.batch].Column(k.Column), a.row) ||
				cellNull(t.buffer[b.batch].Column(k.Column), b.row)) {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
}

// window keeps the rows of one window span [lo, hi) of rows.
func (t *TopN) keep(rows []rowRef) []rowRef {
	lo := min(t.Offset, int64(len(rows)))
	hi := int64(len(rows))
	if t.Limit >= 0 {
		hi = min(hi, lo+t.Limit)
	}
	return rows[lo:hi]
}

// perWindow sorts and cuts the rows of each window of one firing.
func (t *TopN) perWindow(b arrow.RecordBatch) (arrow.RecordBatch, error) {
	b.Retain()
	t.buffer = []arrow.RecordBatch{b}
	defer func() {
		b.Release()
		t.buffer = nil
	}()
	starts := b.Column(t.WindowStart).(*array.Timestamp).TimestampValues()
	ends := b.Column(t.WindowEnd).(*array.Timestamp).TimestampValues()
	groups := map[[2]int64][]rowRef{}
	var order [][2]int64
	for i := 0; i < int(b.NumRows()); i++ {
		w := [2]int64{int64(starts[i]), int64(ends[i])}
		if _, ok := groups[w]; !ok {
			order = append(order, w)
		}
		groups[w] = append(groups[w], rowRef{0, i})
	}
	var rows []rowRef
	for _, w := range order {
		g := groups[w]
		t.sortRows(g)
		rows = append(rows, t.keep(g)...)
	}
	return t.gatherAll(rows)
}

func (t *TopN) gather(rows []rowRef) (arrow.RecordBatch, error) {
	return t.gatherAll(t.keep(rows))
}

// gatherAll builds a batch of the visible columns of the given rows.
func (t *TopN) gatherAll(rows []rowRef) (arrow.RecordBatch, error) {
	schema := t.Schema()
	cols := make([]arrow.Array, t.Visible)
	defer func() { releaseAll(cols) }()
	for c := 0; c < t.Visible; c++ {
		bld := array.NewBuilder(t.Env.Mem, schema.Field(c).Type)
		for _, r := range rows {
			if err := appendCell(bld, t.buffer[r.batch].Column(c), r.row); err != nil {
				bld.Release()
				return nil, err
			}
		}
		cols[c] = bld.NewArray()
		bld.Release()
	}
	return array.NewRecordBatch(schema, cols, int64(len(rows))), nil
}

func appendCell(b array.Builder, a arrow.Array, i int) error {
	if cellIsNull(a, i) {
		b.AppendNull()
		return nil
	}
	switch src := a.(type) {
	case *array.Int64:
		b.(*array.Int64Builder).Append(src.Value(i))
	case *array.Float64:
		b.(*array.Float64Builder).Append(src.Value(i))
	case *array.String:
		b.(*array.StringBuilder).Append(src.Value(i))
	case *array.Boolean:
		b.(*array.BooleanBuilder).Append(src.Value(i))
	case *array.Timestamp:
		b.(*array.TimestampBuilder).Append(src.Value(i))
	case *array.Duration:
		b.(*array.DurationBuilder).Append(src.Value(i))
	default:
		b.AppendNull()
	}
	return nil
}

func cellNull(a arrow.Array, i int) bool { return a.IsNull(i) }

// compareCells orders two cells of arrays of one type; NULLs sort last unless nullsFirst, and
// NaN above every other number.
func compareCells(a arrow.Array, i int, b arrow.Array, j int, nullsFirst bool) int {
	na, nb := cellIsNull(a, i), cellIsNull(b, j)
	switch {
	case na && nb:
		return 0
	case na:
		if nullsFirst {
			return -1
		}
		return 1
	case nb:
		if nullsFirst {
			return 1
		}
		return -1
	}
	switch x := a.(type) {
	case *array.Int64:
		return cmp3(x.Value(i), b.(*array.Int64).Value(j))
	case *array.Float64:
		fa, fb := x.Value(i), b.(*array.Float64).Value(j)
		switch {
		case math.IsNaN(fa) && math.IsNaN(fb):
			return 0
		case math.IsNaN(fa):
			return 1
		case math.IsNaN(fb):
			return -1
		}
		return cmp3(fa, fb)
	case *array.String:
		return strings.Compare(x.Value(i), b.(*array.String).Value(j))
	case *array.Timestamp:
		return cmp3(int64(x.Value(i)), int64(b.(*array.Timestamp).Value(j)))
	case *array.Duration:
		return cmp3(int64(x.Value(i)), int64(b.(*array.Duration).Value(j)))
	case *array.Boolean:
		return cmp3(b2i(x.Value(i)), b2i(b.(*array.Boolean).Value(j)))
	}
	return 0
}

// Limit stops its input after N rows, for a query without a window over any source.
type Limit struct {
	Input  Operator
	Env    *Env
	N      int64
	Offset int64
	seen   int64
}

var _ Operator = (*Limit)(nil)

func (l *Limit) Schema() *arrow.Schema          { return l.Input.Schema() }
func (l *Limit) Open(ctx context.Context) error { return l.Input.Open(ctx) }
func (l *Limit) Close() error                   { return l.Input.Close() }

func (l *Limit) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if l.N >= 0 && l.seen >= l.Offset+l.N {
			return nil, io.EOF
		}
		b, err := l.Input.Next(ctx)
		if err != nil {
			return nil, err
		}
		n := b.NumRows()
		lo := min(max(l.Offset-l.seen, 0), n)
		hi := n
		if l.N >= 0 {
			hi = min(n, l.Offset+l.N-l.seen)
		}
		l.seen += n
		if lo == 0 && hi == n {
			return b, nil
		}
		out := b.NewSlice(lo, hi)
		b.Release()
		if out.NumRows() > 0 {
			return out, nil
		}
		out.Release()
	}
}

// batchBytes is the size of the buffers b refers to (a slice counts its whole buffers).
func batchBytes(b arrow.RecordBatch) int64 {
	var n int64
	for _, c := range b.Columns() {
		n += dataBytes(c.Data())
	}
	return n
}

func dataBytes(d arrow.ArrayData) int64 {
	var n int64
	for _, buf := range d.Buffers() {
		if buf != nil {
			n += int64(buf.Len())
		}
	}
	for _, c := range d.Children() {
		n += dataBytes(c)
	}
	return n
}
