package exec

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
)

// DefaultPrefetch is how many batches Prefetch reads ahead when Depth is 0.
const DefaultPrefetch = 2

// Prefetch reads its input in a goroutine of its own, at most Depth batches ahead of its
// consumer, so that a source's parsing and the operators above it run on different cores.
//
// The goroutine starts at the first Next, not at Open: the caller may still configure the
// source between the two (the Go API sets the warning callback then). From then on the input
// is used by that goroutine only, until Close has stopped it. Next hands on the input's
// batches, errors and io.EOF in order; an error ends the stream. Close stops the goroutine,
// waits for it, releases the batches read ahead and closes the input.
//
// Prefetch does not implement Partitioned: a source fed by partitions is read inline, since
// the watermark must see its partitions as they stood when each batch arrived.
type Prefetch struct {
	Input Operator
	Depth int

	ch     chan prefetched
	cancel context.CancelFunc
	done   chan struct{}
	err    error // the error that ended the stream, returned again by every later Next
	once   sync.Once
}

type prefetched struct {
	b   arrow.RecordBatch
	err error
}

var _ Operator = (*Prefetch)(nil)

func (p *Prefetch) Schema() *arrow.Schema          { return p.Input.Schema() }
func (p *Prefetch) Open(ctx context.Context) error { return p.Input.Open(ctx) }

func (p *Prefetch) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if p.err != nil {
		return nil, p.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p.ch == nil {
		p.start(ctx)
	}
	select {
	case it := <-p.ch:
		p.err = it.err
		return it.b, it.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start launches the reading goroutine, which stops when ctx is done or Close is called.
func (p *Prefetch) start(ctx context.Context) {
	depth := p.Depth
	if depth <= 0 {
		depth = DefaultPrefetch
	}
	ctx, p.cancel = context.WithCancel(ctx)
	p.ch = make(chan prefetched, depth)
	p.done = make(chan struct{})
	go p.read(ctx)
}

func (p *Prefetch) read(ctx context.Context) {
	defer close(p.done)
	for {
		b, err := p.Input.Next(ctx)
		select {
		case p.ch <- prefetched{b: b, err: err}:
		case <-ctx.Done():
			if b != nil {
				b.Release()
			}
			return
		}
		if err != nil {
			return
		}
	}
}

// Close stops the reading goroutine and waits for it before it closes the input.
func (p *Prefetch) Close() error {
	p.once.Do(func() {
		if p.cancel == nil {
			return
		}
		p.cancel()
		<-p.done
		for {
			select {
			case it := <-p.ch:
				if it.b != nil {
					it.b.Release()
				}
			default:
				return
			}
		}
	})
	return p.Input.Close()
}
