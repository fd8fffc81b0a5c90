package exec

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Filter passes the rows for which a predicate is TRUE.
type Filter struct {
	Input Operator
	Pred  Expr
	Env   *Env

	idx []int
}

var _ Operator = (*Filter)(nil)

func (f *Filter) Schema() *arrow.Schema { return f.Input.Schema() }

func (f *Filter) Open(ctx context.Context) error { return f.Input.Open(ctx) }

func (f *Filter) Close() error { return f.Input.Close() }

func (f *Filter) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		// Once per batch, as the Operator contract asks, whatever the input does.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := f.Input.Next(ctx)
		if err != nil {
			return nil, err
		}
		out, err := f.apply(b)
		b.Release()
		if err != nil || out != nil {
			return out, err
		}
	}
}

// apply returns the passing rows of b: an empty batch when none passes.
func (f *Filter) apply(b arrow.RecordBatch) (arrow.RecordBatch, error) {
	p, err := f.Pred.Eval(f.Env.Mem, b)
	if err != nil {
		return nil, err
	}
	defer p.Release()
	if p.DataType().ID() == arrow.NULL {
		return b.NewSlice(0, 0), nil // WHERE NULL: no row is TRUE
	}
	pred, ok := p.(*array.Boolean)
	if !ok {
		return nil, fmt.Errorf("filter %s is not BOOLEAN", f.Pred)
	}
	f.idx = selected(pred, f.idx)
	switch len(f.idx) {
	case 0:
		return b.NewSlice(0, 0), nil
	case int(b.NumRows()):
		b.Retain()
		return b, nil
	}
	return takeBatch(f.Env.Mem, b, f.idx)
}

// Project computes one output column per expression.
type Project struct {
	Input  Operator
	Exprs  []Expr
	Out    *arrow.Schema
	Env    *Env
	Counts bool // count the rows it returns as the query's output
}

var _ Operator = (*Project)(nil)

func (p *Project) Schema() *arrow.Schema { return p.Out }

func (p *Project) Open(ctx context.Context) error { return p.Input.Open(ctx) }

func (p *Project) Close() error { return p.Input.Close() }

func (p *Project) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := p.Input.Next(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Release()
	cols, err := evalAll(p.Env.Mem, b, p.Exprs)
	if err != nil {
		return nil, err
	}
	defer releaseAll(cols)
	return array.NewRecordBatch(p.Out, cols, b.NumRows()), nil
}

// Count counts the rows read from its input into the query's EventsRead.
type Count struct {
	Input Operator
	Env   *Env
}

var _ Operator = (*Count)(nil)

func (c *Count) Schema() *arrow.Schema          { return c.Input.Schema() }
func (c *Count) Open(ctx context.Context) error { return c.Input.Open(ctx) }
func (c *Count) Close() error                   { return c.Input.Close() }

func (c *Count) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := c.Input.Next(ctx)
	if err == nil {
		c.Env.Stats.EventsRead.Add(b.NumRows())
	}
	return b, err
}

// Measure counts the rows its input returns into Stats.RowsOut, for EXPLAIN ANALYZE.
type Measure struct {
	Input Operator
	Stats *OpStats
}

var _ Operator = (*Measure)(nil)

func (m *Measure) Schema() *arrow.Schema          { return m.Input.Schema() }
func (m *Measure) Open(ctx context.Context) error { return m.Input.Open(ctx) }
func (m *Measure) Close() error                   { return m.Input.Close() }

func (m *Measure) Next(ctx context.Context) (arrow.RecordBatch, error) {
	b, err := m.Input.Next(ctx)
	if err == nil {
		m.Stats.RowsOut.Add(b.NumRows())
	}
	return b, err
}
