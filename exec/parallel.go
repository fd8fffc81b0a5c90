package exec

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// ParallelAggregate runs a windowed HashAggregate with group keys as Workers aggregates, each
// on a goroutine of its own, and returns exactly the rows one aggregate would.
//
// Each input batch (which carries the $wm column of the Watermark below) is split by a hash of
// its group keys into one sub-batch per worker, so that all the events of a key meet in one
// worker and keep their order. Every worker gets a sub-batch for every input batch, empty when
// none of its keys came, and the watermark as it stands after the whole batch: the workers
// fire their windows in step. What the workers emit for a batch is merged into one batch in
// the order one aggregate emits, window start then keys (rows of one key all come from one
// worker, which has them in order already). The workers' counters are added to the query's,
// their state sizes summed and checked against the memory limit, and the events they drop as
// late are handed to Agg.Late in the input's row order.
//
// Agg is the aggregate to run; its Input and Env are not used: the workers are copies of it
// over their sub-batches, with counters of their own. Its expressions are evaluated by
// several goroutines at once, so they must be safe for that (the planner checks).
type ParallelAggregate struct {
	Input   Operator
	Env     *Env
	Agg     *HashAggregate
	Workers int

	workers []*aggWorker
	results chan int
	running sync.WaitGroup
	seed    maphash.Seed
	keyArrs []arrow.Array
	key     []byte
	rows    [][]int // per worker, the input rows of its sub-batch
	late    []int
	clock   time.Time // the processing time the workers see during a batch
	pending []arrow.RecordBatch
	done    bool
	closed  bool
}

var _ Operator = (*ParallelAggregate)(nil)

// aggWorker is one worker: an aggregate and the goroutine that feeds it.
type aggWorker struct {
	agg  *HashAggregate
	jobs chan aggJob
	rows []int // the input row of each row of the sub-batch in flight
	late []int // input rows of the events it dropped as late during the batch

	out    []arrow.RecordBatch
	err    error
	mid    stateSize // after the sub-batch was folded
	end    stateSize // after the windows fired
	counts [4]int64  // the counters last added to the query's
}

type aggJob struct {
	b   arrow.RecordBatch // nil at the end of the input
	wm  int64
	idx int
}

// stateSize is a worker's state and open windows at one moment.
type stateSize struct{ bytes, open int64 }

func (p *ParallelAggregate) Schema() *arrow.Schema { return p.Agg.Out }

func (p *ParallelAggregate) Open(ctx context.Context) error {
	p.seed = maphash.MakeSeed()
	p.clock = p.now()
	p.results = make(chan int, p.Workers)
	p.rows = make([][]int, p.Workers)
	for i := 0; i < p.Workers; i++ {
		w, err := p.newWorker()
		if err != nil {
			p.stop()
			return err
		}
		p.workers = append(p.workers, w)
		p.running.Add(1)
		go func() {
			defer p.running.Done()
			w.run(p.results)
		}()
	}
	return p.Input.Open(ctx)
}

// newWorker copies the aggregate's plan into a worker of its own.
func (p *ParallelAggregate) newWorker() (*aggWorker, error) {
	a := p.Agg
	w := &aggWorker{jobs: make(chan aggJob, 1)}
	env := &Env{Mem: p.Env.Mem, Stats: &Stats{}, Now: func() time.Time { return p.clock }}
	w.agg = &HashAggregate{Env: env, Keys: a.Keys, Time: a.Time, Window: a.Window,
		WM: &WatermarkState{}, WMIndex: a.WMIndex, Aggs: a.Aggs, Emit: a.Emit, Every: a.Every,
		Lateness: a.Lateness, Changelog: a.Changelog, Out: a.Out, noPanes: a.noPanes}
	if a.Late != nil {
		w.agg.Late = func(_ arrow.RecordBatch, rows []int) error {
			for _, r := range rows {
				w.late = append(w.late, w.rows[r])
			}
			return nil
		}
	}
	return w, w.agg.init()
}

func (p *ParallelAggregate) now() time.Time {
	if p.Env.Now != nil {
		return p.Env.Now()
	}
	return time.Now()
}

// run folds the sub-batches it is given until its jobs are closed.
func (w *aggWorker) run(results chan<- int) {
	for j := range w.jobs {
		w.step(j)
		results <- j.idx
	}
}

// step does what HashAggregate.Next does with one input batch, or with the end of the input.
func (w *aggWorker) step(j aggJob) {
	h := w.agg
	h.WM.Current = j.wm
	w.late = w.late[:0]
	w.mid = w.size()
	if j.b == nil {
		h.done = true
	} else {
		w.err = h.consume(j.b)
		j.b.Release()
		w.mid = w.size()
	}
	if w.err == nil {
		w.err = h.emit()
	}
	w.end = w.size()
	w.out, h.pending = h.pending, nil
}

