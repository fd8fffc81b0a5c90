package exec

import (
	"hash/maphash"
	"math/bits"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/weirsql/weir/internal/recycle"
)

// aggWorker is one worker of a ParallelAggregate: an aggregate over the keys that hash to it,
// and the goroutine that feeds it. The fields after jobs are written by the worker during a
// job and read by the operator once the job is done.
type aggWorker struct {
	agg   *HashAggregate
	id    int
	of    uint64 // how many workers there are
	seed  maphash.Seed
	mem   memory.Allocator
	reuse *recycle.Allocator // for the sub-batches' fixed-width columns
	sub   *arrow.Schema      // the sub-batches': the columns the aggregate does not read are NULL
	jobs  chan aggJob
	clock time.Time // the processing time of the job

	keyArrs []arrow.Array
	hashes  []uint64
	rows    []int // the input rows of the sub-batch in flight; all of them when all is set
	all     bool
	late    []int // input rows of the events it dropped as late during the job
	out     []arrow.RecordBatch
	err     error
	mid     stateSize // after the job's rows were folded
	end     stateSize // after the windows fired

	counts [4]int64 // the operator's: the counters last added to the query's
}

// aggJob is an input batch for every worker, or the end of the input when b is nil, with the
// watermark and the processing time after it.
type aggJob struct {
	b   arrow.RecordBatch
	wm  int64
	now time.Time
}

// newWorker copies the aggregate's plan into worker id.
func (p *ParallelAggregate) newWorker(id int, seed maphash.Seed,
	sub *arrow.Schema) (*aggWorker, error) {
	a := p.Agg
	w := &aggWorker{id: id, of: uint64(p.Workers), seed: seed, mem: p.Env.Mem, sub: sub,
		jobs: make(chan aggJob, 1), clock: p.now(), reuse: recycle.New(p.Env.Mem, 16)}
	env := &Env{Mem: p.Env.Mem, Stats: &Stats{}, Now: func() time.Time { return w.clock }}
	w.agg = &HashAggregate{Env: env, Keys: a.Keys, Time: a.Time, Window: a.Window,
		WM: &WatermarkState{}, WMIndex: a.WMIndex, Aggs: a.Aggs, Emit: a.Emit, Every: a.Every,
		Lateness: a.Lateness, Changelog: a.Changelog, Out: a.Out, noPanes: a.noPanes}
	if a.Late != nil {
		w.agg.Late = func(_ arrow.RecordBatch, rows []int) error {
			for _, r := range rows {
				if !w.all {
					r = w.rows[r]
				}
				w.late = append(w.late, r)
			}
			return nil
		}
	}
	return w, w.agg.init()
}

// run does the jobs it is given until its jobs are closed.
func (w *aggWorker) run(results chan<- struct{}) {
	for j := range w.jobs {
		w.step(j)
		results <- struct{}{}
	}
}

// step does what HashAggregate.Next does with one input batch, or with the end of the input.
func (w *aggWorker) step(j aggJob) {
	h := w.agg
	h.WM.Current = j.wm
	w.clock = j.now
	w.late = w.late[:0]
	w.err = nil
	if j.b == nil {
		h.done = true
	} else {
		w.err = w.consume(j.b)
		j.b.Release()
	}
	w.mid = w.size()
	if w.err == nil {
		w.err = h.emit()
	}
	w.end = w.size()
	w.out, h.pending = h.pending, nil
}

// consume folds the rows of b whose keys hash to the worker.
func (w *aggWorker) consume(b arrow.RecordBatch) error {
	if err := w.pick(b); err != nil {
		return err
	}
	if w.all {
		return w.agg.consume(b)
	}
	sub, err := w.take(b)
	if err != nil {
		return err
	}
	defer sub.Release()
	return w.agg.consume(sub)
}

// pick lists the rows of b whose keys hash to the worker, and sets all when that is every
// row.
func (w *aggWorker) pick(b arrow.RecordBatch) error {
	n := int(b.NumRows())
	w.rows = w.rows[:0]
	if w.all = n == 0; w.all {
		return nil
	}
	keys, err := evalInto(w.keyArrs, w.mem, b, w.agg.Keys)
	w.keyArrs = keys
	if err != nil {
		return err
	}
	w.hashes = hashKeys(keys, n, w.seed, w.hashes)
	releaseInto(keys)
	rows, k := slices.Grow(w.rows, n)[:n], 0
	for i, h := range w.hashes {
		to, _ := bits.Mul64(h, w.of)
		rows[k] = i
		k += b2i(int(to) == w.id)
	}
	w.rows = rows[:k]
	w.all = k == n
	return nil
}

// take builds the sub-batch of the picked rows of b: the columns the aggregate reads, and
// NULL columns in place of the others.
func (w *aggWorker) take(b arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, b.NumCols())
	defer func() { releaseAll(cols) }()
	for i := range cols {
		if w.sub.Field(i).Type.ID() == arrow.NULL && b.Column(i).DataType().ID() != arrow.NULL {
			cols[i] = array.NewNull(len(w.rows))
			continue
		}
		c, err := takeColumn(w.mem, w.reuse, b.Column(i), w.rows)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return array.NewRecordBatch(w.sub, cols, int64(len(w.rows))), nil
}

func (w *aggWorker) size() stateSize {
	s := w.agg.Env.Stats
	return stateSize{bytes: s.StateBytes.Load(), open: s.OpenWindows.Load()}
}

