package exec

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Union returns the rows of all its inputs (UNION ALL), as each input produces them: every
// input runs in a goroutine of its own, so that a stream that waits does not hold back the
// others.
type Union struct {
	Inputs []Operator
	Out    *arrow.Schema

	ch     chan unionItem
	cancel context.CancelFunc
	wg     sync.WaitGroup
	left   int
}

type unionItem struct {
	b   arrow.RecordBatch
	err error
}

var _ Operator = (*Union)(nil)

func (u *Union) Schema() *arrow.Schema { return u.Out }

func (u *Union) Open(ctx context.Context) error {
	for _, in := range u.Inputs {
		if err := in.Open(ctx); err != nil {
			return err
		}
	}
	ctx, u.cancel = context.WithCancel(ctx)
	u.ch = make(chan unionItem)
	u.left = len(u.Inputs)
	for _, in := range u.Inputs {
		u.wg.Add(1)
		go u.run(ctx, in)
	}
	return nil
}

// run feeds one input's batches to the channel, ending with io.EOF or its error.
func (u *Union) run(ctx context.Context, in Operator) {
	defer u.wg.Done()
	for {
		b, err := in.Next(ctx)
		if err == nil {
			// Give the batch the union's schema (the names of its first input).
			out := array.NewRecordBatch(u.Out, b.Columns(), b.NumRows())
			b.Release()
			b = out
		}
		select {
		case u.ch <- unionItem{b: b, err: err}:
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

func (u *Union) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for u.left > 0 {
		select {
		case it := <-u.ch:
			if errors.Is(it.err, io.EOF) {
				u.left--
				continue
			}
			return it.b, it.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, io.EOF
}

func (u *Union) Close() error {
	if u.cancel != nil {
		// The inputs' goroutines see the cancellation while they wait to send or to read.
		u.cancel()
		u.wg.Wait()
		u.cancel = nil
	}
	var err error
	for _, in := range u.Inputs {
		if cerr := in.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