func (w *aggWorker) size() stateSize {
	s := w.agg.Env.Stats
	return stateSize{bytes: s.StateBytes.Load(), open: s.OpenWindows.Load()}
}

func (p *ParallelAggregate) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for len(p.pending) == 0 {
		if p.done {
			return nil, io.EOF
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := p.Input.Next(ctx)
		if errors.Is(err, io.EOF) {
			p.done = true
			err = p.dispatch(nil)
		} else if err == nil {
			err = p.dispatch(b)
			b.Release()
		}
		if err != nil {
			return nil, err
		}
	}
	out := p.pending[0]
	p.pending = p.pending[1:]
	return out, nil
}

// dispatch hands each worker its part of b (nil at the end of the input), waits for all of
// them, and gathers what they did.
func (p *ParallelAggregate) dispatch(b arrow.RecordBatch) error {
	p.clock = p.now()
	wm := int64(maxTime)
	if !p.done && p.Agg.WM != nil {
		wm = p.Agg.WM.Current
	}
	parts, err := p.split(b)
	if err != nil {
		return err
	}
	for i, w := range p.workers {
		w.rows = p.rows[i]
		w.jobs <- aggJob{b: parts[i], wm: wm, idx: i}
	}
	for range p.workers {
		<-p.results
	}
	return p.gather(b)
}

// split makes each worker's sub-batch of b: the rows whose keys hash to it.
func (p *ParallelAggregate) split(b arrow.RecordBatch) ([]arrow.RecordBatch, error) {
	parts := make([]arrow.RecordBatch, len(p.workers))
	if b == nil {
		return parts, nil
	}
	for i := range p.rows {
		p.rows[i] = p.rows[i][:0]
	}
	n := int(b.NumRows())
	if n > 0 {
		keys, err := evalInto(p.keyArrs, p.Env.Mem, b, p.Agg.Keys)
		p.keyArrs = keys
		if err != nil {
			return nil, err
		}
		for i := 0; i < n; i++ {
			p.key = p.key[:0]
			for _, k := range keys {
				p.key = encodeKey(p.key, k, i)
			}
			w := maphash.Bytes(p.seed, p.key) % uint64(len(p.workers))
			p.rows[w] = append(p.rows[w], i)
		}
		releaseInto(keys)
	}
	for i, rows := range p.rows {
		if len(rows) == n {
			b.Retain()
			parts[i] = b
			continue
		}
		sub, err := takeBatch(p.Env.Mem, b, rows)
		if err != nil {
			releaseBatches(parts)
			return nil, err
		}
		parts[i] = sub
	}
	return parts, nil
}

// gather publishes the workers' counters and state, writes their late events, and merges
// their rows into the batch one aggregate would have emitted.
func (p *ParallelAggregate) gather(b arrow.RecordBatch) error {
	var outs []arrow.RecordBatch
	var err error
	for _, w := range p.workers {
		outs = append(outs, w.out...)
		w.out = nil
		if err == nil {
			err = w.err
		}
	}
	defer releaseBatches(outs)
	p.addCounts()
	if err != nil {
		return err
	}
	if err := p.account(func(w *aggWorker) stateSize { return w.mid }); err != nil {
		return err
	}
	if err := p.writeLate(b); err != nil {
		return err
	}
	if err := p.account(func(w *aggWorker) stateSize { return w.end }); err != nil {
		return err
	}
	if len(outs) == 0 {
		return nil
	}
	out, err := p.merge(outs)
	if err != nil {
		return err
	}
	p.pending = append(p.pending, out)
	return nil
}

// addCounts adds what the workers counted since the last batch to the query's counters.
func (p *ParallelAggregate) addCounts() {
	st := p.Env.Stats
	for _, w := range p.workers {
		ws := w.agg.Env.Stats
		now := [4]int64{ws.LateDropped.Load(), ws.LatePartial.Load(), ws.WindowsFired.Load(),
			ws.EventsSkipped.Load()}
		st.LateDropped.Add(now[0] - w.counts[0])
		st.LatePartial.Add(now[1] - w.counts[1])
		st.WindowsFired.Add(now[2] - w.counts[2])
		st.EventsSkipped.Add(now[3] - w.counts[3])
		w.counts = now
	}
}

// account publishes the workers' summed state as of one moment of the batch, and fails
// when it is past the memory limit.
func (p *ParallelAggregate) account(at func(*aggWorker) stateSize) error {
	var total stateSize
	for _, w := range p.workers {
		s := at(w)
		total.bytes += s.bytes
		total.open += s.open
	}
	p.Env.Stats.OpenWindows.Store(total.open)
	p.Env.Stats.SetState(total.bytes)
	return checkMemory(p.Env, total.bytes)
}