// takeColumn is take, with a fast path for fixed-width columns without NULLs, whose buffer
// comes from reuse.
func takeColumn(mem memory.Allocator, reuse *recycle.Allocator, a arrow.Array,
	rows []int) (arrow.Array, error) {
	switch a.(type) {
	case *array.Int64, *array.Float64, *array.Timestamp:
		if a.NullN() == 0 {
			break
		}
		return take(mem, a, rows)
	default:
		return take(mem, a, rows)
	}
	buf := memory.NewResizableBuffer(reuse)
	defer buf.Release()
	buf.Resize(8 * len(rows))
	switch c := a.(type) {
	case *array.Int64:
		gather(arrow.Int64Traits.CastFromBytes(buf.Bytes()), c.Int64Values(), rows)
	case *array.Float64:
		gather(arrow.Float64Traits.CastFromBytes(buf.Bytes()), c.Float64Values(), rows)
	case *array.Timestamp:
		gather(arrow.TimestampTraits.CastFromBytes(buf.Bytes()), c.TimestampValues(), rows)
	}
	data := array.NewData(a.DataType(), len(rows), []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer data.Release()
	return array.MakeFromData(data), nil
}

// gather sets dst[i] to src[rows[i]].
func gather[T any](dst, src []T, rows []int) {
	dst = dst[:len(rows)]
	for i, r := range rows {
		dst[i] = src[r]
	}
}

// subSchema is the input's schema with a NULL type for every column the aggregate does not
// read.
func (p *ParallelAggregate) subSchema() *arrow.Schema {
	used := map[int]bool{p.Agg.WMIndex: true}
	exprs := append([]Expr{p.Agg.Time}, p.Agg.Keys...)
	for _, a := range p.Agg.Aggs {
		exprs = append(exprs, a.Args...)
		exprs = append(exprs, a.Filter)
	}
	for _, e := range exprs {
		columnsOf(e, used)
	}
	fields := slices.Clone(p.Input.Schema().Fields())
	for i := range fields {
		if !used[i] {
			fields[i] = arrow.Field{Name: fields[i].Name, Type: arrow.Null, Nullable: true}
		}
	}
	return arrow.NewSchema(fields, nil)
}

// columnsOf adds the columns e reads to used.
func columnsOf(e Expr, used map[int]bool) {
	switch e := e.(type) {
	case *Column:
		used[e.Index] = true
	case *Binary:
		columnsOf(e.L, used)
		columnsOf(e.R, used)
	case *Unary:
		columnsOf(e.X, used)
	case *IsNull:
		columnsOf(e.X, used)
	case *Cast:
		columnsOf(e.X, used)
	case *IsDistinct:
		columnsOf(e.L, used)
		columnsOf(e.R, used)
	case *Call:
		for _, a := range e.Args {
			columnsOf(a, used)
		}
	case *Case:
		for _, x := range append(append(slices.Clone(e.Conds), e.Thens...), e.Else) {
			columnsOf(x, used)
		}
	case *Like:
		columnsOf(e.X, used)
		columnsOf(e.Pattern, used)
	}
}

// hashKeys hashes the group key of each of the n rows, column by column, so that keys the
// aggregate holds equal (see keyIndex: -0 and +0, every NaN, NULLs) hash alike. The hash is
// unlike the one of the aggregate's tables, so that a worker's keys spread over its tables.
func hashKeys(keys []arrow.Array, n int, seed maphash.Seed, into []uint64) []uint64 {
	h := slices.Grow(into[:0], n)[:n]
	for i := range h {
		h[i] = 0x6a09e667f3bcc909
	}
	for _, k := range keys {
		hashColumn(k, h, seed)
	}
	return h
}

// hashNull stands for NULL in a key's hash.
const hashNull = 0xbb67ae8584caa73b

// hashColumn mixes the values of column a into h.
func hashColumn(a arrow.Array, h []uint64, seed maphash.Seed) {
	if a.NullN() > 0 || a.DataType().ID() == arrow.NULL {
		for i := range h {
			h[i] = mix(h[i] ^ cellHash(a, i, seed))
		}
		return
	}
	switch c := a.(type) {
	case *array.Int64:
		mixWords(h, c.Int64Values())
	case *array.Timestamp:
		mixWords(h, c.TimestampValues())
	case *array.Duration:
		mixWords(h, c.DurationValues())
	default:
		for i := range h {
			h[i] = mix(h[i] ^ cellHash(a, i, seed))
		}
	}
}

// cellHash is the word row i of a mixes into its key's hash.
func cellHash(a arrow.Array, i int, seed maphash.Seed) uint64 {
	if cellIsNull(a, i) {
		return hashNull
	}
	switch c := a.(type) {
	case *array.Int64:
		return uint64(c.Value(i))
	case *array.Timestamp:
		return uint64(c.Value(i))
	case *array.Duration:
		return uint64(c.Value(i))
	case *array.Float64:
		return floatKey(c.Value(i))
	case *array.Boolean:
		return uint64(1 + b2i(c.Value(i)))
	case *array.String:
		return maphash.String(seed, c.Value(i))
	}
	return hashNull
}

// mixWords mixes a column of 64-bit values into h.
func mixWords[T int64 | arrow.Timestamp | arrow.Duration](h []uint64, vals []T) {
	vals = vals[:len(h)]
	for i, v := range vals {
		h[i] = mix(h[i] ^ uint64(v))
	}
}

// mix scrambles the bits of x (a multiply-xorshift finalizer).
func mix(x uint64) uint64 {
	x ^= x >> 31
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 29
	x *= 0x94d049bb133111eb
	return x ^ x>>32
}
