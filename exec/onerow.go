package exec

import (
	"context"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// OneRow is the input of a SELECT without FROM: one row of no columns, over which the
// select list's expressions are evaluated once.
type OneRow struct {
	done bool
}

var _ Operator = (*OneRow)(nil)

var noColumns = arrow.NewSchema(nil, nil)

func (o *OneRow) Schema() *arrow.Schema { return noColumns }

func (o *OneRow) Open(context.Context) error {
	o.done = false
	return nil
}

func (o *OneRow) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if o.done {
		return nil, io.EOF
	}
	o.done = true
	return array.NewRecordBatch(noColumns, nil, 1), nil
}

func (o *OneRow) Close() error { return nil }