// writeLate hands the events the workers dropped as late to Agg.Late, in input order.
func (p *ParallelAggregate) writeLate(b arrow.RecordBatch) error {
	p.late = p.late[:0]
	for _, w := range p.workers {
		p.late = append(p.late, w.late...)
	}
	if len(p.late) == 0 || p.Agg.Late == nil {
		return nil
	}
	slices.Sort(p.late)
	if err := p.Agg.Late(b, p.late); err != nil {
		return fmt.Errorf("writing late events: %w", err)
	}
	return nil
}

// merge interleaves the workers' batches, each ordered by window start then keys, into one
// batch in that order. Rows of equal start and keys come from one worker, in its order.
func (p *ParallelAggregate) merge(outs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(outs) == 1 {
		outs[0].Retain()
		return outs[0], nil
	}
	base := 0
	if p.Agg.Changelog {
		base = 1
	}
	nk := len(p.Agg.Keys)
	order := func(b arrow.RecordBatch) []arrow.Array {
		cols := []arrow.Array{b.Column(base + nk)} // window_start
		for k := 0; k < nk; k++ {
			cols = append(cols, b.Column(base+k))
		}
		return cols
	}
	heads := make([]int, len(outs))
	cols := make([][]arrow.Array, len(outs))
	total := 0
	for i, o := range outs {
		cols[i] = order(o)
		total += int(o.NumRows())
	}
	// pick[r] and at[r] say which batch and row the r-th output row comes from.
	pick, at := make([]int, 0, total), make([]int, 0, total)
	for len(pick) < total {
		best := -1
		for i, o := range outs {
			if heads[i] >= int(o.NumRows()) {
				continue
			}
			if best < 0 || compareRows(cols[i], heads[i], cols[best], heads[best]) < 0 {
				best = i
			}
		}
		pick, at = append(pick, best), append(at, heads[best])
		heads[best]++
	}
	return interleave(p.Env, p.Agg.Out, outs, pick, at)
}

// compareRows orders row i of the columns a against row j of the columns b.
func compareRows(a []arrow.Array, i int, b []arrow.Array, j int) int {
	for c := range a {
		if r := compareCells(a[c], i, b[c], j, false); r != 0 {
			return r
		}
	}
	return 0
}

// interleave builds one batch of the rows at[r] of outs[pick[r]].
func interleave(env *Env, schema *arrow.Schema, outs []arrow.RecordBatch, pick,
	at []int) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, schema.NumFields())
	defer func() { releaseAll(cols) }()
	for c := range cols {
		b := array.NewBuilder(env.Mem, schema.Field(c).Type)
		b.Reserve(len(pick))
		for r, i := range pick {
			if err := appendCell(b, outs[i].Column(c), at[r]); err != nil {
				b.Release()
				return nil, err
			}
		}
		cols[c] = b.NewArray()
		b.Release()
	}
	return array.NewRecordBatch(schema, cols, int64(len(pick))), nil
}

// Close stops the workers and releases what they hold.
func (p *ParallelAggregate) Close() error {
	if !p.closed {
		p.closed = true
		p.stop()
		for _, b := range p.pending {
			b.Release()
		}
		p.pending = nil
	}
	return p.Input.Close()
}

// stop ends the workers' goroutines and waits for them. No job is in flight: dispatch waits
// for every worker before it returns.
func (p *ParallelAggregate) stop() {
	for _, w := range p.workers {
		close(w.jobs)
	}
	p.running.Wait()
	p.workers = nil
}

func releaseBatches(bs []arrow.RecordBatch) {
	for _, b := range bs {
		if b != nil {
			b.Release()
		}
	}
}

// ParallelSafe reports whether several workers may evaluate e at once and get what one would:
// its operators keep no state between calls, and it reads no clock (now() is the same for
// every row of a batch, which workers evaluating sub-batches apart would break). LIKE keeps a
// cache of patterns and is not.
func ParallelSafe(e Expr) bool {
	switch e := e.(type) {
	case *Column, *Literal:
		return true
	case *Binary:
		return ParallelSafe(e.L) && ParallelSafe(e.R)
	case *Unary:
		return ParallelSafe(e.X)
	case *IsNull:
		return ParallelSafe(e.X)
	case *Cast:
		return ParallelSafe(e.X)
	case *IsDistinct:
		return ParallelSafe(e.L) && ParallelSafe(e.R)
	case *Call:
		return !strings.EqualFold(e.Fn.Name, "now") && allParallelSafe(e.Args)
	case *Case:
		return allParallelSafe(e.Conds) && allParallelSafe(e.Thens) &&
			(e.Else == nil || ParallelSafe(e.Else))
	}
	return false
}

func allParallelSafe(es []Expr) bool {
	for _, e := range es {
		if !ParallelSafe(e) {
			return false
		}
	}
	return true
}
