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
)

// ParallelAggregate runs a windowed HashAggregate with group keys as Workers aggregates, each
// on a goroutine of its own, and returns exactly the rows one aggregate would.
//
// Every worker is handed every input batch (which carries the $wm column of the Watermark
// below) with the watermark as it stands after the batch, and folds the rows whose group keys
// hash to it, so that all the events of a key meet in one worker and keep their order, and
// the workers fire their windows in step. Each worker hashes the keys itself: the operator's
// own goroutine does no work per row. What the workers emit for a batch is merged into one
// batch in the order one aggregate emits, window start then keys (the rows of one key all
// come from one worker, which has them in order already). The workers' counters are added to
// the query's, their state sizes summed and checked against the memory limit, and the events
// they drop as late are handed to Agg.Late in the input's row order.
//
// Agg is the aggregate to run; its Input and Env are not used: the workers are copies of it
// with counters of their own. Its expressions are evaluated by several goroutines at once, so
// they must be safe for that (see ParallelSafe).
type ParallelAggregate struct {
	Input   Operator
	Env     *Env
	Agg     *HashAggregate
	Workers int
	// Op counts what the workers drop, skip and hold, summed; Open makes it when nil.
	Op *OpStats

	workers []*aggWorker
	results chan struct{}
	running sync.WaitGroup
	late    []int
	open    int64 // the open windows last added to the query's count
	pending []arrow.RecordBatch
	done    bool
	closed  bool
}

var _ Operator = (*ParallelAggregate)(nil)

// stateSize is a worker's state and open windows at one moment.
type stateSize struct{ bytes, open int64 }

func (p *ParallelAggregate) Schema() *arrow.Schema { return p.Agg.Out }

func (p *ParallelAggregate) Open(ctx context.Context) error {
	if p.Op == nil {
		p.Op = p.Env.Stats.NewOp()
	}
	p.results = make(chan struct{}, p.Workers)
	seed := maphash.MakeSeed()
	sub := p.subSchema()
	for i := 0; i < p.Workers; i++ {
		w, err := p.newWorker(i, seed, sub)
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

func (p *ParallelAggregate) now() time.Time {
	if p.Env.Now != nil {
		return p.Env.Now()
	}
	return time.Now()
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

// dispatch hands b (nil at the end of the input) to every worker, waits for all of them, and
// gathers what they did.
func (p *ParallelAggregate) dispatch(b arrow.RecordBatch) error {
	j := aggJob{b: b, wm: maxTime, now: p.now()}
	if !p.done && p.Agg.WM != nil {
		j.wm = p.Agg.WM.Current
	}
	for _, w := range p.workers {
		if b != nil {
			b.Retain()
		}
		w.jobs <- j
	}
	for range p.workers {
		<-p.results
	}
	return p.gather(b)
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
	for _, w := range p.workers {
		ws := w.agg.Env.Stats
		now := [4]int64{ws.LateDropped.Load(), ws.LatePartial.Load(), ws.WindowsFired.Load(),
			ws.EventsSkipped.Load()}
		p.Op.AddLate(now[0]-w.counts[0], now[1]-w.counts[1])
		p.Env.Stats.WindowsFired.Add(now[2] - w.counts[2])
		p.Op.AddSkipped(now[3] - w.counts[3])
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
	// Other aggregates of the query may count open windows too: add the change.
	p.Env.Stats.OpenWindows.Add(total.open - p.open)
	p.open = total.open
	p.Op.SetState(total.bytes)
	return checkMemory(p.Env)
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

// Close stops the workers and releases what they hold.
func (p *ParallelAggregate) Close() error {
	if !p.closed {
		p.closed = true
		p.stop()
		releaseBatches(p.pending)
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
	for _, w := range p.workers {
		w.reuse.Close()
	}
	p.workers = nil
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
